"""What the kit's datasets are: one :class:`DatasetInfo` per dataset, in :data:`REGISTRY`.

The registry is the single description the loaders, the build and the tests rely on: the
file name in ``data/``, the columns in file order with their loaded kind, the target, the
task, the expected row-count range, and where the data comes from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

#: How a column is loaded: "str" (pandas string), "int" (int64), "float" (float64,
#: NaN for a missing value) or "datetime" (datetime64).
Kind = Literal["str", "int", "float", "datetime"]


@dataclass(frozen=True)
class DatasetInfo:
    """Description of one dataset.

    Attributes:
        name: the name passed to ``labs.data.load``.
        file: file name in the data folder, or None when nothing is stored (digits).
        description: one line for listings.
        target: the label column, or None for unlabelled data.
        task: the ML task the dataset is made for.
        columns: column name -> kind, in file order.
        rows: inclusive (min, max) number of rows a valid file has.
        generator: module that makes the file (``labs.data.generators.<name>``), or None.
        seed: the generator's seed, or None.
        source: provenance in one line.
        licence: the data's licence.
        topics: exam topics it serves.
    """

    name: str
    file: str | None
    description: str
    target: str | None
    task: str
    columns: MappingProxyType[str, Kind]
    rows: tuple[int, int]
    generator: str | None
    seed: int | None
    source: str
    licence: str
    topics: tuple[str, ...] = field(default=())


def _cols(**kinds: Kind) -> MappingProxyType[str, Kind]:
    return MappingProxyType(dict(kinds))


_SYNTHETIC_LICENCE = "CC0-1.0 (public domain dedication); the generator code is Apache-2.0"

_CHURN_ADDONS: dict[str, Kind] = {
    c: "str"
    for c in (
        "online_security",
        "online_backup",
        "device_protection",
        "tech_support",
        "streaming_tv",
        "streaming_movies",
    )
}

REGISTRY: MappingProxyType[str, DatasetInfo] = MappingProxyType(
    {
        "churn": DatasetInfo(
            name="churn",
            file="churn.csv",
            description="Telecom customers, one row each, with whether they left (churn=1).",
            target="churn",
            task="binary classification",
            columns=_cols(
                customer_id="str",
                age="float",
                state="str",
                partner="str",
                dependents="str",
                tenure_months="int",
                contract="str",
                payment_method="str",
                paperless_billing="str",
                internet_service="str",
                **_CHURN_ADDONS,
                international_plan="str",
                monthly_charges="float",
                total_charges="float",
                data_usage_gb="float",
                day_minutes="float",
                evening_minutes="float",
                night_minutes="float",
                intl_minutes="float",
                customer_service_calls="int",
                satisfaction_score="float",
                churn="int",
            ),
            rows=(5000, 5000),
            generator="labs.data.generators.churn",
            seed=20240601,
            source="synthetic, labs/data/generators/churn.py",
            licence=_SYNTHETIC_LICENCE,
            topics=(
                "missing values",
                "imputation",
                "categorical encoding",
                "outliers",
                "class imbalance",
                "binary classification",
                "AUC",
                "XGBoost",
                "Linear Learner",
                "feature engineering",
            ),
        ),
        "retail": DatasetInfo(
            name="retail",
            file="retail.csv",
            description="Daily unit sales, 5 stores x 10 items, 2022-2024.",
            target="units_sold",
            task="time-series forecasting",
            columns=_cols(
                date="datetime",
                store_id="str",
                item_id="str",
                category="str",
                price="float",
                on_promotion="int",
                is_holiday="int",
                units_sold="int",
            ),
            rows=(54800, 54800),
            generator="labs.data.generators.retail",
            seed=20240602,
            source="synthetic, labs/data/generators/retail.py",
            licence=_SYNTHETIC_LICENCE,
            topics=(
                "time series",
                "forecasting",
                "DeepAR",
                "seasonality",
                "lag features",
                "regression",
                "RMSE/MAPE",
                "data engineering",
            ),
        ),
        "events": DatasetInfo(
            name="events",
            file="events.csv",
            description="Sensor readings from 12 machines over two weeks, anomalies labelled.",
            target="is_anomaly",
            task="anomaly detection",
            columns=_cols(
                timestamp="datetime",
                device_id="str",
                status="str",
                temperature_c="float",
                vibration_mm_s="float",
                pressure_bar="float",
                rpm="int",
                is_anomaly="int",
                anomaly_type="str",
            ),
            rows=(45000, 50000),
            generator="labs.data.generators.events",
            seed=20240603,
            source="synthetic, labs/data/generators/events.py",
            licence=_SYNTHETIC_LICENCE,
            topics=(
                "anomaly detection",
                "Random Cut Forest",
                "streaming data",
                "Kinesis",
                "time series",
                "precision/recall",
            ),
        ),
        "reviews": DatasetInfo(
            name="reviews",
            file="reviews.csv",
            description="Product reviews with star ratings and sentiment labels.",
            target="sentiment",
            task="text classification",
            columns=_cols(
                review_id="str",
                product_category="str",
                rating="int",
                review_text="str",
                sentiment="str",
            ),
            rows=(2500, 2500),
            generator="labs.data.generators.reviews",
            seed=20240604,
            source="synthetic, labs/data/generators/reviews.py",
            licence=_SYNTHETIC_LICENCE,
            topics=(
                "NLP",
                "tokenization",
                "TF-IDF",
                "BlazingText",
                "Comprehend",
                "text classification",
                "multiclass metrics",
            ),
        ),
        "ratings": DatasetInfo(
            name="ratings",
            file="ratings.csv",
            description="Star ratings of 400 streaming titles by 800 users, with a liked flag.",
            target="rating",
            task="recommendation (rating regression or liked classification)",
            columns=_cols(
                user_id="str",
                item_id="str",
                user_age_group="str",
                user_region="str",
                item_genre="str",
                item_year="int",
                rating="int",
                liked="int",
            ),
            rows=(30000, 34000),
            generator="labs.data.generators.ratings",
            seed=20240605,
            source="synthetic, labs/data/generators/ratings.py",
            licence=_SYNTHETIC_LICENCE,
            topics=(
                "recommendation",
                "Factorization Machines",
                "one-hot encoding",
                "sparse data",
                "RecordIO-protobuf",
                "regression",
                "binary classification",
            ),
        ),
        "digits": DatasetInfo(
            name="digits",
            file=None,
            description="8x8 images of handwritten digits (scikit-learn's bundled copy).",
            target="label",
            task="multiclass classification",
            columns=_cols(**{f"pixel_{i}": "int" for i in range(64)}, label="int"),
            rows=(1797, 1797),
            generator=None,
            seed=None,
            source="scikit-learn's bundled copy of the UCI Optical Recognition of "
            "Handwritten Digits test set (sklearn.datasets.load_digits)",
            licence="CC BY 4.0 (UCI Machine Learning Repository); shipped in scikit-learn "
            "(BSD-3-Clause)",
            topics=(
                "image classification",
                "multiclass",
                "PCA",
                "k-means",
                "neural networks",
                "confusion matrix",
            ),
        ),
    }
)
