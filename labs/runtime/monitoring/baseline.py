"""Baselines: ``suggest_baseline`` and the statistics and constraints it produces.

The kit's stand-in for a Model Monitor baselining job (``DefaultModelMonitor.suggest_baseline``
in the SageMaker Python SDK): it profiles a training dataset, writes ``statistics.json``
and the suggested ``constraints.json``, and a data-quality monitoring job then compares
captured endpoint data against them. Here the profile runs in the notebook's process on a
pandas DataFrame, instead of a processing job running the Spark-based analyzer container.

Build the baseline from the columns the endpoint receives, in the same order (the
service's rule: the training and inference schemas must match in number and order of
features), so leave the label column out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from labs.runtime.monitoring import s3json, tables
from labs.runtime.monitoring.constraints import settings, suggest_constraints
from labs.runtime.monitoring.errors import MonitoringError
from labs.runtime.monitoring.statistics import dataset_statistics

STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"


@dataclass
class Baseline:
    """A baseline's ``statistics.json`` and ``constraints.json`` bodies, and where they are."""

    statistics: dict[str, Any]
    constraints: dict[str, Any]
    statistics_uri: str | None = None
    constraints_uri: str | None = None

    def __post_init__(self) -> None:
        for key in ("dataset", "features"):
            if key not in self.statistics:
                raise MonitoringError(f"The baseline statistics have no {key!r} section.")
        if "features" not in self.constraints:
            raise MonitoringError("The baseline constraints have no 'features' section.")
        settings(self.constraints.get("monitoring_config"))  # reject bad options early

    @property
    def features(self) -> list[str]:
        """The baseline's feature names, in column order."""
        return [feature["name"] for feature in self.constraints["features"]]

    def constraint(self, name: str) -> dict[str, Any]:
        """The constraints entry of feature ``name`` (edit it to tune one feature)."""
        for feature in self.constraints["features"]:
            if feature["name"] == name:
                return feature
        raise MonitoringError(f"The baseline has no feature {name!r}; it has {self.features}.")

    @property
    def monitoring_config(self) -> dict[str, Any]:
        """The constraints file's ``monitoring_config`` (edit it to change thresholds)."""
        return self.constraints.setdefault("monitoring_config", {})

    def save(self, output_s3_uri: str, s3: Any = None) -> Baseline:
        """Write ``statistics.json`` and ``constraints.json`` under ``output_s3_uri``."""
        client = s3json.client(s3)
        self.statistics_uri = s3json.put_json(
            client, s3json.join(output_s3_uri, STATISTICS_FILE), self.statistics
        )
        self.constraints_uri = s3json.put_json(
            client, s3json.join(output_s3_uri, CONSTRAINTS_FILE), self.constraints
        )
        return self

    @classmethod
    def load(cls, s3_uri: str, s3: Any = None) -> Baseline:
        """The baseline whose two files are under the S3 folder ``s3_uri``."""
        client = s3json.client(s3)
        statistics_uri = s3json.join(s3_uri, STATISTICS_FILE)
        constraints_uri = s3json.join(s3_uri, CONSTRAINTS_FILE)
        return cls(
            statistics=s3json.get_json(client, statistics_uri),
            constraints=s3json.get_json(client, constraints_uri),
            statistics_uri=statistics_uri,
            constraints_uri=constraints_uri,
        )

    def baseline_config(self) -> dict[str, Any]:
        """The ``MonitoringBaselineConfig`` a data-quality job definition would point at."""
        if self.statistics_uri is None or self.constraints_uri is None:
            raise MonitoringError("Save the baseline to S3 first: baseline.save(s3_uri).")
        return {
            "ConstraintsResource": {"S3Uri": self.constraints_uri},
            "StatisticsResource": {"S3Uri": self.statistics_uri},
        }


def suggest_baseline(
    dataset: pd.DataFrame | str,
    *,
    header: bool = True,
    columns: Sequence[str] | None = None,
    output_s3_uri: str | None = None,
    s3: Any = None,
) -> Baseline:
    """Profile ``dataset`` and suggest constraints: the kit's local baselining job.

    Args:
        dataset: a pandas DataFrame, or the S3 URI of a CSV object (or of a prefix whose
            objects are all CSV parts of one dataset).
        header: whether the CSV's first row names the columns (ignored for a DataFrame).
            Without a header the columns are ``_c0``, ``_c1``, ... as in Model Monitor.
        columns: names for the columns, in order (overrides the header).
        output_s3_uri: when given, ``statistics.json`` and ``constraints.json`` are
            written under this S3 folder, as a baselining job's output.
        s3: the boto3 S3 client to use (default: a new one).
    """
    if isinstance(dataset, pd.DataFrame):
        frame = tables.frame_of(dataset, columns)
    elif isinstance(dataset, str):
        frame = tables.read_s3_csv(s3json.client(s3), dataset, header=header, columns=columns)
    else:
        raise MonitoringError(
            "suggest_baseline takes a pandas DataFrame or the S3 URI of a CSV dataset, got "
            f"{type(dataset).__name__}."
        )
    if frame.empty or not len(frame.columns):
        raise MonitoringError("The baseline dataset has no rows: there is nothing to profile.")
    statistics = dataset_statistics(frame)
    baseline = Baseline(statistics=statistics, constraints=suggest_constraints(statistics))
    if output_s3_uri is not None:
        baseline.save(output_s3_uri, s3)
    return baseline
