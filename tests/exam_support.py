"""Synthetic question banks for the exam tests, so they never depend on the real bank's size.

:func:`synthetic_bank` builds valid :class:`labs.exam.bank.Question` objects spread over
every MLS-C01 task statement (and an MLA-C01 task each), with categories in the exam's mix
and every fifth question multiple-response; :func:`write_bank` writes them as bank YAML
files that :func:`labs.exam.bank.load_bank` accepts.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from labs.exam import blueprints
from labs.exam.bank import CHOOSE_WORDS, Question, load_bank
from labs.exam.forms import domain_quotas

LABS = {
    1: "01-2-ingestion-and-formats",
    2: "02-2-cleaning",
    3: "04-3-evaluation",
    4: "05-5-security",
}
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india")


_MIX = "MSMGMSMMSMMGMSMMSMGS"  # 3 general AWS, 11 ML concept, 6 AWS ML service in 20
_CATEGORY = {"G": "general-aws", "M": "ml-concept", "S": "aws-ml-service"}


def _category(index: int) -> str:
    """15% general AWS, 55% ML concept, 30% AWS ML service, interleaved in a cycle of 20."""
    return _CATEGORY[_MIX[index % len(_MIX)]]


def make_question(
    qid: str,
    mls_task: str,
    *,
    category: str = "ml-concept",
    mla_task: str | None = None,
    choose: int = 1,
    answer: Sequence[str] | None = None,
) -> Question:
    """One valid question; the answer defaults to A (or A and C for multiple response)."""
    letters = "ABCDE" if choose > 1 else "ABCD"
    if answer is None:
        answer = tuple("ACE"[:choose])
    answer = tuple(sorted(answer))
    stem = f"Scenario {qid} about {mls_task}: which option is right?"
    if choose > 1:
        stem += f" (Choose {CHOOSE_WORDS[choose]}.)"
    number = int(qid.split("-")[1])
    return Question(
        id=qid,
        mls_task=mls_task,
        category=category,
        type="multiple" if choose > 1 else "single",
        stem=stem,
        options=tuple((x, f"Option {x} of {qid}") for x in letters),
        answer=answer,
        explanations=tuple(
            (x, f"{'Correct' if x in answer else 'Wrong'}: reason {x} for {qid}.") for x in letters
        ),
        reference=f"Test Guide: topic {_WORDS[number % len(_WORDS)]}",
        lab=LABS[int(mls_task.split()[1][0])],
        mla_task=mla_task,
        choose=choose,
    )


def synthetic_bank(forms: int = 2, extra: int = 2) -> list[Question]:
    """Enough questions for ``forms`` MLS-C01 forms (plus ``extra`` per domain), and an
    MLA-C01 form: every MLS task statement in turn, MLA tasks in turn, answers varied."""
    mla_tasks = sorted(blueprints.task_ids("MLA-C01"))
    questions: list[Question] = []
    for domain, quota in domain_quotas("MLS-C01").items():
        tasks = [t.id for t in blueprints.MLS_C01.domain(domain).tasks]
        for i in range(forms * quota + extra):
            n = len(questions)
            choose = 2 if i % 5 == 4 else 1
            answer = ("A", "C") if choose == 2 else ("ABCD"[n % 4],)
            questions.append(
                make_question(
                    f"d{domain}-{i + 1:03d}",
                    tasks[i % len(tasks)],
                    category=_category(n),
                    mla_task=mla_tasks[n % len(mla_tasks)],
                    choose=choose,
                    answer=answer,
                )
            )
    return questions


def _entry(q: Question) -> dict:
    entry = {
        "id": q.id,
        "mls_task": q.mls_task,
        "category": q.category,
        "type": q.type,
        "stem": q.stem,
        "options": dict(q.options),
        "answer": list(q.answer),
        "explanations": dict(q.explanations),
        "reference": q.reference,
        "lab": q.lab,
    }
    if q.mla_task:
        entry["mla_task"] = q.mla_task
    if q.choose > 1:
        entry["choose"] = q.choose
    return entry


def write_bank(questions: Sequence[Question], folder: Path) -> Path:
    """Write ``questions`` as ``mls-dN.yaml`` files in ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    by_domain: dict[int, list[dict]] = {}
    for q in questions:
        by_domain.setdefault(q.domain, []).append(_entry(q))
    for domain, entries in by_domain.items():
        text = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True)
        (folder / f"mls-d{domain}.yaml").write_text(text, encoding="utf-8")
    assert len(load_bank(folder)) == len(questions)
    return folder


def wrong_letters(q: Question) -> str:
    """A wrong answer of the right size."""
    wrong = [x for x in q.letters if x not in q.answer]
    return "".join(wrong[: q.choose])


def labs_command(
    args: Sequence[str], home: Path, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m labs.cli ARGS`` with its own progress store, typing ``stdin``."""
    env = {**os.environ, "LABS_HOME": str(home), "COLUMNS": "100", "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        [sys.executable, "-m", "labs.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )
