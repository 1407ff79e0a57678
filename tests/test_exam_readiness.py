"""Readiness: the documented rule, by hand; the terminal table; the PNG plot; `labs progress`."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs import cli, curriculum, progress
from labs.exam import readiness
from labs.exam.plot import readiness_figure, save_readiness_plot


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


def _info(notebook_id: str, *tasks: str) -> curriculum.NotebookInfo:
    return curriculum.NotebookInfo(Path(f"/nb/{notebook_id}.ipynb"), notebook_id, "t", "01", tasks)


INFOS = [
    _info("01-1-first", "MLS 1.1", "MLA 1.1"),
    _info("01-2-second", "MLS 1.1"),
    _info("05-5-security", "MLS 4.3"),
]
EXERCISES = {"first.q1", "first.q2", "second.q1", "second.q2"}  # 05-5-security has none


def _answers(kind: str, task: str, pattern: str) -> None:
    """Record one practice result: '1' right, '0' wrong, '-' unanswered (exam only)."""
    questions = [
        {
            "id": f"q{i}",
            "mls_task": task,
            "mla_task": None,
            "chosen": [] if mark == "-" else ["A"],
            "correct": mark == "1",
        }
        for i, mark in enumerate(pattern)
    ]
    progress.record_practice({"kind": kind, "questions": questions})


def _by_task(ready: readiness.ExamReadiness) -> dict[str, readiness.TaskReadiness]:
    return {t.task.id: t for t in ready.tasks}


def test_the_rule_by_hand():
    progress.record_notebook_run("01-1-first", "passed", 3.0)
    progress.record_notebook_run("01-2-second", "failed", 3.0)
    progress.record_exercise("first.q1", "correct")
    progress.record_exercise("first.q2", "incorrect")
    _answers("exam", "MLS 1.1", "10-")  # the unanswered one does not count
    _answers("drill", "MLS 1.1", "11")
    _answers("drill", "MLS 2.2", "110111")
    progress.record_notebook_run("05-5-security", "passed", 1.0)
    _answers("drill", "MLS 4.3", "1111111111")

    ready = readiness.assess("MLS-C01", INFOS, progress.load(), EXERCISES)
    tasks = _by_task(ready)

    t11 = tasks["MLS 1.1"]
    assert (t11.labs_done, t11.labs_total) == (1, 2)
    assert (t11.exercises_solved, t11.exercises_total) == (1, 4)
    assert (t11.exam.correct, t11.exam.answered) == (1, 2)
    assert (t11.drill.correct, t11.drill.answered) == (2, 2)
    assert (t11.recent.correct, t11.recent.answered) == (3, 4)
    # 0.2 x 1/2 + 0.2 x 1/4 + 0.6 x 3/max(4, 5) = 0.1 + 0.05 + 0.36
    assert t11.readiness == pytest.approx(0.51)
    assert readiness.level(t11.readiness) == "getting there"

    # no lab tagged: questions alone, 5 of 6
    assert tasks["MLS 2.2"].readiness == pytest.approx(5 / 6)
    assert tasks["MLS 2.2"].parts == {"labs": None, "exercises": None, "questions": 5 / 6}
    # a lab without exercises: (0.2 x 1 + 0.6 x 1) / 0.8
    assert tasks["MLS 4.3"].readiness == pytest.approx(1.0)
    # nothing at all: 0
    assert tasks["MLS 3.1"].readiness == 0

    d1 = ready.domains[0]
    assert d1.readiness == pytest.approx((0.51 + 0 + 0) / 3)
    d2 = ready.domains[1]
    assert d2.readiness == pytest.approx((5 / 6) / 3)
    d4 = ready.domains[3]
    assert d4.readiness == pytest.approx(1 / 4)
    overall = (20 * d1.readiness + 24 * d2.readiness + 0 + 20 * d4.readiness) / 100
    assert ready.readiness == pytest.approx(overall)


def test_few_answers_are_shrunk_and_old_ones_leave_the_window():
    _answers("drill", "MLS 3.5", "11")
    assert _by_task(readiness.assess("MLS-C01", [], progress.load(), set()))[
        "MLS 3.5"
    ].readiness == pytest.approx(2 / 5)
    _answers("drill", "MLS 3.5", "0" * 10 + "1" * 20)
    task = _by_task(readiness.assess("MLS-C01", [], progress.load(), set()))["MLS 3.5"]
    assert (task.drill.correct, task.drill.answered) == (22, 32)
    assert (task.recent.correct, task.recent.answered) == (20, 20)
    assert task.readiness == 1.0 and readiness.level(task.readiness) == "ready"


def test_unknown_exercises_drop_out():
    progress.record_notebook_run("01-1-first", "passed", 3.0)
    task = _by_task(readiness.assess("MLS-C01", INFOS, progress.load(), None))["MLS 1.1"]
    assert task.exercises_total is None
    assert task.readiness == pytest.approx(0.2 * 0.5 / 0.8)  # labs 1/2, questions 0


def test_mla_readiness_uses_mla_tags():
    progress.record_practice(
        {
            "kind": "drill",
            "questions": [{"mls_task": "MLS 1.1", "mla_task": "MLA 3.1", "correct": True}],
        }
    )
    ready = readiness.assess("MLA-C01", INFOS, progress.load(), EXERCISES)
    tasks = _by_task(ready)
    assert tasks["MLA 3.1"].drill.correct == 1
    assert tasks["MLA 1.1"].labs_total == 1 and tasks["MLA 1.1"].exercises_total == 2
    assert len(ready.tasks) == 12


def test_table_and_plot(tmp_path):
    _answers("drill", "MLS 2.2", "110111")
    ready = readiness.assess("MLS-C01", INFOS, progress.load(), EXERCISES)
    text = readiness.table(ready)
    assert text.splitlines()[0] == f"MLS-C01 readiness: {ready.readiness:.0%} (not yet)"
    row = next(line for line in text.splitlines() if "MLS 2.2" in line)
    assert row.split()[-4:] == ["5/6", "5/6", "83%", "ready"]
    assert "0.2 labs + 0.2 exercises + 0.6 questions" in text

    fig = readiness_figure(ready)
    assert len(fig.axes[0].patches) == 15  # one bar per task statement
    written = save_readiness_plot(ready, tmp_path / "plots" / "ready")
    assert written.name == "ready.png"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and written.stat().st_size > 10_000


def test_labs_progress_prints_readiness_and_writes_the_plot(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(curriculum, "notebooks", lambda: INFOS)
    monkeypatch.setattr(cli, "_known_exercises", lambda: EXERCISES)
    _answers("drill", "MLS 4.3", "1")
    target = tmp_path / "readiness.png"
    assert cli.main(["progress", "--plot", str(target), "--exam", "mla-c01"]) == 0
    out = capsys.readouterr().out
    assert "MLS-C01 readiness:" in out and "MLA-C01 readiness:" in out
    row = next(line for line in out.splitlines() if "MLS 4.3" in line)
    # labs 0/1, no exercises, 1 of 1 right: (0.2 x 0 + 0.6 x 1/5) / 0.8 = 15%
    assert row.split()[-8:] == ["0/1", "-", "-", "1/1", "1/1", "15%", "not", "yet"]
    assert f"MLA-C01 readiness plot saved to {target}" in out
    assert target.read_bytes()[:4] == b"\x89PNG"
