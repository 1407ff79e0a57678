"""`labs aws setup | status | teardown` against moto: the stack from infra/ is created through a
change set the learner approves on stdin, labs.start(mode="aws") runs on its outputs, and
teardown empties the versioned bucket and deletes the stack."""

from __future__ import annotations

import json
import re

from aws_support import ACCOUNT, REGION, run_against_moto

BUCKET = f"labs-kit-{ACCOUNT}-{REGION}"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabsExecutionRole-{REGION}"
DATA_ROLE = f"arn:aws:iam::{ACCOUNT}:role/LabsDataServicesRole-{REGION}"


def _result(stdout: str) -> dict:
    line = next(x for x in stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def test_setup_shows_the_change_set_asks_and_aws_mode_runs_on_the_outputs(tmp_path):
    out = run_against_moto(
        """
        code = cli("aws", "setup")
        import labs
        lab = labs.start(mode="aws")
        s3, logs, iam = boto3.client("s3"), boto3.client("logs"), boto3.client("iam")
        rule = s3.get_bucket_encryption(Bucket=lab.bucket)["ServerSideEncryptionConfiguration"]
        alias = boto3.client("kms").describe_key(KeyId="alias/labs-kit")["KeyMetadata"]["Arn"]
        stack = boto3.client("cloudformation").describe_stacks(StackName="labs-kit")["Stacks"][0]
        again, status = cli("aws", "setup"), cli("aws", "status")
        print("RESULT " + json.dumps({
            "code": code, "again": again, "status": status,
            "mode": lab.mode, "bucket": lab.bucket, "role": lab.role_arn,
            "data_role": lab.data_services_role_arn,
            "data_trust": iam.get_role(RoleName=lab.data_services_role_arn.split("/")[-1])[
                "Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"],
            "key": lab.kms_key_arn, "alias": alias,
            "sse": rule["Rules"][0]["ApplyServerSideEncryptionByDefault"],
            "policies": iam.list_role_policies(RoleName=lab.role_arn.split("/")[-1])["PolicyNames"],
            "retention": {g["logGroupName"]: g.get("retentionInDays")
                          for g in logs.describe_log_groups()["logGroups"]},
            "stack_tags": stack.get("Tags", []),
        }))
        """,
        tmp_path,
        stdin="y\n",
    )
    assert out.returncode == 0, out.stderr
    stdout = out.stdout
    assert "Change set labs-kit-" in stdout and "would create the stack labs-kit" in stdout
    resources = ("KitKey", "KitKeyAlias", "KitBucket", "KitBucketPolicy", "ExecutionRole")
    for resource in (*resources, "DataServicesRole"):
        assert re.search(rf"Add\s+{resource}\s", stdout), resource
    assert "Apply these" in stdout and "[y/N] y" in stdout
    assert "The stack labs-kit is CREATE_COMPLETE." in stdout
    result = _result(stdout)
    assert (result["code"], result["again"], result["status"]) == (0, 0, 0)
    assert "The stack is up to date with the kit's template: nothing to change." in stdout
    assert "Template  the kit's current template" in stdout
    assert re.search(rf"BucketName\s+{BUCKET}\n", stdout)
    assert re.search(rf"DataServicesRoleArn\s+{DATA_ROLE}\n", stdout)
    assert "No kit-tagged SageMaker resources are running." in stdout
    assert result["mode"] == "aws"
    assert result["bucket"] == BUCKET
    assert result["role"] == ROLE
    assert result["data_role"] == DATA_ROLE
    assert sorted(result["data_trust"]) == [
        "events.amazonaws.com",
        "firehose.amazonaws.com",
        "glue.amazonaws.com",
        "states.amazonaws.com",
    ]
    assert result["key"] == result["alias"]
    assert result["sse"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": result["key"]}
    assert result["policies"] == ["labs-kit-execution"]
    assert result["retention"] == {
        "/aws/sagemaker/TrainingJobs": 14,
        "/aws/sagemaker/ProcessingJobs": 14,
        "/aws/sagemaker/TransformJobs": 14,
    }
    assert {"Key": "labs:kit", "Value": "0.1.0"} in result["stack_tags"]
    assert f"AWS mode, account {ACCOUNT}, region {REGION}" in stdout


def test_setup_updates_an_older_stack_after_showing_what_changes(tmp_path):
    out = run_against_moto(
        """
        import yaml
        from labs.aws import stack
        older = yaml.safe_load(stack.template_body())
        del older["Resources"]["TransformLogGroup"]
        cf = boto3.client("cloudformation")
        cf.create_stack(StackName="labs-kit", TemplateBody=json.dumps(older),
                        Capabilities=["CAPABILITY_NAMED_IAM"], Parameters=[
                            {"ParameterKey": "NoncurrentVersionExpiryDays", "ParameterValue": "9"},
                            {"ParameterKey": "ScratchExpiryDays", "ParameterValue": "3"}])
        before = cli("aws", "status")
        code = cli("aws", "setup", "--scratch-days", "5")
        after = cli("aws", "status")
        logs = boto3.client("logs")
        groups = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cf.describe_stacks(StackName="labs-kit")["Stacks"][0]["Parameters"]}
        print("RESULT " + json.dumps({"codes": [before, code, after], "groups": groups,
              "kept": params["NoncurrentVersionExpiryDays"], "set": params["ScratchExpiryDays"]}))
        """,
        tmp_path,
        stdin="y\n",
    )
    assert out.returncode == 0, out.stderr
    assert "differs from infra/labs-kit.yaml: `labs aws setup` shows the changes" in out.stdout
    assert "would update the stack labs-kit" in out.stdout
    assert re.search(r"Add\s+TransformLogGroup\s", out.stdout)
    result = _result(out.stdout)
    assert result["codes"] == [0, 0, 0]
    assert "/aws/sagemaker/TransformJobs" in result["groups"]
    assert (result["kept"], result["set"]) == ("9", "5")  # an option not given keeps its value
    assert out.stdout.count("Template  the kit's current template") == 1  # after the update


def test_setup_leaves_an_existing_log_group_alone(tmp_path):
    out = run_against_moto(
        """
        logs = boto3.client("logs")
        logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
        code = cli("aws", "setup", "--yes")
        cf = boto3.client("cloudformation")
        params = {p["ParameterKey"]: p["ParameterValue"]
                  for p in cf.describe_stacks(StackName="labs-kit")["Stacks"][0]["Parameters"]}
        owned = [r["LogicalResourceId"]
                 for r in cf.list_stack_resources(StackName="labs-kit")["StackResourceSummaries"]]
        group = logs.describe_log_groups(logGroupNamePrefix="/aws/sagemaker/TrainingJobs")
        print("RESULT " + json.dumps({"code": code, "manage": params["ManageTrainingLogGroup"],
              "owned": "TrainingLogGroup" in owned,
              "retention": group["logGroups"][0].get("retentionInDays")}))
        """,
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert _result(out.stdout) == {"code": 0, "manage": "false", "owned": False, "retention": None}
    assert "/aws/sagemaker/TrainingJobs exists already outside the stack" in out.stdout
    assert (
        "aws logs put-retention-policy --log-group-name /aws/sagemaker/TrainingJobs" in out.stdout
    )


def test_teardown_refuses_while_kit_resources_run_then_asks_and_empties_every_version(tmp_path):
    out = run_against_moto(
        f"""
        cli("aws", "setup", "--yes")
        sm.create_model(ModelName="churn-model", ExecutionRoleArn=ROLE,
                        PrimaryContainer={{"Image": "img"}},
                        Tags=[{{"Key": "labs:kit", "Value": "0.1.0"}}])
        refused = cli("aws", "teardown", "--yes")
        sm.delete_model(ModelName="churn-model")
        s3 = boto3.client("s3")
        s3.put_bucket_versioning(Bucket="{BUCKET}", VersioningConfiguration={{"Status": "Enabled"}})
        for body in (b"one", b"two"):
            s3.put_object(Bucket="{BUCKET}", Key="datasets/churn/churn.csv", Body=body)
        s3.put_object(Bucket="{BUCKET}", Key="scratch/tmp.txt", Body=b"x")
        s3.delete_object(Bucket="{BUCKET}", Key="scratch/tmp.txt")
        declined = cli("aws", "teardown")
        kept = len(s3.list_object_versions(Bucket="{BUCKET}").get("Versions", []))
        done = cli("aws", "teardown")
        cf = boto3.client("cloudformation")
        statuses = [s["StackStatus"] for s in cf.list_stacks()["StackSummaries"]]
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        again = cli("aws", "teardown")
        from moto.cloudformation.models import cloudformation_backends
        cli("aws", "setup", "--yes")
        for stack in cloudformation_backends["{ACCOUNT}"]["{REGION}"].stacks.values():
            stack.status = "ROLLBACK_COMPLETE"
        failed = cli("aws", "setup", "--yes")
        print("RESULT " + json.dumps({{"codes": [refused, declined, done, again, failed],
              "kept": kept, "statuses": statuses, "buckets": buckets}}))
        """,
        tmp_path,
        stdin="n\ny\n",
    )
    assert out.returncode == 0, out.stderr
    result = _result(out.stdout)
    assert result["codes"] == [2, 1, 0, 0, 2]
    assert "churn-model" in out.stdout
    assert "Remove them first with `labs cleanup`" in out.stderr
    assert "is in ROLLBACK_COMPLETE: its creation failed" in out.stderr
    assert "Traceback" not in out.stderr
    assert result["kept"] == 3  # nothing was deleted after the "n"
    assert result["statuses"] == ["DELETE_COMPLETE"]
    assert result["buckets"] == []
    assert f"every object in s3://{BUCKET}: 4 object versions, then the bucket" in out.stdout
    assert "Nothing was deleted." in out.stdout
    assert f"Emptied s3://{BUCKET} (4 object versions deleted)." in out.stdout
    assert "There is no stack labs-kit in eu-west-1: nothing to tear down." in out.stdout


def test_refusals_change_nothing_and_learner_mistakes_exit_2_with_the_fix(tmp_path):
    out = run_against_moto(
        """
        no_stack = cli("aws", "status")
        declined, unanswered = cli("aws", "setup"), cli("aws", "setup")
        live = [s["StackName"] for s in
                boto3.client("cloudformation").list_stacks()["StackSummaries"]
                if s["StackStatus"] != "DELETE_COMPLETE"]
        buckets = [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]]
        mistakes = [cli("aws"), cli("aws", "setup", "--budget-email", "not-an-address")]
        os.environ.pop("LABS_ALLOW_ENDPOINT_OVERRIDE")
        mistakes.append(cli("cleanup"))
        os.environ["LABS_ALLOW_ENDPOINT_OVERRIDE"] = "1"
        names = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        keys = {name: os.environ.pop(name) for name in names}
        mistakes.append(cli("aws", "status"))
        os.environ.update(keys)
        from moto.cloudformation.exceptions import CloudFormationError
        from moto.cloudformation.responses import CloudFormationResponse
        class AccessDenied(CloudFormationError):
            code = "AccessDenied"
        def denied(self):
            raise AccessDenied("not authorized to perform DescribeStacks")
        CloudFormationResponse.describe_stacks = denied
        mistakes.append(cli("aws", "status"))
        print("RESULT " + json.dumps({"codes": [no_stack, declined, unanswered], "live": live,
              "buckets": buckets, "mistakes": mistakes}))
        """,
        tmp_path,
        stdin="n\n",  # the second question finds stdin at its end
    )
    assert out.returncode == 0, out.stderr
    assert _result(out.stdout) == {
        "codes": [1, 1, 1],
        "live": [],
        "buckets": [],
        "mistakes": [2, 2, 2, 2, 2],
    }
    stdout, stderr = out.stdout, out.stderr
    assert "No kit stack labs-kit here. Create it with `labs aws setup`." in stdout
    assert stdout.count("Nothing was changed.") == 2
    assert "No answer (no input can be read): taken as no" in stdout
    assert "Say what to do: `labs aws setup`" in stderr
    assert "'not-an-address' is not an e-mail address" in stderr
    assert "AWS_ENDPOINT_URL is set, so AWS clients would not reach your real account" in stderr
    assert "No AWS credentials were found. Configure them with `aws configure`" in stderr
    assert "AWS answered with an error: AccessDenied: not authorized" in stderr
    assert "Traceback" not in stderr
