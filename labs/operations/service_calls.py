"""Call an AWS AI service and say plainly what came back, in both modes.

The local AWS (moto) implements a few operations of the AI services, but it does not
analyse anything: it returns a fixed answer whatever the input, or records a job. A lab
that calls them must say so. :func:`try_call` runs one call, never raises for an AWS error
(an unimplemented operation is an error too), and :meth:`CallReport.show` prints the call,
the answer and, in local mode, what the local AWS really did.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["CallReport", "try_call"]


@dataclass
class CallReport:
    """One call: what was asked, what came back (or the error), and the local note."""

    service: str
    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None
    error: str | None
    local_note: str | None

    @property
    def ok(self) -> bool:
        """True when the call returned an answer."""
        return self.error is None

    def call_text(self, width: int = 60) -> str:
        """The call as code, long values shortened."""

        def short(value: Any) -> str:
            text = repr(value) if not isinstance(value, bytes) else f"<{len(value)} bytes>"
            return text if len(text) <= width else text[: width - 3] + "..."

        args = ", ".join(f"{k}={short(v)}" for k, v in self.params.items())
        return f"{self.service}.{self.operation}({args})"

    def show(self, keys: tuple[str, ...] | None = None, width: int = 300) -> None:
        """Print the call, the answer (only ``keys`` of it, if given) and the local note."""
        print(self.call_text())
        if self.error is not None:
            print(f"  -> error: {self.error}")
        else:
            answer = self.response or {}
            if keys is not None:
                answer = {k: answer[k] for k in keys if k in answer}
            text = json.dumps(answer, default=_jsonable)
            print("  -> " + (text if len(text) <= width else text[: width - 3] + "..."))
        if self.local_note:
            print(f"  [local AWS] {self.local_note}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if hasattr(value, "read"):
        return "<stream>"
    return str(value)


def try_call(
    lab: Any, service: str, operation: str, *, local_note: str | None = None, **params: Any
) -> CallReport:
    """Call ``operation`` (snake_case) of ``service`` with ``params``.

    ``local_note`` says what the local AWS does with this call ("moto returns a fixed
    answer ..."); it is shown in local mode only. AWS errors, including an operation the
    local AWS does not implement, come back in ``error`` rather than raised.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    client = lab.client(service)
    try:
        response = getattr(client, operation)(**params)
        response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        error = None
    except ClientError as problem:
        info = problem.response.get("Error", {})
        status = problem.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if lab.mode == "local" and status == 500:
            message = "the local AWS does not implement this operation"
        else:
            message = f"{info.get('Code', 'Error')}: {info.get('Message', '')}".strip()
        response, error = None, message
    except BotoCoreError as problem:
        response, error = None, str(problem)
    note = local_note if lab.mode == "local" else None
    return CallReport(service, operation, dict(params), response, error, note)
