"""Secure job settings the local runtime honours.

- ``EnableNetworkIsolation`` (training) and ``NetworkConfig.EnableNetworkIsolation``
  (processing): an isolated job's process cannot open network connections;
- ``OutputDataConfig.KmsKeyId``: the model artifact is written with SSE-KMS under that key.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from runtime_support import wait_for_training_job

from labs.operations import scripts
from labs.operations.artifact_files import read_artifact_json
from labs.runtime import network_isolation

SKLEARN_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3"

# What a child interpreter reports: a loopback connection, a name lookup, a Unix socket pair.
CHILD = """
import socket, sys
port = int(sys.argv[1])
def attempt(fn):
    try:
        fn()
        return "ok"
    except socket.gaierror:
        return "no-name"
    except OSError as error:
        return f"errno-{error.errno}"
print(attempt(lambda: socket.create_connection(("127.0.0.1", port), timeout=2).close()))
if sys.argv[2] == "control":  # without isolation, the kit's network guard logs outside names
    sys.exit(0)
print(attempt(lambda: socket.getaddrinfo("s3.us-east-1.amazonaws.com", 443)))
print(attempt(lambda: socket.getaddrinfo("127.0.0.1", port)))
a, b = socket.socketpair(); a.sendall(b"x"); print("ok" if b.recv(1) == b"x" else "unix-broken")
"""


@pytest.fixture
def listener():
    """A loopback TCP server that accepts connections; yields its port."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def run_child(env: dict[str, str], port: int, mode: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(port), mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def test_isolated_env_puts_the_site_first_and_sets_the_flag():
    env = network_isolation.isolated_env({"PYTHONPATH": "/a", "KEEP": "1"})
    assert env["PYTHONPATH"].split(os.pathsep) == [str(network_isolation.ISOLATION_SITE), "/a"]
    assert env[network_isolation.ENV_FLAG] == "1" and env["KEEP"] == "1"
    assert (network_isolation.ISOLATION_SITE / "sitecustomize.py").is_file()


def test_an_isolated_process_reaches_nothing_but_unix_sockets(listener):
    base = dict(os.environ)
    base.pop(network_isolation.ENV_FLAG, None)
    # Control: the same child without isolation connects to the loopback listener.
    assert run_child(base, listener, "control") == ["ok"]
    isolated = run_child(network_isolation.isolated_env(base), listener, "all")
    assert isolated == ["errno-101", "no-name", "ok", "ok"]


def _probe_job(lab, name: str, isolated: bool, kms_key_id: str | None = None) -> dict:
    s3, sm = lab.client("s3"), lab.client("sagemaker")
    code = (scripts.folder("network_probe") / "probe.py").read_bytes()
    s3.put_object(Bucket=lab.bucket, Key=f"tests/isolation/{name}/code/probe.py", Body=code)
    sm.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={
            "TrainingImage": SKLEARN_IMAGE,
            "TrainingInputMode": "File",
            "ContainerEntrypoint": ["python3", "/opt/ml/input/data/code/probe.py"],
            "ContainerArguments": [
                "--url",
                s3.meta.endpoint_url,
                "--out",
                "/opt/ml/model/network.json",
            ],
        },
        RoleArn=lab.role_arn,
        InputDataConfig=[
            {
                "ChannelName": "code",
                "DataSource": {
                    "S3DataSource": {
                        "S3DataType": "S3Prefix",
                        "S3Uri": lab.s3_uri(f"tests/isolation/{name}/code/"),
                    }
                },
            }
        ],
        OutputDataConfig={
            "S3OutputPath": lab.s3_uri("tests/isolation/output"),
            **({"KmsKeyId": kms_key_id} if kms_key_id else {}),
        },
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 300},
        EnableNetworkIsolation=isolated,
    )
    job = wait_for_training_job(sm, name)
    assert job["TrainingJobStatus"] == "Completed", job.get("FailureReason")
    assert job["EnableNetworkIsolation"] is isolated
    return job


def _network_report(lab, job: dict) -> dict:
    uri = job["ModelArtifacts"]["S3ModelArtifacts"]
    return read_artifact_json(lab.client("s3"), uri, "network.json")


def _encryption(lab, job: dict) -> tuple[str | None, str | None]:
    bucket, key = job["ModelArtifacts"]["S3ModelArtifacts"].removeprefix("s3://").split("/", 1)
    head = lab.client("s3").head_object(Bucket=bucket, Key=key)
    return head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")


def test_the_model_artifact_is_encrypted_with_the_output_kms_key(lab):
    suffix = uuid.uuid4().hex[:6]
    plain = _probe_job(lab, f"kms-none-{suffix}", isolated=False)
    assert _encryption(lab, plain) != ("aws:kms", lab.kms_key_arn)
    encrypted = _probe_job(lab, f"kms-key-{suffix}", isolated=False, kms_key_id=lab.kms_key_arn)
    assert _encryption(lab, encrypted) == ("aws:kms", lab.kms_key_arn)


def test_an_isolated_training_job_cannot_reach_the_local_aws(lab):
    suffix = uuid.uuid4().hex[:6]
    open_result = _network_report(lab, _probe_job(lab, f"net-open-{suffix}", isolated=False))
    assert open_result["reached"] is True, open_result
    closed = _network_report(lab, _probe_job(lab, f"net-isolated-{suffix}", isolated=True))
    assert closed["reached"] is False
    assert "Network is unreachable" in closed["error"]


def test_the_probe_script_reports_a_refused_connection(tmp_path: Path):
    out = tmp_path / "model" / "network.json"
    env = network_isolation.isolated_env(dict(os.environ))
    subprocess.run(
        [
            sys.executable,
            str(scripts.folder("network_probe") / "probe.py"),
            "--url",
            "https://s3.us-east-1.amazonaws.com",
            "--out",
            str(out),
        ],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    assert '"reached": false' in out.read_text()


def _probe_processing(lab, name: str, isolated: bool) -> dict:
    s3, sm = lab.client("s3"), lab.client("sagemaker")
    code = (scripts.folder("network_probe") / "probe.py").read_bytes()
    s3.put_object(Bucket=lab.bucket, Key=f"tests/isolation/{name}/code/probe.py", Body=code)
    sm.create_processing_job(
        ProcessingJobName=name,
        RoleArn=lab.role_arn,
        AppSpecification={
            "ImageUri": SKLEARN_IMAGE,
            "ContainerEntrypoint": ["python3", "/opt/ml/processing/input/code/probe.py"],
            "ContainerArguments": [
                "--url",
                s3.meta.endpoint_url,
                "--out",
                "/opt/ml/processing/output/network.json",
            ],
        },
        ProcessingInputs=[
            {
                "InputName": "code",
                "S3Input": {
                    "S3Uri": lab.s3_uri(f"tests/isolation/{name}/code/"),
                    "LocalPath": "/opt/ml/processing/input/code",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": "report",
                    "S3Output": {
                        "S3Uri": lab.s3_uri(f"tests/isolation/{name}/report"),
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 5,
            }
        },
        NetworkConfig={"EnableNetworkIsolation": isolated},
    )
    sm.get_waiter("processing_job_completed_or_stopped").wait(ProcessingJobName=name)
    job = sm.describe_processing_job(ProcessingJobName=name)
    assert job["ProcessingJobStatus"] == "Completed", job.get("FailureReason")
    body = s3.get_object(Bucket=lab.bucket, Key=f"tests/isolation/{name}/report/network.json")
    return json.loads(body["Body"].read())


def test_an_isolated_processing_job_cannot_reach_the_local_aws(lab):
    suffix = uuid.uuid4().hex[:6]
    assert _probe_processing(lab, f"proc-open-{suffix}", isolated=False)["reached"] is True
    closed = _probe_processing(lab, f"proc-isolated-{suffix}", isolated=True)
    assert closed["reached"] is False and "Network is unreachable" in closed["error"]
