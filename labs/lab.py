"""``labs.start()``: where a notebook runs, and the handle every lab works through."""

from __future__ import annotations

import io
import json
import logging
import os
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labs.errors import ModeError

if TYPE_CHECKING:
    import boto3

    from labs.aws.cost_guard import Estimate

MODES = ("local", "aws")
DEFAULT_REGION = "us-east-1"
ROLE_NAME = "LabsExecutionRole"
DATA_SERVICES_ROLE_NAME = "LabsDataServicesRole"
# The services that assume the data-services role (Firehose, Glue, Step Functions, EventBridge).
DATA_SERVICES = (
    "firehose.amazonaws.com",
    "glue.amazonaws.com",
    "states.amazonaws.com",
    "events.amazonaws.com",
)
KEY_ALIAS = "alias/labs-kit"
STACK_NAME = "labs-kit"
ROLE_POLICY_FILE = Path(__file__).with_name("local") / "execution_role_policy.json"

_lock = threading.Lock()
_current: Lab | None = None


@dataclass
class Lab:
    """A running lab: the AWS session and the kit's resources, in either mode.

    Attributes:
        mode: ``"local"`` (moto on this machine) or ``"aws"`` (the learner's account).
        session: the ``boto3.Session`` every client should come from.
        region: the AWS region.
        bucket: the kit's S3 bucket.
        role_arn: the SageMaker execution role.
        kms_key_arn: the kit's KMS key (for SSE-KMS and encrypted jobs).
        account: the AWS account id.
        endpoint_url: the local AWS endpoint (``None`` in aws mode).
        data_services_role_arn: the role Firehose, Glue, Step Functions and EventBridge
            assume (each service needs a role that trusts it; the SageMaker execution role
            trusts SageMaker only).
    """

    mode: str
    session: boto3.Session
    region: str
    bucket: str
    role_arn: str
    kms_key_arn: str
    account: str
    endpoint_url: str | None = None
    data_services_role_arn: str = ""
    _server: Any = field(default=None, repr=False)
    _sagemaker_session: Any = field(default=None, repr=False)

    def client(self, name: str, **kwargs: Any) -> Any:
        """A boto3 client for service ``name`` in the lab's session and region."""
        return self.session.client(name, **kwargs)

    @property
    def sagemaker_session(self) -> Any:
        """A SageMaker SDK v3 ``Session`` on the lab's session, defaulting to the kit bucket."""
        if self._sagemaker_session is None:
            from sagemaker.core.helper.session_helper import Session

            self._sagemaker_session = Session(boto_session=self.session, default_bucket=self.bucket)
        return self._sagemaker_session

    def s3_uri(self, *parts: str) -> str:
        """``s3://<kit bucket>/<parts joined by />``."""
        key = "/".join(p.strip("/") for p in parts if p)
        return f"s3://{self.bucket}/{key}"

    def ensure_dataset(self, name: str) -> str:
        """Upload dataset ``name`` to the kit bucket unless it is there; return its S3 URI.

        Idempotent: a second call (or a call from another notebook) finds the object and
        uploads nothing. The object key is ``datasets/<name>/<file name>``.
        """
        from labs import data

        source = data.path(name) if data.info(name).file is not None else None
        file_name = source.name if source is not None else f"{name}.csv"
        key = f"datasets/{name}/{file_name}"
        s3 = self.client("s3")
        try:
            s3.head_object(Bucket=self.bucket, Key=key)
        except s3.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
            if source is not None:
                s3.upload_file(str(source), self.bucket, key)
            else:
                buffer = io.BytesIO()
                data.load(name).to_csv(buffer, index=False)
                s3.put_object(Bucket=self.bucket, Key=key, Body=buffer.getvalue())
        return f"s3://{self.bucket}/{key}"

    def tags(self, notebook: str | None = None) -> list[dict[str, str]]:
        """The kit's tags for ``Tags=`` in create calls: ``labs:kit`` and ``labs:notebook``.

        Pass them in both modes (``Tags=lab.tags()``): ``labs cleanup`` and
        :meth:`cleanup` find a resource by them. ``notebook`` defaults to the running
        notebook's name (see :func:`labs.aws.tags.notebook_name`).
        """
        from labs.aws import tags

        return tags.kit_tags(notebook)

    def sdk_tags(self, notebook: str | None = None) -> list[Any]:
        """:meth:`tags` as SageMaker Python SDK v3 ``Tag`` objects, for ``tags=`` arguments.

        ``ModelTrainer(tags=lab.sdk_tags())``, ``HyperparameterTuner``, ``ModelBuilder``
        and the other v3 classes take ``Tag(key=..., value=...)``, not boto3's
        ``{"Key": ..., "Value": ...}`` dicts.
        """
        from sagemaker.core.shapes import Tag

        return [Tag(key=tag["Key"], value=tag["Value"]) for tag in self.tags(notebook)]

    def confirm_cost(
        self,
        instance_type: str,
        count: int = 1,
        hours: float = 1.0,
        *,
        what: str = "this step",
        allow_any_instance: bool = False,
    ) -> Estimate:
        """The cost guard before a billable step; call it the same way in both modes.

        Prints the estimate from the kit's price table. Local mode: free, never asks. aws
        mode: asks (``LABS_ASSUME_YES=1`` answers yes) and raises
        :class:`labs.aws.cost_guard.CostRefused` without a yes, or for an instance type
        outside the allow-list unless ``allow_any_instance=True``. Returns the estimate.
        """
        from labs.aws import cost_guard

        return cost_guard.confirm_cost(
            self.mode,
            self.region,
            instance_type,
            count,
            hours,
            what=what,
            allow_any_instance=allow_any_instance,
        )

    def cleanup(self, notebook: str | None = None) -> list[str]:
        """A notebook's cleanup cell: delete or stop the SageMaker resources it made.

        Removes kit-tagged endpoints, endpoint configs, models, running jobs (and, in aws
        mode, monitoring schedules and notebook instances) whose ``labs:notebook`` tag is
        ``notebook`` (default: this notebook). Untagged resources are never touched.
        Returns what could not be removed.
        """
        from labs.aws import cleanup, tags

        kinds = cleanup.KINDS if self.mode == "aws" else cleanup.served_locally()
        name = tags.clean_value(notebook) if notebook else tags.notebook_name()
        return cleanup.notebook_cleanup(self.session, self.region, name, kinds=kinds)

    def describe(self) -> str:
        """The one line ``labs.start()`` prints about where this notebook runs."""
        if self.mode == "local":
            return (
                f"labs: LOCAL mode, AWS mocked by moto at {self.endpoint_url}, region "
                f"{self.region}, bucket s3://{self.bucket}. Nothing leaves this machine."
            )
        return (
            f"labs: AWS mode, account {self.account}, region {self.region}, bucket "
            f"s3://{self.bucket}. Resources you create here are billed to this account."
        )


def _requested_mode(mode: str | None) -> str:
    chosen = (mode or os.environ.get("LABS_MODE") or "local").strip().lower()
    if chosen not in MODES:
        raise ModeError(
            f"Unknown mode {chosen!r}. Use labs.start(mode='local') (the default, offline) or "
            "labs.start(mode='aws') / LABS_MODE=aws (your own AWS account)."
        )
    return chosen


def start(mode: str | None = None) -> Lab:
    """Start the lab: the first code cell of every notebook.

    ``mode`` is ``"local"`` (default; also ``LABS_MODE=local``) or ``"aws"`` (also
    ``LABS_MODE=aws``). Local mode starts moto on a free loopback port, points every AWS
    client at it, and uses the credentials of an assumed role so that
    ``sagemaker.get_execution_role()`` works. A second call in the same kernel returns the
    lab that is already running. Prints one line that says where the notebook runs.
    """
    global _current
    chosen = _requested_mode(mode)
    with _lock:
        if _current is not None:
            if _current.mode != chosen:
                raise ModeError(
                    f"This kernel already runs in {_current.mode} mode. Restart the kernel to "
                    f"switch to {chosen} mode (Kernel > Restart Kernel)."
                )
        else:
            _current = _start_local() if chosen == "local" else _start_aws()
            _show_sdk_job_logs()
        print(_current.describe())
        return _current


def current() -> Lab:
    """The lab that ``labs.start()`` started in this kernel."""
    if _current is None:
        raise ModeError("No lab is running yet: run `lab = labs.start()` first.")
    return _current


# The SDK prints a job's CloudWatch log lines (``train(logs=True)``, ``wait(logs=True)``)
# through this logger at INFO, and leaves logging unconfigured: without a handler a learner
# would see nothing.
_SDK_JOB_LOGGER = "sagemaker.core.resources"
# Importing parts of the SDK calls logging.basicConfig(level=INFO), after which these
# loggers print a line for every client and session made ("Found endpoint for s3 via:
# environment_global"): noise that buries what a learner needs to read.
_CHATTY_LOGGERS = ("botocore.configprovider", "botocore.credentials", "sagemaker.config")


def _show_sdk_job_logs() -> None:
    """Let the SDK's job log lines reach the notebook, unless logging is set up already;
    keep the SDK's per-client chatter out (loggers a learner set a level on are left)."""
    for name in _CHATTY_LOGGERS:
        chatty = logging.getLogger(name)
        if chatty.level == logging.NOTSET:
            chatty.setLevel(logging.WARNING)
    sdk_logger = logging.getLogger(_SDK_JOB_LOGGER)
    if sdk_logger.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    sdk_logger.addHandler(handler)
    sdk_logger.setLevel(logging.INFO)
    sdk_logger.propagate = False


# ---------------------------------------------------------------------------- local mode


def _isolate_from_real_aws(endpoint_url: str, region: str) -> None:
    """Point every AWS client at the local endpoint and away from real credentials."""
    empty = Path(tempfile.mkdtemp(prefix="labs-aws-"))
    (empty / "config").write_text("")
    (empty / "credentials").write_text("")
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_CONFIG_FILE=str(empty / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(empty / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        # Bootstrap identity: only used to create the role that the lab then assumes.
        AWS_ACCESS_KEY_ID="AKIALABSBOOTSTRAP000",
        AWS_SECRET_ACCESS_KEY="labs-bootstrap-secret",
    )
    sdk_config = empty / "sagemaker-config.yaml"
    sdk_config.write_text(
        "SchemaVersion: '1.0'\n"
        "SageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
    )
    os.environ["SAGEMAKER_USER_CONFIG_OVERRIDE"] = str(sdk_config)


def _start_local() -> Lab:
    import boto3

    from labs.local import shims
    from labs.local.server import LocalAws

    region = os.environ.get("LABS_REGION") or DEFAULT_REGION
    server = LocalAws()
    shims.install(server.endpoint_url)
    _isolate_from_real_aws(server.endpoint_url, region)

    bootstrap = boto3.Session(region_name=region)
    iam = bootstrap.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
            },
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            },
        ],
    }
    role = iam.create_role(
        RoleName=ROLE_NAME,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description="The kit's SageMaker execution role (local mode)",
        Tags=[{"Key": "labs:kit", "Value": "true"}],
    )["Role"]
    iam.put_role_policy(
        RoleName=ROLE_NAME,
        PolicyName="labs-execution",
        PolicyDocument=ROLE_POLICY_FILE.read_text(),
    )
    data_role = _create_data_services_role(iam)
    credentials = bootstrap.client("sts").assume_role(
        RoleArn=role["Arn"], RoleSessionName="learner"
    )["Credentials"]
    os.environ.update(
        AWS_ACCESS_KEY_ID=credentials["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
        AWS_SESSION_TOKEN=credentials["SessionToken"],
    )
    boto3.setup_default_session(region_name=region)
    session = boto3.Session(region_name=region)
    account = session.client("sts").get_caller_identity()["Account"]

    kms = session.client("kms")
    key = kms.create_key(
        Description="The kit's key for SSE-KMS and encrypted jobs",
        Tags=[{"TagKey": "labs:kit", "TagValue": "true"}],
    )["KeyMetadata"]
    kms.create_alias(AliasName=KEY_ALIAS, TargetKeyId=key["KeyId"])

    bucket = f"labs-kit-{account}-{region}"
    s3 = session.client("s3")
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    return Lab(
        mode="local",
        session=session,
        region=region,
        bucket=bucket,
        role_arn=role["Arn"],
        kms_key_arn=key["Arn"],
        account=account,
        endpoint_url=server.endpoint_url,
        data_services_role_arn=data_role["Arn"],
        _server=server,
    )


def _create_data_services_role(iam: Any) -> dict[str, Any]:
    """Create the local twin of the stack's ``DataServicesRole``: trusted by the data services."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": list(DATA_SERVICES)},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return iam.create_role(
        RoleName=DATA_SERVICES_ROLE_NAME,
        AssumeRolePolicyDocument=json.dumps(trust),
        Description="The kit's role for Firehose, Glue, Step Functions and EventBridge (local)",
        Tags=[{"Key": "labs:kit", "Value": "true"}],
    )["Role"]


# ------------------------------------------------------------------------------ aws mode


def _start_aws() -> Lab:
    """Connect to the learner's own account, or refuse with the reason and the fix."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    if "AWS_ENDPOINT_URL" in os.environ and os.environ.get("LABS_ALLOW_ENDPOINT_OVERRIDE") != "1":
        raise ModeError(
            "AWS_ENDPOINT_URL is set, so AWS clients would not reach your real account. "
            "Unset it (or restart the kernel if labs.start() ran in local mode before)."
        )
    region = os.environ.get("LABS_REGION") or os.environ.get("AWS_REGION") or None
    session = boto3.Session(region_name=region)
    if session.get_credentials() is None:
        raise ModeError(
            "LABS_MODE=aws needs AWS credentials, and none were found. Configure them with "
            "`aws configure` or `aws sso login` (or set AWS_PROFILE), then run labs.start() "
            "again; or unset LABS_MODE to work offline in local mode."
        )
    if not session.region_name:
        raise ModeError(
            "LABS_MODE=aws needs a region: set AWS_REGION or LABS_REGION (for example "
            "us-east-1), or add `region` to your AWS profile."
        )
    try:
        account = session.client("sts").get_caller_identity()["Account"]
    except (BotoCoreError, ClientError) as error:
        raise ModeError(f"Your AWS credentials could not be used: {error}") from None
    stack = os.environ.get("LABS_STACK", STACK_NAME)
    try:
        described = session.client("cloudformation").describe_stacks(StackName=stack)
    except ClientError as error:
        raise ModeError(
            f"The kit's CloudFormation stack {stack!r} was not found in {session.region_name} "
            f"({error.response['Error'].get('Message', 'not found')}). Create it with "
            "`labs aws setup` (README section 'Run on your AWS account')."
        ) from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
    required = ("BucketName", "ExecutionRoleArn", "DataServicesRoleArn", "KmsKeyArn")
    missing = [k for k in required if k not in outputs]
    if missing:
        raise ModeError(
            f"The stack {stack!r} lacks the outputs {missing}: it was made from an older "
            "template of the kit. Update it with `labs aws setup` (it shows the change first)."
        )
    from labs.aws import tags

    tags.install_auto_tags(session)  # every SageMaker resource made from here carries labs:kit
    return Lab(
        mode="aws",
        session=session,
        region=session.region_name,
        bucket=outputs["BucketName"],
        role_arn=outputs["ExecutionRoleArn"],
        kms_key_arn=outputs["KmsKeyArn"],
        account=account,
        data_services_role_arn=outputs["DataServicesRoleArn"],
    )
