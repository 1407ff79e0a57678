"""The `labs` command: list, run, progress, doctor, and how it reports mistakes."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from labs import cli, curriculum, progress
from labs.errors import LabsError


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """A fresh progress store for every test."""
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


def write_notebook(path: Path, *sources: str, labs_meta: dict | None = None) -> Path:
    """A notebook with one markdown cell, then one code cell per source."""
    nb = new_notebook(cells=[new_markdown_cell("# A test lab")])
    nb.cells += [new_code_cell(source) for source in sources]
    if labs_meta is not None:
        nb.metadata["labs"] = labs_meta
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def fake_curriculum(tmp_path, monkeypatch):
    """A two-notebook curriculum in tmp_path, so these tests do not depend on the real one."""
    root = tmp_path / "notebooks"
    write_notebook(
        root / "00-start-here.ipynb",
        "import labs",
        labs_meta={
            "id": "00-start-here",
            "title": "Start here",
            "series": "00",
            "tasks": ["MLS 1.1", "MLS 4.3", "MLA 1.1"],
            "minutes": 2,
        },
    )
    write_notebook(
        root / "01-data-engineering" / "01-ingest.ipynb",
        "import labs",
        labs_meta={
            "id": "01-ingest",
            "title": "Ingest with Kinesis",
            "series": "01",
            "tasks": ["MLS 1.2", "MLA 1.1"],
            "minutes": 5,
        },
    )
    monkeypatch.setattr(curriculum, "NOTEBOOKS_DIR", root)
    monkeypatch.setattr(
        cli, "_known_exercises", lambda: {"start_here.q1", "start_here.q2", "ingest.q1"}
    )
    return root


# ------------------------------------------------------------------ list, progress


def test_list_shows_the_curriculum_and_status(fake_curriculum, capsys):
    progress.record_notebook_run("00-start-here", "passed", 3.0)
    progress.record_notebook_run("01-ingest", "failed", 1.0)
    progress.record_exercise("start_here.q1", "correct")
    progress.record_exercise("start_here.q2", "incorrect")

    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    start = next(line for line in out.splitlines() if "00-start-here" in line)
    ingest = next(line for line in out.splitlines() if "01-ingest" in line)
    assert "Start here" in start and "MLS 1.1 4.3 · MLA 1.1" in start
    assert "passed" in start and "1/2" in start and "2 min" in start
    assert "failed" in ingest and "0/1" in ingest
    assert "05  ML operations" in out and "(no labs yet)" in out


def test_list_before_any_run(fake_curriculum, capsys):
    assert cli.main(["list"]) == 0
    assert "not run" in capsys.readouterr().out


def test_list_of_the_real_curriculum(capsys):
    assert cli.main(["list"]) == 0
    assert "Start here" in capsys.readouterr().out


def test_progress_per_notebook_and_domain(fake_curriculum, capsys):
    progress.record_notebook_run("00-start-here", "passed", 3.0)
    progress.record_exercise("start_here.q1", "correct")

    assert cli.main(["progress"]) == 0
    out = capsys.readouterr().out
    assert str(progress.store_path()) in out
    assert "1/2 labs completed" in out
    lines = out.splitlines()
    # MLS 1.x is tagged on both notebooks, only 00 passed; 1 of 3 exercises solved.
    mls1 = next(line for line in lines if "1 Data Engineering" in line)
    assert "20%" in mls1 and "1/2" in mls1 and "1/3" in mls1
    # MLS 4.3 only on 00-start-here.
    mls4 = next(line for line in lines if "4 ML Implementation and Operations" in line)
    assert "1/1" in mls4 and "1/2" in mls4
    assert "MLA-C01" in out and "1 Data Preparation for ML" in out


# -------------------------------------------------------------------------- doctor


def test_doctor_passes_here(capsys, monkeypatch):
    monkeypatch.delenv("LABS_MODE", raising=False)
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    for name in ("Python", "sagemaker", "moto", "tensorflow", "nbval", "loopback port"):
        assert any(line.startswith("OK") and name in line for line in out.splitlines()), name
    assert "progress store" in out and "FAIL" not in out


def test_doctor_fails_on_a_bad_mode_and_says_how_to_fix(capsys, monkeypatch):
    monkeypatch.setattr(cli, "_PACKAGES", [])  # packages are covered above; keep this fast
    monkeypatch.setenv("LABS_MODE", "cloud")
    assert cli.main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  LABS_MODE" in out and "fix: set LABS_MODE to local or aws" in out


def _isolate_aws(monkeypatch, tmp_path):
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata call
    monkeypatch.setattr(cli, "_PACKAGES", [])


def test_doctor_aws_without_credentials(capsys, monkeypatch, tmp_path):
    _isolate_aws(monkeypatch, tmp_path)
    assert cli.main(["doctor", "--aws"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  AWS credentials" in out and "aws configure" in out
    assert "FAIL  AWS region" in out


def test_doctor_aws_with_credentials(capsys, monkeypatch, tmp_path):
    _isolate_aws(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEEXAMPLE00")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("LABS_MODE", "aws")  # aws mode implies the account checks
    # The checks that call AWS (stack, role, quotas) run against moto in
    # tests/test_infra_doctor.py; here only the offline ones run.
    monkeypatch.setattr(cli, "_check_account", list)
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "OK    AWS credentials" in out and "eu-west-1" in out


# ------------------------------------------------------------ finding notebooks


def test_find_accepts_id_file_name_path_and_prefix(fake_curriculum, tmp_path):
    ingest = fake_curriculum / "01-data-engineering" / "01-ingest.ipynb"
    for name in (
        "01-ingest",
        "01-ingest.ipynb",
        "01-data-engineering/01-ingest",
        str(ingest),
        "01",
    ):
        assert curriculum.find(name).path == ingest, name
    outside = write_notebook(tmp_path / "elsewhere" / "scratch.ipynb", "pass")
    info = curriculum.find(str(outside))
    assert (info.id, info.series) == ("scratch", "")


def test_ambiguous_prefix_names_the_candidates(fake_curriculum):
    with pytest.raises(LabsError, match="could be any of: 00-start-here, 01-ingest"):
        curriculum.find("0")


def test_curriculum_order_and_exercise_module(fake_curriculum):
    assert [i.id for i in curriculum.notebooks()] == ["00-start-here", "01-ingest"]
    assert curriculum.exercise_module("00-start-here") == "start_here"
    assert curriculum.exercise_module("04-modeling-02") == "modeling_02"
    assert curriculum.exercise_module("04-2-training-on-sagemaker") == "training_on_sagemaker"
    # every lab of the plan has its own importable exercise module name
    modules = [curriculum.exercise_module(lab_id) for lab_id in curriculum.LAB_PLAN]
    assert all(m.isidentifier() for m in modules) and len(set(modules)) == len(modules)


# ---------------------------------------------------------------- learner mistakes


def test_unknown_notebook_exits_2_with_a_suggestion(fake_curriculum, capsys):
    assert cli.main(["run", "00-start-hre"]) == 2
    err = capsys.readouterr().err
    assert "No notebook called '00-start-hre'" in err
    assert "Did you mean '00-start-here'?" in err and "01-ingest" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["run", "--bogus"], ["frobnicate"], ["run"]])
def test_usage_mistakes_exit_2_without_traceback(argv, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("labs: ") and "Traceback" not in captured.err


def test_no_command_prints_help(capsys):
    assert cli.main([]) == 0
    assert "doctor" in capsys.readouterr().out


# ---------------------------------------------------------------- run (real kernels)


def test_run_a_passing_notebook(tmp_path, capsys):
    nb = write_notebook(
        tmp_path / "tiny-pass.ipynb",
        "import os, pathlib\nassert os.environ['LABS_MODE'] == 'local'",
        f"assert pathlib.Path.cwd() == pathlib.Path({str(tmp_path)!r})\nanswer = 6 * 7",
        labs_meta={"id": "tiny-pass", "title": "Tiny", "series": "00", "tasks": ["MLS 3.1"]},
    )
    before = nb.read_bytes()
    assert cli.main(["run", str(nb)]) == 0
    out = capsys.readouterr().out
    assert "tiny-pass" in out and "PASS" in out and "1 passed, 0 failed" in out
    assert nb.read_bytes() == before, "a run must not write outputs into the notebook"
    assert progress.load().notebooks["tiny-pass"].last_status == "passed"


def test_run_failures_raise_and_network(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LABS_MODE", "aws")  # the runner forces local mode regardless
    raises = write_notebook(
        tmp_path / "tiny-raise.ipynb",
        "x = 1",
        "raise ValueError('the answer is not 41')",
        "print('never reached')",
    )
    network = write_notebook(
        tmp_path / "tiny-network.ipynb",
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('203.0.113.1', 80), timeout=2)\n"
        "except OSError:\n"
        "    pass  # swallowed, as a library with retries would",
    )
    assert cli.main(["run", str(raises), str(network)]) == 1
    lines = capsys.readouterr().out.splitlines()
    raise_line = next(line for line in lines if line.startswith("tiny-raise"))
    assert "FAIL" in raise_line
    assert "code cell 2: ValueError: the answer is not 41" in raise_line
    net_line = next(line for line in lines if line.startswith("tiny-network"))
    assert "FAIL" in net_line and "203.0.113.1" in net_line and "network guard" in net_line
    assert lines[-1] == "0 passed, 2 failed"
    # Notebooks without labs metadata are recorded under their file stem.
    runs = progress.load().notebooks
    assert runs["tiny-raise"].last_status == "failed"
    assert runs["tiny-network"].last_status == "failed"
