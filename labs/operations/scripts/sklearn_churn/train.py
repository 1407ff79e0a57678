"""Script-mode training on the scikit-learn image: a scaled logistic regression for churn.

The ``train`` and ``validation`` channels hold CSV files with the label in the first
column and no header. Paths come from the SM_* environment variables, so the same script
runs unchanged on SageMaker AI and in the kit.
"""

import argparse
import os
from pathlib import Path

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def read_channel(folder: str) -> tuple[np.ndarray, np.ndarray]:
    """Every CSV file of a channel folder as (features, labels)."""
    files = sorted(Path(folder).glob("*.csv"))
    table = np.vstack([np.loadtxt(path, delimiter=",", ndmin=2) for path in files])
    return table[:, 1:], table[:, 0].astype(int)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--validation", default=os.environ.get("SM_CHANNEL_VALIDATION"))
    args, _ = parser.parse_known_args()

    x_train, y_train = read_channel(args.train)
    x_valid, y_valid = read_channel(args.validation)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=args.C, max_iter=2000))
    model.fit(x_train, y_train)
    auc = roc_auc_score(y_valid, model.predict_proba(x_valid)[:, 1])
    print(f"trained on {len(y_train)} rows; validation-auc: {auc:.4f}")
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))


if __name__ == "__main__":
    main()
