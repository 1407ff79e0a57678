"""The environment and command-line arguments a training script gets, as SageMaker gives them.

Two contracts, both with every path inside the job's temporary root:

- :func:`toolkit_env` / :func:`toolkit_args`: the sagemaker-training toolkit, which runs
  classic script mode in the framework images (``sagemaker_program`` /
  ``sagemaker_submit_directory`` hyperparameters). Hyperparameter values are JSON-decoded;
  ``sagemaker_*`` ones are framework parameters, not passed to the script; the rest become
  ``SM_HPS``, ``SM_HP_<NAME>`` (name upper-cased as is) and ``--name value`` arguments in
  sorted order (``-n value`` for one-letter names).
- :func:`driver_env` / :func:`driver_args`: what the SDK v3 ``ModelTrainer`` drivers set
  (``sm_drivers/scripts/environment.py`` then ``basic_script_driver.py``). Every
  hyperparameter is passed, in request order, as ``--name value``; ``SM_HP_<NAME>`` has
  ``-`` turned into ``_``; there is no ``SM_USER_ARGS`` nor ``SM_MODULE_DIR``.

:func:`base_env` is what both start from: the kit's own environment (AWS endpoint and
credentials of the local AWS, network guard) without any inherited ``SM_*`` variable,
the request's ``Environment``, and what SageMaker itself sets in a container.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labs.local import netguard
from labs.runtime.container_layout import TrainingLayout

LOG_LEVEL = 20
MASTER_PORT = 7777

# Hyperparameters the toolkit keeps for itself (sagemaker_training.params).
TOOLKIT_RESERVED = (
    "sagemaker_program",
    "sagemaker_submit_directory",
    "sagemaker_enable_cloudwatch_metrics",
    "sagemaker_region",
    "sagemaker_container_log_level",
    "sagemaker_job_name",
    "default_user_module_name",
    "_tuning_objective_metric",
    "sagemaker_s3_output",
)

# SAGEMAKER_TRAINING_MODULE of the framework images, by repository name.
_FRAMEWORK_MODULES = {
    "sagemaker-scikit-learn": "sagemaker_sklearn_container.training:main",
    "sagemaker-xgboost": "sagemaker_xgboost_container.training:main",
    "tensorflow-training": "sagemaker_tensorflow_container.training:main",
    "pytorch-training": "sagemaker_pytorch_container.training:main",
}


def decode_hyperparameters(hyperparameters: Mapping[str, str]) -> dict[str, Any]:
    """Each value JSON-decoded when it is JSON (``"0.1"`` -> 0.1), else kept as the string."""
    decoded: dict[str, Any] = {}
    for key, value in hyperparameters.items():
        try:
            decoded[key] = json.loads(value)
        except (TypeError, ValueError):
            decoded[key] = value
    return decoded


def split_hyperparameters(
    hyperparameters: Mapping[str, str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(user, sagemaker)``: the toolkit's split of decoded hyperparameters."""
    decoded = decode_hyperparameters(hyperparameters)
    sagemaker = {
        k: v for k, v in decoded.items() if k in TOOLKIT_RESERVED or k.startswith("sagemaker_")
    }
    user = {k: v for k, v in decoded.items() if k not in sagemaker}
    return user, sagemaker


def toolkit_args(user_hyperparameters: Mapping[str, Any]) -> list[str]:
    """``mapping.to_cmd_args`` of the training toolkit: sorted ``--name value`` pairs."""
    args: list[str] = []
    for key in sorted(user_hyperparameters):
        name = str(key)
        args.append(f"--{name}" if len(name) > 1 else f"-{name}")
        value = user_hyperparameters[key]
        if hasattr(value, "items"):
            args.append(",".join(f"{k}={v}" for k, v in sorted(value.items())))
        else:
            args.append("" if value is None else str(value))
    return args


def driver_args(hyperparameters: Mapping[str, str]) -> list[str]:
    """``hyperparameters_to_cli_args`` of the SDK v3 drivers: ``--name value`` in order."""
    args: list[str] = []
    for key, value in decode_hyperparameters(hyperparameters).items():
        args += [f"--{key}", _safe_serialize(value)]
    return args


def base_env(
    environment: Mapping[str, str],
    *,
    job_vars: Mapping[str, str],
    code_dir: Path | None,
    extra_path: Path | None = None,
) -> dict[str, str]:
    """The kit's environment for a job's child process, before the contract variables.

    Starts from ``os.environ`` minus inherited ``SM_*`` variables, adds the request's
    ``Environment``, ``job_vars`` (``TRAINING_JOB_NAME``/``TRAINING_JOB_ARN``, which
    SageMaker sets in training containers), ``PYTHONUNBUFFERED`` (as the
    framework images do; also what makes logs arrive line by line), and a ``PYTHONPATH``
    that starts with the network guard's ``guard_site`` when the guard is on
    (``LABS_NETWORK_GUARD=1``; first, so that no ``sitecustomize`` in the learner's code
    can shadow it), then ``code_dir``. ``extra_path`` goes first on ``PATH``.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("SM_")}
    env.pop("SAGEMAKER_BASE_DIR", None)
    if env.get(netguard.ENV_FLAG) == "1":
        env.update(netguard.kernel_env())
    env.update({str(k): str(v) for k, v in environment.items()})
    env.update(job_vars)
    env["PYTHONUNBUFFERED"] = "1"
    paths = [str(netguard.GUARD_SITE)] if env.get(netguard.ENV_FLAG) == "1" else []
    if code_dir is not None:
        paths.append(str(code_dir))
    paths += [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if extra_path is not None:
        env["PATH"] = os.pathsep.join([str(extra_path), env.get("PATH", "")])
    return env


def toolkit_env(
    layout: TrainingLayout, *, program: str, image_uri: str, num_cpus: int | None = None
) -> dict[str, str]:
    """The ``SM_*`` variables the training toolkit sets for a classic script-mode job."""
    user, sagemaker = split_hyperparameters(layout.hyperparameters)
    extra = {k: v for k, v in sagemaker.items() if k not in TOOLKIT_RESERVED}
    channel_dirs = {name: str(layout.channel_dir(name)) for name in layout.channels}
    module_name = program[:-3] if program.endswith(".py") else program
    module_dir = str(sagemaker.get("sagemaker_submit_directory", layout.code_dir))
    log_level = sagemaker.get("sagemaker_container_log_level", LOG_LEVEL)
    framework_module = framework_module_for(image_uri)
    hosts = layout.resource_config["hosts"]
    group = layout.resource_config["current_group_name"]
    groups = layout.resource_config["instance_groups"]
    cpus = num_cpus or os.cpu_count() or 1
    training_env = {
        "additional_framework_parameters": extra,
        "channel_input_dirs": channel_dirs,
        "current_host": layout.resource_config["current_host"],
        "current_instance_group": group,
        "current_instance_group_hosts": hosts,
        "current_instance_type": layout.instance_type,
        "distribution_hosts": [],
        "distribution_instance_groups": [],
        "framework_module": framework_module,
        "hosts": hosts,
        "hyperparameters": user,
        "input_config_dir": str(layout.config_dir),
        "input_data_config": layout.input_data_config,
        "input_dir": str(layout.input_dir),
        "instance_groups": [g["instance_group_name"] for g in groups],
        "instance_groups_dict": {g["instance_group_name"]: g for g in groups},
        "is_hetero": False,
        "is_master": True,
        "is_modelparallel_enabled": None,
        "job_name": layout.job_name,
        "log_level": log_level,
        "master_hostname": hosts[0],
        "model_dir": str(layout.model_dir),
        "module_dir": module_dir,
        "module_name": module_name,
        "network_interface_name": layout.resource_config["network_interface_name"],
        "num_cpus": cpus,
        "num_gpus": 0,
        "output_data_dir": str(layout.output_data_dir),
        "output_dir": str(layout.output_dir),
        "output_intermediate_dir": str(layout.output_intermediate_dir),
        "resource_config": layout.resource_config,
        "user_entry_point": program,
    }
    values: dict[str, Any] = {
        "hosts": hosts,
        "network_interface_name": training_env["network_interface_name"],
        "hps": user,
        "user_entry_point": program,
        "framework_params": extra,
        "resource_config": layout.resource_config,
        "input_data_config": layout.input_data_config,
        "output_data_dir": str(layout.output_data_dir),
        "channels": sorted(channel_dirs),
        "current_host": training_env["current_host"],
        "current_instance_type": layout.instance_type,
        "current_instance_group": group,
        "current_instance_group_hosts": hosts,
        "instance_groups": training_env["instance_groups"],
        "instance_groups_dict": training_env["instance_groups_dict"],
        "distribution_instance_groups": [],
        "is_hetero": False,
        "module_name": module_name,
        "log_level": log_level,
        "framework_module": framework_module,
        "input_dir": str(layout.input_dir),
        "input_config_dir": str(layout.config_dir),
        "output_dir": str(layout.output_dir),
        "num_cpus": cpus,
        "num_gpus": 0,
        "model_dir": str(layout.model_dir),
        "module_dir": module_dir,
        "training_env": training_env,
        "user_args": toolkit_args(user),
        "output_intermediate_dir": str(layout.output_intermediate_dir),
    }
    values.update({f"channel_{name}": path for name, path in channel_dirs.items()})
    values.update({f"hp_{key}": value for key, value in user.items()})
    env = {f"SM_{key.upper()}": _toolkit_value(value) for key, value in values.items()}
    env["CURRENT_HOST"] = training_env["current_host"]
    env["SAGEMAKER_JOB_NAME"] = str(sagemaker.get("sagemaker_job_name", ""))
    env["SAGEMAKER_REGION"] = str(sagemaker.get("sagemaker_region") or _region())
    if framework_module:
        env["SAGEMAKER_TRAINING_MODULE"] = framework_module
    env.update(_checkpoint_env(layout))
    return env


def driver_env(
    layout: TrainingLayout,
    *,
    source_code: Mapping[str, Any],
    distributed: Mapping[str, Any],
    log_level: str | int = LOG_LEVEL,
    num_cpus: int | None = None,
) -> dict[str, str]:
    """The variables ``sm_drivers/scripts/environment.py`` (SDK v3) exports, paths mapped."""
    hps = decode_hyperparameters(layout.hyperparameters)
    channels = layout.channels
    resource = layout.resource_config
    hosts = sorted(resource["hosts"])
    env: dict[str, Any] = {
        "SM_MODEL_DIR": str(layout.model_dir),
        "SM_INPUT_DIR": str(layout.input_dir),
        "SM_INPUT_DATA_DIR": str(layout.data_dir),
        "SM_INPUT_CONFIG_DIR": str(layout.config_dir),
        "SM_OUTPUT_DIR": str(layout.output_dir),
        "SM_OUTPUT_FAILURE": str(layout.failure_file),
        "SM_OUTPUT_DATA_DIR": str(layout.output_data_dir),
        "SM_LOG_LEVEL": log_level,
        "SM_MASTER_ADDR": resource["current_host"],
        "SM_MASTER_PORT": MASTER_PORT,
    }
    if source_code:
        env["SM_SOURCE_DIR"] = str(layout.channel_dir("code"))
        env["SM_ENTRY_SCRIPT"] = source_code.get("entry_script") or ""
    if distributed:
        env["SM_DISTRIBUTED_DRIVER_DIR"] = str(
            layout.channel_dir("sm_drivers") / "distributed_drivers"
        )
        env["SM_DISTRIBUTED_CONFIG"] = dict(distributed)
    for channel in channels:
        env[f"SM_CHANNEL_{channel.upper()}"] = str(layout.channel_dir(channel))
    env["SM_CHANNELS"] = channels
    for key, value in hps.items():
        env[f"SM_HP_{key.replace('-', '_').upper()}"] = value
    env["SM_HPS"] = hps
    env["SM_CURRENT_HOST"] = resource["current_host"]
    env["SM_CURRENT_INSTANCE_TYPE"] = resource["current_instance_type"]
    env["SM_HOSTS"] = hosts
    env["SM_NETWORK_INTERFACE_NAME"] = resource["network_interface_name"]
    env["SM_HOST_COUNT"] = len(hosts)
    env["SM_CURRENT_HOST_RANK"] = hosts.index(resource["current_host"])
    env["SM_NUM_CPUS"] = num_cpus or os.cpu_count() or 1
    env["SM_NUM_GPUS"] = 0
    env["SM_NUM_NEURONS"] = 0
    env["SM_RESOURCE_CONFIG"] = resource
    env["SM_INPUT_DATA_CONFIG"] = layout.input_data_config
    env["SM_TRAINING_ENV"] = {
        "channel_input_dirs": {c: env[f"SM_CHANNEL_{c.upper()}"] for c in channels},
        "current_host": env["SM_CURRENT_HOST"],
        "current_instance_type": env["SM_CURRENT_INSTANCE_TYPE"],
        "hosts": hosts,
        "master_addr": env["SM_MASTER_ADDR"],
        "master_port": env["SM_MASTER_PORT"],
        "hyperparameters": hps,
        "input_data_config": layout.input_data_config,
        "input_config_dir": env["SM_INPUT_CONFIG_DIR"],
        "input_data_dir": env["SM_INPUT_DATA_DIR"],
        "input_dir": env["SM_INPUT_DIR"],
        "job_name": layout.job_name,
        "log_level": env["SM_LOG_LEVEL"],
        "model_dir": env["SM_MODEL_DIR"],
        "network_interface_name": env["SM_NETWORK_INTERFACE_NAME"],
        "num_cpus": env["SM_NUM_CPUS"],
        "num_gpus": env["SM_NUM_GPUS"],
        "num_neurons": env["SM_NUM_NEURONS"],
        "output_data_dir": env["SM_OUTPUT_DATA_DIR"],
        "resource_config": resource,
    }
    result = {key: _safe_serialize(value) for key, value in env.items()}
    result.update(_checkpoint_env(layout))
    return result


def framework_module_for(image_uri: str) -> str | None:
    """``SAGEMAKER_TRAINING_MODULE`` of a framework image (``None`` for other images)."""
    repository = image_uri.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return _FRAMEWORK_MODULES.get(repository)


def _checkpoint_env(layout: TrainingLayout) -> dict[str, str]:
    # Not a SageMaker variable: SageMaker syncs CheckpointConfig.LocalPath (default
    # /opt/ml/checkpoints). Scripts written for both use
    # os.environ.get("SM_CHECKPOINT_DIR", "/opt/ml/checkpoints").
    if layout.checkpoint_dir is None:
        return {}
    return {"SM_CHECKPOINT_DIR": str(layout.checkpoint_dir)}


def _toolkit_value(value: Any) -> str:
    """``mapping.to_env_vars`` formatting: strings as is, the rest as compact sorted JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _safe_serialize(value: Any) -> str:
    """``safe_serialize`` of the SDK v3 drivers: strings as is, the rest as JSON."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value)
    except TypeError:
        return str(value)


def _region() -> str:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
