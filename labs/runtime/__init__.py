"""The local runtime: what moto only records, done for real.

Installed by ``labs.start()`` in local mode. Training, processing and tuning jobs run the
built-in algorithm stand-ins of :mod:`labs.algorithms` (or the learner's script) in the
background; endpoints serve real predictions from a model server per variant. All of it
reports through the ordinary SageMaker API. Kinesis streams throttle writes over a shard's
limit, as Kinesis does. Monitoring schedules run, alarm state changes reach EventBridge,
and a SageMaker Pipelines execution runs its steps.
"""

from labs.runtime import (
    moto_alarm_events,
    moto_endpoints,
    moto_kinesis,
    moto_monitoring,
    moto_pipelines,
    moto_sagemaker,
    moto_transform,
)

# Each module hooks one part of moto; install order does not matter.
_PARTS = (
    moto_sagemaker,
    moto_endpoints,
    moto_transform,
    moto_kinesis,
    moto_monitoring,
    moto_alarm_events,
    moto_pipelines,
)


def install() -> None:
    """Hook every part of the runtime into moto (idempotent)."""
    for part in _PARTS:
        part.install()


def uninstall() -> None:
    """Give moto back its own behaviour."""
    for part in _PARTS:
        part.uninstall()


__all__ = ["install", "uninstall"]
