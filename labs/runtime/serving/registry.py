"""Which inference container an image is, and the handler that plays it.

- Built-in algorithms, recognised with :func:`labs.algorithms.for_image`: XGBoost
  (``sagemaker-xgboost`` without ``SAGEMAKER_PROGRAM``: algorithm mode, as the container
  decides), Linear Learner, K-Means, PCA, Random Cut Forest, k-NN, BlazingText,
  DeepAR, Factorization Machines.
- Script mode by ECR repository: ``sagemaker-scikit-learn``, ``sagemaker-xgboost`` with
  ``SAGEMAKER_PROGRAM``, and TensorFlow Serving (``tensorflow-inference``,
  ``sagemaker-tensorflow-serving``, ``tensorflow-serving``).
- Any other image (PyTorch, Hugging Face, a learner's own container) cannot be served by
  the local runtime: ModelLoadError says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from labs.algorithms import for_image, repository_of
from labs.runtime.serving.amazon import AmazonAlgorithmHandler, serves
from labs.runtime.serving.artifacts import (
    EntryPoint,
    Fetch,
    find_entry_point,
    requirements_note,
)
from labs.runtime.serving.blazingtext_algo import BlazingTextHandler
from labs.runtime.serving.deepar_algo import DeepARHandler
from labs.runtime.serving.errors import ModelLoadError
from labs.runtime.serving.protocol import Handler
from labs.runtime.serving.script import SKLEARN, XGBOOST, ScriptModeHandler
from labs.runtime.serving.xgboost_algo import XGBoostAlgorithmHandler

SKLEARN_REPOSITORIES = ("sagemaker-scikit-learn",)
XGBOOST_REPOSITORIES = ("sagemaker-xgboost",)
TFS_REPOSITORIES = ("tensorflow-inference", "sagemaker-tensorflow-serving", "tensorflow-serving")


def kind_of(image_uri: str, environment: Mapping[str, str]) -> str:
    """``"builtin"``, ``"sklearn"``, ``"xgboost-script"``, ``"tensorflow"`` or ``"unknown"``."""
    repository = repository_of(image_uri or "")
    if repository in TFS_REPOSITORIES:
        return "tensorflow"
    if repository in SKLEARN_REPOSITORIES:
        return "sklearn"
    if repository in XGBOOST_REPOSITORIES and environment.get("SAGEMAKER_PROGRAM"):
        return "xgboost-script"
    if for_image(image_uri or "") is not None:
        return "builtin"
    return "unknown"


def make_handler(
    image_uri: str,
    model_dir: Path,
    environment: Mapping[str, str],
    scratch: Path,
    fetch: Fetch | None,
    log: Callable[[str], None],
) -> Handler:
    """Load the model as the container for ``image_uri`` would; ModelLoadError if it can't."""
    kind = kind_of(image_uri, environment)
    if kind == "builtin":
        spec = for_image(image_uri)
        assert spec is not None
        if spec.name == "xgboost":
            return XGBoostAlgorithmHandler(model_dir, environment)
        if serves(spec):
            return AmazonAlgorithmHandler(spec, model_dir)
        if spec.name == "blazingtext":
            return BlazingTextHandler(model_dir)
        if spec.name == "forecasting-deepar":
            return DeepARHandler(model_dir, environment)
        raise ModelLoadError(f"The local runtime cannot serve {spec.title or spec.name} models.")
    if kind == "tensorflow":
        from labs.runtime.serving.tfs import TensorFlowServingHandler

        code = model_dir / "code" / "inference.py"
        entry = find_entry_point(model_dir, {}, scratch, fetch) if code.is_file() else None
        _note_requirements(entry, log)
        return TensorFlowServingHandler(model_dir, environment, entry)
    if kind in ("sklearn", "xgboost-script"):
        framework = SKLEARN if kind == "sklearn" else XGBOOST
        entry = find_entry_point(model_dir, environment, scratch, fetch)
        if entry is None:
            raise ModelLoadError(
                f"No inference script for this {framework.title} model: set "
                "SAGEMAKER_PROGRAM (and SAGEMAKER_SUBMIT_DIRECTORY) in the model's "
                "Environment, or put code/inference.py with model_fn in model.tar.gz."
            )
        _note_requirements(entry, log)
        return ScriptModeHandler(framework, entry, model_dir, environment)
    raise ModelLoadError(
        f"The local runtime cannot serve the image {image_uri or '(none)'}: it serves the "
        "built-in XGBoost, Linear Learner, K-Means, PCA, Random Cut Forest, k-NN, BlazingText, "
        "DeepAR and Factorization Machines "
        "images, and the scikit-learn, XGBoost and TensorFlow (tensorflow-inference) "
        "framework images."
    )


def _note_requirements(entry: EntryPoint | None, log: Callable[[str], None]) -> None:
    note = requirements_note(entry) if entry is not None else None
    if note:
        log(note)
