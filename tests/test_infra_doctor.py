"""`labs doctor --aws`: each account check says what it saw and the next step."""

from __future__ import annotations

import re

from aws_support import run_against_moto

from labs.aws import preflight

ALLOWED = ("ml.m5.large", "ml.m5.xlarge")


def _line(stdout: str, label: str, name: str) -> str:
    pattern = rf"^{label}\s+{re.escape(name)}\s+.*$"
    found = re.search(pattern, stdout, re.MULTILINE)
    assert found, f"no {label} line for {name} in:\n{stdout}"
    return found.group(0)


def test_doctor_aws_follows_the_account_from_no_stack_to_a_broken_role(tmp_path):
    out = run_against_moto(
        """
        import yaml
        from labs.aws import stack

        def doctor(title):
            print("== " + title)
            print("EXIT", cli("doctor", "--aws"))

        doctor("no stack")
        older = yaml.safe_load(stack.template_body())
        del older["Resources"]["TransformLogGroup"]
        cf = boto3.client("cloudformation")
        cf.create_stack(StackName="labs-kit", TemplateBody=json.dumps(older),
                        Capabilities=["CAPABILITY_NAMED_IAM"])
        doctor("older template")
        cli("aws", "setup", "--yes")
        doctor("current")
        iam = boto3.client("iam")
        iam.delete_role_policy(RoleName="LabsExecutionRole-eu-west-1",
                               PolicyName="labs-kit-execution")
        doctor("no role policy")
        iam.update_assume_role_policy(RoleName="LabsExecutionRole-eu-west-1",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole"}]}))
        doctor("untrusted")
        """,
        tmp_path,
    )
    assert out.returncode == 0, out.stderr
    parts = {}
    for chunk in out.stdout.split("== ")[1:]:
        title, _, body = chunk.partition("\n")
        parts[title] = body
    no_stack, older = parts["no stack"], parts["older template"]
    current, no_policy, untrusted = parts["current"], parts["no role policy"], parts["untrusted"]
    exits = [re.search(r"^EXIT (\d)$", body, re.MULTILINE).group(1) for body in parts.values()]
    assert exits == ["1", "1", "0", "1", "1"]

    assert "AWS account" in _line(no_stack, "OK", "AWS account")
    assert "no stack labs-kit in eu-west-1" in _line(no_stack, "FAIL", "kit stack")
    assert "fix: labs aws setup" in no_stack

    assert "differs from infra/labs-kit.yaml" in _line(older, "FAIL", "stack template")
    _line(older, "OK", "execution role")  # the role is still checked
    assert "fix: labs aws setup (it shows the changes and asks first)" in older

    for name in ("kit stack", "stack template", "stack outputs", "price table"):
        _line(current, "OK", name)
    assert "reads and writes s3://labs-kit-" in _line(current, "OK", "execution role")
    # moto has no Service Quotas list for SageMaker: the check says so, and does not fail.
    assert "could not be read" in _line(current, "WARN", "SageMaker quotas")

    assert "may not s3:GetObject, s3:PutObject" in _line(no_policy, "FAIL", "execution role")
    assert "does not let SageMaker assume it" in _line(untrusted, "FAIL", "execution role")
    assert "fix: labs aws setup (restores the trust policy)" in untrusted


def test_quota_check_fails_on_a_zero_quota_and_names_it():
    quotas = {
        "ml.m5.large for training job usage": 2.0,
        "ml.m5.xlarge for training job usage": 0.0,
        "ml.m5.xlarge for endpoint usage": 1.0,
        "ml.p3.2xlarge for training job usage": 0.0,  # not allow-listed: not judged
    }
    finding = preflight.quota_check(quotas, ALLOWED)
    assert finding.status == preflight.FAIL
    assert finding.detail == "zero for: ml.m5.xlarge for training job usage"
    assert "Service Quotas" in finding.fix


def test_quota_check_passes_when_every_listed_quota_is_above_zero():
    quotas = {"ml.m5.large for endpoint usage": 4.0, "ml.m5.xlarge for processing job usage": 1}
    finding = preflight.quota_check(quotas, ALLOWED)
    assert finding.status == preflight.OK
    assert finding.detail.startswith("2 checked for ml.m5.large, ml.m5.xlarge")


def test_quota_check_warns_when_the_api_does_not_tell():
    assert preflight.quota_check({}, ALLOWED).status == preflight.WARN
    unread = preflight.quota_check("AccessDeniedException: not allowed", ALLOWED)
    assert unread.status == preflight.WARN
    assert "AccessDeniedException" in unread.detail


def test_a_region_without_prices_is_a_warning_with_the_supported_ones():
    finding = preflight._price_check("ap-south-1")
    assert finding.status == preflight.WARN
    assert "eu-west-1, us-east-1, us-west-2" in finding.fix
