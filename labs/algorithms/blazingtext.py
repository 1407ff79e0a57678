"""Local stand-in for the SageMaker built-in BlazingText algorithm.

Sources: the developer guide pages "BlazingText algorithm" (input/output interface, model
artifacts and inference formats), "BlazingText Hyperparameters" and "Tune a BlazingText
Model" (metrics ``validation:accuracy`` for supervised mode, ``train:mean_rho`` for the
Word2Vec modes).

What a learner gets, as on AWS:

- Image ``.../blazingtext:1`` (what ``image_uris.retrieve("blazingtext", region)`` gives).
  ``mode`` is required: ``supervised`` (text classification), or the Word2Vec modes
  ``skipgram``, ``cbow`` and ``batch_skipgram``. Content type ``text/plain`` (the default).
- Supervised mode reads channel ``train`` (required) and ``validation`` (optional): one
  pre-tokenised sentence per line, space-separated tokens, its label(s) as tokens prefixed
  with ``__label__`` anywhere in the line (``__label__positive the kettle is great .``). A
  line without a label fails the job and names the file and line (a deliberate
  difference: fastText skips such lines silently, which would hide a broken file from a
  learner). Every file of a channel is read, in name order.
- Hyperparameters with the documented names, ranges and defaults (``epochs`` 5,
  ``learning_rate`` 0.05, ``vector_dim`` 100, ``word_ngrams`` 2, ``buckets`` 2,000,000,
  ``min_count`` 5, ``early_stopping`` False, ``patience`` 4, ``min_epochs`` 5).
  ``early_stopping`` needs the validation channel; after ``min_epochs`` epochs, training
  stops once validation accuracy has not improved for ``patience`` epochs, and the best
  epoch's model is kept.
- The classifier is fastText's (:mod:`labs.algorithms._fasttext`): averaged word and
  hashed word n-gram embeddings, a softmax, SGD with a linearly decaying learning rate.
  It logs ``#train_accuracy: 0.9260`` and, with a validation channel,
  ``#validation_accuracy: 0.8520``; the metric ``validation:accuracy`` (Maximize) reads it.
- The supervised artifact is ``model.bin`` as on AWS, but the bytes are a joblib file of
  this kit, not fastText's binary format, so the real ``fasttext`` tool cannot read it.
  :func:`predict` answers like the endpoint: ``{"label": ["__label__x"], "prob": [0.9]}``.
- The Word2Vec modes (:mod:`labs.algorithms._word2vec`, skip-gram or CBOW with negative
  sampling in numpy, for small corpora) read the ``train`` channel only and write
  ``vectors.txt`` (word2vec text format, readable by gensim) and ``vectors.bin`` (the kit's
  joblib file, which the endpoint loads). :func:`word_vectors` answers like the endpoint:
  ``{"vector": [...], "word": "kettle"}`` per word, zeros for an unknown word.

Not modelled: ``train:mean_rho`` (the WordSimilarity-353 test set is not shipped, so
``evaluation=True`` only logs that), ``subwords=True`` (the job fails and says so),
``batch_size`` (``batch_skipgram`` trains like ``skipgram``, which already shares its
negative samples), the augmented manifest input (the local runtime does not download
``AugmentedManifestFile`` channels) and GPU training.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import joblib
import numpy as np

from labs.algorithms import _fasttext, _word2vec, inputs
from labs.algorithms._common import info, save_model, stopped
from labs.algorithms.base import (
    NUMBER,
    AlgorithmError,
    AlgorithmSpec,
    Hyperparameter,
    Metric,
    TrainingContext,
    client_error,
    tuning_hyperparameter,
)

NAME = "blazingtext"
TITLE = "BlazingText"
MODEL_FILE = "model.bin"
VECTORS_FILE = "vectors.bin"
VECTORS_TEXT = "vectors.txt"
TEXT = "text/plain"
SUPERVISED = "supervised"
WORD2VEC_MODES = ("skipgram", "cbow", "batch_skipgram")
LABEL_PREFIX = _fasttext.LABEL_PREFIX

#: What :func:`load` returns: a supervised classifier or Word2Vec word vectors.
Model = _fasttext.TextClassifier | _word2vec.WordVectors

_H = Hyperparameter
_POSITIVE = {"low": 0, "low_inclusive": False}
HYPERPARAMETERS: tuple[Hyperparameter, ...] = (
    _H("mode", "categorical", required=True, choices=(SUPERVISED, *WORD2VEC_MODES)),
    # Both modes
    _H("buckets", "int", default=2_000_000, low=1, description="Hash buckets for n-grams."),
    _H("epochs", "int", default=5, low=1, description="Passes over the training data."),
    _H("learning_rate", "float", default=0.05, **_POSITIVE),
    _H("min_count", "int", default=5, low=0, description="Drop words seen fewer times."),
    _H("vector_dim", "int", default=100, low=1, description="Embedding dimension."),
    # Supervised mode
    _H("early_stopping", "bool", default=False),
    _H("min_epochs", "int", default=5, low=1),
    _H("patience", "int", default=4, low=1),
    _H("word_ngrams", "int", default=2, low=1, description="Longest word n-gram used."),
    # Word2Vec modes
    _H("batch_size", "int", default=11, low=1),
    _H("evaluation", "bool", default=True),
    _H("min_char", "int", default=3, low=1),
    _H("max_char", "int", default=6, low=1),
    _H("negative_samples", "int", default=5, low=1),
    _H("sampling_threshold", "float", default=0.0001, **_POSITIVE),
    _H("subwords", "bool", default=False),
    _H("window_size", "int", default=5, low=1),
    tuning_hyperparameter(),
)

METRICS = (
    Metric("validation:accuracy", "Maximize", rf"#validation_accuracy: {NUMBER}"),
    Metric("train:mean_rho", "Maximize", rf"#mean_rho: {NUMBER}"),
)


def _check(values: dict[str, Any]) -> None:
    if values["mode"] in WORD2VEC_MODES and values["subwords"]:
        raise client_error(
            "subwords=True (vectors for character n-grams) is not available in the local "
            "stand-in for BlazingText: train without it, or run the job on SageMaker AI "
            "(LABS_MODE=aws)."
        )


def parse_line(line: str) -> _fasttext.Example:
    """The tokens and labels of one training line, as supervised mode reads it: tokens
    prefixed with ``__label__`` (anywhere in the line) are labels, the rest are words."""
    return _fasttext.split_line(line)


def read_examples(channel: inputs.Channel) -> list[_fasttext.Example]:
    """Every labelled line of ``channel``'s files; AlgorithmError names a bad file or line."""
    content_type, _ = inputs.parse_content_type(channel.content_type, (TEXT,), TITLE, channel.name)
    files = inputs.data_files(channel.path)
    if not files:
        raise client_error(
            f"No data in channel {channel.name!r}: the folder {channel.path} holds no data "
            "files. Check the channel's S3 prefix."
        )
    examples = []
    for path in files:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise client_error(
                f"Unable to read {content_type} data in channel {channel.name!r}: file "
                f"{path.name!r} is not UTF-8 text. BlazingText reads one sentence per line."
            ) from None
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            example = parse_line(line)
            if not example.labels:
                raise client_error(
                    f"Invalid supervised data in channel {channel.name!r}: line {number} of "
                    f"file {path.name!r} has no label: {line.strip()[:60]!r}. Each line "
                    f"needs a label token such as '{LABEL_PREFIX}positive' before the text."
                )
            if any(not label for label in example.labels):
                raise client_error(
                    f"Invalid supervised data in channel {channel.name!r}: line {number} of "
                    f"file {path.name!r} has an empty label ('{LABEL_PREFIX}' with nothing "
                    "after it)."
                )
            examples.append(example)
    if not examples:
        raise client_error(f"No data in channel {channel.name!r}: every file is empty.")
    return examples


def train(ctx: TrainingContext) -> None:
    """Supervised mode: train the classifier on ``train``, score ``validation``, save
    ``model.bin``. Word2Vec modes: learn word vectors, save ``vectors.txt`` / ``vectors.bin``."""
    SPEC.validate_channels(ctx.channels)
    values = ctx.hyperparameters
    if values["mode"] in WORD2VEC_MODES:
        _train_word2vec(ctx)
        return
    if values["early_stopping"] and "validation" not in ctx.channels:
        raise client_error(
            "early_stopping=True needs a validation channel: training stops when the "
            "validation accuracy stops improving."
        )
    examples = read_examples(ctx.channels["train"])
    validation = read_examples(ctx.channels["validation"]) if "validation" in ctx.channels else []
    words = sum(len(e.tokens) for e in examples)
    info(ctx, f"Local stand-in for {TITLE} (mode=supervised): {len(examples)} training lines")
    info(ctx, f"Read {words} words")
    settings = _fasttext.Settings(
        epochs=values["epochs"],
        learning_rate=values["learning_rate"],
        vector_dim=values["vector_dim"],
        word_ngrams=values["word_ngrams"],
        buckets=values["buckets"],
        min_count=values["min_count"],
    )
    best: dict[str, Any] = {"accuracy": -1.0, "epoch": 0, "matrices": None}
    started = time.monotonic()

    def on_epoch(epoch: int, model: _fasttext.TextClassifier, lr: float) -> bool:
        if epoch == 1:
            info(ctx, f"Number of words:  {len(model.vocabulary.words)}")
            info(ctx, f"Number of labels: {len(model.labels)}")
        progress = 100.0 * epoch / settings.epochs
        rate = words * epoch / max(time.monotonic() - started, 1e-9) / 1e6
        info(
            ctx,
            f"##### Alpha: {lr:.4f}  Progress: {progress:.2f}%  "
            f"Million Words/sec: {rate:.2f} #####",
        )
        if stopped(ctx, f"after epoch {epoch}"):
            return True
        if not values["early_stopping"]:
            return False
        accuracy = model.accuracy(validation)
        info(ctx, f"Epoch {epoch}: validation accuracy {accuracy:.4f}")
        ctx.metric("validation:accuracy", accuracy, epoch)
        if accuracy > best["accuracy"]:
            best.update(
                accuracy=accuracy,
                epoch=epoch,
                matrices=(model.input_matrix.copy(), model.output_matrix.copy()),
            )
        if epoch >= values["min_epochs"] and epoch - best["epoch"] >= values["patience"]:
            info(
                ctx,
                f"Early stopping: no improvement for {values['patience']} epochs; keeping "
                f"epoch {best['epoch']} (validation accuracy {best['accuracy']:.4f}).",
            )
            return True
        return False

    model = _fasttext.train(examples, settings, on_epoch)
    if not model.labels:
        raise client_error("No labels found in the training data.")
    if best["matrices"] is not None:
        model.input_matrix, model.output_matrix = best["matrices"]
    info(ctx, "Training finished.")
    info(ctx, f"#train_accuracy: {model.accuracy(examples):.4f}")
    info(ctx, f"Number of train examples: {len(examples)}")
    if validation:
        accuracy = model.accuracy(validation)
        info(ctx, f"#validation_accuracy: {accuracy:.4f}")
        info(ctx, f"Number of validation examples: {len(validation)}")
        ctx.metric("validation:accuracy", accuracy, None)
    save_model(ctx.model_dir, _payload(model, values), name=MODEL_FILE)


def read_sentences(channel: inputs.Channel) -> list[list[str]]:
    """The tokens of every non-empty line of ``channel``'s files (Word2Vec modes)."""
    inputs.parse_content_type(channel.content_type, (TEXT,), TITLE, channel.name)
    files = inputs.data_files(channel.path)
    sentences = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        sentences.extend(line.split() for line in text.splitlines() if line.strip())
    if not sentences:
        raise client_error(
            f"No data in channel {channel.name!r}: Word2Vec needs a text file with one "
            "sentence per line."
        )
    return sentences


def _train_word2vec(ctx: TrainingContext) -> None:
    values = ctx.hyperparameters
    if "validation" in ctx.channels:
        raise client_error(
            f"mode={values['mode']} (Word2Vec) takes the train channel only; remove the "
            "validation channel."
        )
    sentences = read_sentences(ctx.channels["train"])
    info(ctx, f"Local stand-in for {TITLE} (mode={values['mode']}): {len(sentences)} sentences")
    info(ctx, f"Read {sum(len(s) for s in sentences)} words")
    settings = _word2vec.Settings(
        mode=values["mode"],
        epochs=values["epochs"],
        learning_rate=values["learning_rate"],
        vector_dim=values["vector_dim"],
        window_size=values["window_size"],
        negative_samples=values["negative_samples"],
        min_count=values["min_count"],
        sampling_threshold=values["sampling_threshold"],
    )

    def on_epoch(epoch: int, lr: float) -> bool:
        info(ctx, f"##### Alpha: {lr:.4f}  Progress: {100.0 * epoch / settings.epochs:.2f}% #####")
        return stopped(ctx, f"after epoch {epoch}")

    try:
        vectors = _word2vec.train(sentences, settings, on_epoch)
    except ValueError as error:
        raise client_error(f"{error}: lower min_count or give a larger corpus.") from None
    info(ctx, f"Number of words:  {len(vectors.words)}")
    info(ctx, "Training finished.")
    if values["evaluation"]:
        info(
            ctx,
            "evaluation=True: the WordSimilarity-353 test set is not shipped with the local "
            "stand-in, so train:mean_rho is not computed.",
        )
    ctx.model_dir.mkdir(parents=True, exist_ok=True)
    (ctx.model_dir / VECTORS_TEXT).write_text(vectors.text(), encoding="utf-8")
    save_model(
        ctx.model_dir,
        {
            "algorithm": NAME,
            "mode": values["mode"],
            "words": vectors.words,
            "vectors": vectors.vectors.astype(np.float32),
            "hyperparameters": dict(values),
        },
        name=VECTORS_FILE,
    )


def _payload(model: _fasttext.TextClassifier, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "algorithm": NAME,
        "mode": SUPERVISED,
        "labels": model.labels,
        "words": model.vocabulary.words,
        "bucket_rows": model.vocabulary.bucket_rows,
        "word_ngrams": model.vocabulary.word_ngrams,
        "buckets": model.vocabulary.buckets,
        "input_matrix": model.input_matrix.astype(np.float32),
        "output_matrix": model.output_matrix.astype(np.float32),
        "hyperparameters": dict(values),
    }


def load(model_dir: Path) -> Model:
    """The model a job saved in ``model_dir``: the classifier of ``model.bin`` (supervised)
    or the word vectors of ``vectors.bin`` (Word2Vec)."""
    for name in (MODEL_FILE, VECTORS_FILE):
        path = Path(model_dir) / name
        if path.is_file():
            break
    else:
        raise AlgorithmError(
            f"No {MODEL_FILE} or {VECTORS_FILE} in {model_dir}: not a {TITLE} model"
        )
    try:
        payload = joblib.load(path)
    except Exception as error:  # pickle raises many types for a foreign file
        raise AlgorithmError(
            f"{path.name} is not a model of this kit's {TITLE} stand-in ({error}); a "
            "fastText binary from AWS cannot be served locally."
        ) from None
    if not isinstance(payload, dict) or payload.get("algorithm") != NAME:
        raise AlgorithmError(f"{path} is not a {TITLE} model of this kit")
    if name == VECTORS_FILE:
        return _word2vec.WordVectors(
            list(payload["words"]), np.asarray(payload["vectors"], dtype=np.float64)
        )
    vocabulary = _fasttext.Vocabulary(
        dict(payload["words"]),
        int(payload["word_ngrams"]),
        int(payload["buckets"]),
        dict(payload["bucket_rows"]),
    )
    return _fasttext.TextClassifier(
        vocabulary,
        list(payload["labels"]),
        np.asarray(payload["input_matrix"], dtype=np.float64),
        np.asarray(payload["output_matrix"], dtype=np.float64),
    )


def predict(model: _fasttext.TextClassifier, sentence: str, k: int = 1) -> dict[str, Any]:
    """``{"label": ["__label__x", ...], "prob": [0.9, ...]}``: the top ``k`` labels of a
    sentence of space-separated tokens, as the endpoint answers."""
    if not isinstance(sentence, str):
        raise client_error(f"Each instance must be a string of tokens, got {sentence!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise client_error(f"k must be a positive integer, got {k!r}")
    top = model.top_k(sentence.split(), k)
    return {
        "label": [LABEL_PREFIX + label for label, _ in top],
        "prob": [round(p, 6) for _, p in top],
    }


def word_vectors(model: _word2vec.WordVectors, words: list[Any]) -> list[dict[str, Any]]:
    """``{"vector": [...], "word": w}`` per word, zeros for a word outside the vocabulary,
    as a Word2Vec endpoint answers."""
    index = model.index()
    answers = []
    for word in words:
        if not isinstance(word, str):
            raise client_error(f"Each instance must be a word (a string), got {word!r}")
        row = index.get(word)
        vector = model.vectors[row] if row is not None else np.zeros(model.vectors.shape[1])
        answers.append({"vector": [round(float(x), 6) for x in vector], "word": word})
    return answers


SPEC = AlgorithmSpec(
    name=NAME,
    title=TITLE,
    image_repositories=("blazingtext",),
    hyperparameters=HYPERPARAMETERS,
    channels={"train": True, "validation": False},
    content_types=(TEXT,),
    metrics=METRICS,
    train=train,
    check=_check,
)
