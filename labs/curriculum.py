"""The curriculum: the notebooks under ``notebooks/``, in the order a learner takes them.

``notebooks/00-start-here.ipynb`` comes first, then one folder per series, each in file
name order::

    01-data-engineering/  02-exploratory-analysis/  03-feature-engineering/
    04-modeling/          05-operations/

Every notebook carries its description in ``metadata["labs"]``::

    {"id": "00-start-here", "title": "Start here: how the kit works", "series": "00",
     "tasks": ["MLS 1.1", "MLA 1.1"], "minutes": 2}

``id`` is the file name without ``.ipynb``; ``series`` is the two-digit prefix of the
notebook's series folder (``"00"`` for notebooks at the top of ``notebooks/``); ``tasks``
are exam task-statement ids from :mod:`labs.exam.blueprints`.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import labs
from labs.errors import LabsError
from labs.exam import blueprints

__all__ = [
    "LAB_PLAN",
    "NOTEBOOKS_DIR",
    "PRACTICE_NOTEBOOKS",
    "REPO_ROOT",
    "SERIES",
    "NotebookInfo",
    "exercise_module",
    "find",
    "load_info",
    "notebooks",
    "practice_notebooks",
    "validate",
]

REPO_ROOT = Path(labs.__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

#: Series number -> (folder, title), in curriculum order. "00" is the top of notebooks/.
SERIES: dict[str, tuple[str, str]] = {
    "00": ("", "Start here"),
    "01": ("01-data-engineering", "Data engineering"),
    "02": ("02-exploratory-analysis", "Exploratory data analysis"),
    "03": ("03-feature-engineering", "Feature engineering"),
    "04": ("04-modeling", "Modeling"),
    "05": ("05-operations", "ML operations"),
}


#: Every lab of the curriculum by id (the notebook's file name without ``.ipynb``), written
#: or still planned, with its title. Questions and hints name the lab that teaches a topic
#: by these ids, so the ids are fixed here before the notebooks exist; a notebook's
#: ``metadata["labs"]["id"]`` must be one of them.
LAB_PLAN: dict[str, str] = {
    "00-start-here": "Start here: how the kit works",
    "01-1-data-repositories": "Data repositories: an S3 data lake, storage and input modes",
    "01-2-ingestion-and-formats": "Batch ingestion and formats: CSV, JSON Lines, Parquet, RecordIO",
    "01-3-streaming-ingestion": "Streaming ingestion: Kinesis Data Streams, Firehose, Flink",
    "01-4-transformation-and-orchestration": "Transformation and orchestration: ETL, Processing",
    "02-1-profiling-and-visualisation": "Profiling and visualisation",
    "02-2-cleaning": "Cleaning: missing, corrupt, duplicate and outlying values",
    "02-3-labels-and-bias": "Labels and bias: labelling, imbalance, pre-training bias",
    "02-4-clustering-for-eda": "Clustering for exploratory analysis",
    "03-1-numeric-features": "Numeric features: scaling, transforms, binning",
    "03-2-categorical-and-time-features": "Categorical and time features",
    "03-3-text-speech-image-features": "Text, speech and image features",
    "03-4-dimensionality-reduction": "Dimensionality reduction and feature selection",
    "03-5-imbalance-and-augmentation": "Imbalance and augmentation",
    "04-1-framing-the-problem": "Framing the problem and choosing an algorithm",
    "04-2-training-on-sagemaker": "Training on SageMaker: XGBoost and Linear Learner",
    "04-3-evaluation": "Evaluation: metrics, thresholds, curves, cross-validation",
    "04-4-hyperparameter-tuning": "Hyperparameter tuning and regularisation",
    "04-5-deep-learning": "Deep learning with TensorFlow",
    "04-6-unsupervised-and-anomalies": "Unsupervised learning and anomaly detection",
    "04-7-forecasting": "Forecasting",
    "04-8-text-recommendations-foundation-models": "Text, recommendations and foundation models",
    "05-1-real-time-endpoints": "Real-time endpoints and inference options",
    "05-2-batch-transform": "Batch transform",
    "05-3-ab-tests-and-scaling": "A/B tests and autoscaling",
    "05-4-monitoring": "Monitoring: data capture, Model Monitor, drift, Clarify",
    "05-5-security": "Security: IAM, KMS, VPC, PII",
    "05-6-mlops": "MLOps: Pipelines, Model Registry, retraining",
    "05-7-choosing-ai-services": "Choosing AI services",
}


#: Notebooks at the top of ``notebooks/`` that are not labs but practice tools a learner
#: opens at any time, by file stem with a title. They are not part of the curriculum (no
#: ``labs.start()``, no lab metadata, not in ``labs list`` or ``labs run --all``); the
#: rules for every notebook (valid, committed without outputs) still apply to them.
PRACTICE_NOTEBOOKS: dict[str, str] = {
    "exam-practice": "Exam practice: a drill and your readiness plot",
}


@dataclass(frozen=True)
class NotebookInfo:
    """One lab notebook as the curriculum knows it.

    ``metadata`` is the raw ``metadata["labs"]`` dict (``None`` when the notebook has none,
    in which case ``id`` and ``title`` fall back to the file stem); ``read_error`` says why
    the file could not be read, if it could not.
    """

    path: Path
    id: str
    title: str
    series: str
    tasks: tuple[str, ...] = ()
    minutes: float | None = None
    metadata: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    read_error: str | None = field(default=None, repr=False, compare=False)

    @property
    def exercise_module(self) -> str:
        """The :mod:`labs.exercises` module of this notebook, e.g. ``"start_here"``."""
        return exercise_module(self.id)


def exercise_module(notebook_id: str) -> str:
    """``"00-start-here"`` -> ``"start_here"``, ``"04-2-training-on-sagemaker"`` ->
    ``"training_on_sagemaker"``: drop the leading numbers, dashes to underscores."""
    return re.sub(r"^\d+(?:[-_]\d+)*[-_]*", "", notebook_id).replace("-", "_")


def _series_of(path: Path) -> str:
    """The series a notebook belongs to by its folder ("" when outside the curriculum)."""
    try:
        rel = path.resolve().relative_to(NOTEBOOKS_DIR.resolve())
    except ValueError:
        return ""
    if len(rel.parts) == 1:
        return "00"
    match = re.match(r"(\d+)-", rel.parts[0])
    return match.group(1) if match else ""


def load_info(path: str | Path) -> NotebookInfo:
    """Read one notebook's ``labs`` metadata. Any ``.ipynb`` path works, in or out of the kit."""
    path = Path(path)
    stem = path.name.removesuffix(".ipynb")
    folder_series = _series_of(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        meta = doc.get("metadata", {}).get("labs") if isinstance(doc, dict) else None
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as error:
        return NotebookInfo(path, stem, stem, folder_series, read_error=str(error))
    if not isinstance(meta, dict):
        return NotebookInfo(path, stem, stem, folder_series)
    tasks = meta.get("tasks")
    minutes = meta.get("minutes")
    return NotebookInfo(
        path=path,
        id=str(meta.get("id") or stem),
        title=str(meta.get("title") or stem),
        series=str(meta.get("series") or folder_series),
        tasks=tuple(str(t) for t in tasks) if isinstance(tasks, list) else (),
        minutes=minutes
        if isinstance(minutes, int | float) and not isinstance(minutes, bool)
        else None,
        metadata=meta,
    )


def _notebook_paths() -> list[Path]:
    if not NOTEBOOKS_DIR.is_dir():
        return []
    paths = sorted(p for p in NOTEBOOKS_DIR.glob("*.ipynb") if p.stem not in PRACTICE_NOTEBOOKS)
    folders = [NOTEBOOKS_DIR / folder for folder, _ in SERIES.values() if folder]
    # Series folders added later but not yet listed in SERIES still count, after the known ones.
    folders += sorted(
        p
        for p in NOTEBOOKS_DIR.iterdir()
        if p.is_dir() and re.match(r"\d+-", p.name) and p not in folders
    )
    for folder in folders:
        if folder.is_dir():
            paths += sorted(p for p in folder.glob("*.ipynb") if p.is_file())
    return paths


def practice_notebooks() -> list[Path]:
    """The practice notebooks (:data:`PRACTICE_NOTEBOOKS`) that exist, in name order."""
    return [
        NOTEBOOKS_DIR / f"{stem}.ipynb"
        for stem in sorted(PRACTICE_NOTEBOOKS)
        if (NOTEBOOKS_DIR / f"{stem}.ipynb").is_file()
    ]


def notebooks() -> list[NotebookInfo]:
    """Every notebook of the curriculum, in order."""
    return [load_info(p) for p in _notebook_paths()]


def find(name_or_path: str | Path) -> NotebookInfo:
    """The notebook named by an id (``"00-start-here"``), a file name, or a path.

    An existing ``.ipynb`` path is accepted even outside ``notebooks/``. A unique id prefix
    (``"00"``) also works. Raises :class:`LabsError` listing the known ids and the closest
    match when nothing fits.
    """
    text = str(name_or_path).strip()
    as_path = Path(text).expanduser()
    if as_path.suffix == ".ipynb" and as_path.is_file():
        return load_info(as_path)
    known = notebooks()
    key = text.rstrip("/").removesuffix(".ipynb")
    for info in known:
        rel = info.path.relative_to(NOTEBOOKS_DIR).as_posix().removesuffix(".ipynb")
        if key in (info.id, info.path.stem, rel, f"notebooks/{rel}"):
            return info
    starting = [info for info in known if info.id.startswith(key)] if key else []
    if len(starting) == 1:
        return starting[0]
    ids = [info.id for info in known]
    message = f"No notebook called {text!r}."
    if len(starting) > 1:
        message += f" It could be any of: {', '.join(i.id for i in starting)}."
    else:
        close = difflib.get_close_matches(key, ids, n=1, cutoff=0.5)
        if close:
            message += f" Did you mean {close[0]!r}?"
    message += (
        f" Known notebooks: {', '.join(ids)}."
        if ids
        else f" No notebooks found in {NOTEBOOKS_DIR}."
    )
    message += " `labs list` shows them all."
    raise LabsError(message)


def validate(info: NotebookInfo) -> list[str]:
    """Problems with a notebook's ``labs`` metadata (an empty list when there are none)."""
    if info.read_error:
        return [f"cannot read the notebook: {info.read_error}"]
    meta = info.metadata
    if meta is None:
        return ['no "labs" metadata (metadata["labs"] with id, title, series, tasks, minutes)']
    problems: list[str] = []
    stem = info.path.name.removesuffix(".ipynb")
    if not meta.get("id"):
        problems.append('missing "id"')
    elif meta["id"] != stem:
        problems.append(f'"id" is {meta["id"]!r} but the file is {info.path.name!r}')
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append('missing "title"')
    folder_series = _series_of(info.path)
    if not meta.get("series"):
        problems.append('missing "series"')
    elif folder_series and str(meta["series"]) != folder_series:
        problems.append(f'"series" is {meta["series"]!r} but the folder says {folder_series!r}')
    tasks = meta.get("tasks")
    if not isinstance(tasks, list) or not tasks:
        problems.append('"tasks" must be a non-empty list of task ids such as "MLS 1.2"')
    else:
        for tag in tasks:
            if not blueprints.is_valid_task(tag):
                problems.append(f"unknown task id {tag!r}")
    if info.minutes is None or info.minutes <= 0:
        problems.append('"minutes" must be a positive number')
    return problems
