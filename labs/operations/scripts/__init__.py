"""Scripts the operations labs ship to SageMaker AI containers (training and inference).

Each folder below this package is a ``source_dir``: a script-mode job or model uploads the
whole folder, and the container runs the named file in it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["folder"]

_HERE = Path(__file__).resolve().parent


def folder(name: str) -> Path:
    """The source folder ``name`` (e.g. ``"sklearn_churn"``); ``ValueError`` if unknown."""
    path = _HERE / name
    if not path.is_dir() or name.startswith(("_", ".")):
        known = sorted(p.name for p in _HERE.iterdir() if p.is_dir() and p.name[0] not in "_.")
        raise ValueError(f"no script folder {name!r}; the kit ships: {', '.join(known)}")
    return path
