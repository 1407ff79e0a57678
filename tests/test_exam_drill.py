"""Drills: scope, which questions come up, spaced repetition, the notebook and terminal forms."""

from __future__ import annotations

import pytest
from exam_support import labs_command, make_question, synthetic_bank, write_bank, wrong_letters

from labs import progress
from labs.errors import LabsError
from labs.exam import drill, repetition
from labs.exam.answers import AnswerError
from labs.exam.bank import load_bank
from labs.exercises import ____


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


def _task_bank(n: int = 6) -> list:
    """``n`` questions of MLS 3.4 (answers A) and two of MLS 3.5."""
    tagged = [make_question(f"d3-{i:03d}", "MLS 3.4", answer=("A",)) for i in range(1, n + 1)]
    others = [make_question(f"d3-{i:03d}", "MLS 3.5", answer=("A",)) for i in (91, 92)]
    return tagged + others


# ------------------------------------------------------------------------- scope


def test_scope_from_what_a_learner_types():
    assert drill.scope(domain=3).label == "MLS-C01 domain 3 Modeling"
    assert drill.scope(task="3.4").task == "MLS 3.4"
    assert drill.scope(task="mls 3.4").task == "MLS 3.4"
    assert drill.scope("MLA-C01", task="3.1").label == "MLA 3.1 Select deployment infrastructure"
    assert drill.scope().label == "MLS-C01, all domains"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"domain": 5}, "no domain 5: choose one of 1, 2, 3, 4"),
        ({"task": "3.9"}, "no task statement '3.9'"),
        ({"domain": 1, "task": "1.1"}, "not both"),
        ({"exam": "SAA-C03"}, "unknown exam"),
    ],
)
def test_scope_mistakes_say_what_is_valid(kwargs, message):
    with pytest.raises(LabsError, match=message):
        drill.scope(**kwargs)


def test_scope_covers_by_the_exams_own_tags():
    q = make_question("d3-001", "MLS 3.4", mla_task="MLA 2.2")
    untagged = make_question("d3-002", "MLS 3.4")
    assert drill.scope(domain=3).covers(q) and not drill.scope(domain=2).covers(q)
    assert drill.scope("MLA-C01", domain=2).covers(q)
    assert not drill.scope("MLA-C01").covers(untagged)


# --------------------------------------------------------------- spaced repetition


def test_leitner_boxes_step_by_step():
    queue: dict = {}
    repetition.review(queue, [("q", False)], drills_done=1)
    assert queue["q"] == {"box": 1, "due": 1, "misses": 1}  # back in the next drill
    assert repetition.due_ids(queue, 1) == ["q"]
    repetition.review(queue, [("q", True)], drills_done=2)
    assert (queue["q"]["box"], queue["q"]["due"]) == (2, 3)  # skips one drill
    assert repetition.due_ids(queue, 2) == [] and repetition.due_ids(queue, 3) == ["q"]
    repetition.review(queue, [("q", True)], drills_done=3)
    assert (queue["q"]["box"], queue["q"]["due"]) == (3, 6)  # skips three drills
    repetition.review(queue, [("q", False)], drills_done=6)
    assert queue["q"] == {"box": 1, "due": 6, "misses": 2}  # a miss: back to box 1
    for done in (7, 8, 9):
        repetition.review(queue, [("q", True)], drills_done=done)
    assert "q" not in queue  # three right in a row: it leaves the queue
    repetition.review(queue, [("new", True)], drills_done=10)
    assert queue == {}  # a right answer to a question never missed adds nothing


def test_due_order_lowest_box_then_most_overdue():
    queue = {
        "late": {"box": 2, "due": 1},
        "box1": {"box": 1, "due": 4},
        "early": {"box": 2, "due": 3},
        "later": {"box": 1, "due": 9},
    }
    assert repetition.due_ids(queue, 5) == ["box1", "late", "early"]


# ---------------------------------------------------------------- picking questions


def test_missed_questions_come_back_in_later_drills():
    bank = _task_bank()
    first = drill.Drill(
        drill.scope(task="3.4"),
        drill.pick(bank, drill.scope(task="3.4"), progress.load(), 2, seed=1),
    )
    missed = first.questions[0]
    first.check("B")  # wrong
    first.check("A")  # right; the drill ends and is recorded
    assert first.finished
    assert progress.load().review_queue[missed.id]["box"] == 1

    second = drill.pick(bank, drill.scope(task="3.4"), progress.load(), 2, seed=2)
    assert missed in second  # due: back in the very next drill
    other = next(q for q in second if q != missed)
    assert other.id not in {q.id for q in first.questions}  # then one never seen
    run = drill.Drill(drill.scope(task="3.4"), second)
    for _ in second:
        run.check("A")  # both right: the missed one moves to box 2
    entry = progress.load().review_queue[missed.id]
    assert (entry["box"], entry["due"], entry["misses"]) == (2, 3, 1)  # due after drill 3

    third = drill.pick(bank, drill.scope(task="3.4"), progress.load(), 2, seed=3)
    assert missed not in third  # box 2 skips a drill while others remain
    assert {q.id for q in third}.isdisjoint({q.id for q in first.questions + second})


def test_pick_keeps_to_the_scope_and_the_count():
    bank = _task_bank()
    picked = drill.pick(bank, drill.scope(task="3.4"), progress.load(), count=10, seed=0)
    assert len(picked) == 6 and all(q.mls_task == "MLS 3.4" for q in picked)
    with pytest.raises(LabsError, match=r"no questions for MLS 1\.1"):
        drill.pick(bank, drill.scope(task="1.1"), progress.load())
    with pytest.raises(LabsError, match="at least one"):
        drill.pick(bank, drill.scope(), progress.load(), count=0)


def test_exam_misses_enter_the_queue_for_the_next_drill():
    progress.record_practice(
        {"kind": "exam", "questions": []},
        lambda queue, done: repetition.review(queue, [("d3-004", False)], done),
    )
    picked = drill.pick(_task_bank(), drill.scope(task="3.4"), progress.load(), 1, seed=9)
    assert [q.id for q in picked] == ["d3-004"]


# ------------------------------------------------------------------ notebook API


def test_drill_api_checks_answers_and_records_at_the_end(capsys):
    session = drill.start(task="3.4", count=3, bank=_task_bank(), seed=4)
    session.answer(____)
    assert "Not answered yet" in capsys.readouterr().out and session.position == 0
    with pytest.raises(AnswerError, match="one right answer"):
        session.check("AB")
    with pytest.raises(AnswerError, match="E is not an option"):
        session.check("E")
    session.answer("a")
    out = capsys.readouterr().out
    assert out.startswith("Right.") and "question 2 of 3" in out
    feedback = session.check("C")
    assert not feedback.correct and "the answer is A" in feedback.text()
    assert "reason C for" in feedback.text() and "Lab to revisit" in feedback.text()
    assert progress.load().exams == []  # nothing recorded mid-drill
    session.finish()
    stored = progress.load().practice("drill")
    assert len(stored) == 1 and (stored[0]["correct"], stored[0]["total"]) == (1, 2)
    assert stored[0]["scope"] == "MLS 3.4" and stored[0]["planned"] == 3
    assert session.summary_text().startswith("1 of 2 right. The 1 missed question")
    with pytest.raises(LabsError, match="over"):
        session.check("A")


def test_a_drill_with_no_answers_records_nothing():
    session = drill.start(domain=3, count=2, bank=_task_bank(), seed=1)
    assert session.finish() is None and progress.load().exams == []
    unrecorded = drill.start(domain=3, count=1, bank=_task_bank(), seed=1, record=False)
    unrecorded.check("A")
    assert unrecorded.finished and progress.load().exams == []


# ------------------------------------------------------------------- terminal


def test_labs_drill_in_the_terminal(tmp_path, home):
    folder = write_bank(synthetic_bank(forms=1, extra=0), tmp_path / "bank")
    where = drill.scope(task="3.5")
    expected = drill.pick(load_bank(folder), where, progress.load(), 3, seed=6)
    keys = [expected[0].answer, "Z", wrong_letters(expected[1]), expected[2].answer]
    typed = "\n".join("".join(k) for k in keys) + "\n"
    done = labs_command(
        ["drill", "--task", "3.5", "--count", "3", "--seed", "6", "--bank", str(folder)],
        home,
        typed,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Drill: MLS 3.5 Evaluate models. 3 questions" in out
    assert out.count("Right.") == 2 and out.count("Not quite") == 1
    assert "Z is not an option here" in out
    assert "Drill over: 2 of 3 right. The 1 missed question will come back" in out
    assert list(progress.load().review_queue) == [expected[1].id]


def test_labs_drill_mistakes_exit_2(home):
    done = labs_command(["drill", "--domain", "7"], home)
    assert done.returncode == 2 and "no domain 7" in done.stderr
    assert "Traceback" not in done.stderr
