"""Importing the learner's inference script in-process, one isolated module per model.

The script is trusted learner code running in the learner's own kernel, so it is
imported, not sandboxed. Isolation is about names: two endpoints whose ``inference.py``
differ must not share a module. Each import gets a unique module name
(``labs_serving_user_<n>_inference``); the code folder is on ``sys.path`` only while the
script is imported (so ``import utils`` next to it works), and sibling modules it
imported from that folder are taken out of ``sys.modules`` afterwards (the script keeps
its references), so another endpoint's ``utils.py`` is imported afresh.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import sys
import threading
from pathlib import Path
from types import ModuleType

from labs.runtime.serving.artifacts import EntryPoint
from labs.runtime.serving.errors import ModelLoadError, describe

_counter = itertools.count(1)
_import_lock = threading.Lock()


def import_entry_point(entry: EntryPoint) -> ModuleType:
    """Import ``entry.script`` under a unique name; ModelLoadError if it fails to import."""
    stem = "".join(c if c.isalnum() else "_" for c in entry.script.stem)
    name = f"labs_serving_user_{next(_counter)}_{stem}"
    spec = importlib.util.spec_from_file_location(name, entry.script)
    if spec is None or spec.loader is None:
        raise ModelLoadError(f"Cannot import {entry.name}: not a Python file.")
    module = importlib.util.module_from_spec(spec)
    folder = str(entry.code_dir.resolve())
    with _import_lock:
        before = set(sys.modules)
        sys.modules[name] = module  # pickle and dataclasses look classes up by module name
        sys.path.insert(0, folder)
        try:
            spec.loader.exec_module(module)
        except (Exception, SystemExit) as error:  # argparse at import time exits
            sys.modules.pop(name, None)
            raise ModelLoadError(
                f"Failed to import the inference script {entry.name}: "
                f"{describe(error, entry.code_dir)}"
            ) from None
        finally:
            _remove_path(folder)
            _forget_siblings(before, Path(folder))
    return module


def forget(module: ModuleType | None) -> None:
    """Take an imported script out of ``sys.modules`` (when its server stops)."""
    if module is not None:
        sys.modules.pop(module.__name__, None)


def _remove_path(folder: str) -> None:
    with contextlib.suppress(ValueError):
        sys.path.remove(folder)


def _forget_siblings(before: set[str], folder: Path) -> None:
    for added in set(sys.modules) - before:
        if added.startswith("labs_serving_user_"):
            continue
        origin = getattr(sys.modules.get(added), "__file__", None)
        if origin and _inside(Path(origin), folder):
            sys.modules.pop(added, None)


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except (ValueError, OSError):
        return False
    return True
