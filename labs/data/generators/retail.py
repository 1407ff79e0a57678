"""Retail demand: daily unit sales for 5 stores x 10 items over three years (2022-2024).

Demand is multiplicative (see ``data/retail.md``): store size x item base rate x trend x
weekly pattern x yearly seasonality (per category) x holiday effect x promotion lift
(price elasticity and a display effect) x gamma noise, then drawn as a Poisson count,
with rare stock-out days that sell nothing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

SEED = 20240602
START = dt.date(2022, 1, 1)
END = dt.date(2024, 12, 31)
DECIMALS = {"price": 2}

STORES = ("store_1", "store_2", "store_3", "store_4", "store_5")
STORE_SIZE = (1.4, 1.0, 0.8, 1.2, 0.6)
STORE_GROWTH = (0.04, 0.06, 0.12, 0.02, -0.02)  # per year, on top of nothing else
STORE_PRICE = (1.00, 1.05, 0.97, 1.02, 0.95)

# item: (category, regular price in 2022, base units per day in a size-1.0 store)
ITEMS = {
    "item_01": ("grocery", 2.49, 45.0),
    "item_02": ("grocery", 3.99, 30.0),
    "item_03": ("grocery", 1.29, 60.0),
    "item_04": ("beverages", 1.99, 50.0),
    "item_05": ("beverages", 5.49, 20.0),
    "item_06": ("snacks", 3.49, 28.0),
    "item_07": ("snacks", 4.29, 18.0),
    "item_08": ("household", 8.99, 8.0),
    "item_09": ("household", 12.49, 5.0),
    "item_10": ("frozen", 4.99, 15.0),
}
# category: (yearly amplitude, day of year of the peak, price elasticity)
CATEGORY = {
    "grocery": (0.08, 355, 1.2),
    "beverages": (0.25, 196, 1.8),
    "snacks": (0.10, 340, 2.0),
    "household": (0.05, 100, 1.0),
    "frozen": (0.50, 200, 2.2),
}
# Monday .. Sunday
WEEKDAY = (0.85, 0.80, 0.85, 0.95, 1.10, 1.30, 1.15)
PROMO_DISPLAY_LIFT = 1.25  # extra lift from the display, beyond the price cut
YEARLY_PRICE_RISE = 0.03  # every 1 January
NOISE_SHAPE = 20.0  # gamma(shape, 1/shape) multiplicative noise, CV 0.22
STOCKOUT_RATE = 0.003
HOLIDAY_EFFECT = {
    "New Year's Day": 0.70,
    "Memorial Day": 1.30,
    "Independence Day": 1.50,
    "Labor Day": 1.30,
    "Thanksgiving": 0.50,
    "Black Friday": 1.80,
    "Christmas Eve": 1.40,
    "Christmas Day": 0.25,
}


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) given weekday (0 = Monday) of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year: int) -> dict[dt.date, str]:
    """The kit's fixed list of US-style retail holidays for one year (date -> name)."""
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return {
        dt.date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        dt.date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        thanksgiving: "Thanksgiving",
        thanksgiving + dt.timedelta(days=1): "Black Friday",
        dt.date(year, 12, 24): "Christmas Eve",
        dt.date(year, 12, 25): "Christmas Day",
    }


def _promo_calendar(rng: np.random.Generator, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Chain-wide promotions for one item: (on_promotion flags, discount fraction per day)."""
    on = np.zeros(n_days, dtype=bool)
    discount = np.zeros(n_days)
    day = int(rng.integers(0, 20))
    while day < n_days:
        length = int(rng.integers(3, 11))
        on[day : day + length] = True
        discount[day : day + length] = rng.choice([0.10, 0.15, 0.20, 0.25, 0.30])
        day += length + int(rng.integers(14, 45))
    return on, discount


def _shelf_price(price: np.ndarray) -> np.ndarray:
    """Round a price to the shelf style x.x9 (never below 0.19)."""
    return np.maximum(np.floor(price * 10) / 10 + 0.09, 0.19).round(2)


def generate(seed: int = SEED) -> pd.DataFrame:
    """Generate the retail table (sorted by date, store, item)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, END, freq="D")
    n_days = len(dates)
    years = (dates - pd.Timestamp(START)).days.to_numpy() / 365.25
    dow = dates.day_of_week.to_numpy()
    doy = dates.day_of_year.to_numpy()
    hol = {d: name for y in range(START.year, END.year + 1) for d, name in holidays(y).items()}
    hol_effect = np.array([HOLIDAY_EFFECT.get(hol.get(d.date(), ""), 1.0) for d in dates])
    is_holiday = np.array([d.date() in hol for d in dates], dtype=int)
    price_year = (1 + YEARLY_PRICE_RISE) ** (dates.year.to_numpy() - START.year)

    frames = []
    for item, (category, price0, base) in ITEMS.items():
        amp, peak, elasticity = CATEGORY[category]
        yearly = 1 + amp * np.cos(2 * np.pi * (doy - peak) / 365.25)
        promo, discount = _promo_calendar(rng, n_days)
        for s, store in enumerate(STORES):
            regular = _shelf_price(price0 * STORE_PRICE[s] * price_year)
            price = np.where(promo, _shelf_price(regular * (1 - discount)), regular)
            lift = np.where(promo, (price / regular) ** -elasticity * PROMO_DISPLAY_LIFT, 1.0)
            mu = (
                base
                * STORE_SIZE[s]
                * (1 + STORE_GROWTH[s] * years)
                * np.asarray(WEEKDAY)[dow]
                * yearly
                * hol_effect
                * lift
                * rng.gamma(NOISE_SHAPE, 1 / NOISE_SHAPE, n_days)
            )
            units = rng.poisson(np.round(mu, 6))
            units[rng.random(n_days) < STOCKOUT_RATE] = 0
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates.strftime("%Y-%m-%d"),
                        "store_id": store,
                        "item_id": item,
                        "category": category,
                        "price": price,
                        "on_promotion": promo.astype(int),
                        "is_holiday": is_holiday,
                        "units_sold": units,
                    }
                )
            )
    df = pd.concat(frames, ignore_index=True)
    return df.sort_values(["date", "store_id", "item_id"], kind="stable", ignore_index=True)
