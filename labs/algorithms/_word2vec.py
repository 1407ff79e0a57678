"""Word2Vec with negative sampling in numpy: the Word2Vec modes of the BlazingText stand-in.

Mikolov et al. (2013), as BlazingText's ``skipgram``, ``cbow`` and ``batch_skipgram`` modes
train it, for small corpora:

- words seen fewer than ``min_count`` times are dropped; frequent words are randomly
  down-sampled (a word of corpus frequency ``f`` is kept with probability
  ``(sqrt(f / t) + 1) * t / f``, ``t`` = ``sampling_threshold``);
- each position's context is the words up to ``b`` positions away, ``b`` drawn from
  1 .. ``window_size`` (the closer words count more often);
- ``skipgram``: the centre word's vector predicts each context word; ``cbow``: the mean of
  the context vectors predicts the centre word; each prediction is a logistic loss
  against the true word and ``negative_samples`` words drawn from the unigram
  distribution raised to 3/4;
- ``batch_skipgram`` is skip-gram with the negatives shared by all the context words of a
  centre (BlazingText's "negative sample sharing"); here that is also how ``skipgram``
  draws them, which changes the speed, not the model;
- plain SGD with the learning rate decaying linearly to zero over all the epochs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class Settings:
    """The Word2Vec hyperparameters the trainer uses."""

    mode: str = "skipgram"
    epochs: int = 5
    learning_rate: float = 0.05
    vector_dim: int = 100
    window_size: int = 5
    negative_samples: int = 5
    min_count: int = 5
    sampling_threshold: float = 0.0001
    seed: int = 0


@dataclass
class WordVectors:
    """The vocabulary (most frequent first) and one vector per word."""

    words: list[str]
    vectors: np.ndarray

    def index(self) -> dict[str, int]:
        """Word -> row of :attr:`vectors`."""
        return {w: i for i, w in enumerate(self.words)}

    def vector(self, word: str) -> np.ndarray:
        """The word's vector, zeros for a word outside the vocabulary (as BlazingText)."""
        row = self.index().get(word)
        return self.vectors[row] if row is not None else np.zeros(self.vectors.shape[1])

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words (0 when either is unknown)."""
        u, v = self.vector(a), self.vector(b)
        norm = float(np.linalg.norm(u) * np.linalg.norm(v))
        return float(u @ v / norm) if norm else 0.0

    def text(self) -> str:
        """The word2vec text format (``vectors.txt``): ``<count> <dim>``, then one line per
        word with its values; gensim's ``KeyedVectors.load_word2vec_format`` reads it."""
        lines = [f"{len(self.words)} {self.vectors.shape[1]}"]
        for word, row in zip(self.words, self.vectors, strict=True):
            lines.append(word + " " + " ".join(f"{x:.6f}" for x in row))
        return "\n".join(lines) + "\n"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def train(
    sentences: Sequence[Sequence[str]],
    settings: Settings,
    on_epoch: Callable[[int, float], bool] | None = None,
) -> WordVectors:
    """Fit word vectors; ``on_epoch(epoch, lr)`` returning True stops after that epoch.

    ValueError when no word is seen ``min_count`` times.
    """
    counts = Counter(word for sentence in sentences for word in sentence)
    words = sorted(
        (w for w, c in counts.items() if c >= settings.min_count), key=lambda w: -counts[w]
    )
    if not words:
        raise ValueError(f"no word occurs min_count={settings.min_count} times or more")
    index = {w: i for i, w in enumerate(words)}
    freq = np.array([counts[w] for w in words], dtype=float)
    share = freq / freq.sum()
    t = settings.sampling_threshold
    keep = np.minimum(1.0, (np.sqrt(share / t) + 1.0) * t / share)
    noise = freq**0.75
    noise /= noise.sum()
    rng = np.random.default_rng(settings.seed)
    dim = settings.vector_dim
    W_in = rng.uniform(-0.5 / dim, 0.5 / dim, size=(len(words), dim))
    W_out = np.zeros((len(words), dim))
    encoded = [np.array([index[w] for w in s if w in index], dtype=np.int64) for s in sentences]
    total = max(1, settings.epochs * sum(len(s) for s in encoded))
    seen = 0
    lr = settings.learning_rate
    for epoch in range(settings.epochs):
        for sentence in encoded:
            kept = sentence[rng.random(len(sentence)) < keep[sentence]]
            for position, centre in enumerate(kept):
                lr = max(
                    settings.learning_rate * (1.0 - seen / total), settings.learning_rate * 1e-4
                )
                seen += 1
                reach = int(rng.integers(1, settings.window_size + 1))
                context = np.concatenate(
                    [
                        kept[max(0, position - reach) : position],
                        kept[position + 1 : position + 1 + reach],
                    ]
                )
                if context.size == 0:
                    continue
                negatives = rng.choice(len(words), size=settings.negative_samples, p=noise)
                if settings.mode == "cbow":
                    _cbow_step(W_in, W_out, context, int(centre), negatives, lr)
                else:
                    _skipgram_step(W_in, W_out, int(centre), context, negatives, lr)
        if on_epoch is not None and on_epoch(epoch + 1, lr):
            break
    return WordVectors(words, W_in)


def _skipgram_step(
    W_in: np.ndarray,
    W_out: np.ndarray,
    centre: int,
    context: np.ndarray,
    negatives: np.ndarray,
    lr: float,
) -> None:
    """The centre's vector predicts each context word against the shared negatives."""
    targets = np.concatenate([context, negatives])
    labels = np.concatenate([np.ones(len(context)), np.zeros(len(negatives))])
    v = W_in[centre].copy()
    out = W_out[targets]
    g = lr * (labels - _sigmoid(out @ v))
    W_in[centre] += g @ out
    np.add.at(W_out, targets, np.outer(g, v))


def _cbow_step(
    W_in: np.ndarray,
    W_out: np.ndarray,
    context: np.ndarray,
    centre: int,
    negatives: np.ndarray,
    lr: float,
) -> None:
    """The mean of the context vectors predicts the centre word against the negatives."""
    targets = np.concatenate([[centre], negatives])
    labels = np.concatenate([[1.0], np.zeros(len(negatives))])
    h = W_in[context].mean(axis=0)
    out = W_out[targets]
    g = lr * (labels - _sigmoid(out @ h))
    np.add.at(W_out, targets, np.outer(g, h))
    np.add.at(W_in, context, g @ out)
