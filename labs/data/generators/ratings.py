"""User-item ratings from a latent-factor model, for recommendation labs (see ``data/ratings.md``).

800 users rate 400 items of a streaming catalogue. Who rates what is skewed: active users
rate more and popular items get more ratings. The rating comes from a global mean, a user
bias, an item bias, the dot product of a 4-dimensional user taste vector and item
profile, a small effect of the user's age group on each genre, and noise; it is rounded
and clipped to 1-5 stars. ``liked`` is 1 for 4 and 5 stars. Most of the signal is in the
user x item interaction, which a linear model on one-hot user and item ids cannot
represent and a factorization machine can.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20240605
N_USERS = 800
N_ITEMS = 400
N_FACTORS = 4
MEAN_RATINGS_PER_USER = 40
DECIMALS: dict[str, int] = {}

AGE_GROUPS = ("18-24", "25-34", "35-49", "50+")
AGE_P = (0.22, 0.34, 0.28, 0.16)
REGIONS = ("north", "south", "east", "west")
GENRES = ("drama", "comedy", "action", "documentary", "animation", "thriller")
GENRE_P = (0.24, 0.22, 0.18, 0.12, 0.10, 0.14)
# age group x genre: how much more (or less) that age group likes the genre, in stars
AGE_GENRE = np.array(
    [
        [-0.2, 0.2, 0.4, -0.4, 0.3, 0.1],
        [0.0, 0.2, 0.2, -0.1, 0.1, 0.2],
        [0.2, 0.0, -0.1, 0.2, -0.1, 0.1],
        [0.4, -0.1, -0.4, 0.4, -0.3, -0.2],
    ]
)


def generate(seed: int = SEED) -> pd.DataFrame:
    """Generate the ratings table (one row per user-item pair, unique pairs)."""
    rng = np.random.default_rng(seed)
    age = rng.choice(len(AGE_GROUPS), size=N_USERS, p=AGE_P)
    region = rng.integers(0, len(REGIONS), size=N_USERS)
    genre = rng.choice(len(GENRES), size=N_ITEMS, p=GENRE_P)
    year = rng.integers(1990, 2025, size=N_ITEMS)
    user_bias = rng.normal(0, 0.35, N_USERS)
    item_bias = rng.normal(0, 0.45, N_ITEMS)
    taste = rng.normal(0, 0.6, (N_USERS, N_FACTORS))
    profile = rng.normal(0, 0.6, (N_ITEMS, N_FACTORS))
    activity = rng.lognormal(0, 0.6, N_USERS)
    counts = np.clip(
        np.round(activity / activity.mean() * MEAN_RATINGS_PER_USER), 5, N_ITEMS // 2
    ).astype(int)
    popularity = rng.lognormal(0, 0.8, N_ITEMS)
    popularity /= popularity.sum()
    users, items = [], []
    for user, count in enumerate(counts):
        chosen = rng.choice(N_ITEMS, size=count, replace=False, p=popularity)
        users.append(np.full(count, user))
        items.append(np.sort(chosen))
    u = np.concatenate(users)
    i = np.concatenate(items)
    latent = np.sum(taste[u] * profile[i], axis=1)
    value = (
        3.6
        + user_bias[u]
        + item_bias[i]
        + 1.6 * latent
        + AGE_GENRE[age[u], genre[i]]
        + rng.normal(0, 0.45, u.size)
    )
    rating = np.clip(np.round(value), 1, 5).astype(int)
    return pd.DataFrame(
        {
            "user_id": [f"U{x + 1:04d}" for x in u],
            "item_id": [f"I{x + 1:04d}" for x in i],
            "user_age_group": np.asarray(AGE_GROUPS)[age[u]],
            "user_region": np.asarray(REGIONS)[region[u]],
            "item_genre": np.asarray(GENRES)[genre[i]],
            "item_year": year[i].astype(int),
            "rating": rating,
            "liked": (rating >= 4).astype(int),
        }
    )
