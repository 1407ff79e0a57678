"""Prepare the churn table for XGBoost: numeric features, label first, no header, split.

Runs as a SageMaker Processing job (scikit-learn 1.2-1 image: Python 3.9, pandas, numpy).
Reads the CSV files of --input-dir, writes train/validation/test CSV files below
--output-dir. --test-share sets the share of rows held out for validation and for test.
"""

import argparse
import glob
import os

import numpy as np
import pandas as pd

LABEL = "churn"
NUMERIC = [
    "tenure_months",
    "monthly_charges",
    "total_charges",
    "data_usage_gb",
    "day_minutes",
    "evening_minutes",
    "intl_minutes",
    "customer_service_calls",
    "satisfaction_score",
]
FLAGS = {
    "month_to_month": ("contract", "month-to-month"),
    "international_plan": ("international_plan", "yes"),
    "fiber": ("internet_service", "fiber optic"),
    "electronic_check": ("payment_method", "electronic check"),
}


def features(table):
    """The label, then the numeric columns and a few yes/no flags."""
    out = pd.DataFrame({LABEL: table[LABEL].astype(int)})
    for column in NUMERIC:
        out[column] = pd.to_numeric(table[column], errors="coerce")
    for name, (column, value) in FLAGS.items():
        out[name] = (table[column] == value).astype(int)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    parser.add_argument("--test-share", type=float, default=0.2)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.input_dir, "**", "*.csv"), recursive=True))
    table = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    data = features(table)
    order = np.random.default_rng(42).permutation(len(data))
    held = int(len(data) * args.test_share)
    parts = {
        "test": order[:held],
        "validation": order[held : 2 * held],
        "train": order[2 * held :],
    }
    for name, rows in parts.items():
        folder = os.path.join(args.output_dir, name)
        os.makedirs(folder, exist_ok=True)
        data.iloc[rows].to_csv(os.path.join(folder, f"{name}.csv"), header=False, index=False)
        print(f"wrote {name}: {len(rows)} rows, {data.shape[1] - 1} features")


if __name__ == "__main__":
    main()
