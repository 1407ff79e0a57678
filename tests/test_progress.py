"""The progress store: round trip, LABS_HOME, atomic writes, concurrent writers, corruption."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from labs import progress


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own LABS_HOME: nothing touches the real user directory."""
    folder = tmp_path / "labs-home"
    monkeypatch.setenv("LABS_HOME", str(folder))
    return folder


def _raw(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------- location


def test_store_path_follows_labs_home(home: Path) -> None:
    assert progress.store_path() == home / "progress.json"


def test_labs_home_is_read_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "a"))
    progress.record_exercise("m.q1", "correct")
    monkeypatch.setenv("LABS_HOME", str(tmp_path / "b"))
    assert progress.load().exercises == {}
    assert (tmp_path / "a" / "progress.json").exists()


def test_default_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABS_HOME", raising=False)
    expected = Path(platformdirs.user_data_dir("labs", appauthor=False)) / "progress.json"
    assert progress.store_path() == expected


# ------------------------------------------------------------------------ round trip


def test_empty_store_loads_without_creating_a_file(home: Path) -> None:
    loaded = progress.load()
    assert loaded.exercises == {} and loaded.notebooks == {} and loaded.exams == []
    assert loaded.version == progress.SCHEMA_VERSION
    assert not (home / "progress.json").exists()


def test_round_trip(home: Path) -> None:
    progress.record_notebook_run("00-start-here", "failed", 30.5)
    progress.record_notebook_run("00-start-here", "passed", 12.0, mode="aws")
    progress.record_notebook_run("00-start-here", "passed", 14.0)
    progress.record_exercise("start_here.q1", "not_attempted")
    progress.record_exercise("start_here.q1", "incorrect")
    progress.record_exercise("start_here.q1", "correct")
    progress.record_exercise("start_here.q1", "incorrect")
    progress.record_exercise("start_here.q2", "not_attempted")

    loaded = progress.load()
    nb = loaded.notebooks["00-start-here"]
    assert (nb.runs, nb.passed) == (3, 2)
    assert nb.last_status == "passed" and nb.last_seconds == 14.0 and nb.last_mode == "local"
    assert nb.best_seconds == 12.0 and nb.first_passed is not None and nb.ever_passed

    q1 = loaded.exercises["start_here.q1"]
    assert (q1.checks, q1.attempts, q1.correct) == (4, 3, 1)
    assert q1.best == "correct" and q1.last == "incorrect" and q1.solved
    assert q1.first_correct is not None and q1.first_seen is not None

    q2 = loaded.exercises["start_here.q2"]
    assert (q2.checks, q2.attempts, q2.best, q2.first_correct) == (1, 0, "not_attempted", None)
    assert not q2.solved

    raw = _raw(home / "progress.json")
    assert raw["version"] == progress.SCHEMA_VERSION and raw["exams"] == []


def test_first_correct_time_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_now", lambda: "2025-01-01T00:00:00Z")
    progress.record_exercise("m.q1", "correct")
    monkeypatch.setattr(progress, "_now", lambda: "2025-02-02T00:00:00Z")
    summary = progress.record_exercise("m.q1", "correct")
    assert summary.first_correct == "2025-01-01T00:00:00Z"
    assert summary.last_seen == "2025-02-02T00:00:00Z"
    assert summary.correct == 2


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (progress.record_exercise, ("m.q1", "right")),
        (progress.record_exercise, ("", "correct")),
        (progress.record_notebook_run, ("00-start-here", "ok", 1.0)),
        (progress.record_notebook_run, ("00-start-here", "passed", -1)),
        (progress.record_notebook_run, ("00-start-here", "passed", float("nan"))),
        (progress.record_notebook_run, ("00-start-here", "passed", "fast")),
    ],
)
def test_bad_arguments_are_refused(call, args, home: Path) -> None:
    with pytest.raises(ValueError):
        call(*args)
    assert not (home / "progress.json").exists()


def test_unknown_keys_and_exams_survive_updates(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_text(
        json.dumps(
            {
                "version": 1,
                "notebooks": {},
                "exercises": {},
                "exams": [{"kind": "exam", "score": 800}],
                "from_a_newer_kit": {"x": 1},
            }
        )
    )
    progress.update(lambda doc: doc["exams"].append({"kind": "drill", "score": 600}))
    progress.record_exercise("m.q1", "correct")
    raw = _raw(home / "progress.json")
    assert raw["from_a_newer_kit"] == {"x": 1}
    assert [e["kind"] for e in raw["exams"]] == ["exam", "drill"]
    assert progress.load().exams[1]["score"] == 600


def test_reset_keeps_a_backup(home: Path) -> None:
    assert progress.reset() is None
    progress.record_exercise("m.q1", "correct")
    backup = progress.reset()
    assert backup is not None and backup.name.startswith("progress.json.reset-")
    assert "m.q1" in _raw(backup)["exercises"]
    assert progress.load().exercises == {}


# --------------------------------------------------------------------- atomic writes


def _leftover_tmp(home: Path) -> list[Path]:
    return list(home.glob(".progress.json.*.tmp"))


def test_failed_write_leaves_the_old_file_intact(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    progress.record_exercise("m.q1", "correct")
    before = (home / "progress.json").read_bytes()

    def disk_gone(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress.os, "fsync", disk_gone)
    with pytest.raises(progress.ProgressError, match="No space left"):
        progress.record_exercise("m.q2", "correct")
    monkeypatch.undo()
    assert (home / "progress.json").read_bytes() == before
    assert _leftover_tmp(home) == []


def test_crash_mid_write_leaves_the_old_file_intact(home: Path) -> None:
    progress.record_exercise("m.q1", "correct")
    before = (home / "progress.json").read_bytes()
    # A separate process writes its temporary file, then dies before replacing the store.
    script = textwrap.dedent(
        """
        import os
        from labs import progress

        def crash(fd):
            os._exit(17)

        progress.os.fsync = crash
        progress.record_exercise("m.q2", "correct")
        """
    )
    env = {**os.environ, "LABS_HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=120)
    assert done.returncode == 17
    assert (home / "progress.json").read_bytes() == before
    assert len(_leftover_tmp(home)) == 1  # the crashed writer's half-done file

    # The store keeps working; a stale temporary file is cleaned up later.
    progress.record_exercise("m.q3", "correct")
    assert set(progress.load().exercises) == {"m.q1", "m.q3"}
    stale = _leftover_tmp(home)[0]
    old = time.time() - 3600
    os.utime(stale, (old, old))
    progress.record_exercise("m.q4", "correct")
    assert _leftover_tmp(home) == []


# ---------------------------------------------------------------- concurrent writers


def _hammer(home: str, worker: int, count: int, go: Any) -> None:
    os.environ["LABS_HOME"] = home
    go.wait(30)
    for i in range(count):
        progress.record_exercise(f"w{worker}.q{i}", "correct")
        progress.record_exercise("shared.q", "incorrect")
        if i % 5 == 0:
            progress.record_notebook_run("00-start-here", "passed", 1.0)


def test_concurrent_writers_lose_nothing(home: Path) -> None:
    workers, count = 4, 20
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    procs = [ctx.Process(target=_hammer, args=(str(home), w, count, go)) for w in range(workers)]
    for proc in procs:
        proc.start()
    go.set()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0

    loaded = progress.load()
    expected_ids = {f"w{w}.q{i}" for w in range(workers) for i in range(count)}
    assert expected_ids <= set(loaded.exercises)
    assert loaded.exercises["shared.q"].checks == workers * count
    assert loaded.notebooks["00-start-here"].runs == workers * count // 5
    assert _leftover_tmp(home) == []


# ----------------------------------------------------------------------- corruption


@pytest.mark.parametrize(
    "content",
    [
        b'{"version": 1, "exercises": {',
        b"\xff\xfe not utf-8",
        b"[1, 2, 3]",
        b'{"version": 1, "exercises": []}',
        b'{"version": "one"}',
        b"",
    ],
    ids=["truncated", "binary", "list", "bad-section", "bad-version", "empty"],
)
def test_corrupt_file_is_moved_aside(home: Path, content: bytes) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_bytes(content)
    with pytest.warns(RuntimeWarning, match="moved to"):
        loaded = progress.load()
    assert loaded.exercises == {}
    aside = list(home.glob("progress.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert not (home / "progress.json").exists()

    progress.record_exercise("m.q1", "correct")
    assert progress.load().exercises["m.q1"].correct == 1


def test_corrupt_file_found_by_a_write_is_moved_aside(home: Path) -> None:
    home.mkdir(parents=True)
    (home / "progress.json").write_text("garbage")
    with pytest.warns(RuntimeWarning):
        progress.record_exercise("m.q1", "correct")
    assert len(list(home.glob("progress.json.corrupt-*"))) == 1
    assert set(_raw(home / "progress.json")["exercises"]) == {"m.q1"}


@pytest.mark.skipif(os.name != "posix", reason="a directory in place of the file: POSIX only")
def test_unreadable_store_is_moved_aside(home: Path) -> None:
    (home / "progress.json").mkdir(parents=True)
    with pytest.warns(RuntimeWarning, match="could not be read"):
        progress.record_exercise("m.q1", "correct")
    assert progress.load().exercises["m.q1"].correct == 1
    assert len(list(home.glob("progress.json.corrupt-*"))) == 1


def test_malformed_entries_read_as_defaults(home: Path) -> None:
    home.mkdir(parents=True)
    doc = {"version": 1, "exercises": {"m.q1": "nonsense", "m.q2": {"checks": "x"}}}
    (home / "progress.json").write_text(json.dumps(doc))
    loaded = progress.load()
    assert loaded.exercises["m.q1"].checks == 0
    assert loaded.exercises["m.q2"].best == "not_attempted"
    assert progress.record_exercise("m.q1", "correct").checks == 1
