"""The training- and processing-container contracts of script mode (labs.runtime.containers).

Most tests call the functions on local folders, without moto. One builds its layout from
what a real SDK v3 ``ModelTrainer`` uploads to the local AWS (the ``lab`` fixture).
"""

from __future__ import annotations

import importlib
import io
import json
import shlex
import shutil
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from labs.runtime import container_env, containers
from labs.runtime.containers import (
    ContainerCommand,
    ToolkitEntry,
    prepare_processing_root,
    prepare_training_root,
    run_processing_script,
    run_training_script,
)

SCRIPTS = Path(__file__).parent / "fixtures" / "scripts"
SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"
METRICS = [
    {"Name": "train:loss", "Regex": r"train-loss=([0-9.]+)"},
    {"Name": "validation:accuracy", "Regex": r"validation accuracy: ([0-9.]+)"},
]
SM_TRAIN = (
    "chmod +x /opt/ml/input/data/sm_drivers/sm_train.sh && "
    "/opt/ml/input/data/sm_drivers/sm_train.sh"
)


class Recorder:
    """Collects log lines and metrics; can ask to stop once a line was seen."""

    def __init__(self, stop_after: str | None = None) -> None:
        self.lines: list[str] = []
        self.metrics: list[tuple[str, float]] = []
        self.stop_after = stop_after
        self.stop_requested_at: float | None = None

    def log(self, line: str) -> None:
        self.lines.append(line)

    def metric(self, name: str, value: float) -> None:
        self.metrics.append((name, value))

    def should_stop(self) -> bool:
        if self.stop_after is not None and self.stop_after in self.lines:
            self.stop_requested_at = self.stop_requested_at or time.monotonic()
            return True
        return False


def sourcedir_tarball(folder: Path, *names: str) -> Path:
    """A sourcedir.tar.gz of the fixture scripts ``names`` (as SDK v2 uploads it)."""
    archive = folder / "sourcedir.tar.gz"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as bundle:
        for name in names:
            bundle.add(SCRIPTS / name, arcname=name)
    return archive


def training_layout(root: Path, hyperparameters: dict[str, str], mode: str, **kwargs: Any):
    layout = prepare_training_root(
        root,
        hyperparameters=hyperparameters,
        channels=[{"ChannelName": "train", "ContentType": "text/csv"}],
        environment={"EXPECT_ROOT": str(root), "EXPECT_MODE": mode},
        job_name="contract-job",
        job_arn="arn:aws:sagemaker:us-east-1:123456789012:training-job/contract-job",
        instance_type="ml.m5.large",
        checkpoint_local_path="/opt/ml/checkpoints",
        **kwargs,
    )
    (layout.channel_dir("train") / "data.csv").write_text("1,2\n3,4\n5,6\n")
    return layout


def classic(program: str, **hps: str) -> dict[str, str]:
    """Hyperparameters as SDK v2 sends them for classic script mode."""
    return {
        "sagemaker_program": json.dumps(program),
        "sagemaker_submit_directory": json.dumps("s3://bucket/contract-job/sourcedir.tar.gz"),
        "sagemaker_region": json.dumps("us-east-1"),
        "sagemaker_container_log_level": "20",
        **hps,
    }


# ---------------------------------------------------------------------------- training


def test_training_root_has_the_config_files_sagemaker_writes(tmp_path):
    layout = prepare_training_root(
        tmp_path,
        hyperparameters={"alpha": 0.1, "name": "x y", "flag": True},
        channels={"train": "text/csv", "validation": None},
        job_name="job",
        instance_type="ml.m5.large",
        instance_count=2,
    )
    config = tmp_path / "input" / "config"
    assert json.loads((config / "hyperparameters.json").read_text()) == {
        "alpha": "0.1",
        "name": "x y",
        "flag": "true",
    }
    assert json.loads((config / "inputdataconfig.json").read_text()) == {
        "train": {
            "ContentType": "text/csv",
            "TrainingInputMode": "File",
            "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None",
        },
        "validation": {
            "TrainingInputMode": "File",
            "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None",
        },
    }
    resource = json.loads((config / "resourceconfig.json").read_text())
    assert resource["current_host"] == "algo-1" and resource["hosts"] == ["algo-1"]
    assert resource["network_interface_name"] == "eth0"
    for folder in ("input/data/train", "input/data/validation", "model", "output/data"):
        assert (tmp_path / folder).is_dir()
    assert layout.checkpoint_dir is None


def test_classic_script_mode_gets_the_whole_contract(tmp_path):
    root = tmp_path / "job"
    layout = training_layout(
        root, classic("train_contract.py", alpha="0.25", epochs="3", extra='"x y"'), "toolkit"
    )
    recorder = Recorder()
    result = run_training_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        entry=ToolkitEntry(source=sourcedir_tarball(tmp_path / "s3", "train_contract.py")),
        metric_definitions=METRICS,
        log=recorder.log,
        metric=recorder.metric,
        should_stop=recorder.should_stop,
        timeout_seconds=60,
    )
    assert result.status == "Completed", (result.failure_reason, recorder.lines[-20:])
    assert result.exit_code == 0 and result.failure_reason is None
    assert "training done" in recorder.lines
    by_name: dict[str, list[float]] = {}
    for name, value in recorder.metrics:  # stdout and stderr interleave in any order
        by_name.setdefault(name, []).append(value)
    assert by_name == {"train:loss": [1.0, 0.5, 0.3333], "validation:accuracy": [0.5, 0.6, 0.7]}
    assert result.final_metrics == {"train:loss": 0.3333, "validation:accuracy": 0.7}
    model = json.loads((layout.model_dir / "model.json").read_text())
    assert model == {"weights": [3.0, 4.0], "alpha": 0.25}
    assert result.checkpoint_files == [layout.checkpoint_dir / "epoch-last" / "state.json"]

    report = json.loads((layout.output_data_dir / "report.json").read_text())
    # the toolkit passes user hyperparameters only, sorted, JSON-decoded
    assert report["argv"] == ["--alpha", "0.25", "--epochs", "3", "--extra", "x y"]
    env = report["env"]
    assert json.loads(env["SM_HPS"]) == {"alpha": 0.25, "epochs": 3, "extra": "x y"}
    assert env["SM_HP_ALPHA"] == "0.25" and env["SM_HP_EPOCHS"] == "3"
    assert env["SM_HP_EXTRA"] == "x y"
    assert "SM_HP_SAGEMAKER_PROGRAM" not in env
    assert json.loads(env["SM_FRAMEWORK_PARAMS"]) == {}
    assert env["SM_MODULE_NAME"] == "train_contract"
    assert env["SM_FRAMEWORK_MODULE"] == "sagemaker_sklearn_container.training:main"
    assert json.loads(env["SM_CHANNELS"]) == ["train"]
    assert env["SM_CHANNEL_TRAIN"] == str(layout.channel_dir("train"))
    assert report["executable"] == sys.executable
    assert any(
        line.startswith("Invoking script with the following command") for line in recorder.lines
    )


def test_script_failure_file_is_the_failure_reason(tmp_path):
    layout = training_layout(tmp_path, classic("fail_with_reason.py"), "toolkit")
    shutil.copy(SCRIPTS / "fail_with_reason.py", layout.code_dir)
    result = run_training_script(layout, image_uri=SKLEARN_IMAGE, entry=ToolkitEntry())
    assert result.status == "Failed" and result.exit_code == 1
    assert result.failure_reason == "ClientError: the train channel has no label column"
    assert (tmp_path / "output" / "failure").is_file()


def test_exception_tail_is_the_failure_reason(tmp_path):
    layout = training_layout(tmp_path, classic("raise_error.py"), "toolkit")
    shutil.copy(SCRIPTS / "raise_error.py", layout.code_dir)
    recorder = Recorder()
    result = run_training_script(
        layout, image_uri=SKLEARN_IMAGE, entry=ToolkitEntry(), log=recorder.log
    )
    assert result.status == "Failed" and result.exit_code == 1
    reason = result.failure_reason or ""
    assert reason.startswith('ExecuteUserScriptError:\nExitCode 1\nErrorMessage "')
    assert "ValueError: alpha must be positive, got -1.0" in reason
    assert "in fit\n" in reason and "raise_error.py" in reason
    assert "something noisy" not in reason  # the traceback, not what stderr had before
    assert len(reason) <= 1024
    assert "loading data" in recorder.lines  # stdout was logged too


def test_failure_reason_is_trimmed_to_1024_keeping_the_end(tmp_path):
    script = tmp_path / "code" / "long_error.py"
    script.parent.mkdir(parents=True)
    script.write_text("raise RuntimeError('x' * 5000 + ' THE END')\n")
    layout = training_layout(tmp_path, classic("long_error.py"), "toolkit")
    result = run_training_script(layout, image_uri=SKLEARN_IMAGE, entry=ToolkitEntry())
    assert result.status == "Failed"
    assert len(result.failure_reason or "") <= 1024
    assert "THE END" in (result.failure_reason or "")


def test_should_stop_ends_a_running_script_quickly(tmp_path):
    layout = training_layout(tmp_path, classic("sleeper.py"), "toolkit")
    shutil.copy(SCRIPTS / "sleeper.py", layout.code_dir)
    recorder = Recorder(stop_after="started")
    started = time.monotonic()
    result = run_training_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        entry=ToolkitEntry(),
        log=recorder.log,
        should_stop=recorder.should_stop,
    )
    assert result.status == "Stopped" and result.secondary_status == "Stopped"
    assert result.failure_reason is None
    assert recorder.stop_requested_at is not None
    assert time.monotonic() - recorder.stop_requested_at < 2.0
    assert time.monotonic() - started < 10


def test_a_script_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    layout = training_layout(tmp_path, classic("sleeper.py", **{"ignore-term": '""'}), "toolkit")
    shutil.copy(SCRIPTS / "sleeper.py", layout.code_dir)
    recorder = Recorder(stop_after="started")
    result = run_training_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        entry=ToolkitEntry(),
        log=recorder.log,
        should_stop=recorder.should_stop,
        stop_grace_seconds=0.5,
    )
    assert result.status == "Stopped"
    assert result.exit_code is not None and result.exit_code < 0  # killed by a signal
    assert time.monotonic() - (recorder.stop_requested_at or 0) < 3.0


def test_time_limit_stops_the_job_as_max_runtime_exceeded(tmp_path):
    layout = training_layout(tmp_path, classic("sleeper.py"), "toolkit")
    shutil.copy(SCRIPTS / "sleeper.py", layout.code_dir)
    started = time.monotonic()
    result = run_training_script(
        layout, image_uri=SKLEARN_IMAGE, entry=ToolkitEntry(), timeout_seconds=1
    )
    assert result.status == "Stopped" and result.secondary_status == "MaxRuntimeExceeded"
    assert time.monotonic() - started < 5


def test_network_guard_reaches_the_training_script(tmp_path):
    script = tmp_path / "code" / "probe.py"
    script.parent.mkdir(parents=True)
    script.write_text(
        "import os, sys\n"
        "from labs.local import netguard\n"
        "paths = os.environ['PYTHONPATH'].split(os.pathsep)\n"
        "print('guard', netguard.installed(), paths.index(str(netguard.GUARD_SITE)))\n"
        "print('code', paths.index(os.getcwd()))\n"
    )
    layout = training_layout(tmp_path, classic("probe.py"), "toolkit")
    recorder = Recorder()
    result = run_training_script(
        layout, image_uri=SKLEARN_IMAGE, entry=ToolkitEntry(), log=recorder.log
    )
    assert result.succeeded, result.failure_reason
    assert "guard True 0" in recorder.lines and "code 1" in recorder.lines


def test_log_lines_arrive_while_the_script_runs(tmp_path):
    script = tmp_path / "code" / "slow.py"
    script.parent.mkdir(parents=True)
    script.write_text("import time\nprint('first')\ntime.sleep(1.0)\nprint('second')\n")
    layout = training_layout(tmp_path, classic("slow.py"), "toolkit")
    seen: dict[str, float] = {}
    run_training_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        entry=ToolkitEntry(),
        log=lambda line: seen.setdefault(line, time.monotonic()),
    )
    assert seen["second"] - seen["first"] > 0.7


# ------------------------------------------------------------ SDK v3 ModelTrainer drivers


def sdk_driver_layout(root: Path, hyperparameters: dict[str, str], source_code: dict[str, Any]):
    """The layout of a ModelTrainer job, with the SDK's own drivers in sm_drivers."""
    from sagemaker.train.constants import SM_DRIVERS_LOCAL_PATH

    layout = prepare_training_root(
        root,
        hyperparameters=hyperparameters,
        channels=[{"ChannelName": n} for n in ("train", "code", "sm_drivers")],
        environment={"EXPECT_ROOT": str(root), "EXPECT_MODE": "driver"},
        job_name="driver-job",
        instance_type="ml.m5.large",
        checkpoint_local_path="/opt/ml/checkpoints",
    )
    shutil.copytree(SM_DRIVERS_LOCAL_PATH, layout.channel_dir("sm_drivers"), dirs_exist_ok=True)
    (layout.channel_dir("sm_drivers") / "sourcecode.json").write_text(json.dumps(source_code))
    (layout.channel_dir("sm_drivers") / "distributed.json").write_text("{}")
    (layout.channel_dir("train") / "data.csv").write_text("1,2\n3,4\n")
    return layout


def test_driver_args_and_env_match_the_sdk_drivers(tmp_path, monkeypatch):
    """The emulation sets what the SDK's environment.py exports, with paths in the root."""
    from sagemaker.train.container_drivers.common import utils as sdk_utils

    hps = {"alpha": "0.1", "name": "x y", "lst": "[1, 2]", "flag": "true", "learning-rate": "3"}
    assert container_env.driver_args(hps) == sdk_utils.hyperparameters_to_cli_args(hps)

    source_code = {"source_dir": "src", "entry_script": "train.py", "requirements": None}
    layout = sdk_driver_layout(tmp_path, hps, source_code)
    ours = container_env.driver_env(layout, source_code=source_code, distributed={})

    drivers_path = str(Path(sdk_utils.__file__).parent.parent)
    monkeypatch.syspath_prepend(drivers_path)
    monkeypatch.setenv("TRAINING_JOB_NAME", "driver-job")
    monkeypatch.delenv("SM_LOG_LEVEL", raising=False)
    before = set(sys.modules)
    try:
        environment = importlib.import_module(
            "sagemaker.train.container_drivers.scripts.environment"
        )
    finally:  # the drivers import their helpers as the top-level package "common"
        for name in set(sys.modules) - before:
            if name == "common" or name.startswith("common."):
                del sys.modules[name]
    monkeypatch.setattr(environment, "read_source_code_json", lambda: source_code)
    monkeypatch.setattr(environment, "read_distributed_json", lambda: {})
    monkeypatch.setattr(environment, "log_env_variables", lambda env_vars_dict: None)
    env_file = tmp_path / "sm_training.env"
    environment.set_env(
        resource_config=layout.resource_config,
        input_data_config=layout.input_data_config,
        hyperparameters_config=hps,
        output_file=str(env_file),
    )
    sdk = {}
    for line in env_file.read_text().splitlines():
        key, value = line.removeprefix("export ").split("=", 1)
        sdk[key] = shlex.split(value)[0].replace("/opt/ml", str(tmp_path))
    assert set(ours) - set(sdk) == {"SM_CHECKPOINT_DIR"}
    assert {key: ours[key] for key in sdk} == sdk


def test_sdk_driver_command_mode_runs_through_the_shell(tmp_path):
    source_code = {
        "source_dir": "src",
        "entry_script": None,
        "command": "python -c",
        "args": ["import os, sys; print('cmd', os.getcwd(), os.environ['SM_HP_ALPHA'])"],
        "requirements": "requirements.txt",
    }
    layout = sdk_driver_layout(tmp_path, {"alpha": "0.5"}, source_code)
    (layout.channel_dir("code") / "requirements.txt").write_text("scikit-learn\n")
    recorder = Recorder()
    result = run_training_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        entry=ContainerCommand(["/bin/bash"], ["-c", SM_TRAIN]),
        log=recorder.log,
    )
    assert result.succeeded, (result.failure_reason, recorder.lines)
    assert f"cmd {layout.channel_dir('code')} 0.5" in recorder.lines
    assert any("requirements.txt not installed" in line for line in recorder.lines)


def test_sdk_driver_failure_reason_is_the_exception(tmp_path):
    layout = sdk_driver_layout(
        tmp_path, {}, {"source_dir": "src", "entry_script": "raise_error.py"}
    )
    shutil.copy(SCRIPTS / "raise_error.py", layout.channel_dir("code"))
    result = run_training_script(
        layout, image_uri=SKLEARN_IMAGE, entry=ContainerCommand(["/bin/bash"], ["-c", SM_TRAIN])
    )
    assert result.status == "Failed"
    assert (result.failure_reason or "").endswith("ValueError: alpha must be positive, got -1.0")


def download_prefix(s3: Any, uri: str, folder: Path) -> None:
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            relative = item["Key"][len(prefix) :].lstrip("/")
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())


def test_sdk_v3_model_trainer_runs_end_to_end(lab, tmp_path):
    """What ModelTrainer really uploads (code + sm_drivers channels) runs under the contract.

    ``_create_training_job_args`` is the SDK's own request builder (it uploads the
    channels); calling it instead of ``train()`` keeps the job out of the runtime.
    """
    from sagemaker.core.utils.utils import serialize
    from sagemaker.train import ModelTrainer
    from sagemaker.train.configs import CheckpointConfig, Compute, InputData, SourceCode

    root = tmp_path / "root"
    s3 = lab.client("s3")
    s3.put_object(Bucket=lab.bucket, Key="tests/containers/train/a.csv", Body=b"1,2\n3,4\n")
    trainer = ModelTrainer(
        training_image=SKLEARN_IMAGE,
        source_code=SourceCode(source_dir=str(SCRIPTS), entry_script="train_contract.py"),
        compute=Compute(instance_type="ml.m5.large", instance_count=1),
        hyperparameters={"alpha": 0.1, "epochs": 2, "tag": "x y"},
        role=lab.role_arn,
        sagemaker_session=lab.sagemaker_session,
        base_job_name="containers-test",
        environment={"EXPECT_ROOT": str(root), "EXPECT_MODE": "driver"},
        checkpoint_config=CheckpointConfig(s3_uri=lab.s3_uri("tests/containers/ckpt")),
    )
    request = trainer._create_training_job_args(
        input_data_config=[
            InputData(channel_name="train", data_source=lab.s3_uri("tests/containers/train/"))
        ]
    )
    spec = serialize(request["algorithm_specification"])
    channels = serialize(request["input_data_config"])
    assert [c["ChannelName"] for c in channels] == ["train", "code", "sm_drivers"]
    assert spec["ContainerEntrypoint"] == ["/bin/bash"]
    assert spec["ContainerArguments"] == ["-c", SM_TRAIN]

    checkpoint = serialize(request["checkpoint_config"])
    layout = prepare_training_root(
        root,
        hyperparameters=request["hyper_parameters"],
        channels=channels,
        environment=request["environment"],
        job_name=request["training_job_name"],
        instance_type="ml.m5.large",
        checkpoint_local_path=checkpoint.get("LocalPath") or "/opt/ml/checkpoints",
    )
    for channel in channels:
        uri = channel["DataSource"]["S3DataSource"]["S3Uri"]
        download_prefix(s3, uri, layout.channel_dir(channel["ChannelName"]))
    entry = containers.training_entry(spec, layout.hyperparameters)
    assert isinstance(entry, ContainerCommand)
    recorder = Recorder()
    result = run_training_script(
        layout,
        image_uri=spec["TrainingImage"],
        entry=entry,
        metric_definitions=METRICS,
        log=recorder.log,
        metric=recorder.metric,
        timeout_seconds=60,
    )
    assert result.succeeded, (result.failure_reason, recorder.lines[-20:])
    assert result.final_metrics == {"train:loss": 0.5, "validation:accuracy": 0.6}
    report = json.loads((layout.output_data_dir / "report.json").read_text())
    # the SDK's basic_script_driver passes every hyperparameter, in request order
    assert report["argv"] == ["--alpha", "0.1", "--epochs", "2", "--tag", "x y"]
    assert json.loads(report["env"]["SM_HPS"]) == {"alpha": 0.1, "epochs": 2, "tag": "x y"}
    assert report["env"]["SM_HP_TAG"] == "x y"
    assert json.loads(report["env"]["SM_CHANNELS"]) == ["train", "code", "sm_drivers"]
    assert report["rows"] == 2
    assert json.loads((layout.model_dir / "model.json").read_text())["weights"] == [2.0, 3.0]
    assert [p.name for p in result.checkpoint_files] == ["state.json"]


def test_training_entry_tells_the_kinds_apart():
    sm_train = {"ContainerEntrypoint": ["/bin/bash"], "ContainerArguments": ["-c", SM_TRAIN]}
    assert containers.training_entry(sm_train, {}) == ContainerCommand(
        ["/bin/bash"], ["-c", SM_TRAIN]
    )
    hps = classic("train.py")
    assert containers.training_entry({}, hps) == ToolkitEntry(program="train.py")
    assert containers.submit_directory(hps) == "s3://bucket/contract-job/sourcedir.tar.gz"
    assert containers.training_entry({}, {"sagemaker_program": "train.py"}) == ToolkitEntry(
        program="train.py"
    )
    assert containers.training_entry({"TrainingImage": "xgboost"}, {"num_round": "10"}) is None


# -------------------------------------------------------------------------- processing


def test_processing_script_paths_are_rewritten_into_the_root(tmp_path):
    request = {
        "ProcessingInputs": [
            {
                "InputName": "raw",
                "S3Input": {"S3Uri": "s3://b/raw", "LocalPath": "/opt/ml/processing/input"},
            },
            {
                "InputName": "code",
                "S3Input": {
                    "S3Uri": "s3://b/job/input/code/preprocess.py",
                    "LocalPath": "/opt/ml/processing/input/code",
                },
            },
        ],
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "splits",
                    "S3Output": {"S3Uri": "s3://b/out", "LocalPath": "/opt/ml/processing/out"},
                }
            ]
        },
    }
    layout = prepare_processing_root(
        tmp_path,
        inputs=request["ProcessingInputs"],
        outputs=request["ProcessingOutputConfig"]["Outputs"],
        environment={"EXPECT_ROOT": str(tmp_path)},
        job_name="proc-job",
        instance_type="ml.m5.large",
        job_config=request,
    )
    assert layout.input_dir("raw") == tmp_path / "processing" / "input"
    assert layout.output_dir("splits") == tmp_path / "processing" / "out"
    assert (tmp_path / "config" / "processingjobconfig.json").is_file()
    (layout.input_dir("raw") / "rows.csv").write_text("\n".join(str(i) for i in range(10)))
    shutil.copy(SCRIPTS / "preprocess.py", layout.input_dir("code"))
    recorder = Recorder()
    result = run_processing_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        container_entrypoint=["python3", "/opt/ml/processing/input/code/preprocess.py"],
        container_arguments=[
            "--input-data",
            "/opt/ml/processing/input",
            "--output-dir=/opt/ml/processing/out",
            "--split",
            "0.2",
        ],
        log=recorder.log,
    )
    assert result.succeeded, (result.failure_reason, recorder.lines)
    assert result.command[0] == sys.executable
    assert f"{tmp_path}/processing/input/code/preprocess.py" in result.command
    assert "wrote 8 training rows and 2 test rows" in recorder.lines
    assert (layout.output_dir("splits") / "train.csv").read_text().split() == [
        str(i) for i in range(8)
    ]


def test_processing_failure_reason_is_the_stderr_tail(tmp_path):
    layout = prepare_processing_root(
        tmp_path,
        inputs={"code": "/opt/ml/processing/input/code"},
        outputs={},
        job_name="proc-job",
        instance_type="ml.m5.large",
    )
    shutil.copy(SCRIPTS / "raise_error.py", layout.input_dir("code"))
    result = run_processing_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        container_entrypoint=["python3", "/opt/ml/processing/input/code/raise_error.py"],
    )
    assert result.status == "Failed" and result.exit_code == 1
    assert (result.failure_reason or "").endswith("ValueError: alpha must be positive, got -1.0")


def test_framework_processor_runproc_is_done_in_python(tmp_path):
    from sagemaker.core.processing import FrameworkProcessor

    processor = FrameworkProcessor.__new__(FrameworkProcessor)
    processor.command = ["python"]
    runproc = processor._generate_framework_script("preprocess.py")
    layout = prepare_processing_root(
        tmp_path,
        inputs={
            "raw": "/opt/ml/processing/input/data",
            "code": "/opt/ml/processing/input/code/",
            "entrypoint": "/opt/ml/processing/input/entrypoint",
        },
        outputs={"splits": "/opt/ml/processing/out"},
        environment={"EXPECT_ROOT": str(tmp_path)},
        job_name="fp-job",
        instance_type="ml.m5.large",
    )
    (layout.input_dir("entrypoint") / "runproc.sh").write_text(runproc)
    sourcedir_tarball(layout.input_dir("code"), "preprocess.py")
    (layout.input_dir("raw") / "rows.csv").write_text("a\nb\nc\nd\n")
    recorder = Recorder()
    result = run_processing_script(
        layout,
        image_uri=SKLEARN_IMAGE,
        container_entrypoint=["/bin/bash", "/opt/ml/processing/input/entrypoint/runproc.sh"],
        container_arguments=[
            "--input-data",
            "/opt/ml/processing/input/data",
            "--output-dir",
            "/opt/ml/processing/out",
        ],
        log=recorder.log,
    )
    assert result.succeeded, (result.failure_reason, recorder.lines)
    assert result.command[:2] == [sys.executable, "preprocess.py"]
    assert (layout.input_dir("code") / "preprocess.py").is_file()
    assert "wrote 2 training rows and 2 test rows" in recorder.lines


def test_processing_paths_outside_opt_ml_are_refused(tmp_path):
    with pytest.raises(ValueError, match="/opt/ml"):
        prepare_processing_root(
            tmp_path,
            inputs={"raw": "/data/raw"},
            outputs={},
            job_name="j",
            instance_type="ml.m5.large",
        )


def test_processing_without_an_entrypoint_fails_clearly(tmp_path):
    layout = prepare_processing_root(
        tmp_path, inputs={}, outputs={}, job_name="j", instance_type="ml.m5.large"
    )
    result = run_processing_script(layout, image_uri=SKLEARN_IMAGE, container_entrypoint=None)
    assert result.status == "Failed" and "ContainerEntrypoint" in (result.failure_reason or "")


def test_opt_ml_rewrite_leaves_other_paths_alone(tmp_path):
    from labs.runtime import container_paths

    rewrite = container_paths.rewrite
    root = tmp_path
    assert rewrite("/opt/ml/processing/input", root) == f"{root}/processing/input"
    assert rewrite("--x=/opt/ml/model", root) == f"--x={root}/model"
    assert rewrite("cd /opt/ml && ls", root) == f"cd {root} && ls"
    assert rewrite("/opt/mlflow/x", root) == "/opt/mlflow/x"
    assert rewrite("/home/opt/ml/x", root) == "/home/opt/ml/x"


def test_sourcedir_tarball_cannot_escape(tmp_path):
    from labs.runtime import container_paths

    archive = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 2
        bundle.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(tarfile.TarError):
        container_paths.extract_tarball(archive, tmp_path / "code")
    assert not (tmp_path / "escaped.txt").exists()
