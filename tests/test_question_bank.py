"""The practice-exam question bank (labs/exam/bank/*.yaml), its validator and form drawing."""

from __future__ import annotations

import copy
import random
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from labs.errors import LabsError
from labs.exam import blueprints, forms
from labs.exam.bank import (
    BANK_DIR,
    CHOOSE_WORDS,
    NEAR_DUPLICATE_THRESHOLD,
    BankError,
    Question,
    load_bank,
    near_duplicates,
    stem_similarity,
    validate,
)
from labs.exam.forms import FormError, category_rules, domain_quotas, draw_form, draw_forms

BANK_FILES = sorted(BANK_DIR.glob("*.yaml"))
#: The issue's floor: two full 65-question forms without repeats.
BANK_MINIMUM = 130
#: Every MLS-C01 task statement needs at least this many questions across the bank.
TASK_MINIMUM = 5
#: Domains 1 and 4 (mls-d1.yaml, mls-d4.yaml): at least 28 questions, 6 per task statement.
OWN_DOMAIN_MINIMUMS = {1: (28, 6), 4: (28, 6)}
#: "About 1 in 5" questions are multiple response.
MULTIPLE_SHARE = (0.15, 0.30)
#: No answer letter may take less than this share or more than that of single-answer keys.
LETTER_SHARE = (0.15, 0.35)


@pytest.fixture(scope="module")
def bank() -> list[Question]:
    return load_bank()


def _raw(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ every question is valid


def test_the_bank_has_files_for_every_domain() -> None:
    names = {p.name for p in BANK_FILES}
    assert {"mls-d1.yaml", "mls-d4.yaml"} <= names
    assert all(re.fullmatch(r"mls-d[1-4]\.yaml", name) for name in names), names


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_every_question_in_the_file_is_valid(path: Path) -> None:
    assert validate(_raw(path), path) == []


def test_the_whole_bank_loads_and_is_big_enough(bank: list[Question]) -> None:
    assert len(bank) >= BANK_MINIMUM
    assert all(isinstance(q, Question) for q in bank)


def test_no_duplicate_ids_across_files() -> None:
    ids = Counter(entry["id"] for path in BANK_FILES for entry in _raw(path))
    assert [qid for qid, n in ids.items() if n > 1] == []


def test_answer_count_matches_choose_and_the_stem_says_it_in_words(bank: list[Question]) -> None:
    for q in bank:
        if q.type == "single":
            assert (len(q.options), len(q.answer), q.choose) == (4, 1, 1), q.id
            assert "(choose" not in q.stem.lower(), q.id
        else:
            assert q.choose >= 2 and len(q.answer) == q.choose, q.id
            assert len(q.options) >= 5, q.id
            assert q.stem.endswith(f"(Choose {CHOOSE_WORDS[q.choose]}.)"), q.id


def test_every_option_has_an_explanation_that_agrees_with_the_key(bank: list[Question]) -> None:
    for q in bank:
        assert [letter for letter, _ in q.explanations] == list(q.letters), q.id
        for letter in q.letters:
            text = q.explanation(letter)
            assert len(text.split()) >= 5, (q.id, letter)
            # The writers open the right options' explanations with "Correct"; a mismatch
            # means the answer key and the explanations disagree.
            assert text.startswith("Correct") == (letter in q.answer), (q.id, letter)


def test_questions_name_a_reference_and_a_known_lab(bank: list[Question]) -> None:
    from labs.curriculum import LAB_PLAN

    for q in bank:
        assert q.lab in LAB_PLAN, q.id
        guide, _, topic = q.reference.partition(": ")
        assert guide.strip() and topic.strip(), q.id
        if q.mla_task is not None:
            assert blueprints.is_valid_task(q.mla_task) and q.mla_task.startswith("MLA"), q.id


# ------------------------------------------------------------------- near-duplicate stems


def test_no_duplicate_or_near_duplicate_stems(bank: list[Question]) -> None:
    assert near_duplicates(bank) == []


def _reword(stem: str, every: int) -> str:
    """Swap one word in ``every`` for a different one, keeping the rest of the stem."""
    words = stem.split()
    return " ".join(f"other{i}" if i % every == every // 2 else w for i, w in enumerate(words))


def test_the_measure_catches_a_lightly_reworded_stem() -> None:
    original = (
        "IoT gateways write sensor readings to an Amazon Kinesis data stream with 20 shards in "
        "provisioned mode. Total traffic is 8 MB per second, well under the stream's capacity, "
        "yet producers receive ProvisionedThroughputExceededException errors. The partition key "
        "is the factory ID. What should the team do?"
    )
    reworded = (
        "Edge devices send sensor readings to an Amazon Kinesis data stream with 16 shards in "
        "provisioned mode. Total traffic is 6 MB per second, well below the stream's capacity, "
        "yet producers get ProvisionedThroughputExceededException errors. The partition key "
        "is the plant ID. What should be changed?"
    )
    unrelated = (
        "A team wants to evaluate a new model on real production requests without any "
        "customer receiving one of its predictions. Which deployment strategy fits?"
    )
    assert stem_similarity(original, original) == 1.0
    assert stem_similarity(original, reworded) >= NEAR_DUPLICATE_THRESHOLD
    assert stem_similarity(original, unrelated) < NEAR_DUPLICATE_THRESHOLD
    # Punctuation and case do not hide a copy.
    assert stem_similarity(original, original.upper().replace(".", "!")) == 1.0


def test_every_bank_stem_reworded_one_word_in_five_is_still_caught(bank: list[Question]) -> None:
    for q in bank:
        variant = Question(**{**q.__dict__, "id": "x9-999", "stem": _reword(q.stem, 5)})
        assert near_duplicates([q, variant]), q.id


def test_distinct_bank_stems_stay_far_below_the_threshold(bank: list[Question]) -> None:
    # The margin that makes the threshold meaningful: unrelated stems share stock phrases only.
    assert near_duplicates(bank, threshold=NEAR_DUPLICATE_THRESHOLD / 1.5) == []


# ---------------------------------------------------------- coverage, mix and answer keys


def test_every_mls_task_statement_has_enough_questions(bank: list[Question]) -> None:
    counts = Counter(q.mls_task for q in bank)
    short = {t: counts[t] for t in sorted(blueprints.task_ids("MLS-C01")) if counts[t] < 5}
    assert short == {}


@pytest.mark.parametrize("domain", sorted(OWN_DOMAIN_MINIMUMS))
def test_domains_1_and_4_meet_their_own_targets(bank: list[Question], domain: int) -> None:
    total, per_task = OWN_DOMAIN_MINIMUMS[domain]
    questions = [q for q in bank if q.domain == domain]
    assert len(questions) >= total
    counts = Counter(q.mls_task for q in questions)
    for t in blueprints.EXAMS["MLS-C01"].domain(domain).tasks:
        assert counts[t.id] >= per_task, t.id
    share = sum(q.type == "multiple" for q in questions) / len(questions)
    assert MULTIPLE_SHARE[0] <= share <= MULTIPLE_SHARE[1]


def test_about_one_in_five_questions_is_multiple_response(bank: list[Question]) -> None:
    share = sum(q.type == "multiple" for q in bank) / len(bank)
    assert MULTIPLE_SHARE[0] <= share <= MULTIPLE_SHARE[1]


def test_the_bank_category_mix_is_within_the_guides_ranges(bank: list[Question]) -> None:
    rules = category_rules("MLS-C01")
    assert set(rules) == {"general-aws", "ml-concept", "aws-ml-service"}
    counts = Counter(q.category for q in bank)
    for category, rule in rules.items():
        share = counts[category] / len(bank)
        assert rule.low <= share <= rule.high, (category, round(share, 3))


def test_answer_letters_are_not_skewed(bank: list[Question]) -> None:
    singles = [q.answer[0] for q in bank if q.type == "single"]
    for letter, n in Counter(singles).items():
        assert LETTER_SHARE[0] <= n / len(singles) <= LETTER_SHARE[1], letter
    assert set(singles) == {"A", "B", "C", "D"}
    # Multiple-response keys use every position too, including E.
    assert set("ABCDE") <= {a for q in bank if q.type == "multiple" for a in q.answer}


@pytest.mark.parametrize("name", ["mls-d1.yaml", "mls-d4.yaml"])
def test_answer_letters_are_spread_within_each_of_our_files(name: str) -> None:
    singles = [e["answer"][0] for e in _raw(BANK_DIR / name) if e["type"] == "single"]
    for letter in "ABCD":
        assert LETTER_SHARE[0] <= singles.count(letter) / len(singles) <= LETTER_SHARE[1]


#: By chance the right option is the longest of four about 25% of the time; far more often
#: and "pick the longest" becomes a winning strategy.
LONGEST_IS_RIGHT_MAX = 0.40


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.name)
def test_the_longest_option_does_not_give_the_answer_away(path: Path) -> None:
    singles = [q for q in load_bank(path) if q.type == "single"]

    def longest_is_right(q: Question) -> bool:
        lengths = sorted((len(text), letter) for letter, text in q.options)
        return lengths[-1][1] == q.answer[0] and lengths[-1][0] > lengths[-2][0]

    flagged = [q.id for q in singles if longest_is_right(q)]
    assert len(flagged) / len(singles) <= LONGEST_IS_RIGHT_MAX, (
        f"{path.name}: the right option is the longest in {len(flagged)} of {len(singles)} "
        f"single-answer questions (at most {LONGEST_IS_RIGHT_MAX:.0%}); lengthen distractors "
        f"or tighten answers in: {', '.join(flagged)}"
    )


# ------------------------------------------------------------------------- form drawing


def test_domain_quotas_use_largest_remainder_rounding() -> None:
    assert domain_quotas("MLS-C01") == {1: 13, 2: 16, 3: 23, 4: 13}
    # 18.2, 16.9, 14.3, 15.6: the two largest remainders (domains 2 and 4) get the spare seats.
    assert domain_quotas("MLA-C01") == {1: 18, 2: 17, 3: 14, 4: 16}
    for exam in blueprints.EXAMS.values():
        assert sum(domain_quotas(exam).values()) == exam.questions


def test_category_targets_come_from_the_blueprint() -> None:
    rules = category_rules("MLS-C01")
    # "About 15%" widened by ABOUT_MARGIN; the ranges the guide states are used as they are.
    low = blueprints.MLS_C01.category_mix["general_aws"][0] - forms.ABOUT_MARGIN
    assert rules["general-aws"].low == pytest.approx(low)
    assert (rules["ml-concept"].low, rules["ml-concept"].high) == (0.50, 0.60)
    assert (rules["aws-ml-service"].low, rules["aws-ml-service"].high) == (0.25, 0.35)
    assert sum(r.target for r in rules.values()) == pytest.approx(1.0)
    assert list(rules["ml-concept"].count_range(65)) == list(range(33, 40))
    assert category_rules("MLA-C01") == {}


def _assert_valid_form(form: list[Question], exam: str = "MLS-C01") -> None:
    chosen = blueprints.get_exam(exam)
    assert len(form) == chosen.questions
    assert len({q.id for q in form}) == len(form), "a question repeats within the form"
    by_domain, by_category = forms.form_mix(form, exam)
    assert by_domain == domain_quotas(exam)
    for category, rule in category_rules(exam).items():
        assert by_category[category] in rule.count_range(chosen.questions), category


@pytest.mark.parametrize("seed", [0, 1, 2026])
def test_two_full_mls_forms_can_be_drawn_without_repeats(bank: list[Question], seed: int) -> None:
    first, second = draw_forms(bank, 2, seed=seed)
    _assert_valid_form(first)
    _assert_valid_form(second)
    assert not {q.id for q in first} & {q.id for q in second}


def test_draw_form_is_reproducible_and_seed_dependent(bank: list[Question]) -> None:
    a = [q.id for q in draw_form(bank, seed=7)]
    assert a == [q.id for q in draw_form(bank, seed=7)]
    assert a != [q.id for q in draw_form(bank, seed=8)]


def test_exclude_keeps_seen_questions_out(bank: list[Question]) -> None:
    first = draw_form(bank, seed=3)
    second = draw_form(bank, seed=4, exclude=[q.id for q in first])
    _assert_valid_form(second)
    assert not {q.id for q in first} & {q.id for q in second}
    # Question objects work as well as ids.
    third = draw_form(bank, seed=4, exclude=first)
    assert [q.id for q in third] == [q.id for q in second]


def test_the_bank_cannot_fill_more_forms_than_it_holds(bank: list[Question]) -> None:
    n = len(bank) // 65 + 1
    with pytest.raises(FormError, match=rf"cannot fill {n} MLS-C01 forms"):
        draw_forms(bank, n, seed=0)


def test_a_form_error_names_the_short_domain(bank: list[Question]) -> None:
    only_domain_1 = [q for q in bank if q.domain == 1]
    with pytest.raises(FormError, match=r"domain 2 \(Exploratory Data Analysis\) needs 16"):
        draw_form(only_domain_1, seed=0)


def test_mla_forms_draw_by_mla_task_or_say_what_is_short(bank: list[Question]) -> None:
    have = Counter(q.mla_domain for q in bank if q.mla_task)
    need = domain_quotas("MLA-C01")
    if all(have[d] >= n for d, n in need.items()):
        _assert_valid_form(draw_form(bank, "MLA-C01", seed=1), "MLA-C01")
    else:
        short = next(d for d, n in need.items() if have[d] < n)
        name = re.escape(blueprints.MLA_C01.domain(short).name)
        with pytest.raises(FormError, match=rf"MLA-C01 form: domain {short} \({name}\)"):
            draw_form(bank, "MLA-C01", seed=1)


@pytest.mark.parametrize("seed", range(5))
def test_two_full_mla_forms_can_be_drawn_without_repeats(bank: list[Question], seed: int) -> None:
    first, second = draw_forms(bank, 2, seed=seed, exam="MLA-C01")
    _assert_valid_form(first, "MLA-C01")
    _assert_valid_form(second, "MLA-C01")
    assert not {q.id for q in first} & {q.id for q in second}


# Synthetic banks pin the allocation down exactly.

_MLS_TASK = {1: "MLS 1.1", 2: "MLS 2.1", 3: "MLS 3.1", 4: "MLS 4.1"}
_MLA_TASK = {1: "MLA 1.1", 2: "MLA 2.1", 3: "MLA 3.1", 4: "MLA 4.1"}


def _synthetic(
    cells: dict[tuple[int, str], int], mla: bool = False, start: int = 0
) -> list[Question]:
    """Questions by (domain, category) count; with ``mla`` the MLA domain equals the MLS one."""
    made = []
    for (domain, category), count in cells.items():
        for _ in range(count):
            start += 1
            made.append(
                Question(
                    id=f"d{domain}-{start:03d}",
                    mls_task=_MLS_TASK[domain],
                    category=category,
                    type="single",
                    stem=f"synthetic stem {start}",
                    options=tuple((x, f"option {x}") for x in "ABCD"),
                    answer=("A",),
                    explanations=tuple((x, f"why {x}") for x in "ABCD"),
                    reference="Guide: topic",
                    lab="00-start-here",
                    mla_task=_MLA_TASK[domain] if mla else None,
                )
            )
    return made


#: Exactly one form's worth: 13/16/23/13 by domain, 10/36/19 by category.
_EXACT = {
    (1, "general-aws"): 10,
    (1, "ml-concept"): 3,
    (2, "ml-concept"): 16,
    (3, "ml-concept"): 17,
    (3, "aws-ml-service"): 6,
    (4, "aws-ml-service"): 13,
}


def test_an_exact_bank_fills_a_form_with_every_question() -> None:
    pool = _synthetic(_EXACT)
    form = draw_form(pool, seed=5)
    _assert_valid_form(form)
    assert {q.id for q in form} == {q.id for q in pool}


def test_two_forms_split_odd_cells_between_them() -> None:
    cells = {
        (1, "general-aws"): 11,
        (1, "ml-concept"): 15,
        (2, "ml-concept"): 32,
        (3, "ml-concept"): 25,
        (3, "aws-ml-service"): 21,
        (4, "general-aws"): 9,
        (4, "aws-ml-service"): 17,
    }
    pool = _synthetic(cells)
    for seed in range(5):
        first, second = draw_forms(pool, 2, seed=seed)
        _assert_valid_form(first)
        _assert_valid_form(second)
        assert {q.id for q in first} | {q.id for q in second} == {q.id for q in pool}


def _lp_feasible(cells: dict[tuple[int, str], int]) -> bool:
    """Whether one MLS form fits ``cells``, decided independently by a linear program.

    The constraints (row sums, column ranges, cell bounds) form a network matrix, so the LP
    is feasible exactly when an integer allocation exists.
    """
    from scipy.optimize import linprog

    quotas, rules = domain_quotas("MLS-C01"), category_rules("MLS-C01")
    keys = [(d, c) for d in quotas for c in rules]
    a_eq = [[float(k[0] == d) for k in keys] for d in quotas]
    a_ub, b_ub = [], []
    for category, rule in rules.items():
        allowed = rule.count_range(65)
        row = [float(k[1] == category) for k in keys]
        a_ub += [row, [-x for x in row]]
        b_ub += [allowed.stop - 1, -allowed.start]
    result = linprog(
        [0.0] * len(keys),
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=list(quotas.values()),
        bounds=[(0, cells.get(k, 0)) for k in keys],
        method="highs",
    )
    return result.status == 0


def test_the_allocator_fills_a_form_exactly_when_one_exists() -> None:
    rng = random.Random(11)
    outcomes = Counter()
    for seed in range(150):
        cells = {
            (d, c): rng.choice([0, 5, 9, 13, 18, 25])
            for d in range(1, 5)
            for c in ("general-aws", "ml-concept", "aws-ml-service")
        }
        try:
            _assert_valid_form(draw_form(_synthetic(cells), seed=seed))
            drawn = True
        except FormError:
            drawn = False
        assert drawn == _lp_feasible(cells), cells
        outcomes[drawn] += 1
    assert min(outcomes[True], outcomes[False]) >= 20, outcomes


def test_a_missing_category_is_reported() -> None:
    cells = {(1, "ml-concept"): 13, (2, "ml-concept"): 16, (3, "ml-concept"): 23}
    cells[(4, "aws-ml-service")] = 13
    with pytest.raises(FormError, match="at least 7 general-aws questions"):
        draw_form(_synthetic(cells), seed=0)


def test_a_domain_category_clash_is_reported() -> None:
    # Enough questions of every domain and category, but general-aws only where it cannot fit:
    # domain 1 holds 20 general-aws questions and nothing else, and only 13 may be drawn.
    cells = {
        (1, "general-aws"): 20,
        (2, "ml-concept"): 16,
        (3, "ml-concept"): 23,
        (4, "aws-ml-service"): 25,
    }
    with pytest.raises(FormError, match="some domain lacks questions of a category"):
        draw_form(_synthetic(cells), seed=0)


def test_an_mla_form_draws_by_mla_domain() -> None:
    cells = {
        (1, "ml-concept"): 18,
        (2, "ml-concept"): 17,
        (3, "aws-ml-service"): 14,
        (4, "general-aws"): 16,
    }
    pool = _synthetic(cells, mla=True) + _synthetic({(1, "ml-concept"): 5}, start=500)
    form = draw_form(pool, "MLA-C01", seed=2)
    _assert_valid_form(form, "MLA-C01")
    assert all(q.mla_task for q in form)


def test_an_mla_form_that_cannot_be_filled_says_so() -> None:
    cells = {(1, "ml-concept"): 18, (2, "ml-concept"): 17, (4, "general-aws"): 16}
    with pytest.raises(FormError, match=r"domain 3 \(Deployment and Orchestration"):
        draw_form(_synthetic(cells, mla=True), "MLA-C01", seed=0)


def test_bad_arguments_are_refused() -> None:
    pool = _synthetic(_EXACT)
    with pytest.raises(FormError, match="at least one form"):
        draw_forms(pool, 0, seed=0)
    with pytest.raises(FormError, match="more than once"):
        draw_form(pool + pool[:1], seed=0)
    assert issubclass(FormError, LabsError) and issubclass(BankError, LabsError)


# ------------------------------------------------------------- the validator bites

_GOOD = {
    "id": "d1-901",
    "mls_task": "MLS 1.2",
    "mla_task": "MLA 1.1",
    "category": "general-aws",
    "type": "single",
    "stem": "A company streams clicks. Which service should it use?",
    "options": {"A": "Option one.", "B": "Option two.", "C": "Option three.", "D": "Option four."},
    "answer": ["B"],
    "explanations": {"A": "Wrong one.", "B": "Correct. Right.", "C": "Wrong.", "D": "Wrong."},
    "reference": "Amazon Data Firehose Developer Guide: What is Amazon Data Firehose?",
    "lab": "01-3-streaming-ingestion",
}
_MULTI = {
    **_GOOD,
    "type": "multiple",
    "choose": 2,
    "stem": "A company streams clicks. Which services fit? (Choose two.)",
    "options": {x: f"Option {x}." for x in "ABCDE"},
    "answer": ["A", "E"],
    "explanations": {x: f"Because {x}." for x in "ABCDE"},
}


def _set(**changes: object):
    def apply(entry: dict) -> dict:
        entry.update(changes)
        return entry

    return apply


def _drop(key: str):
    def apply(entry: dict) -> dict:
        del entry[key]
        return entry

    return apply


def _drop_inner(key: str, letter: str):
    def apply(entry: dict) -> dict:
        del entry[key][letter]
        return entry

    return apply


BROKEN = {
    "missing field": (_GOOD, _drop("explanations"), "missing explanations"),
    "unknown field": (_GOOD, _set(explanation="typo"), "unknown field explanation"),
    "bad id": (_GOOD, _set(id="q1"), "id 'q1' must look like"),
    "id in another domain": (_GOOD, _set(id="d2-901"), "id d2-901 says domain 2"),
    "unknown MLS task": (_GOOD, _set(mls_task="MLS 5.1"), "not an MLS-C01 task statement"),
    "MLA id as MLS task": (_GOOD, _set(mls_task="MLA 1.1"), "not an MLS-C01 task statement"),
    "unknown MLA task": (_GOOD, _set(mla_task="MLA 9.9"), "not an MLA-C01 task statement"),
    "unknown category": (_GOOD, _set(category="ml"), "category 'ml' must be one of"),
    "unknown type": (_GOOD, _set(type="matching"), "type 'matching' must be"),
    "empty stem": (_GOOD, _set(stem="  "), "stem must be non-empty"),
    "single with five options": (
        _GOOD,
        _set(options={x: x for x in "ABCDE"}, explanations={x: x for x in "ABCDE"}),
        "exactly 4 options",
    ),
    "single with choose": (_GOOD, _set(choose=2), "choose is only for type: multiple"),
    "single says choose": (_GOOD, _set(stem="Which? (Choose two.)"), "must not say"),
    "single with two answers": (_GOOD, _set(answer=["A", "B"]), "needs 1"),
    "answer not an option": (_GOOD, _set(answer=["E"]), "answer E is not an option letter"),
    "answer not a list": (_GOOD, _set(answer="B"), "answer must be a list"),
    "answer repeats": (_MULTI, _set(answer=["A", "A"]), "answer repeats a letter"),
    "explanation missing": (_GOOD, _drop_inner("explanations", "C"), "explain every option"),
    "explanation for no option": (
        _GOOD,
        _set(explanations={"A": "a", "B": "b", "C": "c", "D": "d", "E": "e"}),
        "explain every option",
    ),
    "explanation key not a letter": (
        _GOOD,
        _set(explanations={"A": "a", "B": "b", "C": "c", "Z": "z"}),
        "keys must be option letters",
    ),
    "letters out of order": (
        _GOOD,
        _set(options={"A": "a", "C": "c", "B": "b", "D": "d"}),
        "letters must run A, B, C",
    ),
    "empty option": (_GOOD, _set(options={"A": "a", "B": "", "C": "c", "D": "d"}), "options B"),
    "option not text": (_GOOD, _set(options={"A": "a", "B": True, "C": "c", "D": "d"}), "got True"),
    "all of the above": (
        _GOOD,
        _set(options={"A": "a", "B": "b", "C": "c", "D": "All of the above"}),
        "all/none of the above",
    ),
    "reference without topic": (_GOOD, _set(reference="AWS docs"), "must name the guide"),
    "unknown lab": (_GOOD, _set(lab="09-nowhere"), "lab '09-nowhere' is not a lab"),
    "multiple with four options": (
        _MULTI,
        _set(options={x: x for x in "ABCD"}, explanations={x: x for x in "ABCD"}),
        "5 or more options",
    ),
    "multiple without choose words": (_MULTI, _set(stem="Which fit?"), "must end with"),
    "multiple with wrong words": (
        _MULTI,
        _set(stem="Which fit? (Choose three.)"),
        "'(Choose two.)'",
    ),
    "choose out of range": (_MULTI, _set(choose=1), "choose must be a whole number"),
    "choose not a number": (_MULTI, _set(choose="two"), "choose must be a whole number"),
    "answer count off choose": (_MULTI, _set(answer=["A"]), "needs 2"),
}


@pytest.mark.parametrize("good", [_GOOD, _MULTI], ids=["single", "multiple"])
def test_the_fixtures_themselves_are_valid(good: dict) -> None:
    assert validate([copy.deepcopy(good)], "mls-d1.yaml") == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_validator_rejects_a_broken_entry(case: str) -> None:
    base, breaker, expected = BROKEN[case]
    entry = breaker(copy.deepcopy(base))
    problems = validate([entry], "mls-d1.yaml")
    assert any(expected in p for p in problems), problems
    # Every message names the file and the question.
    label = entry["id"] if isinstance(entry.get("id"), str) else "entry 1"
    assert all(p.startswith(f"mls-d1.yaml: {label}: ") for p in problems), problems


def test_a_question_in_the_wrong_domain_file_is_rejected() -> None:
    problems = validate([copy.deepcopy(_GOOD)], "mls-d4.yaml")
    assert problems == [
        "mls-d4.yaml: d1-901: mls_task MLS 1.2 is in domain 1 but this file holds domain 4"
    ]


def test_the_validator_rejects_duplicates_and_malformed_files() -> None:
    twice = [copy.deepcopy(_GOOD), copy.deepcopy(_GOOD)]
    assert validate(twice, "mls-d1.yaml") == ["mls-d1.yaml: d1-901: duplicate id (also entry 1)"]
    assert validate(["just text"], "x.yaml") == [
        "x.yaml: entry 1: must be a mapping with id, stem, ..."
    ]
    assert validate({"id": "d1-001"}, "x.yaml") == [
        "x.yaml: the file must hold a non-empty list of questions"
    ]
    assert validate([], "x.yaml") == ["x.yaml: the file must hold a non-empty list of questions"]


def _write(folder: Path, name: str, entries: object) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    return path


def test_load_bank_reports_every_problem_with_file_and_id(tmp_path: Path) -> None:
    broken = {**copy.deepcopy(_GOOD), "id": "d1-902", "answer": ["Z"]}
    _write(tmp_path, "mls-d1.yaml", [copy.deepcopy(_GOOD), broken])
    _write(tmp_path, "mls-d4.yaml", [{**copy.deepcopy(_GOOD), "lab": "nope"}])
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path)
    message = str(caught.value)
    assert "mls-d1.yaml: d1-902: answer Z is not an option letter" in message
    assert "mls-d4.yaml: d1-901: lab 'nope' is not a lab" in message
    assert "mls-d4.yaml: d1-901: mls_task MLS 1.2 is in domain 1 but this file holds" in message


def test_load_bank_rejects_an_id_used_in_two_files(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", [copy.deepcopy(_GOOD)])
    _write(tmp_path, "b.yaml", [copy.deepcopy(_GOOD)])
    with pytest.raises(BankError, match=r"b\.yaml: d1-901: duplicate id \(also in a\.yaml\)"):
        load_bank(tmp_path)


def test_load_bank_rejects_duplicate_keys_and_bad_yaml(tmp_path: Path) -> None:
    text = yaml.safe_dump([copy.deepcopy(_GOOD)], sort_keys=False)
    (tmp_path / "mls-d1.yaml").write_text(text + "  lab: 02-2-cleaning\n", encoding="utf-8")
    with pytest.raises(BankError, match=r"mls-d1\.yaml: not valid YAML.*duplicate key 'lab'"):
        load_bank(tmp_path)
    (tmp_path / "mls-d1.yaml").write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(BankError, match="not valid YAML"):
        load_bank(tmp_path)
    with pytest.raises(BankError, match="no question bank"):
        load_bank(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(BankError, match=r"no \*\.yaml question files"):
        load_bank(empty)


def test_a_loaded_question_answers_for_itself(tmp_path: Path) -> None:
    (q,) = load_bank(_write(tmp_path, "mls-d1.yaml", [copy.deepcopy(_MULTI)]))
    assert (q.domain, q.mla_domain, q.choose, q.answer) == (1, 1, 2, ("A", "E"))
    assert q.letters == tuple("ABCDE") and q.option("E") == "Option E."
    assert q.explanation("A") == "Because A." and q.source == "mls-d1.yaml"
    assert q.is_correct(["e", "A"]) and not q.is_correct(["A"])
    assert not q.is_correct(["A", "B", "E"])
