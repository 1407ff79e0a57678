"""Sensor event stream from 12 industrial machines over two weeks, with labelled anomalies.

Each machine reports temperature, vibration, pressure and rpm about every 5 minutes
(jittered timestamps, dropped readings and a few outages). Normal behaviour follows a
shift-based load profile with idle and maintenance windows. Four kinds of anomaly are then
injected, and every affected row is labelled (see ``data/events.md``): ``spike``,
``level_shift``, ``stuck`` and ``drift``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20240603
START = pd.Timestamp("2024-03-04 00:00:00")  # a Monday; timestamps are UTC
DAYS = 14
STEP_SECONDS = 300
JITTER_SECONDS = 40  # each reading is 0-40 s late
DROP_RATE = 0.015
DEVICES = tuple(f"M{i:02d}" for i in range(1, 13))
CLEAN_DEVICES = ("M03", "M08")  # no injected anomaly at all
SENSORS = ("temperature_c", "vibration_mm_s", "pressure_bar")
DECIMALS = {"temperature_c": 2, "vibration_mm_s": 2, "pressure_bar": 2}

# kind: (number of events, min steps, max steps, sensors it may hit)
ANOMALIES = {
    "drift": (4, 96, 288, ("temperature_c", "vibration_mm_s")),
    "level_shift": (8, 48, 144, ("pressure_bar", "vibration_mm_s")),
    "stuck": (8, 12, 48, SENSORS),
    "spike": (40, 1, 3, SENSORS),
}
MARGIN = 12  # steps kept clear around each anomaly and idle window


def _load_profile(rng: np.random.Generator, times: pd.DatetimeIndex) -> np.ndarray:
    """Machine load in [0.2, 1]: two shifts on weekdays, lower at night and weekends."""
    hour = times.hour.to_numpy()
    weekday = times.day_of_week.to_numpy() < 5
    load = np.where(weekday, np.where((hour >= 6) & (hour < 22), 0.9, 0.55), 0.45)
    load = np.convolve(np.pad(load, (5, 0), mode="edge"), np.ones(6) / 6, mode="valid")
    ar = np.zeros(len(load))
    shocks = rng.normal(0, 0.02, len(load))
    for i in range(1, len(load)):
        ar[i] = 0.95 * ar[i - 1] + shocks[i]
    return np.clip(load + ar, 0.2, 1.0)


def _windows(
    rng: np.random.Generator, busy: np.ndarray, count: int, lo: int, hi: int
) -> list[tuple[int, int]]:
    """Place ``count`` non-overlapping windows of lo..hi steps where ``busy`` is False."""
    out = []
    n = len(busy)
    while len(out) < count:
        length = int(rng.integers(lo, hi + 1))
        start = int(rng.integers(MARGIN, n - length - MARGIN))
        if not busy[start - MARGIN : start + length + MARGIN].any():
            busy[start - MARGIN : start + length + MARGIN] = True
            out.append((start, start + length))
    return out


def _device(
    rng: np.random.Generator, device: str, times: pd.DatetimeIndex, busy: np.ndarray
) -> pd.DataFrame:
    """Normal readings for one machine; marks its idle/maintenance steps in ``busy``."""
    n = len(times)
    rpm_nom = float(rng.integers(18, 31) * 100)
    temp_gain = rng.uniform(25, 40)
    vib_base = rng.uniform(1.5, 3.0)
    p_base = rng.uniform(4.0, 6.0)

    load = _load_profile(rng, times)
    status = np.full(n, "running", dtype=object)
    for a, b in _windows(rng, busy, 2, 24, 72):
        status[a:b] = "idle"
    if int(device[1:]) % 2 == 0:
        for a, b in _windows(rng, busy, 1, 36, 96):
            status[a:b] = "maintenance"
    running = status == "running"
    load = np.where(running, load, 0.0)

    hour = times.hour.to_numpy() + times.minute.to_numpy() / 60
    ambient = 21 + 3 * np.sin(2 * np.pi * (hour - 9) / 24)
    target = ambient + temp_gain * load
    temp = np.empty(n)
    temp[0] = target[0]
    for i in range(1, n):  # thermal inertia: first-order lag towards the target
        temp[i] = temp[i - 1] + 0.15 * (target[i] - temp[i - 1])
    temp = temp + rng.normal(0, 0.3, n)
    vib = np.where(
        running,
        vib_base * (0.4 + 0.8 * load) + rng.normal(0, 0.12, n),
        np.abs(rng.normal(0.1, 0.05, n)),
    )
    pres = np.where(running, p_base + 1.6 * load, 1.0) + rng.normal(0, 0.05, n)
    rpm = np.where(running, np.round(rpm_nom * (0.55 + 0.45 * load) + rng.normal(0, 12, n)), 0)
    return pd.DataFrame(
        {
            "status": status,
            "temperature_c": temp,
            "vibration_mm_s": vib,
            "pressure_bar": pres,
            "rpm": rpm.astype(int),
            "anomaly_type": "none",
        }
    )


def _inject(
    rng: np.random.Generator, frame: pd.DataFrame, kind: str, sensor: str, a: int, b: int
) -> None:
    """Apply one anomaly of ``kind`` to ``sensor`` on steps [a, b) of one device's frame."""
    col = frame.columns.get_loc(sensor)
    values = frame.iloc[a:b, col].to_numpy()
    if kind == "spike":
        size = {"temperature_c": (20, 35), "vibration_mm_s": (4, 8), "pressure_bar": (2.5, 4)}
        values = values + rng.uniform(*size[sensor])
    elif kind == "level_shift":
        shift = -rng.uniform(0.8, 1.3) if sensor == "pressure_bar" else rng.uniform(1.2, 2.0)
        values = values + shift
    elif kind == "stuck":
        values = np.full(b - a, round(float(frame.iloc[a - 1, col]), 2))
    elif kind == "drift":
        end = rng.uniform(8, 15) if sensor == "temperature_c" else rng.uniform(1.5, 3.0)
        values = values + np.linspace(0, end, b - a)
    frame.iloc[a:b, col] = values
    frame.iloc[a:b, frame.columns.get_loc("anomaly_type")] = kind


def generate(seed: int = SEED) -> pd.DataFrame:
    """Generate the event stream (sorted by timestamp, then device)."""
    rng = np.random.default_rng(seed)
    n = DAYS * 24 * 3600 // STEP_SECONDS
    times = pd.date_range(START, periods=n, freq=f"{STEP_SECONDS}s")
    busy = {d: np.zeros(n, dtype=bool) for d in DEVICES}
    frames = {d: _device(rng, d, times, busy[d]) for d in DEVICES}

    faulty = [d for d in DEVICES if d not in CLEAN_DEVICES]
    for kind, (count, lo, hi, sensors) in ANOMALIES.items():
        for _ in range(count):
            device = faulty[int(rng.integers(len(faulty)))]
            ((a, b),) = _windows(rng, busy[device], 1, lo, hi)
            _inject(rng, frames[device], kind, str(rng.choice(sensors)), a, b)

    parts = []
    offsets = times.to_numpy()
    for device, frame in frames.items():
        jitter = rng.integers(0, JITTER_SECONDS + 1, n).astype("timedelta64[s]")
        keep = rng.random(n) >= DROP_RATE
        if int(device[1:]) % 4 == 1:  # M01, M05, M09 have a network outage
            a = int(rng.integers(MARGIN, n - 48))
            keep[a : a + int(rng.integers(12, 37))] = False
        frame = frame.assign(timestamp=offsets + jitter, device_id=device)
        parts.append(frame[keep])
    df = pd.concat(parts, ignore_index=True)
    df = df.sort_values(["timestamp", "device_id"], kind="stable", ignore_index=True)
    for col in SENSORS:
        df[col] = df[col].round(DECIMALS[col])
    df["timestamp"] = df["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    df["is_anomaly"] = (df["anomaly_type"] != "none").astype(int)
    return df[["timestamp", "device_id", "status", *SENSORS, "rpm", "is_anomaly", "anomaly_type"]]
