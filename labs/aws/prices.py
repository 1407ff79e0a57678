"""The price table shipped with the kit (``prices.yaml``) and estimates made from it.

The table holds on-demand SageMaker instance prices for the regions the kit supports, the
date they were taken and where from. The file's header says how far they were checked;
every estimate printed from it says "about" and names that date.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

PRICE_FILE = Path(__file__).with_name("prices.yaml")


@dataclass(frozen=True)
class PriceTable:
    """On-demand USD per instance-hour by region and instance type, with provenance."""

    taken: str
    source: str
    allowed: tuple[str, ...]
    regions: dict[str, dict[str, float]]

    def hourly(self, region: str, instance_type: str) -> float | None:
        """USD per hour for one instance, or ``None`` when the table has no figure."""
        return self.regions.get(region, {}).get(instance_type)

    def is_allowed(self, instance_type: str) -> bool:
        """True when notebooks may use ``instance_type`` without an override."""
        return instance_type in self.allowed

    @property
    def supported_regions(self) -> list[str]:
        """The regions the table has prices for."""
        return sorted(self.regions)


@functools.cache
def load(path: Path = PRICE_FILE) -> PriceTable:
    """Read the price table (cached)."""
    raw = yaml.safe_load(path.read_text())
    regions = {
        region: {name: float(price) for name, price in prices.items()}
        for region, prices in raw["regions"].items()
    }
    return PriceTable(
        taken=str(raw["taken"]),
        source=str(raw["source"]),
        allowed=tuple(raw["allowed"]),
        regions=regions,
    )


def cost(region: str, instance_type: str, count: int, hours: float) -> float | None:
    """Estimated USD for ``count`` instances for ``hours``, or ``None`` without a price."""
    hourly = load().hourly(region, instance_type)
    return None if hourly is None else hourly * count * hours


def dollars(amount: float | None) -> str:
    """An amount as a learner reads it: ``$0.23``, ``less than $0.01``, ``unknown``."""
    if amount is None:
        return "unknown"
    if amount == 0:
        return "$0.00"
    if amount < 0.01:
        return "less than $0.01"
    return f"${amount:,.2f}"
