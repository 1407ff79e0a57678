"""Turn what a container would execute into a local command line.

- ``python``/``python3``/``python3.X`` (any directory) becomes the kit's interpreter
  (``sys.executable``): the framework images' Python is stood in for by the kit's own
  environment, which has scikit-learn, XGBoost and TensorFlow.
- A ``bin`` folder of shims goes first on ``PATH`` (POSIX): ``python``/``python3`` run the
  kit's interpreter, ``pip``/``pip3`` install nothing (local mode installs nothing and
  never goes online) and say so.
- The SDK's generated shell scripts are recognised and their steps done here, in Python,
  rather than run: ``sm_train.sh`` (SDK v3 ``ModelTrainer``) and ``runproc.sh`` (SDK v3
  ``FrameworkProcessor``). They hard-code ``/opt/ml`` and call ``pip``; see
  :mod:`labs.runtime.containers` for why.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from labs.runtime import container_paths

_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_SHELLS = {"bash", "sh"}
_RUNPROC_LAST = re.compile(r'^(?P<command>.+?)\s+(?P<script>\S+)\s+"\$@"\s*$')


@dataclass(frozen=True)
class RunprocSteps:
    """What an SDK-generated ``runproc.sh`` (FrameworkProcessor) does."""

    code_dir: str
    command: list[str]
    script: str


def is_python(program: str) -> bool:
    """True for ``python``, ``python3``, ``/usr/bin/python3.10`` and the like."""
    return bool(_PYTHON.match(PurePosixPath(program).name))


def is_shell(program: str) -> bool:
    """True for ``bash``, ``/bin/bash``, ``sh``, ``/bin/sh``."""
    return PurePosixPath(program).name in _SHELLS


def localize(argv: list[str]) -> list[str]:
    """``argv`` with a Python interpreter in first place replaced by ``sys.executable``."""
    if argv and is_python(argv[0]):
        return [sys.executable, *argv[1:]]
    return list(argv)


def shell() -> str:
    """The shell for shell commands: ``bash`` when there is one, else ``/bin/sh``."""
    return shutil.which("bash") or "/bin/sh"


def mentions_sm_train(argv: list[str]) -> bool:
    """True when the command runs the SDK v3 driver script ``sm_drivers/sm_train.sh``."""
    return any("sm_drivers/sm_train.sh" in part for part in argv)


def parse_runproc(script: Path) -> RunprocSteps | None:
    """The steps of an SDK-generated ``runproc.sh``, or ``None`` for any other script.

    The generated script changes to the code folder, unpacks ``sourcedir.tar.gz``, installs
    ``requirements.txt`` if present, and ends with ``<command> <script> "$@"``. A script with
    an embedded custom entry point (or anything else) is not recognised.
    """
    try:
        text = script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if "sourcedir.tar.gz" not in text or not lines or "# Execute custom entrypoint" in text:
        return None
    code_dir = next(
        (line[3:].strip() for line in lines if line.startswith("cd /opt/ml/processing/")),
        None,
    )
    match = _RUNPROC_LAST.match(lines[-1])
    if code_dir is None or match is None:
        return None
    return RunprocSteps(
        code_dir=code_dir, command=shlex.split(match["command"]), script=match["script"]
    )


def write_shims(folder: Path) -> Path | None:
    """Create the ``python``/``python3``/``pip``/``pip3`` shims in ``folder``; return it.

    Returns ``None`` on Windows (no shims: commands there must name Python explicitly).
    """
    if os.name == "nt":
        return None
    folder.mkdir(parents=True, exist_ok=True)
    python = f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n'
    pip = (
        "#!/bin/sh\n"
        "echo \"labs: pip $* skipped: local mode installs nothing; the kit's environment "
        'already has scikit-learn, XGBoost, TensorFlow, pandas and numpy." >&2\n'
        "exit 0\n"
    )
    for name, body in (("python", python), ("python3", python), ("pip", pip), ("pip3", pip)):
        path = folder / name
        path.write_text(body, encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def unpack_sources(folder: Path, log: Callable[[str], None]) -> None:
    """Unpack ``sourcedir.tar.gz`` (or a single ``*.tar.gz``) found in ``folder`` in place."""
    archive = folder / "sourcedir.tar.gz"
    if not archive.is_file():
        bundles = sorted(folder.glob("*.tar.gz"))
        if len(bundles) != 1:
            return
        archive = bundles[0]
    container_paths.extract_tarball(archive, folder)
    log(f"labs: unpacked {archive.name} into {folder}")
