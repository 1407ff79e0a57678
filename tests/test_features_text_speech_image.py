"""labs.features.text, .word2vec and .audio, and the exercises of 03-3 beyond the harness."""

from __future__ import annotations

import numpy as np
import pytest

from labs.exercises import Status
from labs.exercises.text_speech_image_features import MYSTERY_RATE, mystery_wave, q1, q2
from labs.features import audio, text
from labs.features.word2vec import train_word2vec


@pytest.fixture(autouse=True)
def labs_home(tmp_path, monkeypatch):
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "labs-home"))


def test_tokenize_lowercases_drops_punctuation_and_keeps_contractions():
    assert text.tokenize("The lid ISN'T sturdy!!!") == ["the", "lid", "isn't", "sturdy"]
    assert text.tokenize("Not Bad", lowercase=False) == ["Not", "Bad"]
    with pytest.raises(TypeError, match="string"):
        text.tokenize(None)  # type: ignore[arg-type]


def test_stop_words_and_ngrams():
    tokens = ["it", "is", "not", "good"]
    assert text.remove_stop_words(tokens, {"it", "is"}) == ["not", "good"]
    assert text.ngrams(tokens, 2) == ["it is", "is not", "not good"]
    assert text.ngrams(tokens, 3) == ["it is not", "is not good"]
    assert text.ngrams(["one"], 2) == []
    with pytest.raises(ValueError, match="at least 1"):
        text.ngrams(tokens, 0)


def test_blazingtext_line():
    assert text.blazingtext_line("positive", "Love it!") == "__label__positive love it"
    assert text.blazingtext_line("very good", "ok").startswith("__label__very_good ")
    with pytest.raises(ValueError, match="label"):
        text.blazingtext_line(" ", "text")


def _corpus(rng: np.random.Generator, n: int = 600) -> list[list[str]]:
    """Two topics that never share a word: farm animals and road vehicles."""
    farm = ["cat", "dog", "cow", "grass", "barn", "milk", "hay", "field"]
    road = ["car", "bus", "van", "fuel", "tyres", "road", "garage", "engine"]
    return [[str(w) for w in rng.choice(farm if i % 2 else road, size=6)] for i in range(n)]


def test_word2vec_puts_words_of_the_same_contexts_together():
    vectors = train_word2vec(_corpus(np.random.default_rng(0)), dim=16, epochs=5, seed=1)
    assert "cat" in vectors and vectors["cat"].shape == (16,)
    same = vectors.similarity("cat", "dog")
    different = vectors.similarity("cat", "car")
    assert same > different + 0.3
    road = {"car", "van", "fuel", "tyres", "road", "garage", "engine"}
    neighbours = [w for w, _ in vectors.most_similar("bus", n=5)]
    assert set(neighbours) <= road and "bus" not in neighbours
    assert vectors.embed(["cat", "unknown"]).shape == (16,)
    assert not vectors.embed(["unknown"]).any()
    with pytest.raises(KeyError, match="vocabulary"):
        vectors["zebra"]


def test_word2vec_is_reproducible_and_rejects_too_little_text():
    corpus = _corpus(np.random.default_rng(0), n=50)
    a = train_word2vec(corpus, dim=8, epochs=1, seed=3)
    b = train_word2vec(corpus, dim=8, epochs=1, seed=3)
    np.testing.assert_array_equal(a.vectors, b.vectors)
    with pytest.raises(ValueError, match="min_count"):
        train_word2vec([["a", "b"]], min_count=2)


def test_spectrogram_finds_each_tone():
    wave = audio.tones([440, 880], seconds_each=0.5, rate=8000, noise=0.1)
    assert wave.shape == (8000,)
    spec = audio.spectrogram(wave, 8000)
    width = spec.frequencies[1] - spec.frequencies[0]
    peaks = audio.dominant_frequency(spec)
    first, second = peaks[spec.times < 0.45], peaks[spec.times > 0.55]
    assert np.all(np.abs(first - 440) <= width) and np.all(np.abs(second - 880) <= width)


def test_tones_refuse_frequencies_above_nyquist():
    with pytest.raises(ValueError, match="Nyquist"):
        audio.tones([5000], rate=8000)


def test_mel_scale_filterbank_and_mfcc():
    assert float(audio.hz_to_mel(1000.0)) == pytest.approx(1000.0, abs=0.5)
    np.testing.assert_allclose(audio.mel_to_hz(audio.hz_to_mel([100.0, 3000.0])), [100, 3000])
    spec = audio.spectrogram(audio.tones([1000], rate=8000), 8000)
    bank = audio.mel_filterbank(spec.frequencies, n_mels=10)
    assert bank.shape == (10, len(spec.frequencies)) and bank.max() <= 1.0
    # Mel filters widen with frequency: the last covers more Hz than the first.
    assert (bank[-1] > 0).sum() > (bank[0] > 0).sum()
    assert audio.log_mel(spec, n_mels=10).shape == (10, len(spec.times))
    assert audio.mfcc(spec, n_mfcc=5, n_mels=10).shape == (5, len(spec.times))
    with pytest.raises(ValueError, match="n_mfcc"):
        audio.mfcc(spec, n_mfcc=30, n_mels=10)


def test_q1_solution_code_passes():
    namespace: dict = {}
    exec(q1.solution_code, namespace)
    assert q1.check(namespace["bigrams"], show=False).correct


def test_q2_solution_code_passes_and_a_bin_index_is_explained():
    namespace = {
        "audio": audio,
        "np": np,
        "mystery_wave": mystery_wave,
        "MYSTERY_RATE": MYSTERY_RATE,
    }
    exec(q2.solution_code, namespace)
    assert q2.check(namespace["tone_hz"], show=False).correct
    result = q2.check(40, show=False)
    assert result.status is Status.INCORRECT and "index of the frequency bin" in result.message
