"""What scoring a batch of records costs on an endpoint that stays up, or in a transform job.

A real-time endpoint bills each instance for every hour it is ``InService``, busy or not;
a batch transform job bills its instances only while the job runs. With the kit's price
table (:mod:`labs.aws.prices`, on-demand, dated) this turns a measured throughput into
both costs. The figures are estimates to compare, not a quote.
"""

from __future__ import annotations

import math

import pandas as pd

from labs.aws import prices

__all__ = ["endpoint_vs_transform"]


def endpoint_vs_transform(
    region: str,
    instance_type: str,
    *,
    records: int,
    records_per_second: float,
    endpoint_hours: float = 24.0,
    instance_count: int = 1,
) -> pd.DataFrame:
    """Hours and cost of scoring ``records`` on an endpoint kept up ``endpoint_hours``, and
    in a transform job that runs only as long as the records take at ``records_per_second``
    per instance.

    Returns a table indexed by ``"real-time endpoint"`` and ``"batch transform"`` with
    ``instance_hours`` and ``cost_usd`` (NaN when the price table has no figure). Raises
    ``ValueError`` for a throughput or count that is not positive.
    """
    if records_per_second <= 0 or not math.isfinite(records_per_second):
        raise ValueError(f"records_per_second must be positive, not {records_per_second}")
    if records < 0 or instance_count < 1 or endpoint_hours <= 0:
        raise ValueError("records >= 0, instance_count >= 1 and endpoint_hours > 0, please")
    job_hours = records / (records_per_second * instance_count) / 3600
    rows = {
        "real-time endpoint": endpoint_hours,
        "batch transform": job_hours,
    }
    table = pd.DataFrame(
        {
            "instance_hours": [hours * instance_count for hours in rows.values()],
            "cost_usd": [
                prices.cost(region, instance_type, instance_count, hours) for hours in rows.values()
            ],
        },
        index=list(rows),
    )
    table["cost_usd"] = table["cost_usd"].astype(float)
    return table
