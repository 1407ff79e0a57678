"""The BlazingText stand-in (supervised mode): quality, rules, serving, and the API path.

``train()`` is called directly on temporary folders (as the runtime does) for quality and
rules; then one job goes through CreateTrainingJob on the image
``image_uris.retrieve("blazingtext", region)`` gives, and its model answers InvokeEndpoint
in BlazingText's response format.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from runtime_support import (
    channel,
    deployed,
    model_dir_of,
    put_bytes,
    train_in_process,
    wait_for_training_job,
)
from sklearn.model_selection import train_test_split

from labs import data
from labs.algorithms import ALGORITHMS, AlgorithmError, Channel, blazingtext
from labs.data.baselines import reviews_model
from labs.modeling.blazingtext_lines import sentence, training_file
from labs.runtime.serving.blazingtext_algo import BlazingTextHandler
from labs.runtime.serving.errors import InferenceError
from labs.runtime.serving.protocol import Request

SPEC = ALGORITHMS["blazingtext"]
# Settings that suit 2,000 short reviews (the documented defaults, 5 epochs at 0.05, are
# meant for millions of lines and stay at "always positive" here).
GOOD = {"mode": "supervised", "epochs": 5, "learning_rate": 0.5, "word_ngrams": 2}


def reviews_split() -> tuple[Any, Any, Any, Any]:
    """The reviews data card's split: stratified 80/20, ``random_state=0``."""
    frame = data.load("reviews")
    return train_test_split(
        frame["review_text"],
        frame["sentiment"],
        test_size=0.2,
        stratify=frame["sentiment"],
        random_state=0,
    )


def write(folder: Path, text: str, name: str = "data.txt") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text)
    return folder


def run(
    tmp_path: Path, hyperparameters: dict[str, Any], channels: dict[str, Path]
) -> tuple[list[str], list[tuple[str, float, int | None]]]:
    """Train this algorithm in-process; return logs and reported metrics."""
    return train_in_process(SPEC, tmp_path, hyperparameters, channels)


@pytest.fixture(scope="module")
def reviews_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The split written as BlazingText lines, and the TF-IDF baseline's accuracy on it."""
    xtr, xva, ytr, yva = reviews_split()
    root = tmp_path_factory.mktemp("reviews")
    baseline = float(np.mean(reviews_model().fit(xtr, ytr).predict(xva) == yva))
    return {
        "train": write(root / "train", training_file(ytr, xtr)),
        "validation": write(root / "validation", training_file(yva, xva)),
        "xva": list(xva),
        "yva": list(yva),
        "baseline": baseline,
    }


@pytest.fixture(scope="module")
def trained(reviews_files, tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("bt-job")
    logs, metrics = run(
        tmp,
        GOOD,
        {"train": reviews_files["train"], "validation": reviews_files["validation"]},
    )
    return {"logs": logs, "metrics": metrics, "model_dir": tmp / "model"}


def test_accuracy_on_reviews_is_close_to_the_tfidf_baseline(reviews_files, trained):
    [(name, accuracy, _)] = [m for m in trained["metrics"] if m[2] is None]
    assert name == "validation:accuracy"
    # measured 0.866 against the baseline's 0.860; always "positive" scores 0.628
    assert accuracy > reviews_files["baseline"] - 0.03
    assert accuracy > 0.80
    # The SageMaker regex of the metric reads the same number from the log.
    regex = re.compile(next(m.regex for m in SPEC.metrics if m.name == name))
    found = [float(m.group(1)) for line in trained["logs"] if (m := regex.search(line))]
    assert found[-1] == pytest.approx(accuracy, abs=1e-4)


def test_the_artifact_predicts_what_the_job_measured(reviews_files, trained):
    model_dir = trained["model_dir"]
    assert (model_dir / "model.bin").is_file()
    model = blazingtext.load(model_dir)
    answers = [blazingtext.predict(model, sentence(t), k=2) for t in reviews_files["xva"]]
    assert all(len(a["label"]) == 2 and a["prob"][0] >= a["prob"][1] for a in answers)
    predicted = [a["label"][0].removeprefix("__label__") for a in answers]
    accuracy = np.mean(np.array(predicted) == np.array(reviews_files["yva"]))
    final = next(v for n, v, e in trained["metrics"] if e is None)
    assert accuracy == pytest.approx(final, abs=1e-3)
    negative = blazingtext.predict(model, sentence("I want my money back. Returning it."))
    assert negative["label"] == ["__label__negative"]


def test_word_ngrams_capture_negation(reviews_files, tmp_path):
    """Bigrams ("not great") help on these reviews: unigrams only score lower."""
    unigrams = {**GOOD, "word_ngrams": 1, "epochs": 5}
    bigrams = {**GOOD, "word_ngrams": 2, "epochs": 5}
    channels = {"train": reviews_files["train"], "validation": reviews_files["validation"]}
    _, one = run(tmp_path / "one", unigrams, channels)
    _, two = run(tmp_path / "two", bigrams, channels)
    # measured 0.854 with unigrams and 0.866 with bigrams
    assert two[-1][1] > one[-1][1]


def test_early_stopping_keeps_the_best_epoch(reviews_files, tmp_path):
    hps = {**GOOD, "epochs": 40, "early_stopping": "True", "min_epochs": 2, "patience": 2}
    logs, metrics = run(
        tmp_path,
        hps,
        {"train": reviews_files["train"], "validation": reviews_files["validation"]},
    )
    per_epoch = [(e, v) for n, v, e in metrics if e is not None]
    assert len(per_epoch) < 40
    assert any("Early stopping" in line for line in logs)
    best = max(v for _, v in per_epoch)
    assert metrics[-1] == ("validation:accuracy", pytest.approx(best, abs=1e-4), None)


def test_early_stopping_needs_a_validation_channel(reviews_files, tmp_path):
    with pytest.raises(AlgorithmError, match="early_stopping=True needs a validation channel"):
        run(tmp_path, {**GOOD, "early_stopping": "true"}, {"train": reviews_files["train"]})


def test_a_line_without_label_fails_with_its_line_number(tmp_path):
    folder = write(tmp_path / "train", "__label__a good thing\nno label on this line\n")
    with pytest.raises(AlgorithmError) as caught:
        run(tmp_path, GOOD, {"train": folder})
    text = str(caught.value)
    assert text.startswith("ClientError: ")
    assert "line 2 of file 'data.txt' has no label" in text and "__label__" in text


@pytest.mark.parametrize(
    ("hyperparameters", "reason"),
    [
        ({}, "Missing required hyperparameter: mode"),
        ({"mode": "supervise"}, "Did you mean 'supervised'?"),
        ({"mode": "supervised", "word_ngrams": "0"}, "Hyperparameter word_ngrams: 0 is not"),
        ({"mode": "supervised", "learning_rate": "0"}, "learning_rate: 0 is not in range"),
        ({"mode": "supervised", "epochs": "ten"}, "epochs: could not parse value 'ten'"),
        ({"mode": "supervised", "early_stopping": "maybe"}, "expected true or false"),
        ({"mode": "supervised", "ngrams": "2"}, "Did you mean 'word_ngrams'?"),
        ({"mode": "skipgram", "subwords": "True"}, "subwords=True (vectors for character"),
    ],
)
def test_bad_hyperparameters_fail_like_sagemaker(hyperparameters, reason):
    with pytest.raises(AlgorithmError) as caught:
        SPEC.validate(hyperparameters)
    assert str(caught.value).startswith("ClientError: ")
    assert reason in str(caught.value)


def test_content_type_other_than_text_plain_is_refused(tmp_path):
    folder = write(tmp_path / "train", "__label__a x\n")
    ctx_channel = Channel("train", folder, "text/csv")
    with pytest.raises(AlgorithmError, match="Content type text/csv is not supported"):
        blazingtext.read_examples(ctx_channel)


def test_multi_label_lines_and_labels_anywhere(tmp_path):
    folder = write(tmp_path / "train", "red apple __label__fruit __label__red\n")
    [example] = blazingtext.read_examples(Channel("train", folder, "text/plain"))
    assert example.labels == ["fruit", "red"] and example.tokens == ["red", "apple"]


# Word2Vec modes

ADJECTIVES = ["great", "excellent", "lovely", "terrible", "flimsy", "sturdy"]
NOUNS = ["kettle", "blender", "toaster", "jacket", "novel", "speaker"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The first 800 reviews, tokenised, one per line, no labels."""
    reviews = data.load("reviews")["review_text"][:800]
    root = tmp_path_factory.mktemp("corpus")
    return write(root / "train", "".join(sentence(t) + "\n" for t in reviews))


@pytest.mark.parametrize(("mode", "learning_rate"), [("skipgram", 0.05), ("cbow", 0.1)])
def test_word2vec_puts_words_used_alike_close_together(corpus, tmp_path, mode, learning_rate):
    hyperparameters = {
        "mode": mode,
        "epochs": 3,
        "learning_rate": learning_rate,
        "vector_dim": 30,
        "min_count": 3,
        "sampling_threshold": 0.001,
    }
    logs, metrics = run(tmp_path, hyperparameters, {"train": corpus})
    assert not metrics  # train:mean_rho needs WS-353, which the kit does not ship
    assert any("WordSimilarity-353" in line for line in logs)
    text = (tmp_path / "model" / "vectors.txt").read_text().splitlines()
    count, dim = map(int, text[0].split())
    assert dim == 30 and count == len(text) - 1 and len(text[1].split()) == 31
    vectors = blazingtext.load(tmp_path / "model")
    within = np.mean(
        [vectors.similarity(a, b) for i, a in enumerate(ADJECTIVES) for b in ADJECTIVES[i + 1 :]]
    )
    across = np.mean([vectors.similarity(a, n) for a in ADJECTIVES for n in NOUNS])
    # Adjectives share contexts ("the lid is very ___"); product names share others.
    # measured 0.50 / -0.04 (skipgram) and 0.46 / 0.26 (cbow) on 1,200 reviews
    assert within > across + 0.1


def test_word2vec_takes_the_train_channel_only(corpus, tmp_path):
    with pytest.raises(AlgorithmError, match="takes the train channel only"):
        run(tmp_path, {"mode": "cbow"}, {"train": corpus, "validation": corpus})


def test_word2vec_endpoint_answers_vectors_and_zeros_for_unknown_words(corpus, tmp_path):
    run(tmp_path, {"mode": "batch_skipgram", "epochs": 1, "vector_dim": 8}, {"train": corpus})
    handler = BlazingTextHandler(tmp_path / "model")
    body = json.dumps({"instances": ["great", "zzzunknown"]}).encode()
    answers = json.loads(handler.invoke(Request(body, "application/json")).body)
    assert [a["word"] for a in answers] == ["great", "zzzunknown"]
    assert len(answers[0]["vector"]) == 8 and any(answers[0]["vector"])
    assert answers[1]["vector"] == [0.0] * 8
    with pytest.raises(InferenceError) as caught:
        handler.invoke(Request(b'{"source": "kettle"}', "application/jsonlines"))
    assert caught.value.status == 415


# Serving


def test_handler_answers_json_and_jsonlines(trained):
    handler = BlazingTextHandler(trained["model_dir"])
    body = {
        "instances": [sentence("Worth every penny!"), sentence("Not wroth the price.")],
        "configuration": {"k": 2},
    }
    reply = handler.invoke(Request(json.dumps(body).encode(), "application/json"))
    answers = json.loads(reply.body)
    assert reply.content_type == "application/json"
    assert len(answers) == 2 and set(answers[0]) == {"label", "prob"}
    assert answers[0]["label"][0] == "__label__positive" and len(answers[0]["prob"]) == 2
    lines = b'{"source": "worth every penny !"}\n{"source": "i want my money back .", "k": 3}\n'
    # Accept differs from the content type: BlazingText answers in the content type.
    reply = handler.invoke(Request(lines, "application/jsonlines", accept="application/json"))
    first, second = (json.loads(x) for x in reply.body.decode().splitlines())
    assert reply.content_type == "application/jsonlines"
    assert len(first["label"]) == 1 and len(second["label"]) == 3
    assert second["label"][0] == "__label__negative"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b"worth every penny", "text/csv", 415, "not supported by BlazingText"),
        (b'{"instances": "oops"}', "application/json", 400, '"instances"'),
        (b'{"instances": [3]}', "application/json", 400, "must be a string"),
        (b'{"instances": ["a"], "configuration": {"k": 0}}', "application/json", 400, "k must"),
        (b'{"text": "a"}\n', "application/jsonlines", 400, '"source"'),
    ],
)
def test_handler_errors(trained, body, content_type, status, words):
    handler = BlazingTextHandler(trained["model_dir"])
    with pytest.raises(InferenceError) as caught:
        handler.invoke(Request(body, content_type))
    assert caught.value.status == status and words in caught.value.message


# Through the API


def test_create_training_job_then_endpoint_answers_in_blazingtext_format(lab, tmp_path):
    from sagemaker.core import image_uris

    image = image_uris.retrieve("blazingtext", lab.region)
    assert image.endswith("/blazingtext:1")
    xtr, xva, ytr, yva = reviews_split()
    prefix = "bt-api"
    train_uri = put_bytes(lab, f"{prefix}/train/train.txt", training_file(ytr, xtr).encode())
    validation_uri = put_bytes(
        lab, f"{prefix}/validation/validation.txt", training_file(yva, xva).encode()
    )
    sm = lab.client("sagemaker")
    request = {
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "RoleArn": lab.role_arn,
        "OutputDataConfig": {"S3OutputPath": lab.s3_uri(f"{prefix}/output")},
        "ResourceConfig": {"InstanceType": "ml.c5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 600},
    }
    sm.create_training_job(
        TrainingJobName="bt-api-bad",
        HyperParameters={"mode": "supervised", "word_ngrams": "-1"},
        InputDataConfig=[channel("train", train_uri, "text/plain")],
        **request,
    )
    sm.create_training_job(
        TrainingJobName="bt-api",
        HyperParameters={k: str(v) for k, v in GOOD.items()},
        InputDataConfig=[
            channel("train", train_uri, "text/plain"),
            channel("validation", validation_uri, "text/plain"),
        ],
        **request,
    )
    bad = wait_for_training_job(sm, "bt-api-bad")
    assert bad["TrainingJobStatus"] == "Failed"
    assert bad["FailureReason"].startswith("ClientError: Hyperparameter word_ngrams")
    job = wait_for_training_job(sm, "bt-api")
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    [metric] = job["FinalMetricDataList"]
    assert metric["MetricName"] == "validation:accuracy" and metric["Value"] > 0.80
    artifact = job["ModelArtifacts"]["S3ModelArtifacts"]
    assert (model_dir_of(lab, artifact, tmp_path / "m") / "model.bin").is_file()

    with deployed(lab, "bt-api", image, artifact):
        payload = {"instances": [sentence("The lid isn't sturdy at all. I want my money back.")]}
        answer = lab.client("sagemaker-runtime").invoke_endpoint(
            EndpointName="bt-api", ContentType="application/json", Body=json.dumps(payload)
        )
        [prediction] = json.loads(answer["Body"].read())
        assert prediction["label"] == ["__label__negative"]
        assert 0.5 < prediction["prob"][0] <= 1.0
