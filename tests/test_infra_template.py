"""infra/labs-kit.yaml: cfn-lint clean, no security-scanner finding, and the properties the
kit relies on (encryption, no public access, TLS only, least-privilege role), each checked
on the template itself. infra/README.md explains every resource and permission."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint_file

from labs.aws import prices

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "infra" / "labs-kit.yaml"
README = REPO / "infra" / "README.md"
CFRIPPER = Path(sys.executable).with_name("cfripper")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def _lint(path: Path) -> list[str]:
    regions = prices.load().supported_regions
    return [str(m) for m in lint_file(path, config=ManualArgs(regions=regions))]


def _scan(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [str(CFRIPPER), str(path), "--format", "json", "--resolve"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode in (0, 2), out.stderr
    return json.loads(out.stdout)


def _policy_statements(
    template: dict[str, Any], role_id: str = "ExecutionRole"
) -> dict[str, dict[str, Any]]:
    role = template["Resources"][role_id]["Properties"]
    (policy,) = role["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# ----------------------------------------------------------------- the two tools


def test_cfn_lint_finds_nothing_in_the_supported_regions():
    assert _lint(TEMPLATE) == []


def test_cfn_lint_would_catch_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    text = TEMPLATE.read_text()
    broken.write_text(
        text.replace("kms:UpdateKeyDescription", "kms:UpdateKeyDescriptio").replace(
            "BucketKeyEnabled: true", "BucketKeyEnabled: sometimes"
        )
    )
    found = " ".join(_lint(broken))
    assert "W3037" in found  # unknown IAM action
    assert "E3012" in found  # wrong property type


def test_security_scan_has_no_finding():
    result = _scan(TEMPLATE)
    assert result == {"exceptions": [], "failures": []}


def test_security_scan_would_catch_a_wildcard_allow(tmp_path):
    opened = tmp_path / "opened.yaml"
    opened.write_text(TEMPLATE.read_text().replace("Effect: Deny", "Effect: Allow"))
    rules = {failure["rule"] for failure in _scan(opened)["failures"]}
    assert "S3BucketPolicyWildcardActionRule" in rules


# ------------------------------------------------------------------ the bucket


def test_bucket_is_encrypted_with_the_kit_key(template):
    bucket = template["Resources"]["KitBucket"]["Properties"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["KitKey", "Arn"]},
    }
    assert rule["BucketKeyEnabled"] is True


def test_bucket_is_versioned_private_and_owner_enforced(template):
    bucket = template["Resources"]["KitBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def test_lifecycle_expires_scratch_and_old_versions(template):
    rules = {
        r["Id"]: r
        for r in template["Resources"]["KitBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    }
    assert rules["ExpireScratch"]["Prefix"] == "scratch/"
    assert rules["ExpireScratch"]["ExpirationInDays"] == {"Ref": "ScratchExpiryDays"}
    assert "NoncurrentVersionExpiration" in rules["ExpireOldVersions"]
    assert rules["AbortIncompleteUploads"]["AbortIncompleteMultipartUpload"]


def test_bucket_policy_denies_every_request_without_tls(template):
    policy = template["Resources"]["KitBucketPolicy"]["Properties"]["PolicyDocument"]
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": ["KitBucket", "Arn"]} in statement["Resource"]
    assert {"Fn::Sub": "${KitBucket.Arn}/*"} in statement["Resource"]


# -------------------------------------------------------------------- the key


def test_key_rotates_and_its_policy_names_no_other_account_and_no_wildcard(template):
    key = template["Resources"]["KitKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    (statement,) = key["KeyPolicy"]["Statement"]
    assert statement["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
    }
    actions = _as_list(statement["Action"])
    assert not [a for a in actions if "*" in a or "?" in a]
    # The account must keep the means to manage and delete the key.
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion"} <= set(actions)


# ------------------------------------------------------------------- the role


def test_role_is_assumed_by_sagemaker_only(template):
    trust = template["Resources"]["ExecutionRole"]["Properties"]["AssumeRolePolicyDocument"]
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


def test_role_policy_has_no_wildcard_action(template):
    for sid, statement in _policy_statements(template).items():
        for action in _as_list(statement["Action"]):
            assert "*" not in action, f"{sid} allows {action}"
        assert statement["Effect"] == "Allow"


def test_only_actions_without_resource_level_permissions_use_resource_star(template):
    star = {sid for sid, s in _policy_statements(template).items() if s["Resource"] == "*"}
    assert star == {"PublishSageMakerMetrics", "GetRegistryToken", "DescribeTheNetworkForVpcJobs"}
    describe = _as_list(_policy_statements(template)["DescribeTheNetworkForVpcJobs"]["Action"])
    assert all(a.startswith("ec2:Describe") for a in describe)
    metrics = _policy_statements(template)["PublishSageMakerMetrics"]
    assert metrics["Condition"]["StringLike"]["cloudwatch:namespace"]


def test_s3_and_kms_permissions_are_scoped_to_the_kit_bucket_and_key(template):
    statements = _policy_statements(template)
    for sid, statement in statements.items():
        actions = _as_list(statement["Action"])
        if any(a.startswith("s3:") for a in actions):
            assert "KitBucket" in json.dumps(statement["Resource"]), sid
        if any(a.startswith("kms:") for a in actions):
            assert statement["Resource"] == {"Fn::GetAtt": ["KitKey", "Arn"]}, sid


def test_sagemaker_permissions_need_the_kit_tag(template):
    statements = _policy_statements(template)
    sagemaker = {
        sid: s
        for sid, s in statements.items()
        if any(a.startswith("sagemaker:") for a in _as_list(s["Action"]))
    }
    assert set(sagemaker) == {
        "CreateOnlyKitTaggedSageMakerResources",
        "ManageOnlyKitTaggedSageMakerResources",
    }
    create = sagemaker["CreateOnlyKitTaggedSageMakerResources"]["Condition"]
    manage = sagemaker["ManageOnlyKitTaggedSageMakerResources"]["Condition"]
    assert create == {"Null": {"aws:RequestTag/labs:kit": "false"}}
    assert manage == {"Null": {"aws:ResourceTag/labs:kit": "false"}}


def test_role_may_pass_only_itself_and_only_to_sagemaker(template):
    statement = _policy_statements(template)["PassOnlyThisRoleAndOnlyToSageMaker"]
    role_name = template["Resources"]["ExecutionRole"]["Properties"]["RoleName"]["Fn::Sub"]
    assert statement["Resource"]["Fn::Sub"].endswith(f":role/{role_name}")
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


# -------------------------------------------------------- the data-services role

DATA_ROLE = "DataServicesRole"


def test_data_role_is_assumed_by_the_four_data_services_only(template):
    trust = template["Resources"][DATA_ROLE]["Properties"]["AssumeRolePolicyDocument"]
    (statement,) = trust["Statement"]
    assert sorted(statement["Principal"]["Service"]) == [
        "events.amazonaws.com",
        "firehose.amazonaws.com",
        "glue.amazonaws.com",
        "states.amazonaws.com",
    ]
    assert statement["Action"] == "sts:AssumeRole"


def test_data_role_has_no_wildcard_action_and_no_resource_star(template):
    for sid, statement in _policy_statements(template, DATA_ROLE).items():
        assert statement["Effect"] == "Allow", sid
        assert statement["Resource"] != "*", sid
        for action in _as_list(statement["Action"]):
            assert "*" not in action, f"{sid} allows {action}"


def test_data_role_reaches_only_the_kit_bucket_and_key(template):
    statements = _policy_statements(template, DATA_ROLE)
    for sid, statement in statements.items():
        actions = _as_list(statement["Action"])
        if any(a.startswith("s3:") for a in actions):
            assert "KitBucket" in json.dumps(statement["Resource"]), sid
        if any(a.startswith("kms:") for a in actions):
            assert statement["Resource"] == {"Fn::GetAtt": ["KitKey", "Arn"]}, sid
            assert set(actions) == {"kms:Decrypt", "kms:GenerateDataKey"}, sid


def test_data_role_writes_only_firehose_and_glue_logs(template):
    statement = _policy_statements(template, DATA_ROLE)["WriteFirehoseAndGlueLogs"]
    groups = [r["Fn::Sub"].rsplit("log-group:", 1)[1] for r in statement["Resource"]]
    assert groups == ["/aws/kinesisfirehose/*", "/aws-glue/*"]


def test_data_role_sagemaker_and_state_machine_access_needs_the_kit_tag(template):
    statements = _policy_statements(template, DATA_ROLE)
    tagged = {
        sid: s
        for sid, s in statements.items()
        if any(a.split(":")[0] in ("sagemaker", "states") for a in _as_list(s["Action"]))
    }
    assert set(tagged) == {
        "CreateKitTaggedProcessingJobsFromStepFunctions",
        "WatchKitTaggedProcessingJobsFromStepFunctions",
        "StartKitStateMachinesFromEventBridge",
    }
    assert tagged["CreateKitTaggedProcessingJobsFromStepFunctions"]["Condition"] == {
        "Null": {"aws:RequestTag/labs:kit": "false"}
    }
    for sid in (
        "WatchKitTaggedProcessingJobsFromStepFunctions",
        "StartKitStateMachinesFromEventBridge",
    ):
        assert tagged[sid]["Condition"] == {"Null": {"aws:ResourceTag/labs:kit": "false"}}, sid
    sagemaker_actions = {
        a for s in tagged.values() for a in _as_list(s["Action"]) if a.startswith("sagemaker:")
    }
    assert all(
        "ProcessingJob" in a or a in ("sagemaker:AddTags", "sagemaker:ListTags")
        for a in sagemaker_actions
    )


def test_data_role_may_pass_only_the_execution_role_and_only_to_sagemaker(template):
    statements = _policy_statements(template, DATA_ROLE)
    passing = [s for s in statements.values() if "iam:PassRole" in _as_list(s["Action"])]
    assert passing == [statements["PassTheExecutionRoleOnlyToSageMaker"]]
    (statement,) = passing
    assert statement["Resource"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}
    }


def test_data_role_glue_and_events_access_stays_in_this_account_and_region(template):
    statements = _policy_statements(template, DATA_ROLE)
    glue = statements["RunGlueJobsFromStepFunctions"]["Resource"]["Fn::Sub"]
    assert glue.endswith(":glue:${AWS::Region}:${AWS::AccountId}:job/*")
    rule = statements["ManageTheStepFunctionsProcessingJobRule"]["Resource"]["Fn::Sub"]
    assert rule.endswith(":rule/StepFunctionsGetEventsForSageMakerProcessingJobsRule")


# ------------------------------------------------------- logs, budget, outputs


def test_log_groups_have_retention_and_can_be_left_to_an_existing_group(template):
    for logical_id in ("TrainingLogGroup", "ProcessingLogGroup", "TransformLogGroup"):
        group = template["Resources"][logical_id]
        assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert group["Condition"] in template["Conditions"]


def test_budget_is_optional_and_mails_the_given_address(template):
    budget = template["Resources"]["MonthlyBudget"]
    assert budget["Condition"] == "WantBudget"
    assert template["Parameters"]["BudgetEmail"]["Default"] == ""
    addresses = {
        sub["Address"]["Ref"]
        for notice in budget["Properties"]["NotificationsWithSubscribers"]
        for sub in notice["Subscribers"]
    }
    assert addresses == {"BudgetEmail"}


def test_outputs_are_what_aws_mode_reads(template):
    assert {"BucketName", "ExecutionRoleArn", "DataServicesRoleArn", "KmsKeyArn"} <= set(
        template["Outputs"]
    )
    assert template["Outputs"]["DataServicesRoleArn"]["Value"] == {
        "Fn::GetAtt": ["DataServicesRole", "Arn"]
    }


def test_infra_readme_explains_every_resource_and_permission(template):
    text = README.read_text()
    missing = [name for name in template["Resources"] if f"`{name}`" not in text]
    for role_id in ("ExecutionRole", "DataServicesRole"):
        missing += [sid for sid in _policy_statements(template, role_id) if f"`{sid}`" not in text]
        trust = template["Resources"][role_id]["Properties"]["AssumeRolePolicyDocument"]
        missing += [s["Sid"] for s in trust["Statement"] if f"`{s['Sid']}`" not in text]
    key_sid = template["Resources"]["KitKey"]["Properties"]["KeyPolicy"]["Statement"][0]["Sid"]
    bucket_sid = template["Resources"]["KitBucketPolicy"]["Properties"]["PolicyDocument"][
        "Statement"
    ][0]["Sid"]
    missing += [sid for sid in (key_sid, bucket_sid) if f"`{sid}`" not in text]
    assert missing == []
