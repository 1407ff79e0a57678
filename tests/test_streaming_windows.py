"""Event-time windows with watermarks (labs/streaming/windows.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from labs import data
from labs.errors import LabsError
from labs.streaming.windows import (
    WindowAggregator,
    aggregate_batch,
    aggregate_stream,
    compare_results,
    window_starts,
)

MIN = 60 * 10**9  # one minute in ns


def frame(rows: list[tuple[str, str, float]], source: list[str] | None = None) -> pd.DataFrame:
    """Events from (time, key, value) tuples, in the given (arrival) order."""
    out = pd.DataFrame(rows, columns=["time", "key", "value"])
    out["time"] = pd.to_datetime(out["time"])
    if source is not None:
        out["shard"] = source
    return out


def stream(events: pd.DataFrame, **kwargs):
    defaults = {"time_column": "time", "key_column": "key", "value_columns": ["value"]}
    return aggregate_stream(events, **{**defaults, **kwargs})


def test_window_starts_for_tumbling_and_hopping_windows():
    assert window_starts(7 * MIN, 5 * MIN, 5 * MIN) == [5 * MIN]
    assert window_starts(5 * MIN, 5 * MIN, 5 * MIN) == [5 * MIN]  # start is inclusive
    assert window_starts(7 * MIN, 15 * MIN, 5 * MIN) == [-5 * MIN, 0, 5 * MIN]


def test_tumbling_windows_count_and_average_per_key():
    events = frame(
        [
            ("2024-03-04 00:01", "a", 1.0),
            ("2024-03-04 00:04", "a", 3.0),
            ("2024-03-04 00:02", "b", 10.0),
            ("2024-03-04 00:06", "a", 5.0),
        ]
    )
    result = stream(events, size="5min")
    assert result.late.empty
    got = result.windows[["window_start", "key", "count", "value_mean", "value_max"]]
    assert got.values.tolist() == [
        [pd.Timestamp("2024-03-04 00:00"), "a", 2, 2.0, 3.0],
        [pd.Timestamp("2024-03-04 00:00"), "b", 1, 10.0, 10.0],
        [pd.Timestamp("2024-03-04 00:05"), "a", 1, 5.0, 5.0],
    ]
    # [00:00, 00:05) fires when the record at 00:06 pushes the watermark past 00:05.
    assert result.windows["fired_after"].tolist() == [4, 4, 4]


def test_a_record_behind_the_watermark_is_dropped_as_late():
    events = frame(
        [
            ("2024-03-04 00:01", "a", 1.0),
            ("2024-03-04 00:07", "a", 2.0),  # watermark 00:07: [00:00, 00:05) fires
            ("2024-03-04 00:03", "a", 100.0),  # its only window has fired: late
            ("2024-03-04 00:06", "a", 4.0),  # out of order but its window is open
        ]
    )
    result = stream(events, size="5min")
    assert result.late["event_time"].tolist() == [pd.Timestamp("2024-03-04 00:03")]
    assert result.late["watermark"].tolist() == [pd.Timestamp("2024-03-04 00:07")]
    assert result.windows["value_mean"].tolist() == [1.0, 3.0]
    batch = aggregate_batch(
        events, time_column="time", key_column="key", value_columns=["value"], size="5min"
    )
    differs = compare_results(result.windows.drop(columns="fired_after"), batch, "key")
    assert differs["window_start"].tolist() == [pd.Timestamp("2024-03-04 00:00")]
    assert differs[["count_stream", "count_batch"]].values.tolist() == [[1, 2]]


def test_out_of_orderness_lets_a_straggler_in():
    events = frame(
        [
            ("2024-03-04 00:01", "a", 1.0),
            ("2024-03-04 00:07", "a", 2.0),  # watermark 00:07 - 3 min = 00:04: nothing fires
            ("2024-03-04 00:03", "a", 100.0),
        ]
    )
    result = stream(events, size="5min", out_of_orderness="3min")
    assert result.late.empty
    assert result.windows["count"].tolist() == [2, 1]


def test_one_watermark_per_shard_keeps_a_slow_shard_from_looking_late():
    # Shard s1 is read ahead of shard s0, as when one reader is faster than the other.
    rows = [
        ("2024-03-04 00:20", "b", 1.0),
        ("2024-03-04 00:01", "a", 1.0),
        ("2024-03-04 00:06", "a", 1.0),
    ]
    shards = ["s1", "s0", "s0"]
    single = stream(frame(rows, shards), size="5min")
    assert len(single.late) == 2  # one watermark: the fast shard made s0's records late
    per_shard = stream(frame(rows, shards), size="5min", source_column="shard")
    assert per_shard.late.empty
    assert per_shard.windows["count"].sum() == 3


def test_hopping_windows_match_a_batch_job_on_the_sensor_stream():
    events = data.load("events")
    events = events[events["timestamp"] < "2024-03-05"]
    kwargs = {
        "time_column": "timestamp",
        "key_column": "device_id",
        "value_columns": ["temperature_c", "vibration_mm_s"],
        "size": "1h",
        "slide": "15min",
    }
    result = aggregate_stream(events, **kwargs)
    batch = aggregate_batch(events, **kwargs)
    assert result.late.empty
    assert len(result.windows) == len(batch) > 12 * 24 * 4
    assert compare_results(result.windows.drop(columns="fired_after"), batch, "device_id").empty
    # Each reading is in four 1-hour windows that start every 15 minutes.
    assert batch["count"].sum() == 4 * len(events)


def test_the_aggregator_reports_what_it_cannot_do():
    with pytest.raises(LabsError, match="slide cannot be longer"):
        WindowAggregator("5min", "10min")
    with pytest.raises(LabsError, match="duration"):
        WindowAggregator("five minutes")
    with pytest.raises(LabsError, match="longer than zero"):
        WindowAggregator("0s")
    aggregator = WindowAggregator("5min", sources=["s0"], value_names=["v"])
    with pytest.raises(LabsError, match="Unknown source"):
        aggregator.add(pd.Timestamp("2024-03-04"), "a", [1.0], source="s9")
    with pytest.raises(LabsError, match="1 value names"):
        aggregator.add(pd.Timestamp("2024-03-04"), "a", [1.0, 2.0], source="s0")
    with pytest.raises(LabsError, match="No column"):
        stream(frame([("2024-03-04", "a", 1.0)]), size="5min", source_column="shard")


def test_a_declared_source_that_sent_nothing_holds_the_watermark():
    aggregator = WindowAggregator("5min", sources=["s0", "s1"], value_names=["v"])
    assert aggregator.add(pd.Timestamp("2024-03-04 00:01"), "a", [1.0], source="s0") == []
    assert aggregator.add(pd.Timestamp("2024-03-04 01:00"), "a", [1.0], source="s0") == []
    assert aggregator.watermark is None
    fired = aggregator.add(pd.Timestamp("2024-03-04 00:30"), "b", [1.0], source="s1")
    assert [row["window_start"] for row in fired] == [pd.Timestamp("2024-03-04 00:00")]
    assert len(aggregator.finish()) == 2
