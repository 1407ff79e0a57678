"""``run_monitoring``: one data-quality monitoring execution, run locally.

The kit's stand-in for one execution of a Model Monitor data-quality job definition (what
a monitoring schedule starts every hour on SageMaker): read the captured endpoint input,
compute its statistics, evaluate the baseline's constraints, and write
``statistics.json`` and ``constraint_violations.json`` (plus the kit's plain-text
``report.txt``) to the output folder. There is no processing job here: you call it when
you want a run, or a ``NOW`` monitoring schedule calls it (:mod:`.scheduled`, which also
sends the CloudWatch metrics; this function sends none).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from labs.runtime.monitoring import s3json, tables
from labs.runtime.monitoring.baseline import Baseline
from labs.runtime.monitoring.checks import evaluate
from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.report import MonitoringReport
from labs.runtime.monitoring.statistics import dataset_statistics

VIOLATIONS_FILE = "constraint_violations.json"
STATISTICS_FILE = "statistics.json"
REPORT_FILE = "report.txt"


def run_monitoring(
    captured: pd.DataFrame | Iterable[Mapping[str, Any]],
    baseline: Baseline | str,
    *,
    output_s3_uri: str | None = None,
    s3: Any = None,
    feature_names: Sequence[str] | None = None,
) -> MonitoringReport:
    """Compare ``captured`` data with ``baseline``; return (and optionally write) the result.

    Args:
        captured: capture records (from :func:`labs.runtime.capture.read_captures`), whose
            CSV endpoint input is read without a header, or a DataFrame of endpoint input.
        baseline: a :class:`Baseline`, or the S3 folder holding its two files.
        output_s3_uri: when given, the run's files are written under this S3 folder.
        s3: the boto3 S3 client to use (default: a new one).
        feature_names: names for the current columns, in order. Without them, columns
            without a header (``_c0``, ``_c1``, ...) are matched to the baseline's features
            by position, and named DataFrame columns by name.
    """
    if isinstance(baseline, str):
        baseline = Baseline.load(baseline, s3)
    elif not isinstance(baseline, Baseline):
        raise MonitoringError(
            "baseline must be a Baseline (from suggest_baseline) or the S3 folder that holds "
            f"its statistics.json and constraints.json, got {type(baseline).__name__}."
        )
    if isinstance(captured, pd.DataFrame):
        frame = tables.frame_of(captured)
    elif isinstance(captured, str | bytes) or not isinstance(captured, Iterable):
        raise MonitoringError(
            "captured must be a DataFrame or a list of capture records "
            "(labs.runtime.capture.read_captures(s3, uri)), got "
            f"{type(captured).__name__}."
        )
    else:
        frame = tables.captured_input(captured)
    if frame.empty:
        raise MonitoringError("The current dataset has no rows: there is nothing to monitor.")
    current = tables.map_to_baseline(frame, baseline.features, feature_names)
    statistics = dataset_statistics(current)
    evaluation = evaluate(current, baseline.statistics, baseline.constraints)
    report = MonitoringReport(
        violations=evaluation.violations,
        statistics=statistics,
        comparisons=evaluation.comparisons,
        baseline_statistics=baseline.statistics,
        current=current,
    )
    if output_s3_uri is not None:
        client = s3json.client(s3)
        files = {
            STATISTICS_FILE: statistics,
            VIOLATIONS_FILE: {"violations": evaluation.violations},
        }
        for name, body in files.items():
            report.output_uris[name] = s3json.put_json(
                client, s3json.join(output_s3_uri, name), body
            )
        report.output_uris[REPORT_FILE] = s3json.put_text(
            client, s3json.join(output_s3_uri, REPORT_FILE), str(report) + "\n"
        )
    return report
