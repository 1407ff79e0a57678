"""The exam engine end to end through its real terminal interface.

`labs exam` runs as a subprocess with keystrokes written to its stdin (answers, flag,
review, submit), and in a pseudo-terminal for Ctrl-C and a closed terminal. The bank is
synthetic (tests/exam_support.py), so the expected form is drawn here with the same seed.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from exam_support import labs_command, synthetic_bank, write_bank, wrong_letters

from labs import progress
from labs.exam import attempt as attempts
from labs.exam.bank import load_bank
from labs.exam.forms import draw_form
from labs.exam.scoring import scaled_score
from labs.exam.terminal import Console, ExamScreen


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


@pytest.fixture(scope="module")
def bank_dir(tmp_path_factory):
    return write_bank(synthetic_bank(), tmp_path_factory.mktemp("bank"))


def _form(bank_dir: Path, seed: int, exam: str = "MLS-C01"):
    """The form `labs exam --seed` draws on a fresh progress store."""
    return draw_form(load_bank(bank_dir), exam, seed=seed)


def _keys(*lines: str | tuple[str, ...]) -> str:
    return "".join(("".join(line) if isinstance(line, tuple) else line) + "\n" for line in lines)


def _saved(home: Path) -> dict:
    return json.loads((home / "progress.json").read_text())


# --------------------------------------------------------------- a whole exam


def test_answer_flag_review_and_submit(bank_dir, home):
    form = _form(bank_dir, seed=21)
    typed = _keys(
        form[0].answer,  # right
        wrong_letters(form[1]),  # wrong
        "f",  # flag question 3
        form[2].answer,  # right
        "r",  # review screen
        "65",  # go to the last question
        form[64].answer,  # right
        "s",  # submit? no (Enter)
        "",
        "s",
        "y",
    )
    done = labs_command(
        ["exam", "--seed", "21", "--minutes", "30", "--bank", str(bank_dir)], home, typed
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # the countdown on every question screen, answered and flagged counts
    assert "MLS-C01 practice exam · question 1 of 65 · 0:29:5" in out
    assert "question 3 of 65 · 0:2" in out and "answered 2 · flagged 1" in out
    assert "[flagged for review]" in out
    # the review screen lists unanswered and flagged questions
    assert "Unanswered (62): 4 5 6 7" in out and "Flagged (1): 3" in out
    assert "That was the last question: r to review, s to submit." in out
    assert "Submit the exam? 61 unanswered (they count as wrong), 1 flagged." in out
    assert "Not submitted." in out
    # the score report
    expected = scaled_score(3, 65)  # 100 + 650 x (3/65) / 0.72 = 141.67
    assert expected == 141
    assert f"Score: {expected} of 1000  (pass mark 750)  FAIL" in out
    assert "3 of 65 questions right (5%), 61 unanswered" in out
    assert "Section-level feedback" in out and "Needs improvement" in out
    assert f"Question 2  ({form[1].id}," in out
    assert f"You chose {', '.join(wrong_letters(form[1]))}; the answer is" in out
    assert f"Question 1  ({form[0].id}," not in out  # answered right: not reviewed
    assert "Lab to revisit:" in out and "Documentation: Test Guide" in out

    saved = _saved(home)
    assert "exam_attempt" not in saved
    (result,) = saved["exams"]
    assert (result["kind"], result["scaled"], result["correct"]) == ("exam", 141, 3)
    assert [q["id"] for q in result["questions"]] == [q.id for q in form]
    assert result["questions"][2]["flagged"] and not result["timed_out"]
    assert list(saved["review_queue"]) == [form[1].id]  # the one answered wrong


def _saved_time(text: str, reason: str) -> int:
    """Seconds left in "<reason>: your exam is saved with H:MM:SS" (a busy machine may
    spend a few seconds starting the command, so tests compare with a margin)."""
    found = re.search(reason + r": your exam is saved with (\d+):(\d\d):(\d\d)", text)
    assert found, f"no '{reason}: your exam is saved with ...' in {text[-300:]!r}"
    hours, minutes, seconds = (int(part) for part in found.groups())
    left = hours * 3600 + minutes * 60 + seconds
    assert left <= 170 * 60
    return left


def test_interrupted_exam_resumes_with_its_time(bank_dir, home):
    form = _form(bank_dir, seed=22)
    first = labs_command(
        ["exam", "--seed", "22", "--bank", str(bank_dir)], home, _keys(form[0].answer, "f")
    )
    assert first.returncode == 0, first.stderr
    assert _saved_time(first.stdout, "Input ended") > 170 * 60 - 60
    assert "(question 2 of 65, 1 answered)" in first.stdout
    saved = _saved(home)["exam_attempt"]
    assert saved["answers"] == {form[0].id: list(form[0].answer)}
    assert saved["flagged"] == [form[1].id] and saved["position"] == 1
    assert 170 * 60 - 60 < saved["remaining_seconds"] < 170 * 60

    again = labs_command(["exam", "--bank", str(bank_dir)], home)
    assert again.returncode == 2 and "unfinished MLS-C01 exam" in again.stderr
    assert "labs exam --resume" in again.stderr

    # the clock carries on from what was saved: set 10 minutes left
    progress.update(lambda doc: doc["exam_attempt"].update(remaining_seconds=600))
    second = labs_command(["exam", "--resume"], home, _keys(form[1].answer, "s", "y"))
    assert second.returncode == 0, second.stderr
    out = second.stdout
    assert "Resuming your MLS-C01 practice exam at question 2." in out
    assert "question 2 of 65 · 0:09:5" in out and "answered 1 · flagged 1" in out
    assert "[flagged for review]" in out
    assert f"Score: {scaled_score(2, 65)} of 1000" in out
    assert "2 of 65 questions right" in out
    assert "exam_attempt" not in _saved(home)

    nothing = labs_command(["exam", "--resume"], home)
    assert nothing.returncode == 2 and "no unfinished practice exam" in nothing.stderr


def test_time_out_submits(bank_dir, home, tmp_path):
    out_file = tmp_path / "out.txt"
    args = ["exam", "--minutes", "0.02", "--seed", "1", "--bank", str(bank_dir)]
    with out_file.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "labs.cli", *args],
            stdin=subprocess.PIPE,  # kept open: the exam waits for input when time runs out
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LABS_HOME": str(home)},
        )
        try:
            assert proc.wait(timeout=30) == 0
        finally:
            proc.stdin.close()
            if proc.poll() is None:
                proc.kill()
    text = out_file.read_text()
    assert "Time is up: your answers are submitted." in text
    assert "Score: 100 of 1000" in text and "0 of 65 questions right" in text
    (result,) = _saved(home)["exams"]
    assert result["timed_out"] and result["seconds_used"] >= 1.0


def test_mla_exam_and_starting_anew(bank_dir, home):
    paused = labs_command(["exam", "mla-c01", "--seed", "3", "--bank", str(bank_dir)], home, "q\n")
    assert paused.returncode == 0, paused.stderr
    assert "MLA-C01 practice exam · question 1 of 65 · 2:09:5" in paused.stdout  # 130 min
    assert "Paused: your exam is saved" in paused.stdout
    form = _form(bank_dir, seed=4, exam="MLA-C01")
    fresh = labs_command(
        ["exam", "mla-c01", "--new", "--seed", "4", "--bank", str(bank_dir)],
        home,
        _keys(form[0].answer, "s", "y"),
    )
    assert fresh.returncode == 0, fresh.stderr
    assert f"Score: {scaled_score(1, 65, 'MLA-C01')} of 1000  (pass mark 720)  FAIL" in fresh.stdout
    assert "1 Data Preparation for ML" in fresh.stdout
    assert _saved(home)["exams"][0]["exam"] == "MLA-C01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["exam", "--minutes", "0"], "must be more than 0"),
        (["exam", "sat-c01"], "is not an exam"),
        (["exam", "--resume", "--minutes", "5"], "no unfinished practice exam"),
    ],
)
def test_exam_mistakes_exit_2(args, message, home):
    done = labs_command(args, home)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------- navigation, in process


def test_every_command_of_the_question_screen(bank_dir, home):
    questions = load_bank(bank_dir)
    exam = attempts.new_attempt("MLS-C01", questions, seed=30, minutes=5)
    attempts.save(exam)
    form = exam.questions
    single = next(i for i, q in enumerate(form) if q.choose == 1)
    multiple = next(i for i, q in enumerate(form) if q.choose == 2)
    typed = iter(
        [
            "p",  # at the first question
            "h",
            "xyz!",
            f"go {single + 1}",
            "AB",  # one right answer only
            "E",  # not an option
            form[single].answer[0].lower(),
            "g 70",
            f"g {multiple + 1}",
            "A",  # a choose-two question needs two letters
            " ".join(form[multiple].answer).lower(),
            f"{multiple + 1}",
            "-",  # clear it again
            "r",
            "x",
            "",
            "q",
        ]
    )
    shown: list[str] = []
    screen = ExamScreen(exam, Console(read=lambda prompt: next(typed), write=shown.append))
    assert screen.run() == 0
    text = "\n".join(shown)
    assert "This is the first question." in text
    assert "How to move through the exam:" in text
    assert "'xyz!' is not a command." in text
    assert "This question has one right answer: type a single letter." in text
    assert "E is not an option here: choose from A-D." in text
    assert "There is no question 70: 1 to 65." in text
    assert "This question asks you to choose two: type two letters, e.g. AB." in text
    assert "Answer cleared." in text
    assert "'x': type a question number, s or Enter." in text
    saved = attempts.load_open()
    assert saved is not None and saved.answers == {form[single].id: form[single].answer}
    assert saved.position == multiple and saved.remaining_seconds <= 300


# ------------------------------------------------------------ a real terminal


def _spawn(args: list[str], home: Path) -> tuple[subprocess.Popen, int]:
    """`labs ARGS` in a new session whose controlling terminal is a fresh pty."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "labs.cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        env={**os.environ, "LABS_HOME": str(home), "COLUMNS": "100"},
    )
    os.close(slave)
    return proc, master


def _read_until(master: int, *tokens: bytes, timeout: float = 30) -> bytes:
    """Read the pty until every token has appeared and the screen waits at a prompt."""
    seen = b""
    deadline = time.monotonic() + timeout
    while not (all(t in seen for t in tokens) and seen.rstrip(b" ").endswith(b">")):
        ready, _, _ = select.select([master], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"timed out waiting for {tokens}: {seen[-400:]!r}")
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    return seen


def _drain(master: int) -> bytes:
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 5)
        if not ready:
            return seen
        try:
            chunk = os.read(master, 65536)
        except OSError:
            return seen
        if not chunk:
            return seen
        seen += chunk


def test_ctrl_c_and_a_closed_terminal_keep_the_attempt(bank_dir, home):
    form = _form(bank_dir, seed=23)
    proc, master = _spawn(["exam", "--seed", "23", "--bank", str(bank_dir)], home)
    try:
        _read_until(master, b"question 1 of 65")
        os.write(master, "".join(form[0].answer).encode() + b"\n")
        _read_until(master, b"answered 1")
        os.write(master, b"\x03")  # Ctrl-C, as the terminal sends it
        tail = _drain(master)
        assert proc.wait(timeout=20) == 130
    finally:
        os.close(master)
    assert _saved_time(tail.decode(errors="replace"), "Interrupted") > 170 * 60 - 60
    assert _saved(home)["exam_attempt"]["answers"] == {form[0].id: list(form[0].answer)}

    proc, master = _spawn(["exam", "--resume"], home)
    try:
        _read_until(master, b"question 2 of 65")
        os.write(master, "".join(form[1].answer).encode() + b"\n")
        _read_until(master, b"answered 2")
    finally:
        os.close(master)  # the terminal window closes: SIGHUP
    assert proc.wait(timeout=20) == 129
    saved = _saved(home)["exam_attempt"]
    assert saved["answers"] == {q.id: list(q.answer) for q in form[:2]}
    assert saved["position"] == 2
