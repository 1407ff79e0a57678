"""The cost guard and the price table it reads: free and silent in local mode; in aws mode an
estimate, then a yes or a refusal, and an allow-list that needs an explicit override."""

from __future__ import annotations

import io
import re

import boto3
import pytest
import yaml
from IPython.core.error import StdinNotImplementedError

from labs import Lab
from labs.aws import cost_guard, prices
from labs.aws.cost_guard import CostRefused
from labs.errors import LabsError


def _never_asked(question: str) -> str:
    raise AssertionError(f"the guard asked {question!r}")


def _answer(text: str):
    asked: list[str] = []

    def ask(question: str) -> str:
        asked.append(question)
        return text

    return ask, asked


@pytest.fixture(autouse=True)
def no_assume_yes(monkeypatch):
    monkeypatch.delenv("LABS_ASSUME_YES", raising=False)


# ------------------------------------------------------------------- the table


def test_price_table_says_when_and_where_its_figures_come_from():
    raw = yaml.safe_load(prices.PRICE_FILE.read_text())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw["taken"])
    assert raw["source"].startswith("https://aws.amazon.com/sagemaker")
    assert raw["copied_from"] and raw["verified"]
    header = prices.PRICE_FILE.read_text().split("taken:")[0]
    assert "Not verified" in header  # the file says what could not be checked


def test_every_allowed_type_has_a_price_in_every_supported_region():
    table = prices.load()
    assert table.supported_regions == ["eu-west-1", "us-east-1", "us-west-2"]
    for region in table.supported_regions:
        for instance_type in table.allowed:
            hourly = table.hourly(region, instance_type)
            assert hourly is not None and 0 < hourly < 1, (region, instance_type)
    assert not table.is_allowed("ml.p3.2xlarge")  # a GPU type has a price but needs override
    assert table.hourly("us-east-1", "ml.p3.2xlarge") > 1


def test_amounts_are_shown_without_false_precision():
    assert prices.dollars(None) == "unknown"
    assert prices.dollars(0.004) == "less than $0.01"
    assert prices.dollars(0.0575) == "$0.06"
    assert prices.dollars(1234.5) == "$1,234.50"


# ----------------------------------------------------------------- local mode


def test_local_mode_prints_the_aws_estimate_and_never_asks():
    said: list[str] = []
    estimate = cost_guard.confirm_cost(
        "local",
        "us-east-1",
        "ml.m5.xlarge",
        2,
        0.5,
        what="training job",
        ask=_never_asked,
        say=said.append,
    )
    assert estimate.total == pytest.approx(0.23 * 2 * 0.5)
    (line,) = said
    assert "2 x ml.m5.xlarge for 0.5 h in us-east-1: about $0.23 on AWS" in line
    assert "Local mode: free, nothing runs on AWS." in line


def test_local_mode_warns_about_a_type_aws_mode_would_refuse():
    said: list[str] = []
    cost_guard.confirm_cost(
        "local", "us-east-1", "ml.p3.2xlarge", ask=_never_asked, say=said.append
    )
    assert "would be refused" in said[1] and "allow_any_instance=True" in said[1]


def test_the_local_lab_offers_the_guard(lab, capsys):
    estimate = lab.confirm_cost("ml.m5.large", hours=2, what="endpoint")
    assert estimate.mode == "local" and estimate.total == pytest.approx(0.115 * 2)
    assert "Cost guard (endpoint)" in capsys.readouterr().out


# ------------------------------------------------------------------- aws mode


def test_aws_mode_asks_and_goes_on_after_yes():
    ask, asked = _answer("y")
    said: list[str] = []
    estimate = cost_guard.confirm_cost(
        "aws", "eu-west-1", "ml.m5.xlarge", 1, 2, what="endpoint", ask=ask, say=said.append
    )
    assert asked == ["Start endpoint on your AWS account? [y/N] "]
    assert estimate.total == pytest.approx(0.257 * 2)
    assert "about $0.51 on AWS" in said[0] and "prices as of" in said[0]


@pytest.mark.parametrize("answer", ["n", "", "no thanks", "maybe"])
def test_aws_mode_refuses_without_a_clear_yes(answer):
    ask, asked = _answer(answer)
    with pytest.raises(CostRefused, match="was not started and costs nothing"):
        cost_guard.confirm_cost("aws", "us-east-1", "ml.m5.large", ask=ask, say=lambda _: None)
    assert len(asked) == 1


@pytest.mark.parametrize("no_input", [EOFError, StdinNotImplementedError])
def test_aws_mode_refuses_when_no_one_can_answer(no_input):
    # EOFError: stdin closed (CI). StdinNotImplementedError: a headless notebook run.
    def closed(question: str) -> str:
        raise no_input("no input")

    said: list[str] = []
    with pytest.raises(CostRefused, match="LABS_ASSUME_YES=1"):
        cost_guard.confirm_cost("aws", "us-east-1", "ml.m5.large", ask=closed, say=said.append)
    assert "No answer (no input can be read): taken as no" in said[-1]


def test_assume_yes_answers_for_the_learner(monkeypatch):
    monkeypatch.setenv("LABS_ASSUME_YES", "1")
    said: list[str] = []
    cost_guard.confirm_cost(
        "aws", "us-east-1", "ml.m5.large", what="tuning job", ask=_never_asked, say=said.append
    )
    assert said[-1] == "Start tuning job on your AWS account? [y/N] yes (LABS_ASSUME_YES=1)"


def test_a_type_outside_the_allow_list_is_refused_even_with_assume_yes(monkeypatch):
    monkeypatch.setenv("LABS_ASSUME_YES", "1")
    with pytest.raises(CostRefused, match=r"ml\.p3\.2xlarge is outside the kit's allow-list"):
        cost_guard.confirm_cost("aws", "us-east-1", "ml.p3.2xlarge", ask=_never_asked)


def test_the_override_lets_a_type_through_but_still_asks():
    ask, asked = _answer("yes")
    said: list[str] = []
    estimate = cost_guard.confirm_cost(
        "aws",
        "us-east-1",
        "ml.p3.2xlarge",
        1,
        1,
        allow_any_instance=True,
        ask=ask,
        say=said.append,
    )
    assert asked and estimate.total == pytest.approx(3.825)
    assert "about $3.83 on AWS" in said[0]


def test_a_region_without_prices_says_so_and_still_asks():
    ask, asked = _answer("n")
    said: list[str] = []
    with pytest.raises(CostRefused):
        cost_guard.confirm_cost("aws", "ap-south-1", "ml.m5.large", ask=ask, say=said.append)
    assert "has no figure for this type or region" in said[0]
    assert asked


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("m5.large", 1, 1), "not a SageMaker instance type"),
        (("ml.m5.large", 0, 1), "count must be a whole number"),
        (("ml.m5.large", 1.5, 1), "count must be a whole number"),
        (("ml.m5.large", 1, 0), "hours must be a number more than 0"),
        (("ml.m5.large", 1, "1"), "hours must be a number more than 0"),
    ],
)
def test_a_wrong_argument_is_a_learner_error(args, message):
    with pytest.raises(LabsError, match=message):
        cost_guard.confirm_cost("aws", "us-east-1", *args, ask=_never_asked)


def test_an_aws_lab_reads_the_answer_from_stdin(monkeypatch, capsys):
    aws_lab = Lab(
        mode="aws",
        session=boto3.Session(region_name="us-east-1"),
        region="us-east-1",
        bucket="labs-kit-111122223333-us-east-1",
        role_arn="arn:aws:iam::111122223333:role/LabsExecutionRole-us-east-1",
        kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k",
        account="111122223333",
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    with pytest.raises(CostRefused):
        aws_lab.confirm_cost("ml.m5.xlarge", 1, 0.25, what="training job")
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    estimate = aws_lab.confirm_cost("ml.m5.xlarge", 1, 0.25, what="training job")
    assert estimate.total == pytest.approx(0.23 * 0.25)
    out = capsys.readouterr().out
    assert out.count("Start training job on your AWS account? [y/N]") == 2
