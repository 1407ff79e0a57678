"""Hooks into moto's SageMaker and SageMaker Runtime APIs for real-time endpoints.

- ``CreateEndpoint`` starts the variants' model servers in the background; the endpoint
  is Creating until they answer, then InService, or Failed with the reason.
- ``UpdateEndpoint`` (moto lacks it) moves an endpoint to a new endpoint config: the new
  servers start, then replace the old ones, as a blue/green update does.
- ``UpdateEndpointWeightsAndCapacities`` changes the weights the router uses.
- ``DeleteEndpoint`` stops the servers.
- ``InvokeEndpoint`` goes to a variant's server; the container's 4xx and 5xx answers
  become ``ModelError`` (HTTP 424) worded as SageMaker words them.
- ``InvokeEndpointAsync`` queues the request; the answer lands in S3.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.sagemakerruntime.responses import SageMakerRuntimeResponse

from labs.runtime import capture, endpoints, executor, jobstate
from labs.runtime.patches import Patches


class _RuntimeError(JsonRESTError):
    """An error of the SageMaker Runtime API, with the fields its error shapes carry."""

    def __init__(self, code: str, message: str, status: int, **fields: Any) -> None:
        super().__init__(code, message)
        self.code = status
        self.description = json.dumps(
            {"__type": code, "message": message, "Message": message, **fields}
        )


def _create_endpoint_config(self: SageMakerResponse) -> ActionResult:
    config = self._get_param("DataCaptureConfig")
    if config:
        try:
            capture.validate_config(config)
        except capture.CaptureConfigError as error:
            raise ValidationError(message=f"DataCaptureConfig: {error}") from None
    return _SAGEMAKER.original("create_endpoint_config")(self)


def _create_endpoint(self: SageMakerResponse) -> ActionResult:
    result = _SAGEMAKER.original("create_endpoint")(self)
    record = self.sagemaker_backend.endpoints[self._get_param("EndpointName")]
    record.endpoint_status = "Creating"
    executor.submit(
        endpoints.deploy, record, self.sagemaker_backend, self.current_account, self.region, ""
    )
    return result


def _update_endpoint(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("EndpointName")
    backend = self.sagemaker_backend
    record = backend.endpoints.get(name)
    if record is None:
        raise ValidationError(message=f'Could not find endpoint "{name}".')
    config_name = self._get_param("EndpointConfigName")
    if config_name not in backend.endpoint_configs:
        raise ValidationError(message=f'Could not find endpoint configuration "{config_name}".')
    if record.endpoint_status != "InService":
        raise ValidationError(
            message=f'Cannot update in-progress endpoint "{record.arn}"; it is '
            f"{record.endpoint_status}."
        )
    previous = record.endpoint_config_name
    config = backend.endpoint_configs[config_name]
    record.endpoint_config_name = config_name
    record.production_variants = record._process_production_variants(
        copy.deepcopy(config.production_variants)
    )
    record.data_capture_config = config.data_capture_config
    record.endpoint_status = "Updating"
    record.last_modified_time = jobstate.now()
    executor.submit(endpoints.deploy, record, backend, self.current_account, self.region, previous)
    return ActionResult({"EndpointArn": record.arn})


def _update_endpoint_weights_and_capacities(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("EndpointName")
    record = self.sagemaker_backend.endpoints.get(name)
    before = copy.deepcopy(record.production_variants) if record is not None else []
    result = _SAGEMAKER.original("update_endpoint_weights_and_capacities")(self)
    # moto overwrites a weight or count the request left out with None; SageMaker keeps it.
    for variant, old in zip(record.production_variants, before, strict=True):
        for key in (
            "CurrentWeight",
            "DesiredWeight",
            "CurrentInstanceCount",
            "DesiredInstanceCount",
        ):
            if variant.get(key) is None:
                if old.get(key) is None:
                    variant.pop(key, None)
                else:
                    variant[key] = old[key]
    desired = self._get_param("DesiredWeightsAndCapacities") or []
    endpoints.set_weights_and_capacities(self.current_account, self.region, name, desired)
    record.last_modified_time = jobstate.now()
    return result


def _delete_endpoint(self: SageMakerResponse) -> ActionResult:
    name = self._get_param("EndpointName")
    result = _SAGEMAKER.original("delete_endpoint")(self)
    endpoints.stop(self.current_account, self.region, name)
    return result


def _live_endpoint(self: SageMakerRuntimeResponse, name: str) -> endpoints.LiveEndpoint:
    """The running endpoint, or the ValidationError SageMaker Runtime gives."""
    account, region = self.current_account, self.region
    record = sagemaker_backends[account][region].endpoints.get(name)
    if record is None:
        raise _RuntimeError(
            "ValidationError", f"Endpoint {name} of account {account} not found.", 400
        )
    running = endpoints.live(account, region, name)
    if record.endpoint_status not in ("InService", "Updating") or running is None:
        raise _RuntimeError(
            "ValidationError",
            f"Endpoint {name} of account {account} is {record.endpoint_status}, not InService.",
            400,
        )
    return running


def _container_headers(self: SageMakerRuntimeResponse, prefix: str = "") -> dict[str, str]:
    """The headers the container gets. InvokeEndpointAsync sends ``ContentType`` and
    ``Accept`` as ``X-Amzn-SageMaker-Content-Type`` / ``-Accept`` (``prefix``)."""
    content_type = self.headers.get(prefix + "Content-Type") or "application/octet-stream"
    headers = {"Content-Type": content_type}
    accept = self.headers.get(prefix + "Accept")
    if accept:
        headers["Accept"] = accept
    if self.headers.get("X-Amzn-SageMaker-Custom-Attributes"):
        headers["X-Amzn-SageMaker-Custom-Attributes"] = self.headers[
            "X-Amzn-SageMaker-Custom-Attributes"
        ]
    return headers


def _model_error(answer: endpoints.Answer, name: str, account: str, region: str) -> _RuntimeError:
    kind = "client" if answer.status < 500 else "server"
    text = answer.body.decode(errors="replace")
    group = f"/aws/sagemaker/Endpoints/{name}"
    return _RuntimeError(
        "ModelError",
        f'Received {kind} error ({answer.status}) from primary with message "{text}". See '
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#logEventViewer:group={group} in account {account} for more information.",
        424,
        OriginalStatusCode=answer.status,
        OriginalMessage=text,
        LogStreamArn=f"arn:aws:logs:{region}:{account}:log-group:{group}",
    )


def _invoke_endpoint(self: SageMakerRuntimeResponse) -> Any:
    name = unquote(self.path.split("/")[2])
    account, region = self.current_account, self.region
    running = _live_endpoint(self, name)
    body = self.body if isinstance(self.body, bytes) else (self.body or "").encode()
    if len(body) > endpoints.MAX_PAYLOAD:
        raise _RuntimeError(
            "ValidationError",
            f"Request payload of {len(body)} bytes exceeds the 6 MB (6291456 bytes) limit of "
            "InvokeEndpoint. Send smaller batches, or use batch transform or asynchronous "
            "inference for large payloads.",
            400,
        )
    target = self.headers.get("X-Amzn-SageMaker-Target-Variant")
    if target and target not in running.variants:
        raise _RuntimeError(
            "ValidationError",
            f"The variant {target} does not exist on endpoint {name}; its variants are "
            f"{', '.join(running.variants)}.",
            400,
        )
    answer = endpoints.invoke(
        running,
        region,
        body,
        _container_headers(self),
        target=target,
        inference_id=self.headers.get("X-Amzn-SageMaker-Inference-Id"),
    )
    if answer.status >= 400:
        raise _model_error(answer, name, account, region)
    response_headers = {
        "Content-Type": answer.content_type,
        "x-Amzn-Invoked-Production-Variant": answer.variant.name,
    }
    if answer.custom_attributes:
        response_headers["X-Amzn-SageMaker-Custom-Attributes"] = answer.custom_attributes
    return 200, response_headers, answer.body


def _invoke_endpoint_async(self: SageMakerRuntimeResponse) -> Any:
    name = unquote(self.path.split("/")[2])
    running = _live_endpoint(self, name)
    if not (running.async_config or {}).get("OutputConfig", {}).get("S3OutputPath"):
        raise _RuntimeError(
            "ValidationError",
            f"Endpoint {name} is not configured for asynchronous inference: its endpoint "
            "config has no AsyncInferenceConfig with an OutputConfig.S3OutputPath.",
            400,
        )
    input_location = self.headers.get("X-Amzn-SageMaker-InputLocation") or ""
    if not input_location.startswith("s3://"):
        raise _RuntimeError(
            "ValidationError", "InputLocation must be an S3 URI (s3://bucket/key).", 400
        )
    ticket = endpoints.invoke_async(
        running,
        self.region,
        input_location,
        _container_headers(self, prefix="X-Amzn-SageMaker-"),
        self.headers.get("X-Amzn-SageMaker-Inference-Id"),
    )
    headers = {"X-Amzn-SageMaker-OutputLocation": ticket.output_location}
    if ticket.failure_location:
        headers["X-Amzn-SageMaker-FailureLocation"] = ticket.failure_location
    return 202, headers, json.dumps({"InferenceId": ticket.inference_id})


_SAGEMAKER = Patches(
    SageMakerResponse,
    {
        "create_endpoint_config": _create_endpoint_config,
        "create_endpoint": _create_endpoint,
        "update_endpoint": _update_endpoint,
        "update_endpoint_weights_and_capacities": _update_endpoint_weights_and_capacities,
        "delete_endpoint": _delete_endpoint,
    },
)
_RUNTIME = Patches(
    SageMakerRuntimeResponse,
    {
        "invoke_endpoint": _invoke_endpoint,
        "invoke_endpoint_async": _invoke_endpoint_async,
        # Request bodies are the model's payload, often binary (images, RecordIO, .npy):
        # moto would decode them as UTF-8 and fail with a 500 before any hook runs.
        "use_raw_body": True,
    },
)


def install() -> None:
    """Hook real endpoints into moto (idempotent)."""
    _SAGEMAKER.install()
    _RUNTIME.install()


def uninstall() -> None:
    """Give moto back its own endpoint behaviour."""
    _SAGEMAKER.uninstall()
    _RUNTIME.uninstall()
