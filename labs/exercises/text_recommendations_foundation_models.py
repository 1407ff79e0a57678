"""Exercises of notebook 04-8-text-recommendations-foundation-models.

q1: write a BlazingText supervised training line for a real review; q2: Factorization
Machines ``predictor_type`` and ``feature_dim`` for a one-hot user-item layout; q3: Amazon
Bedrock, SageMaker JumpStart or a built-in algorithm for four stated needs.
"""

from __future__ import annotations

from typing import Any

from labs.algorithms.blazingtext import LABEL_PREFIX, parse_line
from labs.exercises.core import CheckResult, CustomExercise
from labs.modeling.blazingtext_lines import tokenize, training_line

# q1: a BlazingText training line

#: The review the learner writes a line for (data/reviews.csv).
REVIEW_ID = "R00004"


def _review() -> tuple[str, str]:
    """``(sentiment, review_text)`` of :data:`REVIEW_ID`."""
    from labs import data

    frame = data.load("reviews").set_index("review_id")
    return str(frame.loc[REVIEW_ID, "sentiment"]), str(frame.loc[REVIEW_ID, "review_text"])


def _check_line(answer: Any) -> CheckResult:
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult.fail("Give the training line as one string.")
    if len(answer.strip().splitlines()) > 1:
        return CheckResult.fail("One review is one line: remove the line breaks.")
    label, text = _review()
    example = parse_line(answer)
    if not example.labels:
        if answer.split()[0].lower() == label:
            return CheckResult.fail(
                f"'{answer.split()[0]}' is read as a word of the review, not as its label: "
                f"BlazingText finds labels by the prefix {LABEL_PREFIX} ({LABEL_PREFIX}{label})."
            )
        return CheckResult.fail(
            f"The line has no label token: start it with {LABEL_PREFIX}{label}."
        )
    if "" in example.labels:
        return CheckResult.fail(
            f"'{LABEL_PREFIX}' is followed by a space, so the label is empty and '{label}' "
            f"becomes a word: write {LABEL_PREFIX}{label} as one token."
        )
    if example.labels != [label]:
        given = ", ".join(example.labels)
        if [x.lower() for x in example.labels] == [label]:
            return CheckResult.fail(
                f"Labels are case-sensitive tokens: {given!r} and {label!r} would be two "
                "different classes. Use the dataset's label exactly."
            )
        return CheckResult.fail(f"The review {REVIEW_ID} is labelled {label!r}, not {given}.")
    expected = tokenize(text)
    if example.tokens == text.split():
        return CheckResult.fail(
            "The text is not tokenised: BlazingText splits on spaces only, so 'standard.' "
            "would be a word of its own. Lower-case it and split punctuation off, like the "
            "training data (labs.modeling.blazingtext_lines.sentence)."
        )
    if example.tokens != expected:
        if [t.lower() for t in example.tokens] == expected:
            return CheckResult.fail(
                "Lower-case the text: 'The' and 'the' would be two different words."
            )
        return CheckResult.fail(
            f"The words are not those of review {REVIEW_ID} tokenised like the training data: "
            f"expected {' '.join(expected)!r}."
        )
    return CheckResult.ok(
        "A valid supervised-mode line: the label token, then the tokens separated by spaces."
    )


def _reference_line() -> str:
    label, text = _review()
    return training_line(label, text)


def _wrong_lines() -> list[str]:
    label, text = _review()
    tokens = " ".join(tokenize(text))
    other = "positive" if label != "positive" else "negative"
    return [
        f"{label} {tokens}",
        f"{LABEL_PREFIX} {label} {tokens}",
        f"{LABEL_PREFIX}{label} {text}",
        f"{LABEL_PREFIX}{other} {tokens}",
        f"{LABEL_PREFIX}{label.upper()} {tokens}",
        tokens,
    ]


q1 = CustomExercise(
    title="A BlazingText training line",
    prompt=(
        f"Write the supervised-mode training line for review {REVIEW_ID} of the reviews "
        "data (its sentiment and its text), tokenised like the training data."
    ),
    check=_check_line,
    hints=[
        "Print the review: reviews.set_index('review_id').loc['R00004'].",
        "A line is the label token __label__<sentiment>, then the tokens separated by "
        "single spaces.",
        "Tokenise as the notebook did: lower-case, punctuation split off "
        "(labs.modeling.blazingtext_lines.sentence or training_line).",
    ],
    solution=(
        "row = reviews.set_index('review_id').loc['R00004']\n"
        "my_line = training_line(row['sentiment'], row['review_text'])\n"
    ),
    reference=_reference_line,
    typical_wrong=_wrong_lines,
)


# q2: Factorization Machines settings for a one-hot layout

#: The one-hot columns of the layout q2 describes (fitted on the whole ratings table).
Q2_COLUMNS = ("user_id", "item_id", "item_genre")


def _layout_widths() -> dict[str, int]:
    """Distinct values of each q2 column in the ratings data (the width of its block)."""
    from labs import data

    ratings = data.load("ratings")
    return {column: int(ratings[column].nunique()) for column in Q2_COLUMNS}


def _reference_fm_settings() -> dict[str, Any]:
    from labs import data
    from labs.modeling.one_hot_pairs import OneHotPairs

    layout = OneHotPairs.fit(data.load("ratings"), columns=Q2_COLUMNS)
    return {"predictor_type": "binary_classifier", "feature_dim": layout.feature_dim}


def _check_fm_settings(answer: Any) -> CheckResult:
    if not isinstance(answer, dict) or {"predictor_type", "feature_dim"} - set(answer):
        return CheckResult.fail(
            "Give a dict with the keys 'predictor_type' and 'feature_dim', e.g. "
            "{'predictor_type': 'regressor', 'feature_dim': 100}."
        )
    predictor = str(answer["predictor_type"]).strip()
    if predictor == "regressor":
        return CheckResult.fail(
            "liked is 0 or 1: that is binary_classifier (a sigmoid and log loss, scored with "
            "test:binary_classification_accuracy). regressor is for a number such as the "
            "star rating."
        )
    if predictor != "binary_classifier":
        return CheckResult.fail(
            f"{predictor!r} is not a Factorization Machines predictor_type: it has only "
            "binary_classifier and regressor (no multiclass)."
        )
    widths = _layout_widths()
    users, items, genres = (widths[c] for c in Q2_COLUMNS)
    try:
        dim = int(answer["feature_dim"])
    except (TypeError, ValueError):
        return CheckResult.fail(
            f"feature_dim must be a whole number, not {answer['feature_dim']!r}."
        )
    if dim == users + items + genres:
        return CheckResult.ok(
            f"binary_classifier with feature_dim {dim}: {users} user + {items} title + "
            f"{genres} genre columns. The factors then also learn user x genre tastes."
        )
    if dim == users + items:
        return CheckResult.fail(
            f"{dim} is the user and title columns only: the genre adds one column per "
            f"genre ({genres})."
        )
    if dim == users * items:
        return CheckResult.fail(
            "One-hot blocks add up, they do not multiply: one column per user, per title "
            "and per genre. The user x title interaction is what the factors model."
        )
    if dim in (len(Q2_COLUMNS), len(Q2_COLUMNS) + 1):
        return CheckResult.fail(
            "That counts table columns; feature_dim is the width of the one-hot matrix "
            "(one column per distinct value)."
        )
    return CheckResult.fail(
        f"feature_dim {dim} is not the one-hot width of user_id, item_id and item_genre in "
        "the ratings table: count the distinct values of each (or use OneHotPairs.fit(...)"
        ".feature_dim)."
    )


def _wrong_fm_settings() -> list[Any]:
    widths = _layout_widths()
    users, items, genres = (widths[c] for c in Q2_COLUMNS)
    right = users + items + genres
    return [
        {"predictor_type": "regressor", "feature_dim": right},
        {"predictor_type": "multiclass_classifier", "feature_dim": right},
        {"predictor_type": "binary_classifier", "feature_dim": users + items},
        {"predictor_type": "binary_classifier", "feature_dim": users * items},
        {"predictor_type": "binary_classifier", "feature_dim": 3},
        {"predictor_type": "binary_classifier"},
        ("binary_classifier", right),
    ]


q2 = CustomExercise(
    title="Factorization Machines settings for a one-hot layout",
    prompt=(
        "To predict liked (0/1) from one-hot user_id, item_id and item_genre fitted on the "
        "whole ratings table, give {'predictor_type': ..., 'feature_dim': ...}."
    ),
    check=_check_fm_settings,
    hints=[
        "Factorization Machines has two predictor types: one for numbers, one for 0/1.",
        "feature_dim is the width of the one-hot matrix: one column per distinct user, per "
        "distinct title and per distinct genre.",
        "OneHotPairs.fit(ratings, columns=('user_id', 'item_id', 'item_genre')).feature_dim",
    ],
    solution=(
        "layout = OneHotPairs.fit(ratings, columns=('user_id', 'item_id', 'item_genre'))\n"
        "my_fm_settings = {'predictor_type': 'binary_classifier', "
        "'feature_dim': layout.feature_dim}\n"
    ),
    reference=_reference_fm_settings,
    typical_wrong=_wrong_fm_settings,
)


# q3: Bedrock, JumpStart or a built-in algorithm

CHOICES = ("bedrock", "jumpstart", "built-in")

#: Four needs, each with the answer and the reason every other choice is wrong.
SCENARIOS: dict[str, str] = {
    "A": (
        "A support team wants an assistant that answers staff questions from 3,000 internal "
        "PDF manuals and cites the page, live within a week, without an ML team, paying per "
        "request."
    ),
    "B": (
        "A bank must run an open-weight LLM on instances in its own VPC, fine-tune it on "
        "its own data with a training job it controls, and keep the model artifacts in its "
        "own S3 bucket."
    ),
    "C": (
        "A shop wants to label 2 million reviews a day as positive, neutral or negative. It "
        "has 200,000 labelled reviews and every prediction must cost a tiny fraction of a "
        "cent."
    ),
    "D": (
        "A marketing team wants product descriptions written in its brand's voice. It has "
        "5,000 approved descriptions, wants a serverless API and no instances to manage."
    ),
}
_ANSWERS = {"A": "bedrock", "B": "jumpstart", "C": "built-in", "D": "bedrock"}
_WHY_NOT: dict[tuple[str, str], str] = {
    ("A", "jumpstart"): (
        "JumpStart would host the model on a SageMaker AI endpoint billed per instance-hour "
        "and leave the retrieval pipeline to you; Bedrock Knowledge Bases is managed RAG, "
        "pay per use."
    ),
    ("A", "built-in"): (
        "the built-in algorithms classify and embed text; none generates answers from documents."
    ),
    ("B", "bedrock"): (
        "Bedrock is a serverless API: you choose no instances and the weights never land in "
        "your bucket. JumpStart deploys and fine-tunes the model in your account, on "
        "instances and in a VPC you choose."
    ),
    ("B", "built-in"): "no built-in algorithm is an LLM.",
    ("C", "bedrock"): (
        "an LLM call per review costs tokens and latency for a task a small classifier "
        "(BlazingText supervised, as in this lab) does well with the labels you have."
    ),
    ("C", "jumpstart"): (
        "hosting a foundation model on GPU instances for three classes is costly; a small "
        "supervised classifier trained on the 200,000 labels is enough."
    ),
    ("D", "jumpstart"): (
        "JumpStart means instances to pick, scale and pay for by the hour; Bedrock fine-tunes "
        "a model on the examples and serves it without instances to manage."
    ),
    ("D", "built-in"): "no built-in algorithm generates text.",
}


def _check_choices(answer: Any) -> CheckResult:
    if not isinstance(answer, dict):
        return CheckResult.fail(
            "Give a dict from scenario letter to choice, e.g. {'A': 'bedrock', ...}."
        )
    picked = {str(k).strip().upper(): str(v).strip().lower() for k, v in answer.items()}
    missing = sorted(set(SCENARIOS) - set(picked))
    if missing:
        return CheckResult.fail(f"Answer every scenario: {', '.join(missing)} missing.")
    unknown = sorted(v for v in picked.values() if v not in CHOICES)
    if unknown:
        return CheckResult.fail(
            f"{', '.join(map(repr, unknown))} is not a choice: use one of {', '.join(CHOICES)}."
        )
    reasons = [
        f"{letter}: not {picked[letter]}: {_WHY_NOT[(letter, picked[letter])]}"
        for letter in sorted(SCENARIOS)
        if picked[letter] != _ANSWERS[letter]
    ]
    if reasons:
        return CheckResult.fail(" ".join(reasons))
    return CheckResult.ok(
        "Managed generative AI (Bedrock) when you want an API; JumpStart when you need the "
        "model on your own SageMaker AI infrastructure; a small supervised model when labels "
        "exist and each prediction must be cheap."
    )


q3 = CustomExercise(
    title="Bedrock, JumpStart or a built-in algorithm",
    prompt=(
        "For each scenario in SCENARIOS, choose 'bedrock', 'jumpstart' or 'built-in'; answer "
        "with a dict such as {'A': 'bedrock', 'B': ..., 'C': ..., 'D': ...}."
    ),
    check=_check_choices,
    hints=[
        "Ask first: does the task need a generative model at all, or is it classification "
        "with labels you already have?",
        "Then: an API without infrastructure (Bedrock), or the model on instances, a VPC and "
        "an S3 bucket you control (JumpStart on SageMaker AI)?",
        "Bedrock Knowledge Bases is managed retrieval-augmented generation; Bedrock "
        "customisation fine-tunes a model on your examples.",
    ],
    solution="my_choices = {'A': 'bedrock', 'B': 'jumpstart', 'C': 'built-in', 'D': 'bedrock'}\n",
    reference=lambda: dict(_ANSWERS),
    typical_wrong=[
        dict.fromkeys(SCENARIOS, "bedrock"),
        {**_ANSWERS, "A": "jumpstart", "B": "bedrock"},
        {**_ANSWERS, "C": "bedrock"},
        {**_ANSWERS, "D": "jumpstart"},
        {"A": "bedrock", "B": "jumpstart"},
        {**_ANSWERS, "C": "blazingtext"},
        ["bedrock", "jumpstart", "built-in", "bedrock"],
    ],
)
