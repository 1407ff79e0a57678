"""The kit's tags: what `lab.tags()` returns, where the notebook's name comes from, and the
aws-mode handler that tags SageMaker creates a notebook forgot to tag."""

from __future__ import annotations

import botocore.session
import pytest

from labs.aws import tags


@pytest.fixture(autouse=True)
def no_notebook_hints(monkeypatch):
    monkeypatch.delenv("LABS_NOTEBOOK", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)


def _operation(name: str):
    return botocore.session.get_session().get_service_model("sagemaker").operation_model(name)


def test_kit_tags_name_the_kit_version_and_the_notebook():
    assert tags.kit_tags("02-3-labels-and-bias") == [
        {"Key": "labs:kit", "Value": "0.1.0"},
        {"Key": "labs:notebook", "Value": "02-3-labels-and-bias"},
    ]


def test_the_notebook_is_unknown_without_a_hint():
    assert tags.notebook_name() == "unknown"
    assert tags.kit_tags()[1] == {"Key": "labs:notebook", "Value": "unknown"}


def test_jupyter_tells_the_notebook_path(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/04-modeling/04-2 endpoints.ipynb")
    assert tags.notebook_name() == "04-2 endpoints"


def test_labs_notebook_wins_and_is_made_a_valid_tag_value(monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/a.ipynb")
    monkeypatch.setenv("LABS_NOTEBOOK", "my notebook (copy)#2")
    assert tags.notebook_name() == "my notebook -copy--2"
    assert len(tags.clean_value("x" * 300)) == 256


def test_existing_tags_are_kept_and_the_kit_tags_added():
    mine = [{"Key": "labs:notebook", "Value": "chosen"}, {"Key": "team", "Value": "ml"}]
    merged = tags.with_kit_tags(mine, tags.kit_tags("other"))
    assert merged == [*mine, {"Key": "labs:kit", "Value": "0.1.0"}]
    assert tags.is_kit_resource(merged)
    assert not tags.is_kit_resource(mine)
    assert not tags.is_kit_resource(None)


def test_the_handler_tags_a_create_call_that_has_no_tags(monkeypatch):
    monkeypatch.setenv("LABS_NOTEBOOK", "04-2-endpoints")
    params = {"ModelName": "m"}
    tags._tag_sagemaker_creates(params, _operation("CreateModel"))
    assert params["Tags"] == tags.kit_tags("04-2-endpoints")


def test_the_handler_leaves_calls_without_tags_alone():
    for operation in ("ListModels", "DescribeEndpoint", "CreatePresignedDomainUrl"):
        params = {"Name": "x"}
        tags._tag_sagemaker_creates(params, _operation(operation))
        assert "Tags" not in params, operation


def test_the_local_lab_hands_out_the_tags_without_installing_the_handler(lab):
    assert lab.tags("01-1-data-repositories")[0] == {"Key": "labs:kit", "Value": "0.1.0"}
    # Local mode leaves botocore alone: auto-tagging is for aws mode only.
    assert not tags.auto_tags_installed()


def test_sdk_tags_are_the_same_tags_as_sdk_v3_objects(lab):
    from sagemaker.core.shapes import Tag

    sdk = lab.sdk_tags("04-2-training-on-sagemaker")
    assert all(isinstance(tag, Tag) for tag in sdk)
    assert [{"Key": t.key, "Value": t.value} for t in sdk] == lab.tags("04-2-training-on-sagemaker")
