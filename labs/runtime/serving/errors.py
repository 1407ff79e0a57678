"""The two ways serving goes wrong: a model that cannot load, and a request that fails.

- :class:`ModelLoadError` is raised by :meth:`ModelServer.start` when the container would
  never pass its ``/ping`` health check (no model file, a ``model_fn`` that raises, an
  image the kit cannot serve). Its text is worded for a learner.
- :class:`InferenceError` is raised by a handler for one request; the server answers it
  with its status code and body, and keeps serving.
"""

from __future__ import annotations

import traceback
from pathlib import Path


class ModelLoadError(Exception):
    """The model cannot be loaded, so the endpoint would fail its health check."""


class InferenceError(Exception):
    """A request the container answers with an error status (4xx or 5xx) and a message."""

    def __init__(self, status: int, message: str, content_type: str = "text/plain") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.content_type = content_type

    @property
    def body(self) -> bytes:
        """The response body."""
        return self.message.encode("utf-8")


def user_frame(error: BaseException, code_dir: Path | None) -> str:
    """Where in the learner's code ``error`` was raised: ``" (inference.py, line 12, in
    model_fn)"``, or ``""`` when no frame of the traceback is in ``code_dir``."""
    if code_dir is None:
        return ""
    root = str(Path(code_dir).resolve())
    found = ""
    for frame in traceback.extract_tb(error.__traceback__):
        try:
            path = Path(frame.filename).resolve()
        except OSError:
            continue
        if str(path).startswith(root):
            found = f" ({path.name}, line {frame.lineno}, in {frame.name})"
    return found


def describe(error: BaseException, code_dir: Path | None = None) -> str:
    """``"ValueError: bad input (inference.py, line 3, in input_fn)"``: the traceback's
    last line, and the innermost frame of the learner's code when there is one."""
    text = str(error).strip()
    name = type(error).__name__
    head = f"{name}: {text}" if text else name
    return head + user_frame(error, code_dir)


_PACKAGE = Path(__file__).resolve().parent


def short_traceback(error: BaseException, limit: int = 12) -> str:
    """``error``'s traceback without the kit's own serving frames, at most ``limit`` lines
    from its end: what the learner's code and the libraries it called did."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not _in_package(frame.filename)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(error), error)
    text = "".join(lines).rstrip().splitlines()
    return "\n".join(text[-limit:])


def _in_package(filename: str) -> bool:
    try:
        Path(filename).resolve().relative_to(_PACKAGE)
    except (ValueError, OSError):
        return False
    return True
