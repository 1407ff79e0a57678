"""Labelled product reviews written by a seeded template grammar (all text is original).

A review gets a star rating first; its sentences are then drawn with polarities that
depend on the rating (5 stars: mostly praise, 3 stars: mixed, 1 star: mostly complaints),
filled with category vocabulary, negations ("not good", "not bad at all"), filler facts
and typos. About 3% of reviewers click the wrong stars (text written for another rating),
so a bag-of-words model learns sentiment well but not perfectly. See ``data/reviews.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.data.generators import _review_vocab as V

SEED = 20240604
N_ROWS = 2500
DECIMALS: dict[str, int] = {}

RATING_P = (0.14, 0.09, 0.14, 0.25, 0.38)  # 1..5 stars
# rating: probability of a (pos, mid, neg) opinion sentence
SENTENCE_P = {
    5: (0.92, 0.06, 0.02),
    4: (0.78, 0.16, 0.06),
    3: (0.20, 0.60, 0.20),
    2: (0.08, 0.17, 0.75),
    1: (0.03, 0.05, 0.92),
}
WRONG_STARS = 0.03
SENTIMENT = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}


class _Writer:
    """One seeded random stream turned into review text."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng

    def pick(self, options: tuple[str, ...] | list[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def fill(self, template: str, category: str, product: str) -> str:
        voc = V.CATEGORIES[category]
        aspect = self.pick(voc["aspects"])
        aspect2 = self.pick([a for a in voc["aspects"] if a != aspect])
        text = template.format(
            product=product, aspect=aspect, aspect2=aspect2, pos=self.pick(V.POS_ADJ),
            neg=self.pick(V.NEG_ADJ), mid=self.pick(V.MID_ADJ), very=self.pick(V.VERY),
            person=self.pick(V.PERSON), time=self.pick(V.TIME),
            time_span=self.pick(V.TIME_SPAN), days=int(self.rng.integers(2, 12)),
        )  # fmt: skip
        text = " ".join(text.split())
        for noun in (aspect, aspect2, product):
            if noun in V.PLURALS:
                text = text.replace(f"{noun} is", f"{noun} are").replace("this " + noun, noun)
        return text[0].upper() + text[1:]

    def opinion(self, polarity: str, category: str, product: str) -> str:
        voc = V.CATEGORIES[category]
        if polarity in ("pos", "neg") and self.rng.random() < 0.3:
            return self.pick(voc[polarity])
        return self.fill(self.pick(V.TEMPLATES[polarity]), category, product)

    def review(self, rating: int, category: str) -> str:
        product = self.pick(V.CATEGORIES[category]["products"])
        p = SENTENCE_P[rating]
        if self.rng.random() < 0.10:  # one-liner
            n_opinions, n_facts = 1, 0
        else:
            n_opinions = 1 + min(int(self.rng.poisson(1.8)), 7)
            n_facts = int(self.rng.binomial(2, 0.35))
        sentences = [
            self.opinion(str(self.rng.choice(["pos", "mid", "neg"], p=p)), category, product)
            for _ in range(n_opinions)
        ]
        for _ in range(n_facts):
            pos = int(self.rng.integers(0, len(sentences) + 1))
            sentences.insert(pos, self.fill(self.pick(V.TEMPLATES["fact"]), category, product))
        return self.style(" ".join(sentences), rating)

    def style(self, text: str, rating: int) -> str:
        rng = self.rng
        sloppy = rng.random() < 0.25
        if sloppy:
            for right, wrong in V.MISSPELLINGS.items():
                if right in text and rng.random() < 0.5:
                    text = text.replace(right, wrong, 1)
        words = text.split(" ")
        rate = 0.03 if sloppy else 0.006
        for i, word in enumerate(words):
            if len(word) > 3 and rng.random() < rate:
                words[i] = self.typo(word)
        text = " ".join(words)
        if rating in (1, 5) and rng.random() < 0.2:
            text = text.rstrip(".!") + "!!!"
        if rng.random() < 0.1:
            text = text.lower()
        return text

    def typo(self, word: str) -> str:
        """Swap, drop or double one inner letter."""
        i = int(self.rng.integers(1, len(word) - 2))
        kind = int(self.rng.integers(3))
        if kind == 0:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if kind == 1:
            return word[:i] + word[i + 1 :]
        return word[:i] + word[i] + word[i:]


def generate(seed: int = SEED, n: int = N_ROWS) -> pd.DataFrame:
    """Generate the reviews table."""
    rng = np.random.default_rng(seed)
    writer = _Writer(rng)
    categories = tuple(V.CATEGORIES)
    ratings = rng.choice(np.arange(1, 6), size=n, p=RATING_P)
    cats = rng.choice(np.asarray(categories), size=n)
    texts = []
    for rating, category in zip(ratings, cats, strict=True):
        written_for = int(rating)
        if rng.random() < WRONG_STARS:  # clicked the wrong stars
            written_for = int(rng.choice([r for r in range(1, 6) if abs(r - rating) >= 2]))
        texts.append(writer.review(written_for, str(category)))
    return pd.DataFrame(
        {
            "review_id": [f"R{i:05d}" for i in range(1, n + 1)],
            "product_category": cats,
            "rating": ratings.astype(int),
            "review_text": texts,
            "sentiment": [SENTIMENT[int(r)] for r in ratings],
        }
    )
