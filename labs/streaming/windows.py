"""Event-time window aggregation, computed the way Apache Flink computes it.

Amazon Managed Service for Apache Flink (formerly Kinesis Data Analytics) runs Apache
Flink. A Flink SQL query such as::

    SELECT window_start, window_end, device_id, COUNT(*), AVG(temperature_c)
    FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(event_time), INTERVAL '15' MINUTES))
    GROUP BY window_start, window_end, device_id

groups records by the time they *happened* (event time), not the time they arrived. Flink
cannot wait forever for stragglers, so it tracks a **watermark**: "no record older than
this will come any more". With a bounded out-of-orderness of ``d`` (``WATERMARK FOR
event_time AS event_time - INTERVAL 'd'``) the watermark is the largest event time seen
minus ``d``. A window ``[start, end)`` fires, emitting its result once, when the watermark
reaches ``end``; a record that arrives after all its windows fired is **late** and dropped
(Flink can route it to a side output instead, or keep windows open for an allowed
lateness: this module models the default, drop).

A Kinesis source reads shards in parallel and keeps a watermark per shard; the operator's
watermark is the minimum of them, so one shard that is behind holds the others back
instead of making their records look late. Pass ``source`` (the shard id) to get that.

Here the watermark advances after every record. Flink emits it periodically (every 200 ms
by default), so on Flink it can only be later, never earlier: no record this module keeps
would be dropped there.

:class:`WindowAggregator` processes one record at a time; :func:`aggregate_stream` runs it
over a DataFrame in arrival order; :func:`aggregate_batch` computes the same windows over a
complete table, as a batch job would (the stream's result equals it when nothing is late).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from labs.errors import LabsError

_NEG_INF = np.iinfo(np.int64).min


def _nanos(value: str | pd.Timedelta | Any, what: str) -> int:
    try:
        delta = pd.Timedelta(value)
    except (TypeError, ValueError) as error:
        raise LabsError(
            f"{what} must be a duration such as '15min' or '30s', not {value!r}."
        ) from error
    if pd.isna(delta) or delta < pd.Timedelta(0):
        raise LabsError(f"{what} must be a duration of zero or more, not {value!r}.")
    return int(delta.value)


def window_starts(event_time_ns: int, size_ns: int, slide_ns: int) -> list[int]:
    """Start times (ns) of every window ``[start, start + size)`` that holds the event.

    Windows start at multiples of ``slide`` from the epoch, as Flink's tumbling
    (``slide == size``) and hopping (sliding) event-time windows do.
    """
    last = event_time_ns - (event_time_ns % slide_ns)
    starts = []
    start = last
    while start > event_time_ns - size_ns:
        starts.append(start)
        start -= slide_ns
    return starts[::-1]


@dataclass
class _Accumulator:
    count: int = 0
    sums: list[float] = field(default_factory=list)
    mins: list[float] = field(default_factory=list)
    maxs: list[float] = field(default_factory=list)

    def add(self, values: Sequence[float]) -> None:
        if not self.count:
            self.sums = [0.0] * len(values)
            self.mins = list(values)
            self.maxs = list(values)
        self.count += 1
        for i, value in enumerate(values):
            self.sums[i] += value
            self.mins[i] = min(self.mins[i], value)
            self.maxs[i] = max(self.maxs[i], value)


class WindowAggregator:
    """Count, mean, min and max of value columns per key and event-time window.

    Args:
        size: the window length (``"15min"``).
        slide: how far consecutive windows start apart; ``None`` (the default) makes
            tumbling windows (``slide == size``), a smaller slide overlapping hopping ones.
        out_of_orderness: how far behind the newest record a record may be and still count
            (the ``d`` of the watermark).
        sources: the input partitions (shard ids) when each keeps its own watermark; the
            watermark is then the minimum over all of them, and a source that has sent
            nothing yet holds it back. ``None``: one input, one watermark.
        value_names: names of the aggregated values, for the result's columns.
    """

    def __init__(
        self,
        size: str | pd.Timedelta,
        slide: str | pd.Timedelta | None = None,
        *,
        out_of_orderness: str | pd.Timedelta = "0s",
        sources: Iterable[Hashable] | None = None,
        value_names: Sequence[str] = (),
    ) -> None:
        self.size = _nanos(size, "size")
        self.slide = self.size if slide is None else _nanos(slide, "slide")
        if self.size == 0 or self.slide == 0:
            raise LabsError("Window size and slide must be longer than zero.")
        if self.slide > self.size:
            raise LabsError(
                "The slide cannot be longer than the window: records would fall in gaps."
            )
        self.delay = _nanos(out_of_orderness, "out_of_orderness")
        self.value_names = list(value_names)
        self._declared = sources is not None
        self._max_seen: dict[Hashable, int] = {s: _NEG_INF for s in (sources or [])}
        self._open: dict[tuple[int, Hashable], _Accumulator] = {}
        self.late: list[dict[str, Any]] = []
        self.processed = 0

    @property
    def watermark(self) -> int | None:
        """The current watermark in ns since the epoch (``None`` before it exists)."""
        if not self._max_seen:
            return None
        lowest = min(self._max_seen.values())
        return None if lowest == _NEG_INF else lowest - self.delay

    def add(
        self,
        event_time: int | pd.Timestamp,
        key: Hashable,
        values: Sequence[float] = (),
        source: Hashable | None = None,
    ) -> list[dict[str, Any]]:
        """Process one record; return the window results its watermark step fires."""
        ts = int(pd.Timestamp(event_time).value) if not isinstance(event_time, int) else event_time
        values = [float(v) for v in values]
        if len(values) != len(self.value_names):
            raise LabsError(
                f"Got {len(values)} values for {len(self.value_names)} value names "
                f"({self.value_names})."
            )
        source_key = source if self._declared else None
        if self._declared and source_key not in self._max_seen:
            raise LabsError(f"Unknown source {source!r}: declare it in sources=[...].")
        watermark = self.watermark
        starts = window_starts(ts, self.size, self.slide)
        live = [s for s in starts if watermark is None or s + self.size > watermark]
        if live:
            for start in live:
                self._open.setdefault((start, key), _Accumulator()).add(values)
        else:
            self.late.append(
                {
                    "event_time": pd.Timestamp(ts),
                    "key": key,
                    "source": source,
                    "watermark": watermark,
                }
            )
        self.processed += 1
        self._max_seen[source_key] = max(self._max_seen.get(source_key, _NEG_INF), ts)
        return self._fire(self.watermark)

    def finish(self) -> list[dict[str, Any]]:
        """End of input: the watermark jumps to the end of time and every window fires."""
        return self._fire(np.iinfo(np.int64).max)

    def _fire(self, watermark: int | None) -> list[dict[str, Any]]:
        if watermark is None:
            return []
        due = sorted(
            (item for item in self._open if item[0] + self.size <= watermark),
            key=lambda item: (item[0], str(item[1])),
        )
        fired = []
        for start, key in due:
            acc = self._open.pop((start, key))
            row: dict[str, Any] = {
                "window_start": pd.Timestamp(start),
                "window_end": pd.Timestamp(start + self.size),
                "key": key,
                "count": acc.count,
            }
            for i, name in enumerate(self.value_names):
                row[f"{name}_mean"] = acc.sums[i] / acc.count
                row[f"{name}_min"] = acc.mins[i]
                row[f"{name}_max"] = acc.maxs[i]
            row["fired_after"] = self.processed
            fired.append(row)
        return fired


@dataclass
class StreamResult:
    """What :func:`aggregate_stream` produced.

    Attributes:
        windows: one row per key and window: ``window_start``, ``window_end``, the key
            column, ``count``, ``<value>_mean`` / ``_min`` / ``_max``, and ``fired_after``
            (how many records had arrived when the window fired).
        late: the records dropped as late, with the watermark they missed.
    """

    windows: pd.DataFrame
    late: pd.DataFrame


def _result_frame(rows: list[dict[str, Any]], key_column: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame = frame.rename(columns={"key": key_column})
    return frame.sort_values(["window_start", key_column], kind="stable").reset_index(drop=True)


def _check_columns(events: pd.DataFrame, columns: Iterable[str | None]) -> None:
    missing = [c for c in columns if c is not None and c not in events.columns]
    if missing:
        raise LabsError(f"No column {missing} in the events; they have {list(events.columns)}.")


def aggregate_stream(
    events: pd.DataFrame,
    *,
    time_column: str,
    key_column: str,
    value_columns: Sequence[str],
    size: str | pd.Timedelta,
    slide: str | pd.Timedelta | None = None,
    out_of_orderness: str | pd.Timedelta = "0s",
    source_column: str | None = None,
) -> StreamResult:
    """Run a :class:`WindowAggregator` over ``events`` in the order of its rows (arrival).

    With ``source_column`` (the shard id), each source keeps its own watermark and every
    value of the column is declared as a source up front.
    """
    _check_columns(events, [time_column, key_column, *value_columns, source_column])
    times = pd.to_datetime(events[time_column]).to_numpy("datetime64[ns]").astype(np.int64)
    keys = events[key_column].tolist()
    values = events[list(value_columns)].to_numpy(dtype=float)
    sources = events[source_column].tolist() if source_column else [None] * len(events)
    aggregator = WindowAggregator(
        size,
        slide,
        out_of_orderness=out_of_orderness,
        sources=sorted(set(sources), key=str) if source_column else None,
        value_names=value_columns,
    )
    rows: list[dict[str, Any]] = []
    for ts, key, row, source in zip(times, keys, values, sources, strict=True):
        rows += aggregator.add(int(ts), key, row, source)
    rows += aggregator.finish()
    late = pd.DataFrame(aggregator.late, columns=["event_time", "key", "source", "watermark"])
    late = late.rename(columns={"key": key_column})
    late["watermark"] = pd.to_datetime(late["watermark"])
    return StreamResult(_result_frame(rows, key_column), late)


def aggregate_batch(
    events: pd.DataFrame,
    *,
    time_column: str,
    key_column: str,
    value_columns: Sequence[str],
    size: str | pd.Timedelta,
    slide: str | pd.Timedelta | None = None,
) -> pd.DataFrame:
    """The same windows over the complete table, as a batch job computes them.

    Same columns as :attr:`StreamResult.windows`, without ``fired_after``.
    """
    _check_columns(events, [time_column, key_column, *value_columns])
    size_ns = _nanos(size, "size")
    slide_ns = size_ns if slide is None else _nanos(slide, "slide")
    if size_ns == 0 or slide_ns == 0 or slide_ns > size_ns:
        raise LabsError("Window size and slide must be positive, and the slide at most the size.")
    times = pd.to_datetime(events[time_column]).to_numpy("datetime64[ns]").astype(np.int64)
    starts = [window_starts(int(ts), size_ns, slide_ns) for ts in times]
    exploded = events[[key_column, *value_columns]].copy()
    exploded["window_start"] = starts
    exploded = exploded.explode("window_start")
    exploded["window_start"] = pd.to_datetime(exploded["window_start"].astype(np.int64))
    named: dict[str, Any] = {"count": (value_columns[0], "size")} if value_columns else {}
    for column in value_columns:
        named[f"{column}_mean"] = (column, "mean")
        named[f"{column}_min"] = (column, "min")
        named[f"{column}_max"] = (column, "max")
    grouped = exploded.groupby(["window_start", key_column], sort=True).agg(**named).reset_index()
    grouped.insert(1, "window_end", grouped["window_start"] + pd.Timedelta(size_ns, "ns"))
    return grouped.sort_values(["window_start", key_column], kind="stable").reset_index(drop=True)


def compare_results(stream: pd.DataFrame, batch: pd.DataFrame, key_column: str) -> pd.DataFrame:
    """Windows whose streaming result differs from the batch result (count or any mean).

    An empty frame means the stream computed exactly what the batch job did.
    """
    on = ["window_start", "window_end", key_column]
    merged = stream.merge(batch, on=on, how="outer", suffixes=("_stream", "_batch"))
    value_cols = [c for c in batch.columns if c not in on]
    differs = np.zeros(len(merged), dtype=bool)
    for column in value_cols:
        left = merged[f"{column}_stream"].to_numpy(dtype=float)
        right = merged[f"{column}_batch"].to_numpy(dtype=float)
        differs |= ~np.isclose(left, right, rtol=1e-9, atol=1e-9, equal_nan=False)
    return merged.loc[differs, [*on, "count_stream", "count_batch"]].reset_index(drop=True)
