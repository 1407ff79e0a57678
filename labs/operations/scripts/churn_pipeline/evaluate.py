"""Score the trained XGBoost model on the test split and write evaluation.json.

Runs as a SageMaker Processing job with the XGBoost 1.7-1 image (which has xgboost,
scikit-learn and pandas). Reads model.tar.gz from --model-dir and test.csv (label first,
no header) from --test-dir; writes --output-dir/evaluation.json in the layout a pipeline's
PropertyFile reads: {"metrics": {"auc": {"value": ...}, "accuracy": {"value": ...}}}.
"""

import argparse
import glob
import json
import os
import tarfile

import pandas as pd
import xgboost
from sklearn.metrics import accuracy_score, roc_auc_score


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--test-dir", required=True)
    parser.add_argument("--output-dir", required=True)
    args = parser.parse_args()
    archive = glob.glob(os.path.join(args.model_dir, "**", "model.tar.gz"), recursive=True)[0]
    with tarfile.open(archive) as bundle:
        bundle.extractall(args.model_dir)
    booster = xgboost.Booster()
    booster.load_model(os.path.join(args.model_dir, "xgboost-model"))
    test = pd.concat(
        pd.read_csv(path, header=None)
        for path in sorted(glob.glob(os.path.join(args.test_dir, "*.csv")))
    )
    labels, features = test.iloc[:, 0], test.iloc[:, 1:]
    scores = booster.predict(xgboost.DMatrix(features.values))
    report = {
        "metrics": {
            "auc": {"value": round(float(roc_auc_score(labels, scores)), 4)},
            "accuracy": {"value": round(float(accuracy_score(labels, scores > 0.5)), 4)},
        },
        "test_rows": len(test),
    }
    os.makedirs(args.output_dir, exist_ok=True)
    with open(os.path.join(args.output_dir, "evaluation.json"), "w") as handle:
        json.dump(report, handle)
    print("evaluation:", json.dumps(report))


if __name__ == "__main__":
    main()
