"""``/opt/ml`` inside a temporary root: mapping container paths and unpacking source bundles.

A local job runs in a folder that stands in for the container's ``/opt/ml``. Paths that
the request names (a processing input's ``LocalPath``, a checkpoint ``LocalPath``, a path
in ``ContainerArguments``) are mapped into that folder; the learner's own files are never
rewritten.
"""

from __future__ import annotations

import re
import shutil
import tarfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

OPT_ML = "/opt/ml"

# "/opt/ml" as a path of its own: not inside a longer word ("/opt/mlflow", "x/opt/ml").
_OPT_ML_PATTERN = re.compile(r"(?<![\w.\-/])/opt/ml(?![\w.\-])")


def to_local(root: Path, container_path: str) -> Path:
    """The folder under ``root`` that stands for ``container_path`` (an ``/opt/ml`` path).

    ``/opt/ml`` itself maps to ``root``, ``/opt/ml/processing/input`` to
    ``root/processing/input``. Raises ``ValueError`` for a path outside ``/opt/ml``
    (SageMaker rejects those too, for processing inputs and outputs).
    """
    path = PurePosixPath(container_path)
    try:
        relative = path.relative_to(OPT_ML)
    except ValueError:
        raise ValueError(
            f"{container_path!r} is not under {OPT_ML}/: the local runtime maps only "
            f"{OPT_ML}/... paths into the job's folder."
        ) from None
    if ".." in relative.parts:
        raise ValueError(f"{container_path!r} leaves {OPT_ML}/")
    return root.joinpath(*relative.parts)


def rewrite(text: str, root: Path) -> str:
    """``text`` with every ``/opt/ml`` path prefix replaced by ``root``.

    Used for ``ContainerEntrypoint`` and ``ContainerArguments`` only, e.g.
    ``--input-data=/opt/ml/processing/input`` becomes ``--input-data=<root>/processing/input``.
    """
    return _OPT_ML_PATTERN.sub(lambda _: root.as_posix(), text)


def rewrite_all(items: Iterable[str], root: Path) -> list[str]:
    """:func:`rewrite` applied to each item."""
    return [rewrite(str(item), root) for item in items]


def extract_tarball(archive: Path, destination: Path) -> list[Path]:
    """Unpack a ``.tar.gz`` (such as ``sourcedir.tar.gz``) into ``destination``.

    Members that would land outside ``destination`` (absolute paths, ``..``, links out)
    are refused, as the ``data`` extraction filter does. Returns the top-level entries.
    """
    destination.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:*") as bundle:
        bundle.extractall(destination, filter="data")
        members = [member.name for member in bundle.getmembers() if member.name]
    names = {PurePosixPath(name).parts[0] for name in members if PurePosixPath(name).parts}
    return sorted(destination / name for name in names if name not in (".", ""))


def copy_tree(source: Path, destination: Path) -> None:
    """Copy the contents of folder ``source`` into ``destination`` (created if missing)."""
    destination.mkdir(parents=True, exist_ok=True)
    if source.resolve() == destination.resolve():
        return
    shutil.copytree(source, destination, dirs_exist_ok=True, symlinks=True)


def files_under(folder: Path | None) -> list[Path]:
    """Every regular file below ``folder`` (recursively), sorted; empty if it is absent."""
    if folder is None or not folder.is_dir():
        return []
    return sorted(path for path in folder.rglob("*") if path.is_file())
