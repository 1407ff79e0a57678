"""A small word2vec (skip-gram with negative sampling) trained with numpy.

The idea behind word embeddings, and behind the Word2Vec modes of the SageMaker AI
BlazingText algorithm: give every word a dense vector and train the vectors so that a
word predicts the words around it. Words used in the same contexts end up with similar
vectors. This is the textbook skip-gram model (Mikolov et al., 2013) with negative
sampling from the unigram distribution raised to the power 0.75, sized for a few thousand
sentences: it trains in seconds on a laptop CPU and needs no download.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["WordVectors", "train_word2vec"]


@dataclass
class WordVectors:
    """Trained vectors: ``vectors[i]`` is the vector of ``words[i]``."""

    words: list[str]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}
        norms = np.linalg.norm(self.vectors, axis=1, keepdims=True)
        self._unit = self.vectors / np.maximum(norms, 1e-12)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.vectors[self._position(word)]

    def _position(self, word: str) -> int:
        try:
            return self.index[word]
        except KeyError:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self.words)} words)") from None

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words' vectors, in [-1, 1]."""
        return float(self._unit[self._position(a)] @ self._unit[self._position(b)])

    def most_similar(self, word: str, n: int = 5) -> list[tuple[str, float]]:
        """The ``n`` words closest to ``word`` by cosine similarity, closest first."""
        scores = self._unit @ self._unit[self._position(word)]
        order = [i for i in np.argsort(-scores) if self.words[i] != word][:n]
        return [(self.words[i], float(scores[i])) for i in order]

    def embed(self, tokens: Sequence[str]) -> np.ndarray:
        """The mean vector of the known tokens (zeros when none is known): a document vector."""
        rows = [self.index[t] for t in tokens if t in self.index]
        if not rows:
            return np.zeros(self.vectors.shape[1])
        return self.vectors[rows].mean(axis=0)


def _pairs(sentences: Sequence[Sequence[int]], window: int, rng: np.random.Generator) -> np.ndarray:
    """(centre, context) index pairs; each centre sees a random window of 1..``window``."""
    centres: list[np.ndarray] = []
    contexts: list[np.ndarray] = []
    for ids in sentences:
        ids_arr = np.asarray(ids)
        n = len(ids_arr)
        if n < 2:
            continue
        reach = rng.integers(1, window + 1, size=n)
        for offset in range(1, min(window, n - 1) + 1):
            keep = reach[: n - offset] >= offset
            left, right = ids_arr[: n - offset][keep], ids_arr[offset:][keep]
            centres += [left, right]
            contexts += [right, left]
    if not centres:
        return np.empty((0, 2), dtype=np.int64)
    return np.stack([np.concatenate(centres), np.concatenate(contexts)], axis=1)


def _draw(cumulative: np.ndarray, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Word indices drawn from the distribution whose cumulative sums are ``cumulative``."""
    picks = np.searchsorted(cumulative, rng.random(shape) * cumulative[-1], side="right")
    return np.minimum(picks, len(cumulative) - 1)


def train_word2vec(
    sentences: Sequence[Sequence[str]],
    *,
    dim: int = 32,
    window: int = 3,
    negative: int = 5,
    epochs: int = 5,
    learning_rate: float = 0.05,
    min_count: int = 3,
    batch_size: int = 256,
    seed: int = 0,
) -> WordVectors:
    """Train skip-gram vectors on tokenised ``sentences`` (lists of tokens).

    Words seen fewer than ``min_count`` times are dropped (as in BlazingText and word2vec).
    Each (centre word, context word) pair within ``window`` is a positive example, and
    ``negative`` words drawn at random are negative ones; the learning rate falls linearly
    to almost 0 over the ``epochs``. Same inputs and ``seed``, same vectors.
    """
    if dim < 1 or window < 1 or negative < 1 or epochs < 1 or batch_size < 1:
        raise ValueError("dim, window, negative, epochs and batch_size must all be at least 1")
    counts = Counter(token for sentence in sentences for token in sentence)
    words = sorted(w for w, c in counts.items() if c >= min_count)
    if len(words) < 2:
        raise ValueError(
            f"only {len(words)} word(s) occur at least min_count={min_count} times: "
            "give more text or a lower min_count"
        )
    index = {w: i for i, w in enumerate(words)}
    rng = np.random.default_rng(seed)
    encoded = [[index[t] for t in s if t in index] for s in sentences]
    pairs = _pairs(encoded, window, rng)
    if len(pairs) == 0:
        raise ValueError("no sentence has two known words: nothing to learn from")

    noise = np.array([counts[w] for w in words], dtype=float) ** 0.75
    cumulative = np.cumsum(noise / noise.sum())
    w_in = (rng.random((len(words), dim)) - 0.5) / dim
    w_out = np.zeros((len(words), dim))
    steps = epochs * int(np.ceil(len(pairs) / batch_size))
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        for start in range(0, len(pairs), batch_size):
            batch = pairs[order[start : start + batch_size]]
            lr = learning_rate * max(1e-4, 1 - step / steps)
            step += 1
            centre, context = batch[:, 0], batch[:, 1]
            targets = np.concatenate(
                [context[:, None], _draw(cumulative, (len(batch), negative), rng)],
                axis=1,
            )
            labels = np.zeros(targets.shape)
            labels[:, 0] = 1.0
            v = w_in[centre]  # (B, d)
            u = w_out[targets]  # (B, 1 + k, d)
            logits = np.clip(np.einsum("bd,bkd->bk", v, u), -30, 30)
            scores = 1 / (1 + np.exp(-logits))
            error = scores - labels  # d(loss)/d(score) of the logistic loss
            grad_v = np.einsum("bk,bkd->bd", error, u)
            grad_u = error[:, :, None] * v[:, None, :]
            np.add.at(w_out, targets.ravel(), -lr * grad_u.reshape(-1, dim))
            np.add.at(w_in, centre, -lr * grad_v)
    return WordVectors(words, w_in)
