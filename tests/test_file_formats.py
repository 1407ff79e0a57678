"""labs.file_formats: the same table in four formats, read back unchanged, and measured."""

from __future__ import annotations

import gzip
import io

import numpy as np
import pandas as pd
import pytest

from labs import file_formats
from labs.algorithms import recordio
from labs.file_formats import Variant


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "units": rng.integers(0, 50, 400).astype(float),
            "price": rng.random(400).round(2),
            "promo": rng.integers(0, 2, 400).astype(float),
        }
    )


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("compression", [None, "gzip"])
def test_round_trip(table, fmt, compression):
    data = file_formats.encode(table, fmt, compression=compression)
    back = file_formats.decode(data, fmt, compression=compression)
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_recordio_is_the_kits_recordio_with_the_label_first(table):
    data = file_formats.encode(table, "recordio", label="units")
    features, labels = recordio.read_records(io.BytesIO(data))
    assert features.shape == (400, 2)
    np.testing.assert_allclose(labels, table["units"], rtol=1e-6)
    back = file_formats.decode(data, "recordio", names=["units", "price", "promo"])
    np.testing.assert_allclose(back.to_numpy(), table.to_numpy(), rtol=1e-6)


def test_gzip_is_deterministic_and_smaller(table):
    first = file_formats.encode(table, "csv", compression="gzip")
    assert first == file_formats.encode(table, "csv", compression="gzip")
    assert len(first) < len(file_formats.encode(table, "csv"))
    assert gzip.decompress(first).startswith(b"units,price,promo\n")


def test_column_selection(table):
    for fmt in ("csv", "jsonl", "parquet"):
        data = file_formats.encode(table, fmt)
        assert list(file_formats.decode(data, fmt, columns=["price"]).columns) == ["price"]


def test_mistakes_are_explained(table):
    with pytest.raises(ValueError, match="label="):
        file_formats.encode(table, "recordio")
    with pytest.raises(ValueError, match="numbers only"):
        file_formats.encode(table.assign(name="x"), "recordio", label="units")
    with pytest.raises(ValueError, match="Unknown format"):
        file_formats.encode(table, "orc")
    with pytest.raises(ValueError, match="compression"):
        file_formats.encode(table, "csv", compression="snappy")


def test_measure_reports_real_sizes(table):
    variants = [Variant("csv"), Variant("parquet", "snappy"), Variant("recordio")]
    result = file_formats.measure(table, variants, columns=["price"], label="units", repeats=1)
    assert list(result.index) == ["csv", "parquet+snappy", "recordio"]
    assert result.loc["csv", "size_bytes"] == len(file_formats.encode(table, "csv"))
    assert (result[["write_seconds", "read_seconds", "read_columns_seconds"]] > 0).all().all()


def test_parquet_timestamps_are_milliseconds():
    import pyarrow.parquet as pq

    frame = pd.DataFrame({"date": pd.to_datetime(["2024-03-01", "2024-03-02"]), "units": [1, 2]})
    schema = pq.read_schema(io.BytesIO(file_formats.encode(frame, "parquet", compression="snappy")))
    assert str(schema.field("date").type) == "timestamp[ms]"
