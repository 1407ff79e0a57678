"""The baseline numbers quoted in the data cards: ``python -m labs.data.baselines``.

Every number is seeded and computed from the files in data/, with the protocol named in
the card: a stratified 80/20 split (``random_state=0``) and 5-fold stratified
cross-validation (``shuffle=True, random_state=0``).
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

SPLIT_SEED = 0


def _churn_xy(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    x = df.drop(columns=["customer_id", "churn"])
    return x, df["churn"]


def _categorical(x: pd.DataFrame) -> pd.DataFrame:
    x = x.copy()
    for col in x.columns:
        if not pd.api.types.is_numeric_dtype(x[col]):
            x[col] = x[col].astype("category")
    return x


def churn_models() -> dict[str, object]:
    """The two churn baselines: gradient-boosted trees and a plain logistic regression."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pre = make_column_transformer(
        (
            make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            make_column_selector(dtype_include="number"),
        ),
        (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
    )
    return {
        "hist_gradient_boosting": HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=SPLIT_SEED
        ),
        "logistic_regression": make_pipeline(pre, LogisticRegression(max_iter=2000)),
    }


def churn_split_auc(df: pd.DataFrame) -> dict[str, float]:
    """Validation AUC of each churn baseline on the stratified 80/20 split."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    x, y = _churn_xy(df)
    x = _categorical(x)
    xtr, xva, ytr, yva = train_test_split(x, y, test_size=0.2, stratify=y, random_state=SPLIT_SEED)
    out = {}
    for name, model in churn_models().items():
        model.fit(xtr, ytr)
        out[name] = float(roc_auc_score(yva, model.predict_proba(xva)[:, 1]))
    return out


def churn_cv_auc(df: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """5-fold cross-validated AUC (mean, sd) of each churn baseline."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    x, y = _churn_xy(df)
    x = _categorical(x)
    cv = StratifiedKFold(5, shuffle=True, random_state=SPLIT_SEED)
    out = {}
    for name, model in churn_models().items():
        scores = cross_val_score(model, x, y, cv=cv, scoring="roc_auc")
        out[name] = (float(scores.mean()), float(scores.std()))
    return out


def churn_xgboost_auc(df: pd.DataFrame) -> float:
    """Validation AUC of XGBoost (default settings, native categoricals) on the split."""
    import xgboost as xgb
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    x, y = _churn_xy(df)
    x = _categorical(x)
    xtr, xva, ytr, yva = train_test_split(x, y, test_size=0.2, stratify=y, random_state=SPLIT_SEED)
    model = xgb.XGBClassifier(enable_categorical=True, random_state=SPLIT_SEED, n_jobs=2)
    model.fit(xtr, ytr)
    return float(roc_auc_score(yva, model.predict_proba(xva)[:, 1]))


def reviews_model() -> object:
    """TF-IDF (words, default settings) followed by a logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000))


def reviews_split_scores(df: pd.DataFrame) -> dict[str, float]:
    """Accuracy and macro-F1 of TF-IDF + LR on the stratified 80/20 split (3 classes)."""
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import train_test_split

    xtr, xva, ytr, yva = train_test_split(
        df["review_text"],
        df["sentiment"],
        test_size=0.2,
        stratify=df["sentiment"],
        random_state=SPLIT_SEED,
    )
    pred = reviews_model().fit(xtr, ytr).predict(xva)
    return {
        "accuracy": float(accuracy_score(yva, pred)),
        "macro_f1": float(f1_score(yva, pred, average="macro")),
        "majority_class": float((yva == ytr.mode()[0]).mean()),
    }


def reviews_cv_accuracy(df: pd.DataFrame, binary: bool = False) -> tuple[float, float]:
    """5-fold accuracy (mean, sd); ``binary`` drops neutral reviews (positive vs negative)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    if binary:
        df = df[df["sentiment"] != "neutral"]
    cv = StratifiedKFold(5, shuffle=True, random_state=SPLIT_SEED)
    scores = cross_val_score(reviews_model(), df["review_text"], df["sentiment"], cv=cv)
    return float(scores.mean()), float(scores.std())


def retail_holdout_wape(df: pd.DataFrame, start: str = "2024-10-01") -> dict[str, float]:
    """WAPE of two naive forecasts for every day from ``start`` on (last quarter of 2024).

    ``seasonal_naive``: the same store, item and weekday one week earlier (a one-step-ahead
    forecast). ``weekday_mean``: the mean of that store, item and weekday before ``start``
    (a whole-quarter-ahead forecast that knows no trend, promotion or holiday).
    """
    df = df.sort_values(["store_id", "item_id", "date"])
    lag7 = df.groupby(["store_id", "item_id"])["units_sold"].shift(7)
    hold = df["date"] >= pd.Timestamp(start)
    dow = df["date"].dt.day_of_week
    train = df[~hold]
    means = train.groupby([train["store_id"], train["item_id"], dow[~hold]])["units_sold"].mean()
    keys = pd.MultiIndex.from_arrays([df["store_id"], df["item_id"], dow])
    weekday_mean = pd.Series(means.reindex(keys).to_numpy(), index=df.index)
    actual = df.loc[hold, "units_sold"]

    def wape(pred: pd.Series) -> float:
        return float(np.abs(actual - pred[hold]).sum() / actual.sum())

    return {"seasonal_naive": wape(lag7), "weekday_mean": wape(weekday_mean)}


def events_zscore_scores(df: pd.DataFrame, threshold: float = 4.0) -> dict[str, float]:
    """Precision, recall and recall per type of a per-device robust z-score rule.

    A running reading is flagged when any sensor is more than ``threshold`` robust standard
    deviations (1.4826 x MAD) from its device's median over running readings.
    """
    run = df[df["status"] == "running"]
    flag = pd.Series(False, index=df.index)
    for col in ("temperature_c", "vibration_mm_s", "pressure_bar"):
        grouped = run.groupby("device_id")[col]
        med = grouped.transform("median")
        mad = grouped.transform(lambda s: (s - s.median()).abs().median()) * 1.4826
        flag.loc[run.index] |= ((run[col] - med).abs() / mad) > threshold
    truth = df["is_anomaly"] == 1
    out = {
        "precision": float((flag & truth).sum() / max(flag.sum(), 1)),
        "recall": float((flag & truth).sum() / truth.sum()),
    }
    for kind in ("spike", "level_shift", "stuck", "drift"):
        rows = df["anomaly_type"] == kind
        out[f"recall_{kind}"] = float(flag[rows].mean())
    return out


def digits_accuracy(df: pd.DataFrame) -> dict[str, float]:
    """Accuracy of a logistic regression and an RBF SVM on a stratified 75/25 split."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x, y = df.drop(columns="label"), df["label"]
    xtr, xva, ytr, yva = train_test_split(x, y, test_size=0.25, stratify=y, random_state=SPLIT_SEED)
    models = {
        "logistic_regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)),
        "svm_rbf": SVC(),
    }
    return {n: float(m.fit(xtr, ytr).score(xva, yva)) for n, m in models.items()}


def main() -> int:
    """Print every baseline number quoted in the cards."""
    from labs.data import load

    churn = load("churn")
    print(f"churn positive rate: {churn['churn'].mean():.4f}")
    print("churn split AUC:", {k: round(v, 3) for k, v in churn_split_auc(churn).items()})
    print(f"churn split AUC xgboost: {churn_xgboost_auc(churn):.3f}")
    for name, (mean, sd) in churn_cv_auc(churn).items():
        print(f"churn 5-fold AUC {name}: {mean:.3f} +/- {sd:.3f}")
    reviews = load("reviews")
    print("reviews split:", {k: round(v, 3) for k, v in reviews_split_scores(reviews).items()})
    mean, sd = reviews_cv_accuracy(reviews)
    print(f"reviews 5-fold accuracy: {mean:.3f} +/- {sd:.3f}")
    mean, sd = reviews_cv_accuracy(reviews, binary=True)
    print(f"reviews 5-fold accuracy, pos vs neg: {mean:.3f} +/- {sd:.3f}")
    print("retail WAPE:", {k: round(v, 3) for k, v in retail_holdout_wape(load("retail")).items()})
    print("events z>4:", {k: round(v, 3) for k, v in events_zscore_scores(load("events")).items()})
    print("digits accuracy:", {k: round(v, 3) for k, v in digits_accuracy(load("digits")).items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
