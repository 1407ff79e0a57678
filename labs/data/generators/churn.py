"""Telecom customer churn: one row per customer, binary target ``churn`` (1 = left).

The target comes from a documented latent logistic model (see ``data/churn.md``): contract,
tenure, support calls, charges, internet type, payment method, add-ons, a hidden
dissatisfaction factor and a few interactions and thresholds, plus unobserved noise.
The file then gets the data problems a learner must handle: missing values with four
different mechanisms, implausible and extreme values, and several categorical columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20240601
N_ROWS = 5000

DECIMALS = {
    "age": 0,
    "monthly_charges": 2,
    "total_charges": 2,
    "data_usage_gb": 1,
    "day_minutes": 1,
    "evening_minutes": 1,
    "night_minutes": 1,
    "intl_minutes": 1,
    "satisfaction_score": 0,
}

STATES = ("CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI",
          "NJ", "VA", "WA", "AZ", "MA", "TN", "IN", "MO", "MD", "CO")  # fmt: skip
STATE_WEIGHTS = (12, 9, 7, 6, 4, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2)

CONTRACTS = ("month-to-month", "one year", "two year")
PAYMENTS = ("electronic check", "mailed check", "bank transfer (automatic)",
            "credit card (automatic)")  # fmt: skip
INTERNET = ("DSL", "fiber optic", "none")
ADDONS = {  # add-on: (probability of "yes" for an internet customer, monthly price)
    "online_security": (0.35, 6.0),
    "online_backup": (0.42, 5.0),
    "device_protection": (0.42, 5.0),
    "tech_support": (0.35, 7.0),
    "streaming_tv": (0.48, 10.0),
    "streaming_movies": (0.49, 10.0),
}
NO_INTERNET = "no internet service"

# Latent logistic model for churn (log-odds). Documented in data/churn.md.
INTERCEPT = -2.85
CONTRACT_EFFECT = {"month-to-month": 0.7, "one year": 0.0, "two year": -1.0}
TENURE_LOG_COEF = -0.30  # times log(1 + tenure_months)
CALLS_COEF = 0.10  # per support call
CALLS_4PLUS = 1.8  # extra when calls >= 4
CHARGES_COEF = 0.025  # per dollar of monthly charges above 70
FIBER = 0.45
ELECTRONIC_CHECK = 0.45
PAPERLESS = 0.20
TECH_SUPPORT = -0.45
ONLINE_SECURITY = -0.35
INTL_PLAN = 0.30
INTL_PLAN_X_HEAVY = 2.2  # international plan and intl_minutes > 13
YOUNG = 0.60  # age < 26
HEAVY_DAY_USE = 2.2  # day_minutes > 260
LIGHT_DAY_USE = 1.4  # day_minutes < 90: hardly uses the line
M2M_X_FIBER = 0.80
M2M_X_NEW = 1.2  # month-to-month and tenure < 6
SATISFACTION_COEF = -0.30  # times (satisfaction_score - 3)
DISSATISFACTION_COEF = 0.30  # hidden factor, not in the file
NOISE_SD = 0.60  # unobserved heterogeneity


def _yes_no(mask: np.ndarray) -> np.ndarray:
    return np.where(mask, "yes", "no")


def generate(seed: int = SEED, n: int = N_ROWS) -> pd.DataFrame:
    """Generate the churn table (columns in file order, values rounded as written)."""
    rng = np.random.default_rng(seed)

    # Demographics.
    age = np.clip(np.round(rng.normal(46, 15, n)), 18, 89)
    w = np.asarray(STATE_WEIGHTS, dtype=float)
    state = rng.choice(np.asarray(STATES), size=n, p=w / w.sum())
    partner = rng.random(n) < np.clip(0.2 + 0.008 * (age - 18), 0, 0.75)
    dependents = rng.random(n) < np.where(partner, 0.5, 0.12)

    # Account.
    contract = rng.choice(np.asarray(CONTRACTS), size=n, p=[0.52, 0.23, 0.25])
    shape = np.select([contract == CONTRACTS[0], contract == CONTRACTS[1]], [1.0, 3.0], 6.0)
    scale = np.select([contract == CONTRACTS[0], contract == CONTRACTS[1]], [16.0, 12.0], 9.0)
    tenure = np.clip(np.round(rng.gamma(shape, scale)), 0, 72).astype(int)
    internet = rng.choice(np.asarray(INTERNET), size=n, p=[0.35, 0.45, 0.20])
    has_net = internet != "none"
    older = age >= 60
    payment_p = np.where(older[:, None], [[0.25, 0.40, 0.18, 0.17]], [[0.37, 0.16, 0.24, 0.23]])
    u_pay = rng.random(n)[:, None]
    payment_idx = (u_pay > np.cumsum(payment_p, axis=1)).sum(axis=1)
    payment = np.asarray(PAYMENTS)[np.minimum(payment_idx, len(PAYMENTS) - 1)]
    paperless = rng.random(n) < np.where(age < 40, 0.72, 0.52)
    intl_plan = rng.random(n) < 0.10

    longer = np.select([contract == CONTRACTS[1], contract == CONTRACTS[2]], [0.08, 0.15], 0.0)
    addons: dict[str, np.ndarray] = {}
    addon_cost = np.zeros(n)
    for name, (p_yes, price) in ADDONS.items():
        yes = has_net & (rng.random(n) < p_yes + longer)
        addons[name] = np.where(has_net, _yes_no(yes), NO_INTERNET)
        addon_cost += yes * price

    # Usage and charges.
    net_price = np.select([internet == "DSL", internet == "fiber optic"], [25.0, 50.0], 0.0)
    monthly = 20.0 + net_price + addon_cost + 8.0 * intl_plan + rng.normal(0, 3.0, n)
    monthly = np.round(np.clip(monthly, 18.25, None), 2)
    total = np.round(monthly * tenure * rng.normal(1.0, 0.03, n), 2)
    streaming = (addons["streaming_tv"] == "yes").astype(float) + (
        addons["streaming_movies"] == "yes"
    )
    usage_mean = np.select([internet == "DSL", internet == "fiber optic"], [60.0, 180.0], 0.0)
    usage = usage_mean * (1 + 0.35 * streaming) * rng.lognormal(-0.125, 0.5, n)
    usage = np.round(usage, 1)
    day = np.round(np.clip(rng.normal(180, 55, n), 0, None), 1)
    evening = np.round(np.clip(rng.normal(200, 50, n), 0, None), 1)
    night = np.round(np.clip(rng.normal(200, 50, n), 0, None), 1)
    intl = np.round(np.clip(rng.normal(10 + 3 * intl_plan, 2.8, n), 0, None), 1)

    # Hidden dissatisfaction drives support calls, the survey score and churn.
    dissat = rng.normal(0, 1, n)
    calls = rng.poisson(np.exp(0.25 + 0.35 * dissat + 0.3 * (internet == "fiber optic")))
    satisfaction = np.clip(np.round(3.4 - 0.8 * dissat + rng.normal(0, 0.7, n)), 1, 5)

    # Latent logistic model.
    m2m = contract == CONTRACTS[0]
    fiber = internet == "fiber optic"
    logit = (
        INTERCEPT
        + np.vectorize(CONTRACT_EFFECT.get)(contract)
        + TENURE_LOG_COEF * np.log1p(tenure)
        + CALLS_COEF * calls
        + CALLS_4PLUS * (calls >= 4)
        + CHARGES_COEF * (monthly - 70.0)
        + FIBER * fiber
        + ELECTRONIC_CHECK * (payment == PAYMENTS[0])
        + PAPERLESS * paperless
        + TECH_SUPPORT * (addons["tech_support"] == "yes")
        + ONLINE_SECURITY * (addons["online_security"] == "yes")
        + INTL_PLAN * intl_plan
        + INTL_PLAN_X_HEAVY * (intl_plan & (intl > 13))
        + YOUNG * (age < 26)
        + HEAVY_DAY_USE * (day > 260)
        + LIGHT_DAY_USE * (day < 90)
        + M2M_X_FIBER * (m2m & fiber)
        + M2M_X_NEW * (m2m & (tenure < 6))
        + SATISFACTION_COEF * (satisfaction - 3)
        + DISSATISFACTION_COEF * dissat
        + rng.normal(0, NOISE_SD, n)
    )
    churn = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)

    # Missing values, four mechanisms.
    age = np.where(rng.random(n) < 0.04, np.nan, age)  # MCAR
    p_usage_missing = np.select([internet == "DSL", internet == "fiber optic"], [0.12, 0.02], 0.0)
    usage = np.where(rng.random(n) < p_usage_missing, np.nan, usage)  # MAR (on internet type)
    p_sat_missing = np.array([0.0, 0.60, 0.45, 0.25, 0.15, 0.10])[satisfaction.astype(int)]
    satisfaction = np.where(rng.random(n) < p_sat_missing, np.nan, satisfaction)  # MNAR
    total = np.where(tenure == 0, np.nan, total)  # structural: never billed yet

    # Outliers: implausible ages, a unit error in charges, extreme data users.
    order = rng.permutation(n)
    has_age = order[~np.isnan(age[order])]
    age[has_age[:8]] = [0, 1, 3, 117, 134, 999, 999, 999]
    monthly[order[8:14]] = np.round(monthly[order[8:14]] * 100, 2)  # cents typed as dollars
    heavy = [i for i in order[14:] if internet[i] == "fiber optic" and not np.isnan(usage[i])]
    usage[heavy[:10]] = np.round(rng.uniform(1500, 5000, 10), 1)

    return pd.DataFrame(
        {
            "customer_id": [f"C{100001 + i}" for i in range(n)],
            "age": age,
            "state": state,
            "partner": _yes_no(partner),
            "dependents": _yes_no(dependents),
            "tenure_months": tenure,
            "contract": contract,
            "payment_method": payment,
            "paperless_billing": _yes_no(paperless),
            "internet_service": internet,
            **addons,
            "international_plan": _yes_no(intl_plan),
            "monthly_charges": monthly,
            "total_charges": total,
            "data_usage_gb": usage,
            "day_minutes": day,
            "evening_minutes": evening,
            "night_minutes": night,
            "intl_minutes": intl,
            "customer_service_calls": calls,
            "satisfaction_score": satisfaction,
            "churn": churn,
        }
    )
