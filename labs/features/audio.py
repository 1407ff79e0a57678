"""Speech and sound as features: synthetic tones, spectrograms, log-mel and MFCC features.

A microphone gives a waveform: air pressure sampled ``rate`` times a second. Models rarely
read it raw. The usual features are a **spectrogram** (the energy of each frequency in
short overlapping windows, by the short-time Fourier transform), its **mel** version
(frequencies grouped the way human hearing spaces them) on a log scale, and **MFCCs** (the
discrete cosine transform of the log-mel energies, a compact summary of each window). The
tones here are synthetic, so the lab needs no recording and the right answer is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import fft, signal

__all__ = [
    "Spectrogram",
    "dominant_frequency",
    "hz_to_mel",
    "log_mel",
    "mel_filterbank",
    "mel_to_hz",
    "mfcc",
    "spectrogram",
    "tones",
]


def tones(
    frequencies: Sequence[float],
    seconds_each: float = 0.5,
    rate: int = 8000,
    noise: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """Pure tones played one after another, ``seconds_each`` each, plus Gaussian noise.

    ``tones([440, 880])`` is one second at 8 kHz: an A, then the A an octave higher.
    """
    if rate <= 0 or seconds_each <= 0:
        raise ValueError("rate and seconds_each must be positive")
    nyquist = rate / 2
    for f in frequencies:
        if not 0 < f < nyquist:
            raise ValueError(
                f"{f} Hz cannot be sampled at {rate} Hz: frequencies must lie between 0 and "
                f"the Nyquist frequency, {nyquist:g} Hz (half the sample rate)"
            )
    t = np.arange(round(seconds_each * rate)) / rate
    wave = np.concatenate([np.sin(2 * np.pi * f * t) for f in frequencies])
    return wave + noise * np.random.default_rng(seed).standard_normal(wave.shape)


@dataclass(frozen=True)
class Spectrogram:
    """Power per frequency (rows, Hz in ``frequencies``) and window (columns, s in ``times``)."""

    frequencies: np.ndarray
    times: np.ndarray
    power: np.ndarray


def spectrogram(wave: np.ndarray, rate: int, window_seconds: float = 0.032) -> Spectrogram:
    """The short-time Fourier power spectrum of ``wave`` in Hann windows with 50 % overlap."""
    nperseg = max(8, round(window_seconds * rate))
    freqs, times, power = signal.spectrogram(
        np.asarray(wave, dtype=float),
        fs=rate,
        window="hann",
        nperseg=nperseg,
        noverlap=nperseg // 2,
    )
    return Spectrogram(freqs, times, power)


def dominant_frequency(spec: Spectrogram) -> np.ndarray:
    """For each window, the frequency (Hz) with the most power."""
    return spec.frequencies[np.argmax(spec.power, axis=0)]


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """The mel scale (the HTK formula): equal steps sound equally far apart."""
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=float) / 700.0)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`hz_to_mel`."""
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=float) / 2595.0) - 1.0)


def mel_filterbank(frequencies: np.ndarray, n_mels: int = 20) -> np.ndarray:
    """Triangular filters evenly spaced on the mel scale: ``(n_mels, len(frequencies))``."""
    frequencies = np.asarray(frequencies, dtype=float)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(frequencies[-1]), n_mels + 2))
    bank = np.zeros((n_mels, len(frequencies)))
    for m in range(n_mels):
        low, centre, high = edges[m], edges[m + 1], edges[m + 2]
        rising = (frequencies - low) / (centre - low)
        falling = (high - frequencies) / (high - centre)
        bank[m] = np.clip(np.minimum(rising, falling), 0.0, None)
    return bank


def log_mel(spec: Spectrogram, n_mels: int = 20) -> np.ndarray:
    """Log energies in ``n_mels`` mel bands per window: ``(n_mels, windows)``."""
    energies = mel_filterbank(spec.frequencies, n_mels) @ spec.power
    return np.log(energies + 1e-10)


def mfcc(spec: Spectrogram, n_mfcc: int = 13, n_mels: int = 20) -> np.ndarray:
    """Mel-frequency cepstral coefficients per window: ``(n_mfcc, windows)``."""
    if not 1 <= n_mfcc <= n_mels:
        raise ValueError(f"n_mfcc must be between 1 and n_mels ({n_mels}), not {n_mfcc}")
    return fft.dct(log_mel(spec, n_mels), type=2, axis=0, norm="ortho")[:n_mfcc]
