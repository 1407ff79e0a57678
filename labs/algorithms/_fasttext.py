"""A fastText-style text classifier in numpy: the engine of the BlazingText stand-in.

The model is the one of "Bag of Tricks for Efficient Text Classification" (Joulin et al.,
2016), which BlazingText's ``supervised`` mode implements:

- a sentence is the set of its word ids (words seen at least ``min_count`` times) plus one
  id per word n-gram (2 .. ``word_ngrams`` words), hashed into ``buckets`` slots;
- each id has a ``vector_dim`` embedding; the sentence vector is their average;
- a linear layer and a softmax turn it into class probabilities;
- plain SGD, one sentence at a time, with the learning rate decaying linearly to zero
  over all the epochs. A sentence with several labels trains on one of them, drawn at
  random each time (fastText's softmax loss does the same).

Hashes follow fastText's recipe (32-bit FNV-1a per word, n-gram hash
``h * 116049371 + next``, modulo ``buckets``). Unlike fastText, which allocates all
``buckets`` rows (2,000,000 x 100 floats by default, 800 MB), only the buckets that occur
in the training data get a row; an n-gram first seen at inference adds nothing, where in
fastText it would add its bucket's untrained random row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

LABEL_PREFIX = "__label__"
_NGRAM_MULTIPLIER = 116049371
_MASK64 = (1 << 64) - 1


def fnv1a(word: str) -> int:
    """fastText's 32-bit FNV-1a hash of ``word`` (its bytes taken as signed chars)."""
    h = 2166136261
    for byte in word.encode("utf-8"):
        signed = byte - 256 if byte > 127 else byte
        h = (h ^ (signed & 0xFFFFFFFF)) & 0xFFFFFFFF
        h = (h * 16777619) & 0xFFFFFFFF
    return h


@dataclass
class Example:
    """One training line: its tokens and its labels (without the ``__label__`` prefix)."""

    tokens: list[str]
    labels: list[str]


def split_line(line: str) -> Example:
    """``"__label__pos great kettle"`` -> tokens ``["great", "kettle"]``, labels ``["pos"]``.

    Labels may be anywhere in the line; their order does not matter.
    """
    tokens, labels = [], []
    for token in line.split():
        if token.startswith(LABEL_PREFIX):
            labels.append(token[len(LABEL_PREFIX) :])
        else:
            tokens.append(token)
    return Example(tokens, labels)


@dataclass
class Vocabulary:
    """Word ids, word hashes and the rows of the n-gram buckets seen in training."""

    words: dict[str, int]
    word_ngrams: int
    buckets: int
    bucket_rows: dict[int, int] = field(default_factory=dict)
    _hashes: dict[str, int] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls, examples: Sequence[Example], min_count: int, word_ngrams: int, buckets: int
    ) -> Vocabulary:
        """Keep words seen ``min_count`` times or more; give every training n-gram a row."""
        counts = Counter(token for example in examples for token in example.tokens)
        kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: -counts[w])
        vocabulary = cls({w: i for i, w in enumerate(kept)}, word_ngrams, buckets)
        for example in examples:
            for bucket in vocabulary.ngram_buckets(example.tokens):
                if bucket not in vocabulary.bucket_rows:
                    vocabulary.bucket_rows[bucket] = len(vocabulary.words) + len(
                        vocabulary.bucket_rows
                    )
        return vocabulary

    @property
    def rows(self) -> int:
        """Rows of the input embedding matrix: words then the buckets in use."""
        return len(self.words) + len(self.bucket_rows)

    def word_hash(self, word: str) -> int:
        """:func:`fnv1a`, cached."""
        value = self._hashes.get(word)
        if value is None:
            value = self._hashes[word] = fnv1a(word)
        return value

    def ngram_buckets(self, tokens: Sequence[str]) -> list[int]:
        """The bucket of every word n-gram of 2 .. ``word_ngrams`` tokens in ``tokens``."""
        hashes = [self.word_hash(t) for t in tokens]
        buckets = []
        for i in range(len(hashes)):
            h = hashes[i]
            for j in range(i + 1, min(len(hashes), i + self.word_ngrams)):
                h = (h * _NGRAM_MULTIPLIER + hashes[j]) & _MASK64
                buckets.append(h % self.buckets)
        return buckets

    def ids(self, tokens: Sequence[str]) -> np.ndarray:
        """Embedding rows of a sentence: its known words, then its known n-gram buckets."""
        found = [self.words[t] for t in tokens if t in self.words]
        if self.word_ngrams > 1:
            rows = self.bucket_rows
            found.extend(rows[b] for b in self.ngram_buckets(tokens) if b in rows)
        return np.asarray(found, dtype=np.int64)


@dataclass
class TextClassifier:
    """Input embeddings, output layer and labels of a trained classifier."""

    vocabulary: Vocabulary
    labels: list[str]
    input_matrix: np.ndarray
    output_matrix: np.ndarray

    def probabilities(self, tokens: Sequence[str]) -> np.ndarray:
        """Class probabilities of one tokenised sentence (the priors' softmax if it is empty)."""
        ids = self.vocabulary.ids(tokens)
        hidden = (
            self.input_matrix[ids].mean(axis=0)
            if ids.size
            else np.zeros(self.input_matrix.shape[1], dtype=self.input_matrix.dtype)
        )
        return _softmax(self.output_matrix @ hidden)

    def top_k(self, tokens: Sequence[str], k: int = 1) -> list[tuple[str, float]]:
        """The ``k`` most likely labels (without prefix) and their probabilities."""
        p = self.probabilities(tokens)
        order = np.argsort(-p, kind="stable")[: max(1, min(k, len(self.labels)))]
        return [(self.labels[i], float(p[i])) for i in order]

    def accuracy(self, examples: Sequence[Example]) -> float:
        """Share of examples whose most likely label is one of theirs (precision at 1)."""
        if not examples:
            return float("nan")
        hits = sum(self.top_k(e.tokens, 1)[0][0] in e.labels for e in examples)
        return hits / len(examples)


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max())
    return shifted / shifted.sum()


@dataclass
class Settings:
    """The supervised hyperparameters the classifier uses."""

    epochs: int = 5
    learning_rate: float = 0.05
    vector_dim: int = 100
    word_ngrams: int = 2
    buckets: int = 2_000_000
    min_count: int = 5
    seed: int = 0


def train(
    examples: Sequence[Example],
    settings: Settings,
    on_epoch: Callable[[int, TextClassifier, float], bool] | None = None,
) -> TextClassifier:
    """Fit a classifier by SGD; ``on_epoch(epoch, model, lr)`` returning True stops early.

    The model passed to ``on_epoch`` is the live one: copy its matrices to keep a snapshot.
    """
    vocabulary = Vocabulary.build(
        examples, settings.min_count, settings.word_ngrams, settings.buckets
    )
    labels = sorted({label for e in examples for label in e.labels})
    label_index = {label: i for i, label in enumerate(labels)}
    rng = np.random.default_rng(settings.seed)
    dim = settings.vector_dim
    model = TextClassifier(
        vocabulary,
        labels,
        rng.uniform(-1.0 / dim, 1.0 / dim, size=(vocabulary.rows, dim)),
        np.zeros((len(labels), dim)),
    )
    encoded = [(vocabulary.ids(e.tokens), [label_index[x] for x in e.labels]) for e in examples]
    encoded = [(ids, targets) for ids, targets in encoded if ids.size]
    total = max(1, settings.epochs * len(encoded))
    step = 0
    U, W = model.input_matrix, model.output_matrix
    for epoch in range(settings.epochs):
        lr = settings.learning_rate
        for position in rng.permutation(len(encoded)):
            ids, targets = encoded[position]
            lr = settings.learning_rate * (1.0 - step / total)
            step += 1
            target = targets[0] if len(targets) == 1 else targets[rng.integers(len(targets))]
            hidden = U[ids].mean(axis=0)
            p = _softmax(W @ hidden)
            p[target] -= 1.0
            # Gradient step on the output layer, then on every input row of the sentence.
            grad_hidden = W.T @ p
            W -= lr * np.outer(p, hidden)
            np.add.at(U, ids, -(lr / ids.size) * grad_hidden)
        if on_epoch is not None and on_epoch(epoch + 1, model, lr):
            break
    return model
