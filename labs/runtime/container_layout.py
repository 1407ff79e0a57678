"""The ``/opt/ml`` tree of a training or processing container, under a temporary root.

Training (what SageMaker gives every training container)::

    <root>/input/config/hyperparameters.json   request HyperParameters, values as strings
    <root>/input/config/inputdataconfig.json   {channel: {ContentType, TrainingInputMode, ...}}
    <root>/input/config/resourceconfig.json    {current_host: "algo-1", hosts: ["algo-1"], ...}
    <root>/input/data/<channel>/               the runtime downloads each channel here
    <root>/model/                              SM_MODEL_DIR: packed into model.tar.gz
    <root>/output/                             SM_OUTPUT_DIR: ``failure`` goes here
    <root>/output/data/                        SM_OUTPUT_DATA_DIR: packed into output.tar.gz
    <root>/checkpoints/                        CheckpointConfig.LocalPath (/opt/ml/checkpoints)
    <root>/code/                               classic script mode: the unpacked sourcedir

Processing::

    <root>/config/processingjobconfig.json     the job's configuration
    <root>/config/resourceconfig.json          {current_host: "algo-1", hosts: ["algo-1"]}
    <root>/processing/...                      every input and output at its LocalPath
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labs.runtime import container_paths

CURRENT_HOST = "algo-1"
INSTANCE_GROUP = "homogeneousCluster"
NETWORK_INTERFACE = "eth0"
DEFAULT_CHECKPOINT_PATH = "/opt/ml/checkpoints"

ChannelInfo = Mapping[str, Any] | str | os.PathLike[str] | None
"""How a channel is described to :func:`prepare_training_root`:

- a request ``Channel`` (``{"ChannelName", "ContentType", "InputMode", "DataSource", ...}``),
  or an ``inputdataconfig.json`` entry (``{"ContentType", "TrainingInputMode", ...}``);
- a string: the channel's content type;
- a path: a local folder that already holds the channel's data (linked into the tree);
- ``None``: defaults (File mode, no content type).
"""


@dataclass
class TrainingLayout:
    """The ``/opt/ml`` tree of one training job under ``root`` (see the module docstring)."""

    root: Path
    job_name: str
    job_arn: str | None
    instance_type: str
    instance_count: int
    hyperparameters: dict[str, str]
    input_data_config: dict[str, dict[str, Any]]
    resource_config: dict[str, Any]
    environment: dict[str, str] = field(default_factory=dict)
    checkpoint_dir: Path | None = None

    @property
    def input_dir(self) -> Path:
        """``/opt/ml/input``."""
        return self.root / "input"

    @property
    def config_dir(self) -> Path:
        """``/opt/ml/input/config``."""
        return self.input_dir / "config"

    @property
    def data_dir(self) -> Path:
        """``/opt/ml/input/data``."""
        return self.input_dir / "data"

    @property
    def model_dir(self) -> Path:
        """``/opt/ml/model`` (``SM_MODEL_DIR``)."""
        return self.root / "model"

    @property
    def output_dir(self) -> Path:
        """``/opt/ml/output`` (``SM_OUTPUT_DIR``)."""
        return self.root / "output"

    @property
    def output_data_dir(self) -> Path:
        """``/opt/ml/output/data`` (``SM_OUTPUT_DATA_DIR``)."""
        return self.output_dir / "data"

    @property
    def output_intermediate_dir(self) -> Path:
        """``/opt/ml/output/intermediate`` (training toolkit)."""
        return self.output_dir / "intermediate"

    @property
    def failure_file(self) -> Path:
        """``/opt/ml/output/failure``: its text becomes the job's FailureReason."""
        return self.output_dir / "failure"

    @property
    def code_dir(self) -> Path:
        """``/opt/ml/code``: where the training toolkit unpacks ``sagemaker_submit_directory``."""
        return self.root / "code"

    @property
    def channels(self) -> list[str]:
        """The channel names, in request order."""
        return list(self.input_data_config)

    def channel_dir(self, name: str) -> Path:
        """``/opt/ml/input/data/<name>``: the runtime downloads channel ``name`` here."""
        return self.data_dir / name

    def to_local(self, container_path: str) -> Path:
        """The folder under the root that stands for ``container_path`` (an /opt/ml path)."""
        return container_paths.to_local(self.root, container_path)

    def checkpoint_files(self) -> list[Path]:
        """Every file under the checkpoint folder (empty without a checkpoint config)."""
        return container_paths.files_under(self.checkpoint_dir)


@dataclass
class ProcessingLayout:
    """The ``/opt/ml`` tree of one processing job under ``root`` (see the module docstring)."""

    root: Path
    job_name: str
    job_arn: str | None
    instance_type: str
    instance_count: int
    inputs: dict[str, Path]
    outputs: dict[str, Path]
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def config_dir(self) -> Path:
        """``/opt/ml/config``."""
        return self.root / "config"

    @property
    def failure_file(self) -> Path:
        """``/opt/ml/output/failure`` (read if a script writes it, as in training)."""
        return self.root / "output" / "failure"

    def input_dir(self, name: str) -> Path:
        """The local folder of input ``name``: the runtime downloads it here."""
        return self.inputs[name]

    def output_dir(self, name: str) -> Path:
        """The local folder of output ``name``: the runtime uploads it from here."""
        return self.outputs[name]

    def to_local(self, container_path: str) -> Path:
        """The folder under the root that stands for ``container_path`` (an /opt/ml path)."""
        return container_paths.to_local(self.root, container_path)


def prepare_training_root(
    root: Path,
    *,
    hyperparameters: Mapping[str, Any] | None,
    channels: Mapping[str, ChannelInfo] | Sequence[Mapping[str, Any]] | None,
    environment: Mapping[str, str] | None = None,
    job_name: str,
    instance_type: str,
    instance_count: int = 1,
    job_arn: str | None = None,
    input_mode: str = "File",
    checkpoint_local_path: str | None = None,
) -> TrainingLayout:
    """Create the training container's ``/opt/ml`` tree under ``root`` and return it.

    ``hyperparameters`` are written to ``hyperparameters.json`` as strings, as SageMaker
    writes them (non-string values are JSON-encoded, as the SDK does). ``channels`` is the
    request's ``InputDataConfig`` list or a mapping ``{name: ChannelInfo}``; each channel
    gets its (empty) folder ``input/data/<name>`` for the runtime to fill, or a link to the
    folder given. ``input_mode`` is ``AlgorithmSpecification.TrainingInputMode`` (a
    channel's own ``InputMode`` wins); data is always delivered as files locally.
    ``checkpoint_local_path`` is ``CheckpointConfig.LocalPath`` (pass
    ``"/opt/ml/checkpoints"`` when the request has a CheckpointConfig without one); an
    ``/opt/ml`` path maps under ``root``, anything else to ``root/checkpoints``.

    Only one host runs locally: ``resourceconfig.json`` names ``algo-1`` alone whatever
    ``instance_count`` is (a non-distributed script does the same work on every host).
    Existing folders are kept, so the runtime may download channels before or after.
    """
    root = Path(root)
    hps = {str(k): _hp_string(v) for k, v in (hyperparameters or {}).items()}
    data_config, links = _channel_configs(channels, input_mode)
    resource = {
        "current_host": CURRENT_HOST,
        "current_instance_type": instance_type,
        "current_group_name": INSTANCE_GROUP,
        "hosts": [CURRENT_HOST],
        "instance_groups": [
            {
                "instance_group_name": INSTANCE_GROUP,
                "instance_type": instance_type,
                "hosts": [CURRENT_HOST],
            }
        ],
        "network_interface_name": NETWORK_INTERFACE,
    }
    checkpoint_dir = None
    if checkpoint_local_path is not None:
        try:
            checkpoint_dir = container_paths.to_local(root, checkpoint_local_path or "")
        except ValueError:
            checkpoint_dir = root / "checkpoints"
    layout = TrainingLayout(
        root=root,
        job_name=job_name,
        job_arn=job_arn,
        instance_type=instance_type,
        instance_count=instance_count,
        hyperparameters=hps,
        input_data_config=data_config,
        resource_config=resource,
        environment={str(k): str(v) for k, v in (environment or {}).items()},
        checkpoint_dir=checkpoint_dir,
    )
    folders = [layout.config_dir, layout.model_dir, layout.output_data_dir, layout.code_dir]
    folders += [layout.output_intermediate_dir]
    if checkpoint_dir is not None:
        folders.append(checkpoint_dir)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for name in data_config:
        target = layout.channel_dir(name)
        if name in links:
            _link_or_copy(Path(links[name]), target)
        else:
            target.mkdir(parents=True, exist_ok=True)
    _write_json(layout.config_dir / "hyperparameters.json", hps)
    _write_json(layout.config_dir / "inputdataconfig.json", data_config)
    _write_json(layout.config_dir / "resourceconfig.json", resource)
    return layout


def prepare_processing_root(
    root: Path,
    *,
    inputs: Sequence[Mapping[str, Any]] | Mapping[str, str] | None,
    outputs: Sequence[Mapping[str, Any]] | Mapping[str, str] | None,
    environment: Mapping[str, str] | None = None,
    job_name: str,
    instance_type: str,
    instance_count: int = 1,
    job_arn: str | None = None,
    job_config: Mapping[str, Any] | None = None,
) -> ProcessingLayout:
    """Create the processing container's ``/opt/ml`` tree under ``root`` and return it.

    ``inputs`` / ``outputs`` are the request's ``ProcessingInputs`` and
    ``ProcessingOutputConfig.Outputs`` lists (``LocalPath`` inside ``S3Input``,
    ``DatasetDefinition`` or ``S3Output``), or mappings ``{name: LocalPath}``. Each
    ``LocalPath`` (``/opt/ml/processing/...``) becomes a folder under ``root``; outputs
    without a local path (Feature Store) are skipped. ``job_config`` (usually the request)
    is written to ``config/processingjobconfig.json``. Raises ``ValueError`` for a
    ``LocalPath`` outside ``/opt/ml``.
    """
    root = Path(root)
    input_dirs = {
        name: container_paths.to_local(root, path) for name, path in _local_paths(inputs).items()
    }
    output_dirs = {
        name: container_paths.to_local(root, path) for name, path in _local_paths(outputs).items()
    }
    layout = ProcessingLayout(
        root=root,
        job_name=job_name,
        job_arn=job_arn,
        instance_type=instance_type,
        instance_count=instance_count,
        inputs=input_dirs,
        outputs=output_dirs,
        environment={str(k): str(v) for k, v in (environment or {}).items()},
    )
    for folder in [layout.config_dir, *input_dirs.values(), *output_dirs.values()]:
        folder.mkdir(parents=True, exist_ok=True)
    config = dict(job_config or {})
    config.setdefault("ProcessingJobName", job_name)
    _write_json(layout.config_dir / "processingjobconfig.json", config)
    _write_json(
        layout.config_dir / "resourceconfig.json",
        {"current_host": CURRENT_HOST, "hosts": [CURRENT_HOST]},
    )
    return layout


def _hp_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _channel_configs(
    channels: Mapping[str, ChannelInfo] | Sequence[Mapping[str, Any]] | None, input_mode: str
) -> tuple[dict[str, dict[str, Any]], dict[str, os.PathLike[str] | str]]:
    """``inputdataconfig.json`` entries per channel, and the channels given as folders."""
    if channels is None:
        items: list[tuple[str, ChannelInfo]] = []
    elif isinstance(channels, Mapping):
        items = [(str(name), info) for name, info in channels.items()]
    else:
        items = [(str(channel["ChannelName"]), channel) for channel in channels]
    configs: dict[str, dict[str, Any]] = {}
    links: dict[str, os.PathLike[str] | str] = {}
    for name, info in items:
        entry: dict[str, Any] = {}
        mode, distribution, wrapper = input_mode, "FullyReplicated", "None"
        if isinstance(info, os.PathLike):
            links[name] = info
        elif isinstance(info, str):
            entry["ContentType"] = info
        elif isinstance(info, Mapping):
            if info.get("ContentType"):
                entry["ContentType"] = info["ContentType"]
            mode = info.get("InputMode") or info.get("TrainingInputMode") or mode
            source = (info.get("DataSource") or {}).get("S3DataSource") or {}
            distribution = (
                source.get("S3DataDistributionType")
                or info.get("S3DistributionType")
                or distribution
            )
            wrapper = info.get("RecordWrapperType") or wrapper
        entry.update(
            TrainingInputMode=mode, S3DistributionType=distribution, RecordWrapperType=wrapper
        )
        configs[name] = entry
    return configs, links


def _local_paths(items: Sequence[Mapping[str, Any]] | Mapping[str, str] | None) -> dict[str, str]:
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return {str(name): str(path) for name, path in items.items()}
    paths: dict[str, str] = {}
    for item in items:
        for key in ("S3Input", "DatasetDefinition", "S3Output"):
            local = (item.get(key) or {}).get("LocalPath")
            if local:
                paths[str(item.get("InputName") or item.get("OutputName"))] = str(local)
                break
    return paths


def _link_or_copy(source: Path, target: Path) -> None:
    if target.exists() or target.is_symlink():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        target.symlink_to(source.resolve(), target_is_directory=True)
    except OSError:  # no symlinks (some Windows setups): copy instead
        shutil.copytree(source, target)


def _write_json(path: Path, content: Any) -> None:
    path.write_text(json.dumps(content), encoding="utf-8")
