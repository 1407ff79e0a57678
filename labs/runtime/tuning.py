"""Runs a hyperparameter tuning job: real child training jobs chosen by a real optimizer.

Strategies map to Optuna:
- ``Bayesian``: the TPE sampler, a sequential model-based (Bayesian) optimizer. (AWS's
  own Bayesian strategy models the objective with a Gaussian process; TPE models it with
  density estimators. Both choose the next values from the results so far.)
- ``Random``: uniform random sampling.
- ``Grid``: every combination of the categorical ranges, once (enqueued in order).
- ``Hyperband``: random sampling with Optuna's Hyperband pruner, which stops weak jobs
  early at resource levels between ``MinResource`` and ``MaxResource`` (epochs or
  boosting rounds, as the algorithm reports them).

``TrainingJobEarlyStoppingType: AUTO`` applies the median stopping rule (Optuna's
MedianPruner): a job whose objective at an epoch is worse than the median of earlier jobs
at the same epoch is stopped. Child jobs run in parallel up to ``MaxParallelTrainingJobs``
(and at most one per CPU core). Warm start seeds the optimizer with the finished jobs of up
to five parent tuning jobs.
"""

from __future__ import annotations

import contextlib
import itertools
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
import optuna

from labs import algorithms
from labs.algorithms.base import AlgorithmError
from labs.runtime import executor, jobstate
from labs.runtime.tuning_space import Param, grid_size, parse_ranges

optuna.logging.set_verbosity(optuna.logging.WARNING)


@dataclass
class _Child:
    name: str
    trial: Any
    job: Any
    params: dict[str, str]
    reported: set[int] = field(default_factory=set)
    early_stopped: bool = False


def validate(request: dict[str, Any]) -> tuple[list[Param], dict[str, Any]]:
    """Check a CreateHyperParameterTuningJob request as SageMaker would."""
    config = request["HyperParameterTuningJobConfig"]
    definition = request.get("TrainingJobDefinition")
    if not definition:
        raise AlgorithmError(
            "ValidationException: the local runtime runs tuning jobs with one "
            "TrainingJobDefinition (TrainingJobDefinitions for several algorithms is AWS-only)."
        )
    strategy = config.get("Strategy", "Bayesian")
    params = parse_ranges(config.get("ParameterRanges") or {}, strategy)
    if strategy == "Hyperband" and config.get("TrainingJobEarlyStoppingType", "Off") != "Off":
        raise AlgorithmError(
            "ValidationException: Hyperband has its own early stopping: "
            "TrainingJobEarlyStoppingType must be Off."
        )
    warm = request.get("WarmStartConfig") or {}
    if len(warm.get("ParentHyperParameterTuningJobs") or []) > 5:
        raise AlgorithmError("ValidationException: a warm start takes at most 5 parent jobs.")
    objective = config["HyperParameterTuningJobObjective"]
    image = definition["AlgorithmSpecification"].get("TrainingImage", "")
    spec = algorithms.for_image(image)
    known = (
        {m.name for m in spec.metrics}
        if spec
        else {
            m["Name"] for m in definition["AlgorithmSpecification"].get("MetricDefinitions") or []
        }
    )
    if objective["MetricName"] not in known:
        raise AlgorithmError(
            f"ValidationException: the objective metric {objective['MetricName']!r} is not "
            f"one the training job reports ({', '.join(sorted(known)) or 'none defined'})."
        )
    static = definition.get("StaticHyperParameters") or {}
    clash = sorted({p.name for p in params} & set(static))
    if clash:
        raise AlgorithmError(
            f"ValidationException: {', '.join(clash)} is both static and tuned; remove it "
            "from StaticHyperParameters."
        )
    return params, config


def _sampler_and_pruner(config: dict[str, Any], params: list[Param]) -> tuple[Any, Any]:
    strategy = config.get("Strategy", "Bayesian")
    seed = config.get("RandomSeed")
    if strategy == "Grid":
        # Every combination is enqueued up front (see _search); the sampler never draws.
        return optuna.samplers.RandomSampler(seed=seed), optuna.pruners.NopPruner()
    if strategy == "Hyperband":
        hb = (config.get("StrategyConfig") or {}).get("HyperbandStrategyConfig") or {}
        pruner = optuna.pruners.HyperbandPruner(
            min_resource=int(hb.get("MinResource", 1)),
            max_resource=int(hb.get("MaxResource", 100)),
        )
        return optuna.samplers.RandomSampler(seed=seed), pruner
    sampler = (
        optuna.samplers.RandomSampler(seed=seed)
        if strategy == "Random"
        else optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(5, _max_jobs(config)))
    )
    if config.get("TrainingJobEarlyStoppingType") == "Auto":
        return sampler, optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    return sampler, optuna.pruners.NopPruner()


def _max_jobs(config: dict[str, Any]) -> int:
    limits = config.get("ResourceLimits") or {}
    return int(limits.get("MaxNumberOfTrainingJobs") or 0)


class TuningRun:
    """One tuning job in progress."""

    def __init__(self, record: Any, request: dict[str, Any], backend: Any, region: str) -> None:
        self.record = record
        self.request = request
        self.backend = backend
        self.sagemaker = boto3.Session(region_name=region).client("sagemaker")
        self.children: list[_Child] = []
        self.parents: list[TuningRun] = []
        self.stop = threading.Event()

    def run(self) -> None:
        """Run to the end; any failure is recorded on the tuning job, never raised."""
        started = time.monotonic()
        try:
            params, config = validate(self.request)
            self._search(params, config)
            self.record.hyper_parameter_tuning_job_status = (
                "Stopped" if self.stop.is_set() else "Completed"
            )
        except AlgorithmError as error:
            self.record.hyper_parameter_tuning_job_status = "Failed"
            self.record.failure_reason = str(error)
        except Exception as error:  # a bug in the kit must not leave the job InProgress
            self.record.hyper_parameter_tuning_job_status = "Failed"
            self.record.failure_reason = f"InternalServerError: {type(error).__name__}: {error}"
        finally:
            self.record.hyper_parameter_tuning_end_time = jobstate.now()
            self.record.last_modified_time = self.record.hyper_parameter_tuning_end_time
            self.record.consumed_resources = {"RuntimeInSeconds": round(time.monotonic() - started)}

    def _search(self, params: list[Param], config: dict[str, Any]) -> None:
        objective = config["HyperParameterTuningJobObjective"]
        direction = "maximize" if objective["Type"] == "Maximize" else "minimize"
        sampler, pruner = _sampler_and_pruner(config, params)
        study = optuna.create_study(direction=direction, sampler=sampler, pruner=pruner)
        self._warm_start(study, params, objective["MetricName"])
        max_jobs = _max_jobs(config)
        if config.get("Strategy") == "Grid":
            max_jobs = min(max_jobs, grid_size(params)) if max_jobs else grid_size(params)
            for combination in itertools.product(*(p.choices for p in params)):
                study.enqueue_trial(dict(zip((p.name for p in params), combination, strict=True)))
        if not max_jobs:
            raise AlgorithmError(
                "ValidationException: ResourceLimits.MaxNumberOfTrainingJobs is required."
            )
        limits = config.get("ResourceLimits") or {}
        parallel = max(1, int(limits.get("MaxParallelTrainingJobs") or 1))
        target = (config.get("TuningJobCompletionCriteria") or {}).get("TargetObjectiveMetricValue")
        running: list[_Child] = []
        launched = 0
        while True:
            while (
                launched < max_jobs
                and len(running) < parallel
                and not self.stop.is_set()
                and not executor.exiting()
                and not self._target_reached(target, objective)
            ):
                launched += 1
                running.append(self._launch(study, params, launched))
            if not running:
                break
            time.sleep(0.2)
            for child in list(running):
                self._report(child, objective["MetricName"])
                if child.job.training_job_status in ("Completed", "Failed", "Stopped"):
                    jobstate.state(child.job.arn).done.wait()
                    self._tell(study, child, objective["MetricName"])
                    running.remove(child)
            self._update_record(objective)
        self._update_record(objective)

    def _launch(self, study: Any, params: list[Param], number: int) -> _Child:
        trial = study.ask()
        tuned = {p.name: p.suggest(trial) for p in params}
        definition = self.request["TrainingJobDefinition"]
        tuning_name = self.record.hyper_parameter_tuning_job_name
        name = f"{tuning_name}-{number:03d}-{secrets.token_hex(4)}"
        objective = self.request["HyperParameterTuningJobConfig"][
            "HyperParameterTuningJobObjective"
        ]
        hyperparameters = {
            **(definition.get("StaticHyperParameters") or {}),
            **tuned,
            "_tuning_objective_metric": objective["MetricName"],
        }
        create = {
            "TrainingJobName": name,
            "HyperParameters": hyperparameters,
            "AlgorithmSpecification": definition["AlgorithmSpecification"],
            "RoleArn": definition["RoleArn"],
            "OutputDataConfig": definition["OutputDataConfig"],
            "ResourceConfig": definition["ResourceConfig"],
            "StoppingCondition": definition.get("StoppingCondition")
            or {"MaxRuntimeInSeconds": 86400},
        }
        for key in (
            "InputDataConfig",
            "VpcConfig",
            "EnableNetworkIsolation",
            "EnableInterContainerTrafficEncryption",
            "EnableManagedSpotTraining",
            "CheckpointConfig",
            "Environment",
        ):
            if definition.get(key) is not None:
                create[key] = definition[key]
        self.sagemaker.create_training_job(**create)
        job = self.backend.training_jobs[name]
        job.tuning_job_arn = self.record.arn
        child = _Child(name, trial, job, tuned)
        self.children.append(child)
        return child

    def _report(self, child: _Child, metric: str) -> None:
        history = jobstate.state(child.job.arn).metric_history.get(metric, [])
        for epoch, value in history:
            if epoch is None or epoch in child.reported:
                continue
            child.reported.add(epoch)
            child.trial.report(value, epoch)
        if child.job.training_job_status == "InProgress" and child.trial.should_prune():
            child.early_stopped = True
            run_state = jobstate.state(child.job.arn)
            run_state.stop_reason = "Stopped"
            run_state.stop.set()

    def _tell(self, study: Any, child: _Child, metric: str) -> None:
        value = self._objective_value(child.job, metric)
        if child.early_stopped:
            study.tell(child.trial, state=optuna.trial.TrialState.PRUNED)
        elif value is None:
            study.tell(child.trial, state=optuna.trial.TrialState.FAIL)
        else:
            study.tell(child.trial, value)

    @staticmethod
    def _objective_value(job: Any, metric: str) -> float | None:
        for item in job.final_metric_data_list or []:
            if item["MetricName"] == metric:
                return float(item["Value"])
        return None

    def _target_reached(self, target: float | None, objective: dict[str, Any]) -> bool:
        if target is None:
            return False
        best = self._best(objective)
        if best is None:
            return False
        value = best[1]
        return value >= target if objective["Type"] == "Maximize" else value <= target

    def _best(
        self, objective: dict[str, Any], with_parents: bool = False
    ) -> tuple[_Child, float] | None:
        pool = list(self.children)
        if with_parents:
            pool += [child for parent in self.parents for child in parent.children]
        scored = [
            (child, value)
            for child in pool
            if child.job.training_job_status in ("Completed", "Stopped")
            and (value := self._objective_value(child.job, objective["MetricName"])) is not None
        ]
        if not scored:
            return None
        pick = max if objective["Type"] == "Maximize" else min
        return pick(scored, key=lambda pair: pair[1])

    def summary(self, child: _Child, objective: dict[str, Any]) -> dict[str, Any]:
        """The HyperParameterTrainingJobSummary of one child job."""
        job = child.job
        value = self._objective_value(job, objective["MetricName"])
        summary: dict[str, Any] = {
            "TrainingJobName": job.training_job_name,
            "TrainingJobArn": job.arn,
            "TuningJobName": self.record.hyper_parameter_tuning_job_name,
            "CreationTime": job.creation_time,
            "TrainingJobStatus": job.training_job_status,
            "TunedHyperParameters": dict(child.params),
            "ObjectiveStatus": (
                "Pending"
                if job.training_job_status in ("InProgress", "Stopping")
                else "Succeeded"
                if value is not None
                else "Failed"
            ),
        }
        for key, attribute in (
            ("TrainingStartTime", "training_start_time"),
            ("TrainingEndTime", "training_end_time"),
            ("FailureReason", "failure_reason"),
        ):
            if getattr(job, attribute, None):
                summary[key] = getattr(job, attribute)
        if value is not None:
            summary["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": objective["Type"],
                "MetricName": objective["MetricName"],
                "Value": value,
            }
        return summary

    def _update_record(self, objective: dict[str, Any]) -> None:
        counts = {
            "Completed": 0,
            "InProgress": 0,
            "RetryableError": 0,
            "NonRetryableError": 0,
            "Stopped": 0,
        }
        objectives = {"Succeeded": 0, "Pending": 0, "Failed": 0}
        for child in self.children:
            status = child.job.training_job_status
            key = {"Failed": "NonRetryableError", "Stopping": "InProgress"}.get(status, status)
            counts[key] = counts.get(key, 0) + 1
            objectives[self.summary(child, objective)["ObjectiveStatus"]] += 1
        self.record.training_job_status_counters = counts
        self.record.objective_status_counters = objectives
        best = self._best(objective)
        self.record.best_training_job = self.summary(best[0], objective) if best else None
        # OverallBestTrainingJob also looks at the warm-start parents' jobs, as on AWS.
        overall = self._best(objective, with_parents=True)
        self.record.OverallBestTrainingJob = (
            self._parent_of(overall[0]).summary(overall[0], objective) if overall else None
        )
        self.record.last_modified_time = jobstate.now()

    def _parent_of(self, child: _Child) -> TuningRun:
        for run in (self, *self.parents):
            if child in run.children:
                return run
        return self

    def _warm_start(self, study: Any, params: list[Param], metric: str) -> None:
        warm = self.request.get("WarmStartConfig") or {}
        for parent in warm.get("ParentHyperParameterTuningJobs") or []:
            name = parent["HyperParameterTuningJobName"]
            run = RUNS.get(name)
            if run is None:
                raise AlgorithmError(
                    f"ValidationException: the warm-start parent tuning job {name} was not found."
                )
            self.parents.append(run)
            for child in run.children:
                value = self._objective_value(child.job, metric)
                if value is None:
                    continue
                with contextlib.suppress(ValueError):
                    study.add_trial(
                        optuna.trial.create_trial(
                            params=_trial_params(child.trial, params),
                            distributions=_distributions(child.trial, params),
                            value=value,
                        )
                    )


def _trial_params(trial: Any, params: list[Param]) -> dict[str, Any]:
    names = {p.name for p in params} | {f"{p.name}__reverse_log" for p in params}
    return {k: v for k, v in trial.params.items() if k in names}


def _distributions(trial: Any, params: list[Param]) -> dict[str, Any]:
    names = {p.name for p in params} | {f"{p.name}__reverse_log" for p in params}
    return {k: v for k, v in trial.distributions.items() if k in names}


RUNS: dict[str, TuningRun] = {}
