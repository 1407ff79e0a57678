"""Helpers of lab 04-6: variance, purity and thresholds; CSV jobs, waits and batch transform."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from labs.modeling import unsupervised_metrics as um
from labs.modeling.batch_records import transform_lines
from labs.modeling.builtin_jobs import csv_trainer, model_from_job, put_csv
from labs.modeling.job_waits import wait_for_training_jobs

NOTEBOOK = "test-modeling-unsupervised"
PREFIX = "test-modeling-unsupervised"


def test_explained_variance_matches_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    data = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6))
    model = PCA().fit(data)
    ratios = um.explained_variance_ratio(model.transform(data)[:, :4], data)
    np.testing.assert_allclose(ratios, model.explained_variance_ratio_[:4], rtol=1e-9)
    with pytest.raises(ValueError, match="no variance"):
        um.explained_variance_ratio(np.zeros((3, 1)), np.ones((3, 2)))


def test_components_for_counts_from_one_and_sorts() -> None:
    assert um.components_for([0.1, 0.5, 0.3, 0.1], 0.8) == 2
    assert um.components_for([0.5, 0.3, 0.2], 0.5) == 1
    assert um.components_for([0.5, 0.3, 0.2], 0.81) == 3
    with pytest.raises(ValueError, match="compute more components"):
        um.components_for([0.4, 0.3], 0.9)


def test_cluster_purity() -> None:
    assert um.cluster_purity([1, 1, 2, 2], [0, 0, 1, 1]) == 1.0
    assert um.cluster_purity([1, 2, 1, 2], [0, 0, 0, 0]) == 0.5
    assert um.cluster_purity([1, 1, 1, 2, 2, 3], [0, 0, 1, 1, 1, 1]) == pytest.approx(4 / 6)
    with pytest.raises(ValueError):
        um.cluster_purity([1, 2], [0])


def test_sigma_threshold_and_precision_recall() -> None:
    scores = np.array([1.0, 1.0, 1.0, 1.0, 5.0])
    assert um.sigma_threshold(scores, k=1) == pytest.approx(1.8 + 1.6)
    flags = scores > um.sigma_threshold(scores, k=1)
    assert um.precision_recall(flags, [0, 0, 0, 1, 1]) == (1.0, 0.5)
    assert um.precision_recall([False, False], [0, 1]) == (0.0, 0.0)


def test_csv_jobs_wait_model_and_batch_transform(lab) -> None:
    rng = np.random.default_rng(1)
    centres = np.array([[0.0, 0.0], [8.0, 8.0], [0.0, 9.0]])
    points = np.vstack([c + rng.normal(scale=0.5, size=(60, 2)) for c in centres])
    uri = put_csv(lab, f"{PREFIX}/points.csv", points.round(4))
    assert (
        lab.client("s3")
        .get_object(Bucket=lab.bucket, Key=f"{PREFIX}/points.csv")["Body"]
        .read()
        .decode()
        .splitlines()[0]
        .count(",")
        == 1
    )
    output = lab.s3_uri(f"{PREFIX}/output")
    good = csv_trainer(
        lab,
        "kmeans",
        {"k": 3, "feature_dim": 2, "mini_batch_size": 100},
        {"train": uri},
        base_job_name="unsup-kmeans",
        output_uri=output,
        notebook=NOTEBOOK,
    )
    bad = csv_trainer(
        lab,
        "kmeans",
        {"k": 3, "feature_dim": 5, "mini_batch_size": 100},
        {"train": uri},
        base_job_name="unsup-kmeans-bad",
        output_uri=output,
        notebook=NOTEBOOK,
    )
    good.train(wait=False, logs=False)
    bad.train(wait=False, logs=False)
    names = [t._latest_training_job.training_job_name for t in (good, bad)]
    jobs = wait_for_training_jobs(lab.client("sagemaker"), names, timeout=120, poll=0.1)
    assert list(jobs) == names
    assert jobs[names[0]]["TrainingJobStatus"] == "Completed"
    assert jobs[names[1]]["TrainingJobStatus"] == "Failed"
    assert "feature_dim is 5" in jobs[names[1]]["FailureReason"]
    with pytest.raises(ValueError, match="only a Completed job"):
        model_from_job(lab, names[1], "unsup-kmeans-bad", NOTEBOOK)
    model = model_from_job(lab, names[0], "unsup-kmeans", NOTEBOOK)
    sm = lab.client("sagemaker")
    try:
        lines = transform_lines(
            sm,
            lab.client("s3"),
            job_name="unsup-kmeans-transform",
            model_name=model,
            input_uri=uri,
            output_uri=lab.s3_uri(f"{PREFIX}/transform"),
            timeout=120,
        )
        assert len(lines) == len(points)
        clusters = np.array([int(line["closest_cluster"]) for line in lines])
        truth = np.repeat([0, 1, 2], 60)
        assert um.cluster_purity(truth, clusters) == 1.0
        with pytest.raises(RuntimeError, match="Failed"):
            transform_lines(
                sm,
                lab.client("s3"),
                job_name="unsup-kmeans-transform-bad",
                model_name=model,
                input_uri=put_csv(lab, f"{PREFIX}/wide.csv", np.ones((3, 4))),
                output_uri=lab.s3_uri(f"{PREFIX}/transform-bad"),
                timeout=120,
            )
    finally:
        sm.delete_model(ModelName=model)
