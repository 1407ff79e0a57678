"""labs.lake and labs.lake_sql: Hive-partitioned tables in S3 and SQL over them."""

from __future__ import annotations

import pandas as pd
import pytest

from labs import data, file_formats, lake
from labs.lake_sql import LakeSQL

PREFIX = "tests-lake"


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    frame = data.load("retail")
    frame = frame[frame["date"] < "2022-04-01"].copy()  # three months keep the test fast
    frame["year"] = frame["date"].dt.strftime("%Y")
    frame["month"] = frame["date"].dt.strftime("%m")
    return frame


@pytest.fixture(scope="module")
def stored(lab, retail):
    s3 = lab.client("s3")
    written = lake.write_partitioned(
        s3, lab.bucket, f"{PREFIX}/curated/retail", retail, ["year", "month"]
    )
    flat = file_formats.encode(retail.drop(columns=["year", "month"]), "csv")
    s3.put_object(Bucket=lab.bucket, Key=f"{PREFIX}/raw/retail/retail.csv", Body=flat)
    yield written
    lake.delete_prefix(s3, lab.bucket, f"{PREFIX}/")


def test_hive_paths():
    assert lake.hive_path({"year": 2024, "month": "03"}) == "year=2024/month=03"
    assert lake.hive_path({"store": "a/b c"}) == "store=a%2Fb%20c"
    assert lake.partition_of("t/year=2024/month=03/part.parquet") == {"year": "2024", "month": "03"}
    assert lake.partition_of("t/store=a%2Fb%20c/x.csv") == {"store": "a/b c"}
    assert lake.partition_of("raw/retail.csv") == {}
    with pytest.raises(ValueError):
        lake.hive_path({})


def test_write_partitioned_puts_one_object_per_partition(lab, stored, retail):
    assert [o.partition for o in stored] == [
        {"year": "2022", "month": m} for m in ("01", "02", "03")
    ]
    listed = lake.list_objects(lab.client("s3"), lab.bucket, f"{PREFIX}/curated/retail/")
    assert sorted(item["Key"] for item in listed) == [o.key for o in stored]
    assert stored[0].key.endswith("year=2022/month=01/part-00000.parquet")
    body = lab.client("s3").get_object(Bucket=lab.bucket, Key=stored[0].key)["Body"].read()
    january = file_formats.decode(body, "parquet")
    assert "year" not in january.columns  # the path carries the partition columns
    assert len(january) == (retail["month"] == "01").sum()


def test_write_partitioned_refuses_unknown_columns(lab, retail):
    with pytest.raises(ValueError, match="Partition by columns"):
        lake.write_partitioned(lab.client("s3"), lab.bucket, "x", retail, ["week"])


def test_sql_prunes_partitions_and_counts_bytes(lab, stored, retail):
    engine = LakeSQL(lab.client("s3"))
    engine.register_table(
        "lake.sales",
        lab.s3_uri(PREFIX, "curated/retail/"),
        "parquet",
        partition_types={"year": "string", "month": "string"},
    )
    engine.register_table("lake.raw", lab.s3_uri(PREFIX, "raw/retail/"), "csv")
    expected = retail[retail["month"] == "02"].groupby("store_id")["units_sold"].sum()

    pruned = engine.sql(
        "SELECT store_id, sum(units_sold) AS units FROM lake.sales "
        "WHERE year = '2022' AND month = '02' GROUP BY store_id ORDER BY store_id"
    )
    assert pruned.frame.set_index("store_id")["units"].astype(int).to_dict() == expected.to_dict()
    february = next(o for o in stored if o.partition["month"] == "02")
    assert any(key.endswith(february.key) for key in pruned.keys)
    # DuckDB also reads the first file's footer to learn the columns; never the third month.
    assert not any("month=03" in key for key in pruned.keys)

    full = engine.sql(
        "SELECT store_id, sum(units_sold) AS units FROM lake.raw "
        "WHERE date >= '2022-02-01' AND date < '2022-03-01' GROUP BY store_id ORDER BY store_id"
    )
    assert full.frame.set_index("store_id")["units"].astype(int).to_dict() == expected.to_dict()
    raw_size = lab.client("s3").head_object(
        Bucket=lab.bucket, Key=f"{PREFIX}/raw/retail/retail.csv"
    )["ContentLength"]
    assert full.bytes_scanned == raw_size and full.objects_read == 1
    assert pruned.bytes_scanned < raw_size / 5
    engine.close()


def test_register_glue_table(lab, stored):
    glue = lab.client("glue")
    glue.create_database(DatabaseInput={"Name": "tests_lake"})
    try:
        glue.create_table(
            DatabaseName="tests_lake",
            TableInput={
                "Name": "sales",
                "PartitionKeys": [
                    {"Name": "year", "Type": "string"},
                    {"Name": "month", "Type": "string"},
                ],
                "Parameters": {"classification": "parquet"},
                "StorageDescriptor": {
                    "Columns": [{"Name": "units_sold", "Type": "bigint"}],
                    "Location": lab.s3_uri(PREFIX, "curated/retail/"),
                },
            },
        )
        engine = LakeSQL(lab.client("s3"))
        statement = engine.register_glue_table(glue, "tests_lake", "sales")
        assert "read_parquet" in statement and "hive_partitioning=true" in statement
        months = engine.sql("SELECT DISTINCT month FROM tests_lake.sales ORDER BY month")
        assert months.frame["month"].tolist() == ["01", "02", "03"]
        engine.close()
    finally:
        glue.delete_database(Name="tests_lake")


def test_bad_table_definitions_are_refused(lab):
    engine = LakeSQL(lab.client("s3"))
    with pytest.raises(ValueError, match="plain table name"):
        engine.register_table("sales; DROP", lab.s3_uri("x/"), "parquet")
    with pytest.raises(ValueError, match="s3://"):
        engine.register_table("sales", "/tmp/x", "parquet")
    with pytest.raises(ValueError, match="Unknown format"):
        engine.register_table("sales", lab.s3_uri("x/"), "orc")
    engine.close()


def test_empty_bucket_removes_every_version(lab):
    s3 = lab.client("s3")
    bucket = f"{lab.bucket}-tests-versions"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"1", b"2"):
        s3.put_object(Bucket=bucket, Key="k", Body=body)
    s3.delete_object(Bucket=bucket, Key="k")
    assert lake.empty_bucket(s3, bucket) == 3  # two versions and a delete marker
    s3.delete_bucket(Bucket=bucket)
