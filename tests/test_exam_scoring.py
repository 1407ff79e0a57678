"""Scoring maths: the scaled score, the pass mark, all-or-nothing answers, domain feedback."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from exam_support import make_question

from labs.exam import scoring
from labs.exam.report import render_report
from labs.exam.scoring import MEETS, NEEDS_IMPROVEMENT, scaled_score, score

# ---------------------------------------------------------------- the scaled score


@pytest.mark.parametrize(
    ("correct", "total", "exam", "expected"),
    [
        # the anchors: none right, all right, exactly the pass fraction
        (0, 65, "MLS-C01", 100),
        (65, 65, "MLS-C01", 1000),
        (36, 50, "MLS-C01", 750),  # 72% exactly
        (35, 50, "MLA-C01", 720),  # 70% exactly
        # by hand: 47/65 = 72.31%: 750 + 250 * (47/65 - 0.72) / 0.28 = 752.75 -> 752
        (47, 65, "MLS-C01", 752),
        # 46/65 = 70.77%: 100 + 650 * (46/65) / 0.72 = 738.89 -> 738
        (46, 65, "MLS-C01", 738),
        # 35/50 = 70%: 100 + 650 * 0.70 / 0.72 = 731.94 -> 731
        (35, 50, "MLS-C01", 731),
        # MLA-C01: 46/65: 720 + 280 * (46/65 - 0.7) / 0.3 = 727.18 -> 727
        (46, 65, "MLA-C01", 727),
        # MLA-C01: 45/65: 100 + 620 * (45/65) / 0.7 = 713.19 -> 713
        (45, 65, "MLA-C01", 713),
        # half right on MLS-C01: 100 + 650 * 0.5 / 0.72 = 551.39 -> 551
        (1, 2, "MLS-C01", 551),
    ],
)
def test_scaled_score_by_hand(correct, total, exam, expected):
    assert scaled_score(correct, total, exam) == expected


@pytest.mark.parametrize(("exam", "pass_mark"), [("MLS-C01", 750), ("MLA-C01", 720)])
def test_pass_mark_boundary_on_a_full_form(exam, pass_mark):
    """Scores rise with every right answer, and pass exactly from ceil(anchor x 65)."""
    scores = [scaled_score(c, 65, exam) for c in range(66)]
    assert scores == sorted(scores) and len(set(scores)) == 66
    assert scores[0] == 100 and scores[-1] == 1000
    first_pass = math.ceil(scoring.pass_fraction(exam) * 65)
    assert first_pass == {"MLS-C01": 47, "MLA-C01": 46}[exam]
    assert scores[first_pass - 1] < pass_mark <= scores[first_pass]
    assert all(s < pass_mark for s in scores[:first_pass])


def test_pass_fraction_sits_near_the_linear_position_of_the_pass_mark():
    for exam, pass_mark in (("MLS-C01", 750), ("MLA-C01", 720)):
        linear = Fraction(pass_mark - 100, 900)
        assert abs(scoring.pass_fraction(exam) - linear) < Fraction(1, 50)


@pytest.mark.parametrize(("correct", "total"), [(-1, 65), (66, 65), (0, 0)])
def test_scaled_score_refuses_impossible_counts(correct, total):
    with pytest.raises(ValueError):
        scaled_score(correct, total)


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [(18, 25, MEETS), (17, 25, NEEDS_IMPROVEMENT), (13, 13, MEETS), (9, 13, NEEDS_IMPROVEMENT)],
)
def test_domain_feedback_boundary(correct, total, expected):
    # 18/25 = 72% exactly meets; 17/25 = 68% and 9/13 = 69.2% do not
    assert scoring.domain_feedback(correct, total, "MLS-C01") == expected


# ---------------------------------------------------------------- scoring answers


def _questions():
    single = make_question("d1-001", "MLS 1.1", answer=("B",))
    multiple = make_question("d3-001", "MLS 3.5", choose=2, answer=("A", "D"))
    other = make_question("d3-002", "MLS 3.2", answer=("C",))
    security = make_question("d4-001", "MLS 4.3", answer=("A",))
    return [single, multiple, other, security]


@pytest.mark.parametrize(
    ("chosen", "right"),
    [
        (["A", "D"], True),
        (["d", " a"], True),  # case and spaces do not matter
        (["A"], False),  # partly right is wrong
        (["A", "D", "E"], False),  # a superset is wrong
        (["B", "C"], False),
        ([], False),  # unanswered is wrong
    ],
)
def test_multiple_response_is_all_or_nothing(chosen, right):
    questions = _questions()
    result = score("MLS-C01", questions, {"d3-001": chosen})
    assert result.questions[1].correct is right


def test_score_counts_domains_and_unanswered():
    questions = _questions()
    answers = {"d1-001": ["B"], "d3-001": ["A", "D"], "d3-002": ["A"]}  # d4-001 unanswered
    result = score("MLS-C01", questions, answers, flagged={"d3-002"})
    assert (result.correct, result.total) == (2, 4)
    assert result.scaled == 551 and not result.passed  # 100 + 650 * 0.5 / 0.72 = 551.39
    assert not result.questions[3].answered and not result.questions[3].correct
    assert result.questions[2].flagged
    domains = {d.number: (d.correct, d.total, d.feedback) for d in result.domains}
    assert domains == {
        1: (1, 1, MEETS),
        3: (1, 2, NEEDS_IMPROVEMENT),
        4: (0, 1, NEEDS_IMPROVEMENT),
    }
    assert [q.question.id for q in result.missed] == ["d3-002", "d4-001"]


def test_scoring_is_compensatory():
    """A weak domain does not fail the exam when the total passes."""
    strong = [make_question(f"d1-{i:03d}", "MLS 1.2", answer=("A",)) for i in range(1, 9)]
    weak = [make_question(f"d3-{i:03d}", "MLS 3.1", answer=("A",)) for i in range(1, 3)]
    answers = {q.id: ["A"] for q in strong} | {q.id: ["B"] for q in weak}
    result = score("MLS-C01", strong + weak, answers)
    assert result.scaled == 821  # 8/10: 750 + 250 * (0.8 - 0.72) / 0.28 = 821.43
    assert result.passed
    assert [d.feedback for d in result.domains] == [MEETS, NEEDS_IMPROVEMENT]


def test_mla_scoring_places_questions_by_their_mla_task():
    q1 = make_question("d1-001", "MLS 1.1", mla_task="MLA 3.1", answer=("A",))
    q2 = make_question("d3-001", "MLS 3.5", mla_task="MLA 3.2", answer=("A",))
    result = score("MLA-C01", [q1, q2], {"d1-001": ["A"]})
    assert [(d.number, d.correct, d.total) for d in result.domains] == [(3, 1, 2)]
    assert result.scaled == scaled_score(1, 2, "MLA-C01")
    assert result.exam.pass_mark == 720


def test_result_record_keeps_what_readiness_needs():
    result = score("MLS-C01", _questions(), {"d1-001": ["B"]})
    record = scoring.result_record(result)
    assert record["kind"] == "exam" and record["scaled"] == result.scaled
    assert record["domains"]["3"] == {"correct": 0, "total": 2, "feedback": NEEDS_IMPROVEMENT}
    first = record["questions"][0]
    assert first == {
        "id": "d1-001",
        "mls_task": "MLS 1.1",
        "mla_task": None,
        "category": "ml-concept",
        "chosen": ["B"],
        "correct": True,
        "flagged": False,
    }


def test_report_shows_score_feedback_and_each_missed_question():
    questions = _questions()
    result = score("MLS-C01", questions, {"d1-001": ["B"], "d3-001": ["A", "B"]})
    text = render_report(result, seconds_used=3725)
    assert f"Score: {result.scaled} of 1000  (pass mark 750)  FAIL" in text
    assert "1 of 4 questions right (25%), 2 unanswered, time used 1:02:05" in text
    assert "approximation" in text and "72%" in text
    assert "1 Data Engineering" in text and MEETS in text
    assert "3 Modeling" in text and NEEDS_IMPROVEMENT in text
    assert "Review of the missed questions (3)" in text
    assert "You chose A, B; the answer is A, D." in text
    assert "(your answer, wrong) Option B of d3-001" in text
    assert "(your answer, right) Option A of d3-001" in text
    assert "(right answer) Option D of d3-001" in text
    for letter in "ABCDE":  # every option's explanation
        assert f"reason {letter} for d3-001" in text
    assert "Documentation: Test Guide: topic" in text
    assert "Lab to revisit: Evaluation: metrics, thresholds, curves, cross-validation" in text
    assert "d1-001" not in text.split("Review of the missed questions")[1]  # right: no review
