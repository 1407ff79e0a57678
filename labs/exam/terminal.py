"""The exam and drill screens in a terminal: plain ``input()`` and ``print()``.

Exam screen commands (shown on every screen)::

    B, AD, a d    answer with the option letter(s); then the next question shows
    Enter or n    next question            p      previous question
    f             flag / unflag for review  r      review: unanswered and flagged
    g 12 or 12    go to question 12        -      clear this answer
    s             submit (asks to confirm) q      pause: save and leave
    h             help

The time left shows on every screen (``2:41:07 left``). When it runs out the exam is
submitted with the answers given, even while the screen waits for input (on systems with
``SIGALRM``; elsewhere at the next key press). The attempt is saved to the progress store
after every change; ``q``, Ctrl-C, a closed terminal (``SIGHUP``) or the end of input
keep it with the time left, and ``labs exam --resume`` continues it.

A single letter is never a whole answer to a multiple-response question, so the commands
``f`` and ``g`` do not clash with options F and G (type ``AF`` or ``F G`` for those).
"""

from __future__ import annotations

import contextlib
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from labs import progress
from labs.errors import LabsError
from labs.exam import attempt as attempts
from labs.exam import drill as drills
from labs.exam import repetition, scoring
from labs.exam.answers import AnswerError, looks_like_letters, parse_answer
from labs.exam.attempt import Attempt
from labs.exam.bank import load_bank
from labs.exam.report import clock, render_question, render_report, width

__all__ = ["Console", "ExamScreen", "run_drill", "run_exam"]

EXIT_INTERRUPTED = 130
EXIT_HANGUP = 129

_GO = re.compile(r"(?:g(?:o)?\s*)?(\d+)")
_COMMANDS = "letters answer · n next · p previous · f flag · r review · s submit · q pause · h help"
_HELP = """\
How to move through the exam:
  B or AD     answer with the option letter(s) (any case, spaces or commas are fine);
              the next question then shows. A multiple-response question says
              "Choose two." and takes exactly that many letters.
  Enter, n    next question                 p        previous question
  f           flag or unflag for review     r        review unanswered and flagged
  g 12, 12    go to question 12             -        clear this question's answer
  s           submit (you confirm first)    q        pause: save and leave
Unanswered questions count as wrong. Your attempt is saved after every change: q,
Ctrl-C or closing the terminal keeps it, and `labs exam --resume` continues it with
the time that was left."""


class _TimeUp(Exception):
    """The exam's time ran out."""


class _HangUp(Exception):
    """The terminal went away (SIGHUP)."""


@dataclass
class Console:
    """Where the screens read and write: ``input()`` and ``print()`` unless a test gives
    other functions."""

    read: Callable[[str], str] | None = None
    write: Callable[[str], None] | None = None

    def say(self, text: str = "") -> None:
        """Write ``text`` (a terminal closed under us is ignored)."""
        with contextlib.suppress(OSError):
            if self.write is None:
                print(text, flush=True)
            else:
                self.write(text)

    def clear(self) -> None:
        """Clear the screen when writing to a real terminal."""
        if self.write is None and sys.stdout.isatty():
            with contextlib.suppress(OSError):
                sys.stdout.write("\033[H\033[2J")
                sys.stdout.flush()

    def ask(self, prompt: str, deadline: float | None = None) -> str:
        """Read one line; raise :class:`_TimeUp` when ``deadline`` (monotonic) passes first."""
        read = self.read or input
        if deadline is None:
            return read(prompt).strip()
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TimeUp
        with _alarm(left):
            text = read(prompt)
        return text.strip()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Raise :class:`_TimeUp` in the main thread after ``seconds``, if the OS can."""
    if not (hasattr(signal, "setitimer") and _main_thread()):
        yield
        return

    def ring(signum: int, frame: Any) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _hangup_raises() -> Iterator[None]:
    """Turn SIGHUP (the terminal closed) into :class:`_HangUp` so the attempt is saved."""
    if not (hasattr(signal, "SIGHUP") and _main_thread()):
        yield
        return

    def hang(signum: int, frame: Any) -> None:
        raise _HangUp

    previous = signal.signal(signal.SIGHUP, hang)
    try:
        yield
    finally:
        signal.signal(signal.SIGHUP, previous)


# --------------------------------------------------------------------------- exam


class ExamScreen:
    """Runs one attempt to submission or pause, saving after every change."""

    def __init__(self, attempt: Attempt, console: Console | None = None) -> None:
        self.attempt = attempt
        self.console = console or Console()
        self.deadline = time.monotonic() + attempt.remaining_seconds
        self.notice = ""
        self.submitted = False

    # -- time and saving

    def left(self) -> float:
        """Seconds left on the clock."""
        return max(0.0, self.deadline - time.monotonic())

    def save(self) -> None:
        """Store the attempt with the time left now."""
        self.attempt.remaining_seconds = self.left()
        attempts.save(self.attempt)

    def ask(self, prompt: str) -> str:
        """Read one command, keeping an eye on the clock."""
        return self.console.ask(prompt, self.deadline)

    # -- screens

    def status(self) -> str:
        """The header line: exam, position, time left, answered and flagged counts."""
        a = self.attempt
        return (
            f"{a.exam} practice exam · question {a.position + 1} of {len(a.questions)} · "
            f"{clock(self.left())} left · answered {len(a.answers)} · flagged {len(a.flagged)}"
        )

    def question_screen(self) -> str:
        """The current question with its header, the chosen answer and the commands."""
        a = self.attempt
        q = a.current
        chosen = a.answers.get(q.id, ())
        lines = [self.status(), "-" * width()]
        if q.id in a.flagged:
            lines.append("[flagged for review]")
        lines += [render_question(q, chosen), "", "-" * width()]
        lines.append(f"Your answer: {', '.join(chosen) if chosen else 'none yet'}")
        if self.notice:
            lines.append(self.notice)
            self.notice = ""
        lines.append(_COMMANDS)
        return "\n".join(lines)

    def review_screen(self) -> str:
        """Unanswered and flagged questions, by number."""
        a = self.attempt
        unanswered, flagged = a.unanswered(), a.flagged_numbers()

        def listing(numbers: list[int]) -> str:
            return " ".join(str(n) for n in numbers) if numbers else "none"

        return "\n".join(
            [
                f"Review · {clock(self.left())} left · answered {len(a.answers)} of "
                f"{len(a.questions)}",
                "-" * width(),
                f"Unanswered ({len(unanswered)}): {listing(unanswered)}",
                f"Flagged ({len(flagged)}): {listing(flagged)}",
                "-" * width(),
                "Type a question number to go to it, s to submit, or Enter to go back to "
                f"question {a.position + 1}.",
            ]
        )

    # -- the loop

    def run(self) -> int:
        """Run the attempt; returns the exit status (0 submitted or paused, 129/130 cut off)."""
        a = self.attempt
        try:
            with _hangup_raises():
                self.console.say(
                    f"{a.exam} practice exam: {len(a.questions)} questions, "
                    f"{clock(self.left())} left. Type h for help."
                )
                if not a.fresh_form:
                    self.console.say(
                        "Note: you have seen every question the bank could offer for a fresh "
                        "form, so this one repeats some questions from earlier exams."
                    )
                while True:
                    self.console.clear()
                    self.console.say(self.question_screen())
                    outcome = self.command(self.ask("> "))
                    if outcome == "submit":
                        return self.submit(timed_out=False)
                    if outcome == "pause":
                        self.pause("Paused")
                        return 0
        except _TimeUp:
            self.console.say("\nTime is up: your answers are submitted.")
            return self.submit(timed_out=True)
        except KeyboardInterrupt:
            self.pause("\nInterrupted")
            return EXIT_INTERRUPTED
        except EOFError:
            self.pause("\nInput ended")
            return 0
        except _HangUp:
            self.pause("Terminal closed")
            return EXIT_HANGUP

    def pause(self, why: str) -> None:
        """Save and say how to continue (after submitting there is nothing left to save)."""
        if self.submitted:
            self.console.say(f"{why}: your exam was already submitted and saved.")
            return
        self.save()
        self.console.say(
            f"{why}: your exam is saved with {clock(self.left())} left "
            f"(question {self.attempt.position + 1} of {len(self.attempt.questions)}, "
            f"{len(self.attempt.answers)} answered). `labs exam --resume` continues it."
        )

    def command(self, text: str) -> str | None:
        """Apply one typed command; returns "submit", "pause" or None to keep going."""
        a = self.attempt
        key = text.strip().lower()
        last = len(a.questions) - 1
        if key in ("", "n"):
            if a.position == last:
                self.notice = "This is the last question: r to review, s to submit."
            else:
                a.go(a.position + 1)
                self.save()
        elif key == "p":
            if a.position == 0:
                self.notice = "This is the first question."
            else:
                a.go(a.position - 1)
                self.save()
        elif key == "f":
            flagged = a.toggle_flag()
            self.save()
            self.notice = f"Question {a.position + 1} {'flagged' if flagged else 'unflagged'}."
        elif key == "-":
            a.answer(())
            self.save()
            self.notice = "Answer cleared."
        elif key in ("h", "?", "help"):
            self.notice = _HELP
        elif key == "q":
            return "pause"
        elif key == "s":
            return "submit" if self.confirm_submit() else None
        elif key == "r":
            return self.review()
        elif _GO.fullmatch(key):
            self.go_to(int(_GO.fullmatch(key).group(1)))  # type: ignore[union-attr]
        elif looks_like_letters(key):
            try:
                letters = parse_answer(key, a.current)
            except AnswerError as error:
                self.notice = str(error)
                return None
            a.answer(letters)
            if a.position < last:
                a.go(a.position + 1)
            else:
                self.notice = "That was the last question: r to review, s to submit."
            self.save()
        else:
            self.notice = f"{text.strip()!r} is not a command. {_COMMANDS}"
        return None

    def go_to(self, number: int) -> bool:
        """Go to question ``number`` (1-based); False with a notice when out of range."""
        if not 1 <= number <= len(self.attempt.questions):
            self.notice = f"There is no question {number}: 1 to {len(self.attempt.questions)}."
            return False
        self.attempt.go(number - 1)
        self.save()
        return True

    def review(self) -> str | None:
        """The review screen: go to a question, submit, or go back."""
        while True:
            self.console.clear()
            self.console.say(self.review_screen())
            key = self.ask("review> ").lower()
            if key in ("", "b", "r", "n"):
                return None
            if key == "s":
                return "submit" if self.confirm_submit() else None
            if key == "q":
                return "pause"
            match = _GO.fullmatch(key)
            if match and self.go_to(int(match.group(1))):
                return None
            self.console.say(self.notice or f"{key!r}: type a question number, s or Enter.")
            self.notice = ""

    def confirm_submit(self) -> bool:
        """Ask before submitting; True to submit."""
        a = self.attempt
        unanswered, flagged = len(a.unanswered()), len(a.flagged)
        self.console.say(
            f"Submit the exam? {unanswered} unanswered (they count as wrong), {flagged} flagged."
        )
        yes = self.ask("Type y to submit, or Enter to go back: ").lower() in ("y", "yes")
        if not yes:
            self.notice = "Not submitted."
        return yes

    def submit(self, *, timed_out: bool) -> int:
        """Score, record (result and review queue in one write) and print the report."""
        a = self.attempt
        used = a.minutes * 60 - self.left()
        result = scoring.score(a.exam, a.questions, a.answers, a.flagged)
        when = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        record = {
            **scoring.result_record(result),
            "id": a.id,
            "started": a.started,
            "finished": when,
            "minutes": a.minutes,
            "seconds_used": round(used, 1),
            "timed_out": timed_out,
            "seed": a.seed,
            "fresh_form": a.fresh_form,
        }
        missed_or_right = [(q.question.id, q.correct) for q in result.questions if q.answered]
        progress.record_practice(
            record, lambda queue, done: repetition.review(queue, missed_or_right, done, when)
        )
        self.submitted = True
        self.console.say(render_report(result, seconds_used=used, timed_out=timed_out))
        self.console.say(
            "\nSaved to your progress. Missed questions come back in `labs drill`; "
            "`labs progress` shows your readiness."
        )
        return 0


def run_exam(
    exam: str | None = None,
    *,
    minutes: float | None = None,
    seed: int | None = None,
    resume: bool = False,
    new: bool = False,
    bank: str | Path | None = None,
    console: Console | None = None,
) -> int:
    """``labs exam``: start (or with ``resume`` continue) a timed practice exam."""
    store = progress.load()
    if resume:
        if store.exam_attempt is None:
            raise LabsError(
                "There is no unfinished practice exam to resume. Start one with `labs exam`."
            )
        if minutes is not None or seed is not None or bank is not None or new:
            raise LabsError(
                "--resume continues the saved exam as it was: leave out --minutes, "
                "--seed, --bank and --new."
            )
        current = attempts.load_open(store)
        assert current is not None  # store.exam_attempt is set
        (console or Console()).say(
            f"Resuming your {current.exam} practice exam at question {current.position + 1}."
        )
        return ExamScreen(current, console).run()
    code = (exam or "MLS-C01").upper()
    if store.exam_attempt is not None and not new:
        saved = store.exam_attempt
        left = clock(float(saved.get("remaining_seconds", 0)))
        raise LabsError(
            f"You have an unfinished {saved.get('exam', 'practice')} exam ({left} left). "
            "Continue it with `labs exam --resume`, or start a new one with `labs exam --new` "
            "(the unfinished one is discarded)."
        )
    questions = load_bank(bank)
    seen = attempts.seen_in_exams(store, code)
    current = attempts.new_attempt(
        code, questions, minutes=minutes, seed=seed, avoid=seen, bank_path=bank
    )
    attempts.save(current)
    return ExamScreen(current, console).run()


# -------------------------------------------------------------------------- drill


def run_drill(
    exam: str | None = None,
    *,
    domain: int | None = None,
    task: str | None = None,
    count: int = drills.DEFAULT_COUNT,
    bank: str | Path | None = None,
    seed: int | None = None,
    console: Console | None = None,
) -> int:
    """``labs drill``: a short set with feedback after each answer; recorded at the end."""
    out = console or Console()
    session = drills.start(
        exam or "MLS-C01",
        domain=domain,
        task=task,
        count=count,
        bank=str(bank) if bank is not None else None,
        seed=seed,
    )
    total = len(session.questions)
    note = "" if total == count else f" (the bank has {total} for this scope)"
    out.say(
        f"Drill: {session.scope.label}. {total} questions{note}, feedback after each. "
        "Type the letter(s) of your answer, q to stop."
    )
    status = 0
    try:
        while session.current is not None:
            out.say("")
            out.say(session.screen())
            text = out.ask("Your answer> ")
            if text.lower() in ("q", "quit"):
                break
            try:
                feedback = session.check(text)
            except AnswerError as error:
                out.say(str(error))
                continue
            out.say("")
            out.say(feedback.text())
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
        out.say("")
    except EOFError:
        out.say("")
    finally:
        session.finish()
    if session.given:
        out.say(f"Drill over: {session.summary_text()}")
    else:
        out.say("Drill over: nothing answered, nothing recorded.")
    return status
