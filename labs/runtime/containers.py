"""Script mode, locally: the training- and processing-container contracts, without Docker.

The runtime calls these functions for jobs that run the learner's own code. Each job gets
a temporary root that stands in for ``/opt/ml``; the learner's code runs as a separate
process of the kit's own interpreter (``sys.executable``), with the environment and the
files the SageMaker containers give it, every path pointing inside the root.

Public API
----------
- :func:`prepare_training_root` -> :class:`TrainingLayout`; :func:`training_entry`
  (which kind of script-mode job a request is), :func:`submit_directory`;
  :func:`run_training_script` -> :class:`ScriptResult`.
- :func:`prepare_processing_root` -> :class:`ProcessingLayout`;
  :func:`run_processing_script` -> :class:`ScriptResult`.

Typical use by the runtime (training)::

    layout = prepare_training_root(root, hyperparameters=req.get("HyperParameters"),
        channels=req["InputDataConfig"], environment=req.get("Environment"),
        job_name=name, job_arn=arn, instance_type=..., instance_count=...,
        checkpoint_local_path=(req["CheckpointConfig"].get("LocalPath") or
                               "/opt/ml/checkpoints") if "CheckpointConfig" in req else None)
    # download each channel into layout.channel_dir(name); then
    entry = training_entry(req["AlgorithmSpecification"], layout.hyperparameters)
    # classic mode: download submit_directory(hyperparameters) into layout.code_dir
    result = run_training_script(layout, image_uri=..., entry=entry, metric_definitions=...,
                                 log=..., metric=..., should_stop=..., timeout_seconds=...)
    # upload layout.model_dir (model.tar.gz), layout.output_data_dir (output.tar.gz),
    # result.checkpoint_files (relative to layout.checkpoint_dir) to the checkpoint S3Uri

What the SDK sends (captured from SDK 3.27 against moto 5.2.5)
---------------------------------------------------------------
**SDK v3 ``ModelTrainer`` with ``SourceCode(source_dir, entry_script)``** (the same for
the scikit-learn, XGBoost and TensorFlow images): ``CreateTrainingJob`` with

- ``AlgorithmSpecification``: ``TrainingImage``, ``TrainingInputMode: File``,
  ``ContainerEntrypoint: ["/bin/bash"]``, ``ContainerArguments: ["-c", "chmod +x
  /opt/ml/input/data/sm_drivers/sm_train.sh && /opt/ml/input/data/sm_drivers/sm_train.sh"]``,
  ``MetricDefinitions`` only when given.
- ``HyperParameters``: the user's only (no ``sagemaker_program``), each value
  ``safe_serialize``-d: strings as they are, the rest JSON (``0.1`` -> ``"0.1"``, ``True``
  -> ``"true"``, ``[1, 2]`` -> ``"[1, 2]"``).
- ``InputDataConfig``: the user's channels, plus ``code`` (the files of ``source_dir``,
  uploaded one by one, not tarred, to ``s3://<bucket>/<base_job_name>/<job>/input/code``)
  and ``sm_drivers`` (``.../input/sm_drivers``: the SDK's ``container_drivers`` tree:
  ``sm_train.sh``, ``sourcecode.json`` (the ``SourceCode`` as JSON: ``source_dir``,
  ``entry_script``, ``command``, ``args``, ``requirements``, ``ignore_patterns``),
  ``distributed.json`` (``{}`` unless ``distributed=Torchrun()/MPI()``),
  ``scripts/environment.py``, ``scripts/install_requirements.py``,
  ``distributed_drivers/{basic_script,torchrun,mpi}_driver.py``, ``common/utils.py``).
- ``OutputDataConfig`` (``s3://<bucket>/<base_job_name>``, GZIP), ``ResourceConfig`` (30 GB
  volume), ``StoppingCondition`` (3600 s), ``Environment`` and ``CheckpointConfig`` when
  given.

``sm_train.sh`` (bash, ``set -e``, an ERR trap that writes a generic message to
``/opt/ml/output/failure`` if the file is empty) needs ``python3`` *and* ``pip`` on PATH,
runs ``scripts/environment.py`` (reads the three config JSONs, writes ``export SM_...``
lines to ``/opt/ml/input/sm_training.env``) and sources it, ``cd``-s to
``/opt/ml/input/data/code`` (unpacking ``source_dir`` if it was a ``.tar.gz``), installs
``requirements`` with ``install_requirements.py`` if given, then either evals
``SourceCode.command`` (+ quoted ``args``), or runs a distributed driver, or
``basic_script_driver.py``: ``[python3, entry_script, --name, value, ...]`` (every
hyperparameter, request order) for ``.py``, ``/bin/sh -c "chmod +x e && ./e args"`` for
``.sh``; on a non-zero exit it writes its ``CalledProcessError`` traceback to
``/opt/ml/output/failure``. Every path in the drivers is a hard-coded ``/opt/ml/...``.

**Classic script mode** (SDK v2 estimators and many AWS samples, plain
``boto3.create_training_job``): no ``ContainerEntrypoint``; hyperparameters
``sagemaker_program`` (``"\\"train.py\\""``, JSON-quoted by SDK v2, plain in some
samples: both work), ``sagemaker_submit_directory`` (the S3 URI of a ``sourcedir.tar.gz``),
``sagemaker_region``, ``sagemaker_container_log_level``, ``sagemaker_job_name``, plus the
user's (JSON-encoded). The image's own entrypoint (the sagemaker-training toolkit) unpacks
the tarball into ``/opt/ml/code`` and runs ``python train.py --name value ...`` there
(sorted; ``sagemaker_*`` and ``_tuning_objective_metric`` left out) with the toolkit's
``SM_*`` variables, writing ``ExecuteUserScriptError: ExitCode ... ErrorMessage ...
Command ...`` to ``/opt/ml/output/failure`` on failure.

**Processing** (SDK v3 ``sagemaker.core.processing``; there is no ``SKLearnProcessor`` in
v3: ``ScriptProcessor`` picks ``["python3"]`` for a scikit-learn image):

- ``ScriptProcessor.run(code="preprocess.py", arguments=[...])``: ``AppSpecification``
  ``{ImageUri, ContainerEntrypoint: ["python3", "/opt/ml/processing/input/code/
  preprocess.py"], ContainerArguments}``; an extra input ``code`` (the script's S3 URI,
  ``LocalPath: /opt/ml/processing/input/code``); inputs and outputs as given, each with an
  ``/opt/ml/processing/...`` ``LocalPath``, ``S3InputMode: File``, ``S3UploadMode:
  EndOfJob``. Arguments naming ``/opt/ml/processing/...`` paths are common.
- ``FrameworkProcessor.run(code, source_dir)``: ``ContainerEntrypoint: ["/bin/bash",
  "/opt/ml/processing/input/entrypoint/runproc.sh"]``; inputs ``code`` (an S3 prefix with
  ``sourcedir.tar.gz``, ``runproc.sh``, ``install_requirements.py``, at
  ``/opt/ml/processing/input/code/``) and ``entrypoint`` (``runproc.sh``). The generated
  ``runproc.sh`` cds to the code folder, unpacks ``sourcedir.tar.gz``, pip-installs a
  ``requirements.txt`` if present, and ends with ``python preprocess.py "$@"``.

Worth knowing for the runtime: moto's ``DescribeTrainingJob`` returns canned
``MetricDefinitions`` (``test:dcg``) instead of the request's and no ``Environment``, so
read them from the create request; the SDK strips the trailing ``/`` of an ``InputData``
S3 prefix (``s3://b/some/prefix/`` is sent as ``s3://b/some/prefix``).

How the code runs here
----------------------
- **Classic** (:class:`ToolkitEntry`): the toolkit's steps: the source (a folder, a
  ``.tar.gz``, or whatever the runtime put in ``layout.code_dir``) is unpacked into
  ``<root>/code``, which is the working directory and first on ``PYTHONPATH``; the command
  is ``[sys.executable, program, *sorted user args]`` (``-m`` for a folder with
  ``setup.py``, ``./program`` for a non-Python program) with the toolkit's full variable
  set: ``SM_MODEL_DIR``, ``SM_CHANNELS``, ``SM_CHANNEL_<NAME>``, ``SM_HPS``,
  ``SM_HP_<NAME>``, ``SM_USER_ARGS``, ``SM_OUTPUT_DATA_DIR``, ``SM_OUTPUT_DIR``,
  ``SM_INPUT_DIR``, ``SM_INPUT_CONFIG_DIR``, ``SM_NUM_CPUS``, ``SM_NUM_GPUS`` (0),
  ``SM_HOSTS``, ``SM_CURRENT_HOST``, ``SM_TRAINING_ENV``, ``SM_MODULE_DIR``,
  ``SM_MODULE_NAME``, ``SM_LOG_LEVEL``, ``SM_FRAMEWORK_PARAMS``, ... (see
  :func:`labs.runtime.container_env.toolkit_env`).
- **SDK v3 driver** (:class:`ContainerCommand` naming ``sm_train.sh``): the kit does
  ``sm_train.sh``'s steps itself, in Python, instead of running the SDK's scripts: it reads
  the same inputs they read (``sm_drivers/sourcecode.json``, ``distributed.json``, the
  config JSONs), sets exactly the variables ``environment.py`` exports (paths under the
  root), works in the ``code`` channel folder, installs nothing (it logs what it skips),
  and runs the same command ``basic_script_driver.py`` would (or ``SourceCode.command``
  through the shell; a distributed config runs as one process). Why not run the drivers:
  they hard-code ``/opt/ml`` in Python constants as well as in the shell script, so they
  would need a real ``/opt/ml`` (root access, one job at a time) or patched copies of the
  SDK's files; ``sm_train.sh`` insists on ``pip`` and installs requirements (the kit is
  offline); and bash is not everywhere. Doing the steps here is portable, one process
  fewer, and keeps the environment and the failure reason under the kit's control. The
  price: a new SDK whose drivers do something else needs this module to follow; the tests
  compare the emulation with the installed SDK's own functions and a real
  ``ModelTrainer`` upload.
- **Other container commands** (a training ``ContainerEntrypoint``, every processing
  job): ``/opt/ml`` prefixes in ``ContainerEntrypoint`` and ``ContainerArguments`` are
  rewritten to the root; a Python interpreter in first place becomes the kit's; an
  SDK-generated ``runproc.sh`` is done in Python (unpack, skip requirements, run);
  anything else runs as given (POSIX: with ``python``/``pip`` shims first on ``PATH``).
  Processing inputs and outputs live at their ``LocalPath`` mapped under the root.

The learner's files are never rewritten: scripts must take their paths from the ``SM_*``
variables (``parser.add_argument("--model-dir", default=os.environ["SM_MODEL_DIR"])``), as
the kit's labs teach; a hard-coded ``/opt/ml/...`` path in a script does not exist locally.
Checkpoints: SageMaker has no variable for the checkpoint folder; the kit adds
``SM_CHECKPOINT_DIR`` (only when the job has a CheckpointConfig), so scripts written for
both use ``os.environ.get("SM_CHECKPOINT_DIR", "/opt/ml/checkpoints")``.

Failure reasons: the script's ``output/failure`` when it wrote one (first 1024
characters); else classic mode's ``ExecuteUserScriptError`` message around the last
stderr lines, or the last 20 stderr lines for the other kinds (the end kept within 1024
characters). Without SageMaker's ``AlgorithmError:`` prefix: the runtime adds it.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs.runtime import container_commands, container_env, container_paths
from labs.runtime.container_layout import (
    ProcessingLayout,
    TrainingLayout,
    prepare_processing_root,
    prepare_training_root,
)
from labs.runtime.container_process import (
    DEFAULT_STOP_GRACE_SECONDS,
    MAX_FAILURE_REASON,
    ScriptResult,
    failure_reason,
    run_command,
)
from labs.runtime.network_isolation import isolated_env as network_isolation_env

__all__ = [
    "MAX_FAILURE_REASON",
    "ContainerCommand",
    "ProcessingLayout",
    "ScriptResult",
    "ToolkitEntry",
    "TrainingEntry",
    "TrainingLayout",
    "prepare_processing_root",
    "prepare_training_root",
    "run_processing_script",
    "run_training_script",
    "submit_directory",
    "training_entry",
]

LogFn = Callable[[str], None]


def _ignore_log(_: str) -> None:
    return None


def _ignore_metric(_: str, __: float) -> None:
    return None


def _never() -> bool:
    return False


@dataclass(frozen=True)
class ToolkitEntry:
    """Classic script mode: the toolkit runs ``sagemaker_program`` from the submit directory.

    ``program`` defaults to the ``sagemaker_program`` hyperparameter. ``source`` is the
    downloaded ``sagemaker_submit_directory`` (a folder or a ``.tar.gz``); ``None`` when the
    runtime already put it (or its ``sourcedir.tar.gz``) into ``layout.code_dir``.
    """

    program: str | None = None
    source: Path | None = None


@dataclass(frozen=True)
class ContainerCommand:
    """``AlgorithmSpecification.ContainerEntrypoint`` and ``ContainerArguments``.

    The SDK v3 ``ModelTrainer`` command (``sm_drivers/sm_train.sh``) is recognised and
    done by the kit's emulation of the SDK's drivers.
    """

    entrypoint: Sequence[str]
    arguments: Sequence[str] = field(default_factory=tuple)


TrainingEntry = ToolkitEntry | ContainerCommand


def training_entry(
    algorithm_specification: Mapping[str, Any], hyperparameters: Mapping[str, str] | None
) -> TrainingEntry | None:
    """How a training request runs the learner's code, or ``None`` if it does not.

    A ``ContainerEntrypoint`` (SDK v3 ``ModelTrainer`` and custom commands) gives a
    :class:`ContainerCommand`; a ``sagemaker_program`` hyperparameter (classic script
    mode) a :class:`ToolkitEntry`; anything else (a built-in algorithm) ``None``.
    """
    entrypoint = list(algorithm_specification.get("ContainerEntrypoint") or [])
    arguments = list(algorithm_specification.get("ContainerArguments") or [])
    if entrypoint:
        return ContainerCommand(entrypoint, arguments)
    _, sagemaker = container_env.split_hyperparameters(hyperparameters or {})
    if sagemaker.get("sagemaker_program"):
        return ToolkitEntry(program=str(sagemaker["sagemaker_program"]))
    return None


def submit_directory(hyperparameters: Mapping[str, str] | None) -> str | None:
    """The decoded ``sagemaker_submit_directory`` (usually the S3 URI of a sourcedir.tar.gz)."""
    _, sagemaker = container_env.split_hyperparameters(hyperparameters or {})
    value = sagemaker.get("sagemaker_submit_directory")
    return str(value) if value else None


def run_training_script(
    layout: TrainingLayout,
    *,
    image_uri: str,
    entry: TrainingEntry,
    metric_definitions: Sequence[dict[str, str]] = (),
    log: LogFn = _ignore_log,
    metric: Callable[[str, float], None] = _ignore_metric,
    should_stop: Callable[[], bool] = _never,
    timeout_seconds: float | None = None,
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_SECONDS,
    network_isolation: bool = False,
) -> ScriptResult:
    """Run the learner's training code under the training-container contract.

    The code runs as a separate process of the kit's interpreter, in its own process
    group, with the environment of ``entry``'s kind (see the module docstring). Each line
    of stdout and stderr goes to ``log`` as it comes (on this thread) and is matched
    against ``metric_definitions`` (``[{"Name", "Regex"}]``; first group as a float, to
    ``metric(name, value)``). ``should_stop`` is polled every 0.5 s; a stop, or
    ``timeout_seconds`` passing, sends SIGTERM to the group and SIGKILL
    ``stop_grace_seconds`` later; the result is then ``Stopped`` (secondary status
    ``Stopped`` or ``MaxRuntimeExceeded``). A non-zero exit is ``Failed`` with a failure
    reason; exit 0 ``Completed``. ``checkpoint_files`` lists what is in the checkpoint
    folder at the end, for the runtime to upload. ``network_isolation`` (the request's
    ``EnableNetworkIsolation``) makes the process refuse every network connection
    (:mod:`labs.runtime.network_isolation`).
    """
    shims = container_commands.write_shims(layout.root / ".labs" / "bin")
    job_vars = {"TRAINING_JOB_NAME": layout.job_name}
    if layout.job_arn:
        job_vars["TRAINING_JOB_ARN"] = layout.job_arn
    toolkit_command: list[str] | None = None
    try:
        if isinstance(entry, ToolkitEntry):
            command, cwd, env = _toolkit(layout, entry, image_uri, job_vars, shims, log)
            toolkit_command = command
            log("Invoking script with the following command:")
            log(" ".join(shlex.quote(part) for part in command))
        elif container_commands.mentions_sm_train(list(entry.entrypoint) + list(entry.arguments)):
            command, cwd, env = _sdk_driver(layout, job_vars, shims, log)
            log(f"Executing command: {' '.join(command)}")
        else:
            argv = container_paths.rewrite_all([*entry.entrypoint, *entry.arguments], layout.root)
            command, cwd = container_commands.localize(argv), layout.root
            env = container_env.base_env(
                layout.environment, job_vars=job_vars, code_dir=None, extra_path=shims
            )
    except (OSError, ValueError, json.JSONDecodeError) as error:
        return _not_started([], f"ClientError: {error}", layout.checkpoint_files())
    if network_isolation:
        env = network_isolation_env(env)
        log("labs: EnableNetworkIsolation is on: this job's process has no network access.")
    return _run(
        command,
        cwd=cwd,
        env=env,
        failure_file=layout.failure_file,
        toolkit_command=toolkit_command,
        checkpoint_dir_files=layout.checkpoint_files,
        metric_definitions=metric_definitions,
        log=log,
        metric=metric,
        should_stop=should_stop,
        timeout_seconds=timeout_seconds,
        stop_grace_seconds=stop_grace_seconds,
    )


def run_processing_script(
    layout: ProcessingLayout,
    *,
    image_uri: str,
    container_entrypoint: Sequence[str] | None,
    container_arguments: Sequence[str] | None = None,
    log: LogFn = _ignore_log,
    should_stop: Callable[[], bool] = _never,
    timeout_seconds: float | None = None,
    stop_grace_seconds: float = DEFAULT_STOP_GRACE_SECONDS,
    network_isolation: bool = False,
) -> ScriptResult:
    """Run a processing job's ``AppSpecification`` command under the processing contract.

    ``/opt/ml`` prefixes in ``container_entrypoint`` and ``container_arguments`` are
    rewritten to the job's root (where :func:`prepare_processing_root` put every input
    and output); ``python``/``python3`` first becomes the kit's interpreter; the SDK's
    ``runproc.sh`` (FrameworkProcessor) is done in Python. The working directory is the
    root (the code folder for ``runproc.sh``). Logging, stopping and the result are as for
    :func:`run_training_script` (no metrics: processing jobs have none). ``image_uri`` is
    informational: every image runs on the kit's interpreter. ``network_isolation``
    (``NetworkConfig.EnableNetworkIsolation``) refuses the process every network connection.
    """
    del image_uri
    if not container_entrypoint:
        return _not_started(
            [],
            "ClientError: the local runtime runs processing jobs that give "
            "AppSpecification.ContainerEntrypoint (ScriptProcessor, FrameworkProcessor, or "
            'e.g. ["python3", "/opt/ml/processing/input/code/process.py"]); this one '
            "relies on the image's own entrypoint.",
            [],
        )
    shims = container_commands.write_shims(layout.root / ".labs" / "bin")
    argv = container_paths.rewrite_all(container_entrypoint, layout.root)
    args = container_paths.rewrite_all(container_arguments or [], layout.root)
    cwd = layout.root
    steps = None
    if len(argv) >= 2 and container_commands.is_shell(argv[0]) and Path(argv[1]).is_file():
        steps = container_commands.parse_runproc(Path(argv[1]))
    try:
        if steps is not None:
            cwd = layout.to_local(steps.code_dir)
            container_commands.unpack_sources(cwd, log)
            _log_skipped_requirements(cwd / "requirements.txt", log)
            command = container_commands.localize([*steps.command, steps.script, *argv[2:], *args])
        else:
            command = container_commands.localize([*argv, *args])
    except (OSError, ValueError) as error:
        return _not_started([], f"ClientError: {error}", [])
    env = container_env.base_env(layout.environment, job_vars={}, code_dir=None, extra_path=shims)
    if network_isolation:
        env = network_isolation_env(env)
        log("labs: EnableNetworkIsolation is on: this job's process has no network access.")
    log(f"labs: running {' '.join(shlex.quote(part) for part in command)}")
    return _run(
        command,
        cwd=cwd,
        env=env,
        failure_file=layout.failure_file,
        toolkit_command=None,
        checkpoint_dir_files=list,
        metric_definitions=(),
        log=log,
        metric=_ignore_metric,
        should_stop=should_stop,
        timeout_seconds=timeout_seconds,
        stop_grace_seconds=stop_grace_seconds,
    )


def _toolkit(
    layout: TrainingLayout,
    entry: ToolkitEntry,
    image_uri: str,
    job_vars: dict[str, str],
    shims: Path | None,
    log: LogFn,
) -> tuple[list[str], Path, dict[str, str]]:
    """The classic (sagemaker-training toolkit) command, working folder and environment."""
    code = layout.code_dir
    if entry.source is not None:
        source = Path(entry.source)
        if source.is_dir():
            container_paths.copy_tree(source, code)
        else:
            container_paths.extract_tarball(source, code)
    container_commands.unpack_sources(code, log)
    program = entry.program
    if not program:
        _, sagemaker = container_env.split_hyperparameters(layout.hyperparameters)
        program = str(sagemaker.get("sagemaker_program") or "")
    if not program:
        raise ValueError("no entry point: set the sagemaker_program hyperparameter")
    user, _ = container_env.split_hyperparameters(layout.hyperparameters)
    args = container_env.toolkit_args(user)
    if (code / "setup.py").is_file():
        _log_skipped_requirements(code / "setup.py", log)
        command = [sys.executable, "-m", program.removesuffix(".py"), *args]
    elif program.endswith(".py"):
        command = [sys.executable, program, *args]
    else:
        line = " ".join(shlex.quote(part) for part in [f"./{program}", *args])
        command = [container_commands.shell(), "-c", f"chmod +x {shlex.quote(program)}; {line}"]
    if (code / "requirements.txt").is_file():
        _log_skipped_requirements(code / "requirements.txt", log)
    env = container_env.base_env(
        layout.environment, job_vars=job_vars, code_dir=code, extra_path=shims
    )
    env.update(container_env.toolkit_env(layout, program=program, image_uri=image_uri))
    return command, code, env


def _sdk_driver(
    layout: TrainingLayout, job_vars: dict[str, str], shims: Path | None, log: LogFn
) -> tuple[list[str], Path, dict[str, str]]:
    """``sm_train.sh`` of the SDK v3 ``ModelTrainer``, done here (module docstring)."""
    drivers = layout.channel_dir("sm_drivers")
    if not (drivers / "sourcecode.json").is_file():
        raise ValueError(
            "the command runs sm_drivers/sm_train.sh but the sm_drivers channel has no "
            "sourcecode.json (it is uploaded by the SageMaker SDK v3 ModelTrainer)"
        )
    source_code = _read_json(drivers / "sourcecode.json")
    distributed = _read_json(drivers / "distributed.json")
    log("labs: running the SDK's sm_train.sh steps locally (no container, nothing installed)")
    cwd = layout.root
    source_dir = str(source_code.get("source_dir") or "")
    if source_dir:
        cwd = layout.channel_dir("code")
        if source_dir.endswith(".tar.gz"):
            container_paths.extract_tarball(cwd / Path(source_dir).name, cwd)
    requirements = source_code.get("requirements")
    if requirements:
        _log_skipped_requirements(cwd / str(requirements), log)
    args = container_env.driver_args(layout.hyperparameters)
    entry_script = str(source_code.get("entry_script") or "")
    if source_code.get("command"):
        parts = str(source_code["command"]).split()
        parts += [shlex.quote(str(arg)) for arg in source_code.get("args") or []]
        if parts and container_commands.is_python(parts[0]):
            parts[0] = shlex.quote(sys.executable)
        command = [container_commands.shell(), "-c", " ".join(parts)]
    elif entry_script.endswith(".py"):
        if distributed:
            log(
                f"labs: distributed config {json.dumps(distributed)} runs as a single "
                "process locally"
            )
        command = [sys.executable, entry_script, *args]
    elif entry_script.endswith(".sh"):
        quoted = " ".join(shlex.quote(arg) for arg in args)
        script = shlex.quote(entry_script)
        command = ["/bin/sh", "-c", f"chmod +x {script} && ./{script} {quoted}"]
    else:
        raise ValueError(
            f"Unsupported entry script type: {entry_script!r}. Only .py and .sh are supported."
        )
    env = container_env.base_env(
        layout.environment, job_vars=job_vars, code_dir=None, extra_path=shims
    )
    env.update(
        container_env.driver_env(
            layout,
            source_code=source_code,
            distributed=distributed,
            log_level=layout.environment.get("SM_LOG_LEVEL", container_env.LOG_LEVEL),
        )
    )
    return command, cwd, env


def _run(
    command: list[str],
    *,
    cwd: Path,
    env: dict[str, str],
    failure_file: Path,
    toolkit_command: list[str] | None,
    checkpoint_dir_files: Callable[[], list[Path]],
    metric_definitions: Sequence[dict[str, str]],
    log: LogFn,
    metric: Callable[[str, float], None],
    should_stop: Callable[[], bool],
    timeout_seconds: float | None,
    stop_grace_seconds: float,
) -> ScriptResult:
    try:
        outcome = run_command(
            command,
            cwd=cwd,
            env=env,
            metric_definitions=metric_definitions,
            log=log,
            metric=metric,
            should_stop=should_stop,
            timeout_seconds=timeout_seconds,
            stop_grace_seconds=stop_grace_seconds,
        )
    except OSError as error:
        return _not_started(command, f"could not start {command[0]}: {error}", [])
    result = ScriptResult(
        status="Completed",
        secondary_status="Completed",
        exit_code=outcome.exit_code,
        failure_reason=None,
        seconds=outcome.seconds,
        command=command,
        final_metrics=outcome.final_metrics,
        checkpoint_files=checkpoint_dir_files(),
    )
    if outcome.stop_reason is not None:
        result.status, result.secondary_status = "Stopped", outcome.stop_reason
    elif outcome.exit_code != 0:
        result.status = result.secondary_status = "Failed"
        result.failure_reason = failure_reason(
            failure_file=failure_file,
            stderr_tail=outcome.stderr_tail,
            exit_code=outcome.exit_code,
            toolkit_command=toolkit_command,
        )
    return result


def _not_started(command: list[str], reason: str, checkpoints: list[Path]) -> ScriptResult:
    return ScriptResult(
        status="Failed",
        secondary_status="Failed",
        exit_code=None,
        failure_reason=reason[:MAX_FAILURE_REASON],
        seconds=0.0,
        command=command,
        checkpoint_files=checkpoints,
    )


def _log_skipped_requirements(path: Path, log: LogFn) -> None:
    if path.is_file():
        log(
            f"labs: {path.name} not installed: local mode installs nothing; the kit's "
            "environment already has scikit-learn, XGBoost, TensorFlow, pandas and numpy."
        )


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8") or "{}") or {}
