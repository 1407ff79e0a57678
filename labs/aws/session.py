"""The learner's AWS session for the ``labs aws`` and ``labs cleanup`` commands.

The same rules as ``labs.start(mode="aws")``: the learner's own credentials and region, and
never a local endpoint (``AWS_ENDPOINT_URL``) unless the test-only override
``LABS_ALLOW_ENDPOINT_OVERRIDE=1`` is set.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labs.errors import LabsError

if TYPE_CHECKING:
    import boto3

STACK_NAME = "labs-kit"


class AccountError(LabsError):
    """Credentials, region or account cannot be used; the message says what to do."""


@dataclass(frozen=True)
class Account:
    """A boto3 session on the learner's account, with its region and identity."""

    session: boto3.Session
    region: str
    account: str
    arn: str

    def client(self, name: str) -> Any:
        """A client for service ``name`` in the account's region."""
        return self.session.client(name, region_name=self.region)


def error_text(error: Exception) -> str:
    """A short, readable reason for an AWS error (code and message, no HTML, one line)."""
    from botocore.exceptions import ClientError

    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        code, message = str(info.get("Code", "Error")), str(info.get("Message", error))
    else:
        code, message = type(error).__name__, str(error)
    message = " ".join(re.sub(r"<[^>]+>", " ", message).split())
    if len(message) > 160:
        message = message[:157] + "..."
    return f"{code}: {message}" if message else code


@contextlib.contextmanager
def aws_errors_explained() -> Iterator[None]:
    """Turn an AWS error a command did not expect (AccessDenied, a throttle, no network)
    into one :class:`AccountError` line instead of a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise AccountError(
            f"AWS answered with an error: {error_text(error)}. If it is AccessDenied, the "
            "identity you run as lacks that permission."
        ) from None


def stack_name() -> str:
    """The kit's stack name: ``labs-kit``, or ``LABS_STACK`` when set."""
    return os.environ.get("LABS_STACK") or STACK_NAME


def connect(region: str | None = None) -> Account:
    """Open a session on the learner's account, or raise :class:`AccountError` with the fix."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    if "AWS_ENDPOINT_URL" in os.environ and os.environ.get("LABS_ALLOW_ENDPOINT_OVERRIDE") != "1":
        raise AccountError(
            "AWS_ENDPOINT_URL is set, so AWS clients would not reach your real account. "
            "Unset it and run the command again."
        )
    chosen = region or os.environ.get("LABS_REGION") or os.environ.get("AWS_REGION") or None
    try:
        session = boto3.Session(region_name=chosen)
        credentials = session.get_credentials()
    except BotoCoreError as error:
        raise AccountError(f"Your AWS configuration could not be read: {error}") from None
    if credentials is None:
        raise AccountError(
            "No AWS credentials were found. Configure them with `aws configure` or "
            "`aws sso login` (or set AWS_PROFILE), then run the command again."
        )
    if not session.region_name:
        raise AccountError(
            "No AWS region is set: pass --region, set AWS_REGION (for example us-east-1), or "
            "add `region` to your AWS profile."
        )
    try:
        identity = session.client("sts").get_caller_identity()
    except (BotoCoreError, ClientError) as error:
        raise AccountError(
            f"Your AWS credentials could not be used: {error}. If they expired, sign in "
            "again (`aws sso login`) or renew them."
        ) from None
    return Account(session, session.region_name, identity["Account"], identity["Arn"])
