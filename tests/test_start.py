"""labs.start(): local mode end to end, the mode switch, and aws mode's refusals."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import boto3
import pytest

import labs
from labs.errors import ModeError


def test_local_lab_has_the_kit_resources(lab):
    assert lab.mode == "local"
    assert lab.region == "us-east-1"
    assert lab.endpoint_url.startswith("http://127.0.0.1:")
    assert lab.role_arn == "arn:aws:iam::123456789012:role/LabsExecutionRole"
    lab.client("s3").head_bucket(Bucket=lab.bucket)
    key = lab.client("kms").describe_key(KeyId="alias/labs-kit")["KeyMetadata"]
    assert key["Arn"] == lab.kms_key_arn
    identity = boto3.client("sts").get_caller_identity()["Arn"]
    assert identity == "arn:aws:sts::123456789012:assumed-role/LabsExecutionRole/learner"


def test_local_lab_has_a_data_services_role_trusted_by_the_data_services(lab):
    name = "LabsDataServicesRole"
    assert lab.data_services_role_arn == f"arn:aws:iam::123456789012:role/{name}"
    role = lab.client("iam").get_role(RoleName=name)["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert sorted(statement["Principal"]["Service"]) == [
        "events.amazonaws.com",
        "firehose.amazonaws.com",
        "glue.amazonaws.com",
        "states.amazonaws.com",
    ]
    assert lab.data_services_role_arn != lab.role_arn


def test_sdk_get_execution_role_returns_the_kit_role(lab):
    from sagemaker.core.helper.session_helper import Session, get_execution_role

    assert get_execution_role(Session()) == lab.role_arn


def test_sdk_telemetry_is_off(lab):
    from sagemaker.core.common_utils import resolve_value_from_config
    from sagemaker.core.config.config_schema import TELEMETRY_OPT_OUT_PATH

    assert resolve_value_from_config(
        config_path=TELEMETRY_OPT_OUT_PATH, sagemaker_session=lab.sagemaker_session
    )


def test_the_aws_cli_reaches_the_local_aws(lab):
    lab.client("s3").put_object(Bucket=lab.bucket, Key="cli/hello.txt", Body=b"hi")
    aws = os.path.join(os.path.dirname(sys.executable), "aws")
    out = subprocess.run(
        [aws, "s3api", "list-objects-v2", "--bucket", lab.bucket, "--prefix", "cli/"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "cli/hello.txt" in out.stdout


def test_second_start_reuses_the_running_lab(lab, capsys):
    assert labs.start() is lab
    assert "LOCAL mode" in capsys.readouterr().out


def test_switching_mode_in_a_running_kernel_is_refused(lab):
    with pytest.raises(ModeError, match="Restart the kernel"):
        labs.start(mode="aws")


def test_unknown_mode_is_refused(lab):
    with pytest.raises(ModeError, match="Unknown mode 'cloud'"):
        labs.start(mode="cloud")


def test_learner_errors_render_without_a_traceback():
    lines = ModeError("do this").__class__("do this")._render_traceback_()
    assert lines == ["\x1b[31mModeError\x1b[0m: do this"]


def test_ensure_dataset_uploads_once(lab):
    uri = lab.ensure_dataset("churn")
    assert uri == f"s3://{lab.bucket}/datasets/churn/churn.csv"
    s3 = lab.client("s3")
    key = uri.split("/", 3)[3]
    original = s3.get_object(Bucket=lab.bucket, Key=key)["Body"].read()
    assert original.startswith(b"customer_id")
    s3.put_object(Bucket=lab.bucket, Key=key, Body=b"already here")
    try:
        assert lab.ensure_dataset("churn") == uri
        assert s3.get_object(Bucket=lab.bucket, Key=key)["Body"].read() == b"already here"
    finally:  # the lab is shared by the session: later tests read the real dataset
        s3.put_object(Bucket=lab.bucket, Key=key, Body=original)


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _clean_env(tmp_path) -> dict[str, str]:
    keep = (
        "PATH",
        "HOME",
        "PYTHONPATH",
        "LABS_NETWORK_GUARD",
        "LABS_NETWORK_GUARD_LOG",
        "LABS_HOME",
    )
    env = {k: os.environ[k] for k in keep if k in os.environ}
    (tmp_path / "empty").write_text("")
    env.update(
        AWS_CONFIG_FILE=str(tmp_path / "empty"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "empty"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def test_aws_mode_without_credentials_refuses_and_never_falls_back(tmp_path):
    env = {**_clean_env(tmp_path), "LABS_MODE": "aws", "AWS_REGION": "us-east-1"}
    out = _run("import labs; labs.start()", env)
    assert out.returncode != 0
    assert "needs AWS credentials" in out.stderr
    assert "LOCAL mode" not in out.stdout


AWS_MODE_AGAINST_MOTO = """
    import json, os, boto3
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(AWS_ENDPOINT_URL=f"http://{host}:{port}", AWS_ACCESS_KEY_ID="real",
                      AWS_SECRET_ACCESS_KEY="real", AWS_DEFAULT_REGION="eu-west-1")
    if os.environ.get("MAKE_STACK"):
        outputs = {"BucketName": "kit-bucket",
                   "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r",
                   "DataServicesRoleArn": "arn:aws:iam::123456789012:role/d",
                   "KmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k"}
        if os.environ.get("OLD_STACK"):
            del outputs["DataServicesRoleArn"]
        template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                    "Outputs": {k: {"Value": v} for k, v in outputs.items()}}
        boto3.client("cloudformation").create_stack(StackName="labs-kit",
                                                    TemplateBody=json.dumps(template))
    import labs
    lab = labs.start(mode="aws")
    print(lab.mode, lab.bucket, lab.role_arn, lab.data_services_role_arn)
"""


def test_aws_mode_reads_the_kit_stack_outputs(tmp_path):
    env = {**_clean_env(tmp_path), "LABS_ALLOW_ENDPOINT_OVERRIDE": "1", "MAKE_STACK": "1"}
    out = _run(AWS_MODE_AGAINST_MOTO, env)
    assert out.returncode == 0, out.stderr
    assert "AWS mode, account 123456789012, region eu-west-1" in out.stdout
    assert (
        "aws kit-bucket arn:aws:iam::123456789012:role/r arn:aws:iam::123456789012:role/d"
        in out.stdout
    )


def test_aws_mode_on_an_older_stack_says_to_update_it(tmp_path):
    env = {
        **_clean_env(tmp_path),
        "LABS_ALLOW_ENDPOINT_OVERRIDE": "1",
        "MAKE_STACK": "1",
        "OLD_STACK": "1",
    }
    out = _run(AWS_MODE_AGAINST_MOTO, env)
    assert out.returncode != 0
    assert "lacks the outputs ['DataServicesRoleArn']" in out.stderr
    assert "labs aws setup" in out.stderr


def test_aws_mode_without_the_stack_says_how_to_create_it(tmp_path):
    env = {**_clean_env(tmp_path), "LABS_ALLOW_ENDPOINT_OVERRIDE": "1"}
    out = _run(AWS_MODE_AGAINST_MOTO, env)
    assert out.returncode != 0
    assert "stack 'labs-kit' was not found in eu-west-1" in out.stderr
    assert "Run on your AWS account" in out.stderr


def test_sdk_job_log_lines_reach_the_notebook_output(tmp_path):
    # A fresh kernel has no logging set up; the SDK prints train(logs=True) lines through
    # sagemaker.core.resources at INFO, which would otherwise go nowhere.
    code = """
        import logging, labs
        labs.start()
        logging.getLogger("sagemaker.core.resources").info("[train] validation-auc:0.91")
        logging.getLogger("sagemaker.core.resources").debug("not shown")
    """
    out = _run(code, _clean_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "[train] validation-auc:0.91" in out.stdout.splitlines()
    assert "not shown" not in out.stdout


def test_sdk_client_chatter_stays_out_of_the_notebook(tmp_path):
    # sagemaker.core.experiments calls logging.basicConfig(level=INFO) on import; then
    # botocore logs a line per client made.
    code = """
        import labs
        lab = labs.start()
        import sagemaker.core.experiments._metrics
        lab.client("s3").list_buckets()
        lab.sagemaker_session
    """
    out = _run(code, _clean_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "Found endpoint for" not in out.stderr
    assert "INFO:sagemaker.config" not in out.stderr


def test_a_learners_own_logging_setup_is_left_alone(tmp_path):
    code = """
        import logging, labs
        logging.basicConfig(level=logging.WARNING)
        labs.start()
        logging.getLogger("sagemaker.core.resources").info("quiet please")
    """
    out = _run(code, _clean_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "quiet please" not in out.stdout + out.stderr


def test_labs_start_in_a_notebook_kernel_prints_no_warnings():
    # In a kernel, tqdm.auto (imported by optuna with the tuning runtime) warns
    # "IProgress not found" unless ipywidgets is installed.
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import labs\nlab = labs.start()")]
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    stderr = "".join(o.get("text", "") for o in outputs if o.get("name") == "stderr")
    assert stderr == "", stderr
    assert "LOCAL mode" in "".join(o.get("text", "") for o in outputs)
