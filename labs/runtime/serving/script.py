"""Script mode: the learner's ``model_fn``, ``input_fn``, ``predict_fn``, ``output_fn``.

The scikit-learn and XGBoost framework images serve a model with the learner's inference
script (``code/inference.py`` in model.tar.gz, or ``SAGEMAKER_PROGRAM`` in
``SAGEMAKER_SUBMIT_DIRECTORY``). Missing functions get the defaults of the framework's
serving container:

scikit-learn (aws/sagemaker-scikit-learn-container ``serving.py``, on
sagemaker-containers' ``_transformer`` and ``_encoders``):

- ``model_fn`` has no default: a script without one fails to load ("Please provide a
  model_fn implementation.").
- ``input_fn``: ``application/json`` -> ``np.array(json.loads(body))``, ``text/csv`` ->
  ``np.genfromtxt(body, delimiter=",")`` (a single row is a 1-D array, as on SageMaker),
  ``application/x-npy`` -> ``np.load``; JSON and CSV become float32. Another content type
  is 415 (``UnsupportedFormatError``).
- ``predict_fn``: ``model.predict(data)``.
- ``output_fn``: the prediction encoded as the Accept type (JSON, CSV via ``np.savetxt``,
  NPY); another Accept is 406. Accept ``*/*`` or none means
  ``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT``, else ``application/json``.

XGBoost framework mode (aws/sagemaker-xgboost-container ``handler_service.py`` on the
sagemaker-inference-toolkit ``Transformer``): ``model_fn`` is required too; ``input_fn``
turns ``text/csv`` and ``text/libsvm`` into a DMatrix; ``predict_fn`` is
``model.predict(dmatrix, validate_features=False)``; ``output_fn`` encodes JSON, CSV or
NPY. The toolkit answers every error, unsupported types included, with 500.

Both: ``transform_fn(model, body, content_type, accept)`` replaces the other three (and
may not be combined with them); JSON and CSV bodies reach ``input_fn`` as ``str``, others
as ``bytes``; a function may take one extra ``context`` argument (the toolkit's
convention); ``output_fn`` may return bytes, str, or ``(body, content_type)``. An error
raised by the learner's code is 500 with its message and traceback, or the status of an
exception that carries an HTTP ``status_code`` (the toolkit's ``BaseInferenceToolkitError``
convention).
"""

from __future__ import annotations

import inspect
import io
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from labs.runtime.serving import formats, user_module
from labs.runtime.serving.artifacts import EntryPoint
from labs.runtime.serving.errors import (
    InferenceError,
    ModelLoadError,
    describe,
    short_traceback,
)
from labs.runtime.serving.protocol import (
    CSV,
    JSON,
    NPY,
    Reply,
    Request,
    first_supported,
    media_type,
    wants_default,
)

NO_MODEL_FN = (
    "Please provide a model_fn implementation. See documentation for model_fn at "
    "https://github.com/aws/sagemaker-python-sdk"
)
ENCODERS = (JSON, CSV, NPY)


class UnsupportedFormatError(Exception):
    """The default ``input_fn`` / ``output_fn`` cannot handle a content type."""

    def __init__(self, content_type: str) -> None:
        super().__init__(
            f"Content type {content_type} is not supported by this framework.\n\n"
            "Please implement input_fn to to deserialize the request data or an output_fn "
            "to serialize the response. For more information, see the SageMaker Python SDK "
            "README."
        )


# Default decoders and encoders (sagemaker-containers / sagemaker-inference _encoders)


def decode_numpy(data: Any, content_type: str) -> np.ndarray:
    """The sagemaker-containers decoders: JSON, CSV, NPY to a numpy array."""
    kind, _ = media_type(content_type)
    if kind == JSON:
        return np.array(json.loads(data))
    if kind == CSV:
        return np.genfromtxt(io.StringIO(data), delimiter=",")
    if kind == NPY:
        raw = data if isinstance(data, bytes) else data.encode()
        return np.load(io.BytesIO(raw), allow_pickle=True)
    raise UnsupportedFormatError(content_type)


def encode_numpy(prediction: Any, accept: str) -> bytes:
    """The sagemaker-containers encoders: to JSON, CSV (``np.savetxt``) or NPY bytes."""
    if accept == JSON:

        def default(value: Any) -> Any:
            if hasattr(value, "tolist"):
                return value.tolist()
            return json.JSONEncoder().default(value)

        return json.dumps(prediction, default=default).encode()
    if accept == CSV:
        stream = io.StringIO()
        np.savetxt(stream, prediction, delimiter=",", fmt="%s")
        return stream.getvalue().encode()
    if accept == NPY:
        stream_bytes = io.BytesIO()
        np.save(stream_bytes, prediction)
        return stream_bytes.getvalue()
    raise UnsupportedFormatError(accept)


def sklearn_input_fn(data: Any, content_type: str) -> np.ndarray:
    """The scikit-learn container's default ``input_fn``."""
    array = decode_numpy(data, content_type)
    kind, _ = media_type(content_type)
    return array.astype(np.float32) if kind in (JSON, CSV) else array


def sklearn_predict_fn(data: Any, model: Any) -> Any:
    """The scikit-learn container's default ``predict_fn``."""
    return model.predict(data)


def xgboost_input_fn(data: Any, content_type: str) -> Any:
    """The XGBoost framework container's default ``input_fn``: CSV or libsvm to DMatrix."""
    import xgboost as xgb

    kind, _ = media_type(content_type)
    text = data if isinstance(data, str) else bytes(data).decode("utf-8")
    if kind == CSV:
        rows = [
            [math.nan if cell == "" else float(cell) for cell in line.split(",")]
            for line in text.strip().split("\n")
        ]
        return xgb.DMatrix(np.asarray(rows, dtype=np.float64), missing=math.nan)
    if kind in ("text/libsvm", "text/x-libsvm"):
        return xgb.DMatrix(formats.parse_libsvm(text))
    raise UnsupportedFormatError(content_type)


def xgboost_predict_fn(data: Any, model: Any) -> Any:
    """The XGBoost framework container's default ``predict_fn``."""
    return model.predict(data, validate_features=False)


@dataclass(frozen=True)
class Framework:
    """A framework serving container's defaults and error conventions."""

    name: str
    title: str
    input_fn: Callable[[Any, str], Any]
    predict_fn: Callable[[Any, Any], Any]
    #: Status for an unsupported content type / accept in the default functions.
    unsupported_input: int
    unsupported_accept: int


SKLEARN = Framework("sklearn", "scikit-learn", sklearn_input_fn, sklearn_predict_fn, 415, 406)
XGBOOST = Framework("xgboost", "XGBoost", xgboost_input_fn, xgboost_predict_fn, 500, 500)


@dataclass
class InvocationContext:
    """What a handler function taking a ``context`` argument receives."""

    model_dir: str
    request_content_type: str | None = None
    accept_header: str | None = None
    custom_attributes: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def system_properties(self) -> dict[str, str]:
        """The toolkit's ``context.system_properties`` (``model_dir``)."""
        return {"model_dir": self.model_dir}


class ScriptModeHandler:
    """A framework container running the learner's inference script."""

    def __init__(
        self,
        framework: Framework,
        entry: EntryPoint,
        model_dir: Path,
        environment: Mapping[str, str],
    ) -> None:
        self.framework = framework
        self.kind = f"{framework.name} script ({entry.name})"
        self.entry = entry
        self.model_dir = model_dir
        self.default_accept = environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT") or JSON
        self.module: ModuleType | None = user_module.import_entry_point(entry)
        try:
            self._bind(self.module)
            self.model = self._call(self.model_fn, str(model_dir), context=self._context(None))
        except ModelLoadError:
            user_module.forget(self.module)
            raise
        except Exception as error:
            user_module.forget(self.module)
            raise ModelLoadError(
                f"model_fn in {entry.name} raised {describe(error, entry.code_dir)}"
            ) from None

    def _bind(self, module: ModuleType) -> None:
        user = {
            name: getattr(module, name, None)
            for name in ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")
        }
        if user["model_fn"] is None:
            raise ModelLoadError(
                f"{self.entry.name} has no model_fn, and the {self.framework.title} serving "
                f"container has no default one: NotImplementedError: {NO_MODEL_FN}. Define "
                "model_fn(model_dir) that loads and returns your model."
            )
        self.model_fn = user["model_fn"]
        combined = [n for n in ("input_fn", "predict_fn", "output_fn") if user[n] is not None]
        if user["transform_fn"] is not None and combined:
            raise ModelLoadError(
                f"{self.entry.name}: Cannot use transform_fn implementation in conjunction "
                f"with input_fn, predict_fn, and/or output_fn implementation (found "
                f"{', '.join(combined)})."
            )
        self.transform_fn = user["transform_fn"]
        self.input_fn = user["input_fn"] or self.framework.input_fn
        self.predict_fn = user["predict_fn"] or self.framework.predict_fn
        self.output_fn = user["output_fn"] or self._default_output_fn
        self.execution_parameters_fn = getattr(module, "execution_parameters_fn", None)

    # Calling the learner's functions

    def _context(self, request: Request | None) -> InvocationContext:
        if request is None:
            return InvocationContext(str(self.model_dir))
        return InvocationContext(
            str(self.model_dir),
            request.content_type,
            request.accept,
            request.custom_attributes,
            dict(request.headers),
        )

    @staticmethod
    def _call(function: Callable[..., Any], *args: Any, context: InvocationContext) -> Any:
        try:
            parameters = inspect.signature(function).parameters.values()
            positional = [
                p
                for p in parameters
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
            ]
        except (TypeError, ValueError):
            positional = []
        if len(positional) == len(args) + 1:
            return function(*args, context)
        return function(*args)

    def _default_output_fn(self, prediction: Any, accept: str) -> tuple[bytes, str]:
        kind = first_supported(accept, ENCODERS)
        if kind is None:
            raise UnsupportedFormatError(accept)
        return encode_numpy(prediction, kind), kind

    # The request

    def invoke(self, request: Request) -> Reply:
        """``transform_fn``, or ``input_fn`` -> ``predict_fn`` -> ``output_fn``."""
        content_type = request.content_type or JSON
        accept = self.default_accept if wants_default(request.accept) else str(request.accept)
        kind, _ = media_type(content_type)
        data: Any = request.body
        if kind in (JSON, CSV):
            try:
                data = request.body.decode("utf-8")
            except UnicodeDecodeError as error:
                raise InferenceError(400, f"The {kind} body is not UTF-8 text: {error}") from None
        context = self._context(request)
        try:
            if self.transform_fn is not None:
                result = self._call(
                    self.transform_fn, self.model, data, content_type, accept, context=context
                )
            else:
                result = self._pipeline(data, content_type, accept, context)
        except InferenceError:
            raise
        except Exception as error:
            raise self._error(error) from None
        return self._reply(result, accept)

    def _pipeline(
        self, data: Any, content_type: str, accept: str, context: InvocationContext
    ) -> Any:
        try:
            decoded = self._call(self.input_fn, data, content_type, context=context)
        except UnsupportedFormatError as error:
            raise self._unsupported(error, self.framework.unsupported_input) from None
        prediction = self._call(self.predict_fn, decoded, self.model, context=context)
        try:
            return self._call(self.output_fn, prediction, accept, context=context)
        except UnsupportedFormatError as error:
            raise self._unsupported(error, self.framework.unsupported_accept) from None

    def _unsupported(self, error: UnsupportedFormatError, status: int) -> InferenceError:
        if status == 500:
            return self._error(error)
        body = json.dumps(
            {
                "error": type(error).__name__,
                "error-message": str(error),
                "stack-trace": short_traceback(error),
            }
        )
        return InferenceError(status, body, JSON)

    def _error(self, error: BaseException) -> InferenceError:
        status = getattr(error, "status_code", None)
        if not isinstance(status, int) or not 400 <= status <= 599:
            status = 500
        message = getattr(error, "message", None) or describe(error, self.entry.code_dir)
        return InferenceError(status, f"{message}\n{short_traceback(error)}")

    def _reply(self, result: Any, accept: str) -> Reply:
        content_type = first_supported(accept, ENCODERS) or accept
        if isinstance(result, tuple) and len(result) == 2:
            result, content_type = result
        if isinstance(result, str):
            return Reply(result.encode("utf-8"), str(content_type))
        if isinstance(result, (bytes, bytearray)):
            return Reply(bytes(result), str(content_type))
        if isinstance(result, (dict, list)):
            return Reply(json.dumps(result).encode(), JSON)
        raise InferenceError(
            500,
            f"output_fn in {self.entry.name} returned {type(result).__name__}: return bytes, "
            "str or (body, content_type).",
        )

    def execution_parameters(self) -> dict[str, Any] | None:
        """The script's ``execution_parameters_fn()``, if it defines one."""
        if self.execution_parameters_fn is None:
            return None
        value = self.execution_parameters_fn()
        if isinstance(value, (str, bytes)):
            value = json.loads(value)
        return dict(value)

    def close(self) -> None:
        """Forget the learner's module and model."""
        user_module.forget(self.module)
        self.module = None
        self.model = None
