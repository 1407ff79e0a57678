"""`labs cleanup` and `lab.cleanup()`: every kit-tagged resource that costs money goes, no
untagged one is touched, and nothing happens without a yes."""

from __future__ import annotations

import json

from aws_support import run_against_moto

# Creates, for each kind, two kit-tagged resources (kit-0, kit-1) and one that is not the
# kit's (mine-2: it has tags, but not labs:kit). Jobs are put back to InProgress.
MAKE_RESOURCES = """
KIT = [{"Key": "labs:kit", "Value": "0.1.0"}, {"Key": "labs:notebook", "Value": "04-2-endpoints"}]
NOT_KIT = [{"Key": "team", "Value": "prod"}]
ALGORITHM = {"TrainingImage": "img", "TrainingInputMode": "File"}
OUTPUT = {"S3OutputPath": "s3://somewhere/out"}
STOP = {"MaxRuntimeInSeconds": 600}
for n, tags in (("kit-0", KIT), ("kit-1", KIT), ("mine-2", NOT_KIT)):
    sm.create_model(ModelName=f"{n}-model", ExecutionRoleArn=ROLE,
                    PrimaryContainer={"Image": "img"}, Tags=tags)
    sm.create_endpoint_config(EndpointConfigName=f"{n}-config", Tags=tags, ProductionVariants=[
        {"VariantName": "main", "ModelName": f"{n}-model", "InitialInstanceCount": 1,
         "InstanceType": "ml.m5.xlarge"}])
    sm.create_endpoint(EndpointName=f"{n}-endpoint", EndpointConfigName=f"{n}-config", Tags=tags)
    sm.create_training_job(
        TrainingJobName=f"{n}-train", AlgorithmSpecification=ALGORITHM, RoleArn=ROLE,
        OutputDataConfig=OUTPUT, StoppingCondition=STOP, Tags=tags,
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 2, "VolumeSizeInGB": 5})
    running("training", f"{n}-train")
    sm.create_processing_job(
        ProcessingJobName=f"{n}-process", AppSpecification={"ImageUri": "img"}, RoleArn=ROLE,
        Tags=tags, ProcessingResources={"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 5}})
    running("processing", f"{n}-process")
    sm.create_transform_job(
        TransformJobName=f"{n}-transform", ModelName=f"{n}-model", Tags=tags,
        TransformInput={"DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://somewhere/in"}}},
        TransformOutput=OUTPUT,
        TransformResources={"InstanceType": "ml.c5.xlarge", "InstanceCount": 1})
    running("transform", f"{n}-transform")
    sm.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=f"{n}-tune", Tags=tags,
        HyperParameterTuningJobConfig={"Strategy": "Random", "ResourceLimits": {
            "MaxNumberOfTrainingJobs": 4, "MaxParallelTrainingJobs": 2}},
        TrainingJobDefinition={
            "AlgorithmSpecification": ALGORITHM, "RoleArn": ROLE, "OutputDataConfig": OUTPUT,
            "StoppingCondition": STOP, "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5}})
    running("tuning", f"{n}-tune")
    sm.create_notebook_instance(NotebookInstanceName=f"{n}-notebook", InstanceType="ml.t2.medium",
                                RoleArn=ROLE, Tags=tags)
sm.create_notebook_instance(NotebookInstanceName="kit-stopped-notebook",
                            InstanceType="ml.t2.medium", RoleArn=ROLE, Tags=KIT)
sm.stop_notebook_instance(NotebookInstanceName="kit-stopped-notebook")
sm.create_training_job(  # finished: costs nothing, so not a leftover
    TrainingJobName="kit-finished-train", AlgorithmSpecification=ALGORITHM, RoleArn=ROLE,
    OutputDataConfig=OUTPUT, StoppingCondition=STOP, Tags=KIT,
    ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5})
sm.create_model(ModelName="kit-other-notebook-model", ExecutionRoleArn=ROLE,
                PrimaryContainer={"Image": "img"},
                Tags=[{"Key": "labs:kit", "Value": "0.1.0"},
                      {"Key": "labs:notebook", "Value": "05-1-monitoring"}])

def state():
    b = backend()
    return {
        "models": sorted(b._models), "configs": sorted(b.endpoint_configs),
        "endpoints": sorted(b.endpoints),
        "training": {k: v.training_job_status for k, v in sorted(b.training_jobs.items())},
        "processing": {k: v.processing_job_status for k, v in sorted(b.processing_jobs.items())},
        "transform": {k: v.transform_job_status for k, v in sorted(b.transform_jobs.items())},
        "tuning": {k: v.hyper_parameter_tuning_job_status
                   for k, v in sorted(b.hyper_parameter_tuning_jobs.items())},
        "notebooks": {k: v.status for k, v in sorted(b.notebook_instances.items())},
    }
"""


def _results(stdout: str) -> dict[str, dict]:
    found = {}
    for line in stdout.splitlines():
        if line.startswith("RESULT "):
            name, _, payload = line.removeprefix("RESULT ").partition(" ")
            found[name] = json.loads(payload)
    return found


def test_cleanup_removes_every_kit_tagged_resource_and_never_an_untagged_one(tmp_path):
    out = run_against_moto(
        MAKE_RESOURCES
        + """
before = state()
declined = cli("cleanup")
after_no = state()
one_notebook = cli("cleanup", "--notebook", "04-2-endpoints", "--yes")
print("RESULT after " + json.dumps(state()))
print("RESULT codes " + json.dumps([declined, one_notebook]))
print("RESULT same " + json.dumps(before == after_no))
""",
        tmp_path,
        stdin="n\n",
        stack=False,
    )
    assert out.returncode == 0, out.stderr
    results = _results(out.stdout)
    assert results["codes"] == [1, 0]
    assert results["same"] is True  # "n" changed nothing
    after = results["after"]
    assert after["models"] == ["kit-other-notebook-model", "mine-2-model"]
    assert after["configs"] == ["mine-2-config"]
    assert after["endpoints"] == ["mine-2-endpoint"]
    for kind, suffix, stopped in (
        ("training", "train", "Stopping"),
        ("processing", "process", "Stopped"),  # moto's own StopProcessingJob
        ("transform", "transform", "Stopping"),
        ("tuning", "tune", "Stopping"),
    ):
        assert after[kind][f"kit-0-{suffix}"] == stopped
        assert after[kind][f"kit-1-{suffix}"] == stopped
        assert after[kind][f"mine-2-{suffix}"] == "InProgress"
    assert after["training"]["kit-finished-train"] == "Completed"
    assert after["notebooks"] == {
        "kit-0-notebook": "Stopped",
        "kit-1-notebook": "Stopped",
        "mine-2-notebook": "InService",
    }


def test_cleanup_lists_what_it_found_with_an_hourly_estimate(tmp_path):
    out = run_against_moto(
        MAKE_RESOURCES + 'print("CODE", cli("cleanup"))', tmp_path, stdin="", stack=False
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()

    def row(name: str) -> str:
        return next(line for line in lines if f" {name} " in f"{line} ")

    assert "mine-2" not in out.stdout
    assert "kit-finished-train" not in out.stdout
    # eu-west-1 prices from the kit's table.
    assert "1 x ml.m5.xlarge" in row("kit-0-endpoint") and "$0.26" in row("kit-0-endpoint")
    assert "2 x ml.m5.large" in row("kit-0-train") and "$0.26" in row("kit-0-train")
    assert "1 x ml.c5.xlarge" in row("kit-0-transform") and "$0.23" in row("kit-0-transform")
    tune = row("kit-0-tune")
    assert "1 x ml.m5.xlarge per job, up to 2 jobs at once" in tune and "$0.51" in tune
    assert "1 x ml.m5.xlarge" in row("kit-0-process") and "$0.26" in row("kit-0-process")
    assert "free" in row("kit-0-model") and "delete" in row("kit-0-model")
    assert "stop" in row("kit-0-notebook") and "$0.06" in row("kit-0-notebook")
    assert "delete" in row("kit-stopped-notebook") and "unknown" in row("kit-stopped-notebook")
    assert "05-1-monitoring" in row("kit-other-notebook-model")
    assert "cost per hour partly unknown" in out.stdout
    assert "Delete or stop these 18?" in out.stdout
    assert "No answer (no input can be read): taken as no" in out.stdout
    assert "CODE 1" in out.stdout


def test_cleanup_reads_tags_from_sagemaker_when_the_tagging_api_fails(tmp_path):
    out = run_against_moto(
        """
        from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse
        def broken(self):
            raise RuntimeError("tagging index unavailable")
        ResourceGroupsTaggingAPIResponse.get_resources = broken
        sm.create_model(ModelName="kit-model", ExecutionRoleArn=ROLE,
                        PrimaryContainer={"Image": "img"},
                        Tags=[{"Key": "labs:kit", "Value": "0.1.0"}])
        sm.create_model(ModelName="other-model", ExecutionRoleArn=ROLE,
                        PrimaryContainer={"Image": "img"})
        code = cli("cleanup", "--yes")
        print("RESULT models " + json.dumps([code, sorted(backend()._models)]))
        print("CODE", cli("cleanup"))
        """,
        tmp_path,
        stack=False,
    )
    assert out.returncode == 0, out.stderr
    assert _results(out.stdout)["models"] == [0, ["other-model"]]
    assert "the Resource Groups Tagging API could not be read" in out.stdout
    assert "deleted: model kit-model" in out.stdout
    assert "none. Nothing of the kit is running or left over here." in out.stdout
    assert "CODE 0" in out.stdout


def test_a_stale_tagging_index_never_gets_an_untagged_resource_deleted(tmp_path):
    out = run_against_moto(
        """
        sm.create_model(ModelName="was-kit", ExecutionRoleArn=ROLE,
                        PrimaryContainer={"Image": "img"},
                        Tags=[{"Key": "labs:kit", "Value": "0.1.0"}])
        arn = sm.describe_model(ModelName="was-kit")["ModelArn"]
        from moto.core.responses import ActionResult
        from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse
        # The index still lists the tag the learner has just removed.
        ResourceGroupsTaggingAPIResponse.get_resources = lambda self: ActionResult(
            {"ResourceTagMappingList": [{"ResourceARN": arn,
                                         "Tags": [{"Key": "labs:kit", "Value": "0.1.0"}]}]})
        sm.delete_tags(ResourceArn=arn, TagKeys=["labs:kit"])
        code = cli("cleanup", "--yes")
        print("RESULT models " + json.dumps([code, sorted(backend()._models)]))
        """,
        tmp_path,
        stack=False,
    )
    assert out.returncode == 0, out.stderr
    assert _results(out.stdout)["models"] == [0, ["was-kit"]]
    assert "left alone: model was-kit no longer carries the labs:kit tag" in out.stdout


def test_lab_cleanup_in_aws_mode_removes_what_this_notebook_made(tmp_path):
    out = run_against_moto(
        """
        def model(client, name, **extra):
            client.create_model(ModelName=name, ExecutionRoleArn=ROLE,
                                PrimaryContainer={"Image": "img"}, **extra)
        model(sm, "made-before-start")  # an ordinary untagged model of the account
        cli("aws", "setup", "--yes")
        import labs
        lab = labs.start(mode="aws")
        client = lab.client("sagemaker")
        model(client, "no-tags-given")  # the kit tags it anyway
        model(client, "other-notebook", Tags=lab.tags("05-1-monitoring"))
        model(boto3.Session().client("sagemaker"), "later-session")
        client.create_endpoint_config(EndpointConfigName="explicit", Tags=lab.tags(),
            ProductionVariants=[{"VariantName": "main", "ModelName": "no-tags-given",
                                 "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}])
        arn = client.describe_model(ModelName="no-tags-given")["ModelArn"]
        auto = client.list_tags(ResourceArn=arn)["Tags"]
        failures = lab.cleanup()
        print("RESULT out " + json.dumps({
            "auto": auto, "failures": failures,
            "models": sorted(m["ModelName"] for m in client.list_models()["Models"]),
            "configs": [c["EndpointConfigName"]
                        for c in client.list_endpoint_configs()["EndpointConfigs"]]}))
        """,
        tmp_path,
        LABS_NOTEBOOK="04-2-endpoints",
    )
    assert out.returncode == 0, out.stderr
    result = _results(out.stdout)["out"]
    assert result["auto"] == [
        {"Key": "labs:kit", "Value": "0.1.0"},
        {"Key": "labs:notebook", "Value": "04-2-endpoints"},
    ]
    assert result["failures"] == []
    assert result["models"] == ["made-before-start", "other-notebook"]
    assert result["configs"] == []
    assert "Cleanup: removing what notebook 04-2-endpoints made" in out.stdout


def test_lab_cleanup_in_local_mode_removes_only_this_notebooks_resources(lab, capsys):
    client = lab.client("sagemaker")
    image = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"

    def model(name: str, **extra) -> None:
        client.create_model(
            ModelName=name,
            ExecutionRoleArn=lab.role_arn,
            PrimaryContainer={"Image": image},
            **extra,
        )

    model("cleanup-test-mine", Tags=lab.tags("cleanup-test"))
    model("cleanup-test-other", Tags=lab.tags("cleanup-test-other"))
    model("cleanup-test-untagged")
    try:
        assert lab.cleanup("cleanup-test") == []
        names = {m["ModelName"] for m in client.list_models()["Models"]}
        assert "cleanup-test-mine" not in names
        assert {"cleanup-test-other", "cleanup-test-untagged"} <= names
        printed = capsys.readouterr().out
        assert "deleted: model cleanup-test-mine" in printed
        assert "note:" not in printed  # local mode skips what moto cannot list
    finally:
        for name in ("cleanup-test-other", "cleanup-test-untagged"):
            client.delete_model(ModelName=name)
