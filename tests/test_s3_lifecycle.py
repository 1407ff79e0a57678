"""labs.s3_lifecycle: S3 Lifecycle rules evaluated offline, and the rules S3 refuses."""

from __future__ import annotations

from labs import s3_lifecycle as lc

RULES = [
    {
        "ID": "raw-to-archive",
        "Status": "Enabled",
        "Filter": {"Prefix": "raw/"},
        "Transitions": [
            {"Days": 30, "StorageClass": "STANDARD_IA"},
            {"Days": 90, "StorageClass": "GLACIER"},
        ],
        "Expiration": {"Days": 365},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
    }
]
BIG = 1_000_000


def test_an_object_moves_down_the_waterfall_then_expires():
    classes = [lc.storage_class_at(RULES, "raw/a.csv", day, BIG) for day in (0, 29, 30, 89, 90)]
    assert classes == ["STANDARD", "STANDARD", "STANDARD_IA", "STANDARD_IA", "GLACIER"]
    assert lc.storage_class_at(RULES, "raw/a.csv", 365, BIG) is None


def test_the_prefix_filter_and_disabled_rules():
    assert lc.storage_class_at(RULES, "curated/a.parquet", 400, BIG) == "STANDARD"
    disabled = [dict(RULES[0], Status="Disabled")]
    assert lc.storage_class_at(disabled, "raw/a.csv", 400, BIG) == "STANDARD"


def test_small_objects_stay_unless_the_filter_sets_sizes():
    assert lc.storage_class_at(RULES, "raw/a.csv", 100, 100_000) == "STANDARD"
    assert lc.storage_class_at(RULES, "raw/a.csv", 100, 100_000, min_transition_size=0) == "GLACIER"
    sized = [dict(RULES[0], Filter={"And": {"Prefix": "raw/", "ObjectSizeGreaterThan": 1024}})]
    assert lc.storage_class_at(sized, "raw/a.csv", 100, 100_000) == "GLACIER"
    assert lc.storage_class_at(sized, "raw/a.csv", 100, 10) == "STANDARD"


def test_the_deepest_transition_of_all_rules_wins():
    rules = [
        *RULES,
        {
            "Status": "Enabled",
            "Filter": {},
            "Transitions": [{"Days": 60, "StorageClass": "DEEP_ARCHIVE"}],
        },
    ]
    assert lc.storage_class_at(rules, "raw/a.csv", 70, BIG) == "DEEP_ARCHIVE"
    assert lc.storage_class_at(rules, "raw/a.csv", 400, BIG) is None  # expiration still wins


def test_noncurrent_expiration():
    assert lc.noncurrent_expiration_days(RULES, "raw/a.csv") == 30
    assert lc.noncurrent_expiration_days(RULES, "curated/a.csv") is None


def test_problems_s3_refuses():
    assert lc.problems(RULES) == []
    early = [dict(RULES[0], Transitions=[{"Days": 7, "StorageClass": "STANDARD_IA"}])]
    assert "at least 30 days" in lc.problems(early)[0]
    backwards = [
        dict(
            RULES[0],
            Transitions=[
                {"Days": 30, "StorageClass": "GLACIER"},
                {"Days": 90, "StorageClass": "STANDARD_IA"},
            ],
        )
    ]
    assert any("waterfall" in p for p in lc.problems(backwards))
    short = [dict(RULES[0], Expiration={"Days": 60})]
    assert any("after the last transition" in p for p in lc.problems(short))
    assert (
        "not a transition class"
        in lc.problems([dict(RULES[0], Transitions=[{"Days": 30, "StorageClass": "COLD"}])])[0]
    )
    assert lc.problems("raw/") and lc.problems([]) and lc.problems([{"ID": "x"}])


def test_storage_class_facts():
    facts = {c.name: c for c in lc.STORAGE_CLASSES}
    assert [
        facts[n].min_days for n in ("STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE")
    ] == [30, 90, 90, 180]
    assert facts["INTELLIGENT_TIERING"].min_days == 0
    assert lc.WATERFALL[0] == "STANDARD" and lc.WATERFALL[-1] == "DEEP_ARCHIVE"
