"""Yes/no questions before anything that costs money or deletes something.

A question is answered on standard input (``y`` or ``yes``; anything else is no), so it
works in a terminal, in Jupyter (which shows an input box) and in tests that feed stdin.
``LABS_ASSUME_YES=1`` (or a command's ``--yes``) answers yes without asking. When there is
no one to ask (stdin closed, as in CI), the answer is no and the message says how to say
yes ahead of time.
"""

from __future__ import annotations

import builtins
import inspect
import os
import sys
from collections.abc import Callable

ASSUME_YES = "LABS_ASSUME_YES"


def assume_yes() -> bool:
    """True when ``LABS_ASSUME_YES`` is set to 1 (or true / yes)."""
    return os.environ.get(ASSUME_YES, "").strip().lower() in ("1", "true", "yes")


def confirm(
    question: str,
    *,
    yes: bool = False,
    ask: Callable[[str], str] | None = None,
    say: Callable[[str], None] = print,
) -> bool:
    """Ask ``question`` and return True only for an explicit yes.

    ``yes`` (a command's ``--yes``) or ``LABS_ASSUME_YES=1`` answer yes without asking, and
    say so. ``ask`` defaults to the ``input`` in force when the question is asked: in
    Jupyter that is the kernel's, which shows an input box in the notebook.
    """
    if yes or assume_yes():
        why = "--yes" if yes else f"{ASSUME_YES}=1"
        say(f"{question} [y/N] yes ({why})")
        return True
    reader = ask if ask is not None else builtins.input
    try:
        answer = reader(f"{question} [y/N] ")
    except (EOFError, NotImplementedError):
        # EOFError: stdin is closed (CI, a pipe that ran dry). NotImplementedError: a
        # Jupyter frontend that takes no input (a headless run raises
        # StdinNotImplementedError, a subclass).
        say(f"\nNo answer (no input can be read): taken as no. Set {ASSUME_YES}=1 to agree.")
        return False
    if inspect.isbuiltin(reader) and not sys.stdin.isatty():
        say(answer.strip())  # an answer piped to the plain input() is not echoed: show it
    return answer.strip().lower() in ("y", "yes")
