"""The exam blueprints match shared/EXAM-BLUEPRINTS.md."""

from __future__ import annotations

import pytest

from labs.exam import blueprints
from labs.exam.blueprints import EXAMS, domain_of, is_valid_task, task, task_ids

MLS_TASKS = {
    f"MLS {domain}.{n}"
    for domain, count in {1: 3, 2: 3, 3: 5, 4: 4}.items()
    for n in range(1, count + 1)
}
MLA_TASKS = {
    f"MLA {domain}.{n}"
    for domain, count in {1: 3, 2: 3, 3: 3, 4: 3}.items()
    for n in range(1, count + 1)
}


@pytest.mark.parametrize("code", ["MLS-C01", "MLA-C01"])
def test_weights_sum_to_100(code):
    assert sum(d.weight for d in EXAMS[code].domains) == 100


def test_domain_weights_and_names():
    mls = [(d.number, d.name, d.weight) for d in EXAMS["MLS-C01"].domains]
    assert mls == [
        (1, "Data Engineering", 20),
        (2, "Exploratory Data Analysis", 24),
        (3, "Modeling", 36),
        (4, "ML Implementation and Operations", 20),
    ]
    assert [d.weight for d in EXAMS["MLA-C01"].domains] == [28, 26, 22, 24]


def test_task_id_sets_are_exactly_the_blueprints():
    assert task_ids("MLS-C01") == MLS_TASKS
    assert task_ids("MLA-C01") == MLA_TASKS
    assert task_ids("MLS") == MLS_TASKS  # the prefix works too
    assert task_ids() == MLS_TASKS | MLA_TASKS


def test_exam_facts():
    mls, mla = EXAMS["MLS-C01"], EXAMS["MLA-C01"]
    assert (mls.questions, mls.scored, mls.unscored, mls.pass_mark) == (65, 50, 15, 750)
    assert (mla.questions, mla.scored, mla.pass_mark, mla.minutes) == (65, 50, 720, 130)
    assert mls.minutes == blueprints.MLS_C01_MINUTES == 170
    assert (mls.score_min, mls.score_max) == (100, 1000)


@pytest.mark.parametrize("tag", ["MLS 1.1", "MLS 3.5", "MLS 4.4", "MLA 1.3", "MLA 3.1", "MLA 4.3"])
def test_valid_tags_are_accepted(tag):
    assert is_valid_task(tag)


@pytest.mark.parametrize(
    "tag",
    ["MLS 3.6", "MLA 3.4", "MLS 5.1", "MLS1.1", "mls 1.1", "MLS-C01 1.1", "1.1", "", None, 1.1],
)
def test_invalid_tags_are_rejected(tag):
    assert not is_valid_task(tag)


def test_task_and_domain_lookup():
    assert task("MLA 3.1").title == "Select deployment infrastructure"
    assert task("MLS 3.4").title == "Hyperparameter optimization"
    assert task("MLS 1.2").number == "1.2"
    assert "Kinesis" in task("MLS 1.2").topics
    assert domain_of("MLS 2.2").name == "Exploratory Data Analysis"
    assert domain_of("MLA 4.3").name == "ML Solution Monitoring, Maintenance, and Security"
    with pytest.raises(KeyError, match="MLS 9"):
        task("MLS 9.9")


def test_every_task_has_a_title_and_its_domain():
    for exam in EXAMS.values():
        for domain in exam.domains:
            for t in domain.tasks:
                assert t.title and t.topics
                assert t.id.startswith(f"{exam.prefix} {domain.number}.")
                assert domain_of(t.id) is domain
