"""Exercises of notebook 03-3-text-speech-image-features: bigrams, and a tone's frequency."""

from __future__ import annotations

import itertools
from typing import Any

from labs.exercises.core import Case, FunctionExercise, ValueExercise

# ----------------------------------------------------------------------- q1: bigrams


def _bigrams(tokens: list[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def _as_tuples(tokens: list[str]) -> list[Any]:
    """Pairs as tuples: join each pair of tokens with a space into one string."""
    return list(itertools.pairwise(tokens))


def _one_too_many(tokens: list[str]) -> list[str]:
    """One item too many: the last token has no next token, so n tokens give n - 1 bigrams."""
    return [" ".join(tokens[i : i + 2]) for i in range(len(tokens))]


def _unigrams(tokens: list[str]) -> list[str]:
    """The tokens themselves (unigrams), not pairs of neighbours."""
    return list(tokens)


def _sorted_set(tokens: list[str]) -> list[str]:
    """Sorted and de-duplicated: bigrams keep the order of the text, and repeats count."""
    return sorted(set(_bigrams(tokens)))


q1 = FunctionExercise(
    title="Write a bigram function",
    prompt=(
        "Write bigrams(tokens) that returns the word pairs of a token list, in order, each "
        'as one string with a space: ["not", "great", "at", "all"] gives '
        '["not great", "great at", "at all"].'
    ),
    cases=[
        Case(args=(["not", "great", "at", "all"],)),
        Case(args=(["the", "lid", "is", "not", "sturdy", "not", "at", "all"],)),
        Case(args=(["fine"],)),
        Case(args=([],)),
    ],
    reference_function=_bigrams,
    hints=[
        "A list of n tokens has n - 1 pairs: token i goes with token i + 1.",
        "zip(tokens, tokens[1:]) (or itertools.pairwise(tokens)) walks over the pairs; join "
        "each with a space.",
        'return [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]',
    ],
    solution=(
        'def bigrams(tokens):\n    return [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]\n'
    ),
    typical_wrong=[_as_tuples, _one_too_many, _unigrams, _sorted_set],
    explanation=(
        "Bigrams keep word order that a bag of words loses: 'not great' and 'great' become "
        "different features, which is what lets a linear model read a negation."
    ),
)

# ------------------------------------------------------------ q2: a tone's frequency

#: The mystery recording of the notebook: one second at this sample rate, noise level, seed.
MYSTERY_RATE = 8000
MYSTERY_NOISE = 2.0
MYSTERY_SEED = 3
_MYSTERY_HZ = 1250.0


def mystery_wave() -> Any:  # np.ndarray
    """The notebook's mystery recording: one tone under loud noise, at :data:`MYSTERY_RATE`."""
    from labs.features import audio

    return audio.tones(
        [_MYSTERY_HZ], seconds_each=1.0, rate=MYSTERY_RATE, noise=MYSTERY_NOISE, seed=MYSTERY_SEED
    )


def _dominant_hz() -> float:
    """The most common dominant frequency over the windows of the mystery spectrogram."""
    import numpy as np

    from labs.features import audio

    peaks = audio.dominant_frequency(audio.spectrogram(mystery_wave(), MYSTERY_RATE))
    values, counts = np.unique(peaks, return_counts=True)
    return float(values[np.argmax(counts)])


def _bin_width() -> float:
    from labs.features import audio

    spec = audio.spectrogram(mystery_wave(), MYSTERY_RATE)
    return float(spec.frequencies[1] - spec.frequencies[0])


def _frequency_mistakes(expected: float) -> dict[float, str]:
    width = _bin_width()
    return {
        round(expected / width): (
            "That is the index of the frequency bin, not a frequency: look the bin up in the "
            "spectrogram's frequencies to get Hz."
        ),
        MYSTERY_RATE / 2: (
            "That is the Nyquist frequency, half the sample rate: the highest frequency the "
            "recording can hold, not the tone in it."
        ),
        float(MYSTERY_RATE): "That is the sample rate, not the frequency of the tone.",
        0.0: "0 Hz is the constant offset: the tone is where the power peaks above it.",
    }


q2 = ValueExercise(
    title="Find the frequency of a tone in noise",
    prompt=(
        "mystery_wave() is one second of a single tone under loud noise, sampled at "
        "MYSTERY_RATE Hz. Compute its spectrogram and give the tone's frequency in Hz."
    ),
    expected=_dominant_hz,
    rel_tol=0,
    abs_tol=32.0,  # one frequency bin of the default 32 ms window at 8 kHz is 31.25 Hz
    wrong_answer_reasons=_frequency_mistakes,
    hints=[
        "audio.spectrogram(wave, rate) gives power per frequency (rows) and window (columns).",
        "audio.dominant_frequency(spec) gives the peak frequency of each window; in noise a few "
        "windows may be off, so take the most common value (or the median).",
        "float(np.median(audio.dominant_frequency(audio.spectrogram(wave, MYSTERY_RATE))))",
    ],
    solution=(
        "spec = audio.spectrogram(mystery_wave(), MYSTERY_RATE)\n"
        "tone_hz = float(np.median(audio.dominant_frequency(spec)))\n"
    ),
    explanation=(
        "The waveform hides the tone; the spectrogram shows it as one bright line. That is "
        "why speech models start from spectrograms (or MFCCs) rather than raw samples."
    ),
)
