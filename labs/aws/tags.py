"""The tags every resource the kit creates carries, and where they come from.

Two tags mark a kit resource:

- ``labs:kit``: the kit's version (``"true"`` when it cannot be read). ``labs cleanup``
  deletes only resources that carry this key, so a resource without it is never touched.
- ``labs:notebook``: the notebook that made the resource, so that a notebook's cleanup
  cell (``lab.cleanup()``) deletes what that notebook made and nothing else.

Notebooks pass ``Tags=lab.tags()`` to the calls that create resources, in both modes. In
aws mode the kit also adds both tags to every SageMaker ``Create*`` call that takes tags
and lacks them (:func:`install_auto_tags`), so a forgotten ``Tags=`` still leaves a
resource ``labs cleanup`` can find.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import botocore.handlers

KIT_TAG = "labs:kit"
NOTEBOOK_TAG = "labs:notebook"
UNKNOWN_NOTEBOOK = "unknown"
# Characters AWS allows in tag values across services; anything else becomes "-".
_NOT_ALLOWED = re.compile(r"[^\w .:/=+\-@]")
_MAX_VALUE = 256
_EVENT = "before-parameter-build.sagemaker"


def kit_version() -> str:
    """The installed kit's version, or ``"true"`` when the package metadata is missing."""
    from importlib import metadata

    try:
        return metadata.version("labs")
    except metadata.PackageNotFoundError:
        return "true"


def clean_value(text: str) -> str:
    """``text`` made acceptable as an AWS tag value (allowed characters, at most 256)."""
    cleaned = _NOT_ALLOWED.sub("-", text.strip())
    return cleaned[:_MAX_VALUE] or UNKNOWN_NOTEBOOK


def notebook_name() -> str:
    """The running notebook's name (file name without ``.ipynb``), or ``"unknown"``.

    Looked up, in order: ``LABS_NOTEBOOK`` (set it to name a script's resources),
    ``JPY_SESSION_NAME`` (set by Jupyter Server for each kernel it starts from a
    notebook), the notebook path VS Code puts in the kernel (``__vsc_ipynb_file__``) or
    ipykernel's ``__session__``.
    """
    for name in ("LABS_NOTEBOOK", "JPY_SESSION_NAME"):
        value = os.environ.get(name, "").strip()
        if value:
            return clean_value(Path(value).stem if value.endswith(".ipynb") else value)
    for value in _kernel_paths():
        if value:
            return clean_value(Path(value).stem)
    return UNKNOWN_NOTEBOOK


def _kernel_paths() -> list[str]:
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    if shell is None:
        return []
    names = ("__vsc_ipynb_file__", "__session__")
    return [str(shell.user_ns.get(name) or "") for name in names]


def kit_tags(notebook: str | None = None) -> list[dict[str, str]]:
    """The kit's tags in boto3's ``Tags=[{"Key": ..., "Value": ...}]`` form."""
    return [
        {"Key": KIT_TAG, "Value": kit_version()},
        {"Key": NOTEBOOK_TAG, "Value": clean_value(notebook) if notebook else notebook_name()},
    ]


def as_dict(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> dict[str, str]:
    """Tags as a plain ``{key: value}`` dict, from boto3's list form or a dict."""
    if not tags:
        return {}
    if isinstance(tags, Mapping):
        return dict(tags)
    return {t["Key"]: t.get("Value", "") for t in tags}


def is_kit_resource(tags: Iterable[Mapping[str, str]] | Mapping[str, str] | None) -> bool:
    """True when the tags mark a resource the kit created (the ``labs:kit`` key is there)."""
    return KIT_TAG in as_dict(tags)


def with_kit_tags(
    tags: list[dict[str, str]] | None, wanted: list[dict[str, str]]
) -> list[dict[str, str]]:
    """``tags`` plus every tag of ``wanted`` whose key is not there yet (theirs win)."""
    present = {t["Key"] for t in tags or []}
    return list(tags or []) + [t for t in wanted if t["Key"] not in present]


def _tag_sagemaker_creates(params: dict[str, Any], model: Any, **_: Any) -> None:
    """botocore handler: add the kit's tags to a SageMaker ``Create*`` call that takes tags."""
    if not model.name.startswith("Create"):
        return
    shape = model.input_shape
    if shape is None or "Tags" not in shape.members:
        return
    params["Tags"] = with_kit_tags(params.get("Tags"), kit_tags())


def install_auto_tags(session: Any) -> None:
    """Tag every SageMaker resource created from now on in this process (aws mode).

    Registers the handler on ``session`` (a ``boto3.Session`` made before this call) and in
    botocore's built-in handlers, which every session created later starts with (boto3's
    default session, the SageMaker SDK's own sessions, a learner's ``boto3.client``).
    """
    session.events.register(_EVENT, _tag_sagemaker_creates, unique_id="labs-kit-tags")
    entry = (_EVENT, _tag_sagemaker_creates)
    if entry not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(entry)


def auto_tags_installed() -> bool:
    """True when :func:`install_auto_tags` has run in this process."""
    return (_EVENT, _tag_sagemaker_creates) in botocore.handlers.BUILTIN_HANDLERS
