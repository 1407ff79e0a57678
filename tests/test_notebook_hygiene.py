"""Every notebook under notebooks/ is committed clean and describes itself.

Rules checked for each ``.ipynb``:

- valid nbformat 4, committed without outputs, execution counts or execution timings;

and for each lab (every notebook except the practice notebooks that
:data:`labs.curriculum.PRACTICE_NOTEBOOKS` lists, which are tools rather than labs):

- ``metadata["labs"]`` passes :func:`labs.curriculum.validate`: an id equal to the file
  name, a title, the series of its folder, a non-empty list of valid task ids, minutes;
- the notebook sits where the curriculum finds it (top of notebooks/ or a series folder);
- the first code cell calls ``labs.start(``;
- the last code cell is a cleanup cell. The rule: it has a comment line that says
  "clean up", "clean-up" or "cleanup" (any case), or it calls a function whose name
  contains "cleanup" (``lab.cleanup()``, ``cleanup_endpoints(...)``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from labs import curriculum

NOTEBOOKS = sorted(
    p for p in curriculum.NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
)
PRACTICE = [p for p in NOTEBOOKS if p in curriculum.practice_notebooks()]
LABS = [p for p in NOTEBOOKS if p not in PRACTICE]
CLEANUP_COMMENT = re.compile(r"^\s*#.*\bclean[- ]?up", re.IGNORECASE | re.MULTILINE)
CLEANUP_CALL = re.compile(r"\w*cleanup\w*\s*\(", re.IGNORECASE)


def _id(path: Path) -> str:
    return path.relative_to(curriculum.NOTEBOOKS_DIR).as_posix()


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def is_cleanup_cell(source: str) -> bool:
    """The cleanup-cell rule of this module's docstring."""
    return bool(CLEANUP_COMMENT.search(source) or CLEANUP_CALL.search(source))


def test_there_are_notebooks():
    assert NOTEBOOKS, f"no notebooks found under {curriculum.NOTEBOOKS_DIR}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_valid_and_committed_without_outputs(path):
    nb = _read(path)
    nbformat.validate(nb)
    dirty = [
        f"cell {i + 1}"
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and (cell.outputs or cell.execution_count is not None or "execution" in cell.metadata)
    ]
    assert not dirty, f"clear outputs before committing ({', '.join(dirty)} ran)"


@pytest.mark.parametrize("path", LABS, ids=_id)
def test_labs_metadata(path):
    info = curriculum.load_info(path)
    assert curriculum.validate(info) == []
    assert info.id == path.stem
    assert info.title.strip()
    assert info.tasks


@pytest.mark.parametrize("path", LABS, ids=_id)
def test_in_the_curriculum(path):
    assert path in [info.path for info in curriculum.notebooks()], (
        "put notebooks at the top of notebooks/ or in a series folder such as 04-modeling/"
    )
    assert path.stem in curriculum.LAB_PLAN, "name the notebook by its id in LAB_PLAN"
    series = curriculum.load_info(path).series
    assert path.stem.startswith(series), f"{path.stem} belongs to series {series}"


@pytest.mark.parametrize("path", LABS, ids=_id)
def test_starts_with_labs_start(path):
    cells = _code_cells(_read(path))
    assert cells, "a lab has code cells"
    assert "labs.start(" in cells[0].source, "the first code cell must call labs.start()"


@pytest.mark.parametrize("path", LABS, ids=_id)
def test_ends_with_a_cleanup_cell(path):
    cells = _code_cells(_read(path))
    assert cells and is_cleanup_cell(cells[-1].source), (
        "the last code cell must clean up: a '# Clean up ...' comment or a cleanup call"
    )


def test_practice_notebooks_sit_outside_the_curriculum():
    assert curriculum.practice_notebooks() == PRACTICE
    assert [p.stem for p in PRACTICE] == sorted(curriculum.PRACTICE_NOTEBOOKS)
    labs_found = {info.path for info in curriculum.notebooks()}
    for path in PRACTICE:
        assert path.parent == curriculum.NOTEBOOKS_DIR, "practice notebooks sit at the top"
        assert path not in labs_found, "a practice notebook is not a lab of the curriculum"
        assert path.stem not in curriculum.LAB_PLAN


def test_a_stray_notebook_is_still_a_lab(tmp_path, monkeypatch):
    """Only the listed practice notebooks are exempt from the lab rules."""
    monkeypatch.setattr(curriculum, "NOTEBOOKS_DIR", tmp_path)
    for stem in ("exam-practice", "scratch"):
        nbformat.write(nbformat.v4.new_notebook(), tmp_path / f"{stem}.ipynb")
    assert [p.stem for p in curriculum.practice_notebooks()] == ["exam-practice"]
    assert [info.id for info in curriculum.notebooks()] == ["scratch"]


def test_validate_reports_metadata_problems(tmp_path):
    path = tmp_path / "05-operations" / "02-monitor.ipynb"
    path.parent.mkdir()
    nb = nbformat.v4.new_notebook()
    nbformat.write(nb, path)
    assert curriculum.validate(curriculum.load_info(path)) == [
        'no "labs" metadata (metadata["labs"] with id, title, series, tasks, minutes)'
    ]
    nb.metadata["labs"] = {"id": "02-monitoring", "series": "05", "tasks": ["MLS 4.4", "MLA 5.1"]}
    nbformat.write(nb, path)
    problems = curriculum.validate(curriculum.load_info(path))
    assert "\"id\" is '02-monitoring' but the file is '02-monitor.ipynb'" in problems
    assert 'missing "title"' in problems
    assert "unknown task id 'MLA 5.1'" in problems
    assert '"minutes" must be a positive number' in problems
    assert len(problems) == 4


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Clean up: delete what this notebook created\ns3.delete_object(...)", True),
        ("# cleanup\npass", True),
        ("lab.cleanup()", True),
        ("cleanup_endpoints(sm)", True),
        ("print('done')", False),
        ("x = 'clean up'  # not a comment line", False),
    ],
)
def test_the_cleanup_rule(source, expected):
    assert is_cleanup_cell(source) is expected
