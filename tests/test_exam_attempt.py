"""Exam attempts: forms drawn by the blueprint, state saved and restored, the store's API."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from exam_support import synthetic_bank, write_bank

from labs import progress
from labs.errors import LabsError
from labs.exam import attempt as attempts
from labs.exam import blueprints
from labs.exam.forms import category_rules, domain_quotas, form_mix


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


@pytest.fixture(scope="module")
def bank():
    return synthetic_bank()


@pytest.mark.parametrize("exam", ["MLS-C01", "MLA-C01"])
def test_a_new_attempt_draws_a_form_by_the_blueprint(bank, exam):
    chosen = blueprints.get_exam(exam)
    new = attempts.new_attempt(exam, bank, seed=11)
    ids = [q.id for q in new.questions]
    assert len(ids) == chosen.questions == 65 and len(set(ids)) == 65
    domains, categories = form_mix(new.questions, exam)
    assert domains == domain_quotas(exam)
    for category, rule in category_rules(exam).items():
        assert categories[category] in rule.count_range(65)
    assert new.minutes == chosen.minutes and new.remaining_seconds == chosen.minutes * 60
    if exam == "MLA-C01":
        assert all(q.mla_task for q in new.questions)


def test_same_seed_same_form_and_minutes_are_configurable(bank):
    first = attempts.new_attempt("MLS-C01", bank, seed=5, minutes=30)
    second = attempts.new_attempt("MLS-C01", bank, seed=5)
    assert [q.id for q in first.questions] == [q.id for q in second.questions]
    assert first.minutes == 30 and first.remaining_seconds == 1800
    with pytest.raises(LabsError, match="more than 0"):
        attempts.new_attempt("MLS-C01", bank, minutes=0)


def test_later_exams_avoid_questions_already_seen(bank):
    first = attempts.new_attempt("MLS-C01", bank, seed=1)
    seen = {q.id for q in first.questions}
    fresh = attempts.new_attempt("MLS-C01", bank, seed=2, avoid=seen)
    assert fresh.fresh_form and not seen & {q.id for q in fresh.questions}
    # the bank holds two forms and a few more: a third form must repeat questions
    seen |= {q.id for q in fresh.questions}
    third = attempts.new_attempt("MLS-C01", bank, seed=3, avoid=seen)
    assert not third.fresh_form and len(third.questions) == 65


def test_moves_flags_and_answers(bank):
    new = attempts.new_attempt("MLS-C01", bank, seed=4)
    new.answer(("B",))
    assert new.answers == {new.questions[0].id: ("B",)}
    assert new.toggle_flag() is True and new.flagged_numbers() == [1]
    assert new.toggle_flag() is False and new.flagged_numbers() == []
    new.go(99)
    assert new.position == 64
    new.go(-3)
    assert new.position == 0
    new.answer(())
    assert new.unanswered() == list(range(1, 66))


def test_saved_attempt_comes_back_from_its_bank(bank, tmp_path):
    folder = write_bank(bank, tmp_path / "bank")
    new = attempts.new_attempt("MLS-C01", bank, seed=8, bank_path=folder)
    new.answer(("C",))
    new.go(3)
    new.toggle_flag()
    new.remaining_seconds = 1234.5
    attempts.save(new)

    back = attempts.load_open()
    assert back is not None
    assert [q.id for q in back.questions] == [q.id for q in new.questions]
    assert back.answers == new.answers and back.flagged == new.flagged
    assert back.position == 3 and back.remaining_seconds == 1234.5
    assert back.bank == str(folder.resolve())
    attempts.discard()
    assert attempts.load_open() is None


def test_an_attempt_whose_questions_left_the_bank_is_refused(bank, tmp_path):
    new = attempts.new_attempt("MLS-C01", bank, seed=8)
    data = new.to_dict()
    data["questions"][0] = "d9-999"
    with pytest.raises(LabsError, match="no longer in the bank"):
        attempts.Attempt.from_dict(data, bank)
    with pytest.raises(LabsError, match="cannot be read"):
        attempts.Attempt.from_dict({"questions": []}, bank)


# -------------------------------------------------------- progress store additions


def test_record_practice_appends_and_updates_the_queue_in_one_write(home):
    progress.save_exam_attempt({"id": "a1", "exam": "MLS-C01"})
    assert progress.load().exam_attempt == {"id": "a1", "exam": "MLS-C01"}
    calls = []

    def review(queue, drills):
        calls.append(drills)
        queue["d1-001"] = {"box": 1, "due": drills}

    progress.record_practice({"kind": "drill", "questions": []}, review)
    progress.record_practice({"kind": "exam", "questions": []}, review)
    loaded = progress.load()
    assert calls == [1, 1]  # drills recorded so far, this one included
    assert [e["kind"] for e in loaded.exams] == ["drill", "exam"]
    assert all("recorded" in e for e in loaded.exams)
    assert len(loaded.practice("drill")) == 1 and len(loaded.practice("exam")) == 1
    assert loaded.review_queue == {"d1-001": {"box": 1, "due": 1}}
    assert loaded.exam_attempt is None  # an exam result closes the open attempt


def test_record_practice_refuses_an_unknown_kind(home):
    with pytest.raises(ValueError, match="kind"):
        progress.record_practice({"kind": "quiz"})
    assert not (home / "progress.json").exists()


def test_malformed_practice_state_reads_as_empty(home):
    home.mkdir(parents=True)
    doc = {"version": 1, "review_queue": [1], "exam_attempt": "x", "exams": [3, {"kind": "drill"}]}
    (home / "progress.json").write_text(json.dumps(doc))
    loaded = progress.load()
    assert loaded.review_queue == {} and loaded.exam_attempt is None
    assert loaded.exams == [{"kind": "drill"}]
    progress.record_practice({"kind": "drill"}, lambda queue, drills: queue.update(x={"box": 1}))
    assert progress.load().review_queue == {"x": {"box": 1}}


def test_seen_in_exams_lists_questions_of_that_exam_only(home):
    progress.record_practice({"kind": "exam", "exam": "MLS-C01", "questions": [{"id": "d1-001"}]})
    progress.record_practice({"kind": "exam", "exam": "MLA-C01", "questions": [{"id": "d2-001"}]})
    progress.record_practice({"kind": "drill", "exam": "MLS-C01", "questions": [{"id": "d3-001"}]})
    assert attempts.seen_in_exams(progress.load(), "MLS-C01") == {"d1-001"}
    assert Counter(e["exam"] for e in progress.load().practice("exam")) == {
        "MLS-C01": 1,
        "MLA-C01": 1,
    }
