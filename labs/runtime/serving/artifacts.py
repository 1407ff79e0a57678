"""Getting the model and the learner's code onto disk, as a container sees them.

SageMaker unpacks ``model.tar.gz`` into ``/opt/ml/model``; here it goes into a temporary
folder per server. The learner's inference code comes, like on SageMaker, from
``code/`` inside the model archive (SDK v2 ``entry_point`` repacking, the inference
toolkit's default), or from the ``SAGEMAKER_SUBMIT_DIRECTORY`` and ``SAGEMAKER_PROGRAM``
variables of CreateModel's ``Environment``: ``/opt/ml/model/code``, an
``s3://.../sourcedir.tar.gz`` (fetched with the ``fetch`` callable), or a local path.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from labs.runtime.serving.errors import ModelLoadError

#: Where a container sees the model; paths under it are mapped into the local model folder.
CONTAINER_MODEL_DIR = PurePosixPath("/opt/ml/model")

Fetch = Callable[[str], bytes]


def unpack_model(model_tar: Path | bytes | str, destination: Path) -> Path:
    """Unpack ``model_tar`` (a path or the archive's bytes) into ``destination``.

    Empty bytes give an empty model folder (CreateModel without ``ModelDataUrl``). Members
    that would land outside the folder are refused, as the ``data`` extraction filter does.
    """
    destination.mkdir(parents=True, exist_ok=True)
    if isinstance(model_tar, (bytes, bytearray)):
        if not model_tar:
            return destination
        source: io.BytesIO | str = io.BytesIO(bytes(model_tar))
        name = "model.tar.gz"
    else:
        path = Path(model_tar)
        if not path.is_file():
            raise ModelLoadError(f"The model archive {path} does not exist.")
        source, name = str(path), path.name
    opened = {"fileobj": source} if isinstance(source, io.BytesIO) else {"name": source}
    try:
        with tarfile.open(mode="r:*", **opened) as bundle:
            bundle.extractall(destination, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise ModelLoadError(
            f"Failed to extract the model data ({name}): {error}. SageMaker expects "
            "ModelDataUrl to point to a gzipped tar archive (model.tar.gz) of the model "
            "files."
        ) from None
    return destination


@dataclass
class EntryPoint:
    """The learner's inference module: its folder and its file."""

    code_dir: Path
    script: Path

    @property
    def name(self) -> str:
        """The script's file name, e.g. ``inference.py``."""
        return self.script.name


def find_entry_point(
    model_dir: Path,
    environment: Mapping[str, str],
    scratch: Path,
    fetch: Fetch | None,
    default_script: str | None = "inference.py",
) -> EntryPoint | None:
    """The learner's inference script, as the framework containers find it.

    ``SAGEMAKER_PROGRAM`` names the script (``inference.py`` or ``inference``); it lives in
    ``SAGEMAKER_SUBMIT_DIRECTORY`` (default ``/opt/ml/model/code``). Without
    ``SAGEMAKER_PROGRAM``, ``code/<default_script>`` in the model archive is used when
    present (the inference toolkit's default), else None.
    """
    program = _unquote(environment.get("SAGEMAKER_PROGRAM", ""))
    submit = _unquote(environment.get("SAGEMAKER_SUBMIT_DIRECTORY", ""))
    if not program:
        if default_script and (model_dir / "code" / default_script).is_file():
            return EntryPoint(model_dir / "code", model_dir / "code" / default_script)
        return None
    code_dir = _code_dir(submit, model_dir, scratch, fetch)
    script_name = program if program.endswith(".py") else f"{program}.py"
    script = code_dir / script_name
    if not script.is_file():
        present = sorted(p.name for p in code_dir.glob("*") if p.is_file())[:12]
        listing = ", ".join(present) if present else "no files"
        raise ModelLoadError(
            f"SAGEMAKER_PROGRAM is {program!r} but the code directory "
            f"({submit or CONTAINER_MODEL_DIR / 'code'}) has no {script_name}; it holds: "
            f"{listing}."
        )
    return EntryPoint(code_dir, script)


def _unquote(value: str) -> str:
    """SDK v2 JSON-quotes some values (``"\\"train.py\\""``); both spellings work."""
    return value.strip().strip('"').strip("'").strip()


def _code_dir(submit: str, model_dir: Path, scratch: Path, fetch: Fetch | None) -> Path:
    if not submit:
        return model_dir / "code"
    if submit.startswith("file://"):
        submit = submit[len("file://") :]
    posix = PurePosixPath(submit)
    if posix == CONTAINER_MODEL_DIR or CONTAINER_MODEL_DIR in posix.parents:
        return model_dir / posix.relative_to(CONTAINER_MODEL_DIR)
    if submit.startswith("s3://"):
        if fetch is None:
            raise ModelLoadError(f"Cannot download SAGEMAKER_SUBMIT_DIRECTORY {submit}.")
        try:
            archive = fetch(submit)
        except Exception as error:  # the S3 client raises several types
            raise ModelLoadError(
                f"Failed to download SAGEMAKER_SUBMIT_DIRECTORY {submit}: {error}"
            ) from None
        target = Path(tempfile.mkdtemp(prefix="code-", dir=scratch))
        return unpack_model(archive, target)
    local = Path(submit)
    if local.is_dir():
        return local
    if local.is_file():
        target = Path(tempfile.mkdtemp(prefix="code-", dir=scratch))
        return unpack_model(local, target)
    raise ModelLoadError(
        f"SAGEMAKER_SUBMIT_DIRECTORY {submit!r} is neither /opt/ml/model/code, an S3 URI "
        "of a sourcedir.tar.gz, nor a local folder."
    )


def default_fetch(uri: str) -> bytes:
    """Download ``s3://bucket/key`` with boto3 (the kit's local S3 in local mode)."""
    import boto3

    bucket, _, key = uri[len("s3://") :].partition("/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def requirements_note(entry: EntryPoint) -> str | None:
    """A log line when the code folder has a requirements.txt the kit does not install."""
    if (entry.code_dir / "requirements.txt").is_file():
        return (
            "requirements.txt found in the code directory: not installed by the local "
            "runtime (offline); the kit's environment already has scikit-learn, XGBoost, "
            "TensorFlow, pandas and numpy."
        )
    return None
