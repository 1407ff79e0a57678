"""The ``labs`` command: list the curriculum, run notebooks headless, show progress, check setup.

::

    labs list                 the curriculum by series, with exam tags and your status
    labs run NOTEBOOK...      run notebooks headless (local mode, network guard on)
    labs run --all            run the whole curriculum
    labs progress             progress per notebook and per exam domain, readiness
                              (--plot PATH writes the readiness plot as PNG)
    labs exam [mla-c01]       a timed practice exam (MLS-C01 by default); --resume continues
    labs drill --domain N     a short drill with feedback after each answer (or --task 3.4)
    labs doctor [--aws]       check Python, packages, a loopback port, the progress store;
                              --aws adds the account, the kit stack, the role and quotas
    labs aws setup            create or update the kit's stack on your AWS account
                              (shows the change set and asks first)
    labs aws status           the stack, its outputs, and kit resources running now
    labs aws teardown         empty the kit bucket and delete the stack (asks first)
    labs cleanup [--yes]      list kit-tagged SageMaker resources that cost money, with an
                              estimated hourly cost, and delete or stop them

A learner's mistake (an unknown notebook, a bad flag) prints one message, no traceback, and
exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import socket
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from labs import curriculum
from labs.errors import LabsError
from labs.exam import blueprints

__all__ = ["main"]

USAGE_ERROR = 2


# ------------------------------------------------------------------------- helpers


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are LabsErrors (so main() returns 2, no exit)."""

    def error(self, message: str) -> NoReturn:
        raise LabsError(f"{message}\n{self.format_usage().rstrip()}\nTry `{self.prog} --help`.")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], indent: str = "  ") -> str:
    """Plain left-aligned columns; a column whose header starts with '>' is right-aligned."""
    body = [[str(cell) for cell in row] for row in rows]
    names = [h.lstrip(">") for h in headers]
    widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if h.startswith(">") else c.ljust(w)
            for c, w, h in zip(cells, widths, headers, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return "\n".join([line(names), line(["-" * w for w in widths])] + [line(r) for r in body])


def _compact_tags(tasks: Iterable[str]) -> str:
    """``["MLS 1.1", "MLS 4.3", "MLA 1.1"]`` -> ``"MLS 1.1 4.3 · MLA 1.1"``."""
    by_exam: dict[str, list[str]] = {}
    for tag in tasks:
        prefix, _, number = tag.partition(" ")
        by_exam.setdefault(prefix, []).append(number or prefix)
    return " · ".join(f"{prefix} {' '.join(numbers)}" for prefix, numbers in by_exam.items())


def _fraction(done: int, total: int | None) -> str:
    if total is None:
        return f"{done} passed"
    return "-" if total == 0 and done == 0 else f"{done}/{total}"


@dataclass
class _Standing:
    """What the learner has done, joined to the curriculum: the input of list and progress."""

    infos: list[curriculum.NotebookInfo]
    store: Any  # labs.progress.Progress
    exercise_ids: set[str] | None  # None when labs.exercises cannot list its exercises

    @classmethod
    def load(cls) -> _Standing:
        from labs import progress

        return cls(curriculum.notebooks(), progress.load(), _known_exercises())

    def status(self, notebook_id: str) -> str:
        summary = self.store.notebooks.get(notebook_id)
        return summary.last_status if summary and summary.last_status else "not run"

    def completed(self, notebook_id: str) -> bool:
        summary = self.store.notebooks.get(notebook_id)
        return bool(summary and summary.ever_passed)

    def exercises(self, notebook_id: str) -> tuple[int, int | None]:
        """(solved, total) for a notebook's exercises; total is None when unknown."""
        prefix = curriculum.exercise_module(notebook_id) + "."
        solved = {k for k, v in self.store.exercises.items() if k.startswith(prefix) and v.solved}
        if self.exercise_ids is None:
            return len(solved), None
        mine = {e for e in self.exercise_ids if e.startswith(prefix)}
        return len(solved & mine), len(mine)


def _known_exercises() -> set[str] | None:
    """Ids of every exercise in labs.exercises, or None when they cannot be listed."""
    try:
        exercises = importlib.import_module("labs.exercises")
        listing = exercises.all_exercises
    except (ImportError, AttributeError):
        return None
    try:
        found = listing()
    except Exception:  # a broken exercise module must not break `labs list`
        return None
    items = found.keys() if isinstance(found, dict) else found
    ids = {item if isinstance(item, str) else getattr(item, "id", None) for item in items}
    return {i for i in ids if isinstance(i, str)}


# -------------------------------------------------------------------------- list


def cmd_list(args: argparse.Namespace) -> int:
    """Print the curriculum by series with tags, minutes and the learner's status."""
    standing = _Standing.load()
    by_series: dict[str, list[curriculum.NotebookInfo]] = {}
    for info in standing.infos:
        by_series.setdefault(info.series, []).append(info)
    headings = {key: title for key, (_, title) in curriculum.SERIES.items()}
    for key in list(headings) + sorted(set(by_series) - set(headings)):
        infos = by_series.get(key, [])
        print(f"{key}  {headings.get(key, 'Other')}")
        if not infos:
            print("  (no labs yet)\n")
            continue
        rows = []
        for info in infos:
            solved, total = standing.exercises(info.id)
            minutes = f"{info.minutes:g} min" if info.minutes else "-"
            rows.append(
                [
                    info.id,
                    info.title,
                    _compact_tags(info.tasks) or "-",
                    minutes,
                    standing.status(info.id),
                    _fraction(solved, total),
                ]
            )
        print(_table(["notebook", "title", "exam tasks", ">time", "status", "exercises"], rows))
        print()
    print("Run one with `labs run <notebook>` or open it in JupyterLab (`make lab`).")
    return 0


# --------------------------------------------------------------------------- run


def cmd_run(args: argparse.Namespace) -> int:
    """Run notebooks headless; one line each, then a total. Non-zero when any failed."""
    from labs.runner import run_notebook

    if args.all and args.notebooks:
        raise LabsError("Give notebook names or --all, not both.")
    if args.all:
        infos = curriculum.notebooks()
        if not infos:
            raise LabsError(f"No notebooks found in {curriculum.NOTEBOOKS_DIR}.")
    elif args.notebooks:
        infos = [curriculum.find(name) for name in args.notebooks]  # all resolved before any run
    else:
        raise LabsError("Name the notebooks to run (see `labs list`), or use --all.")
    width = max(len(info.id) for info in infos)
    failed = 0
    for info in infos:
        print(f"{info.id:<{width}}  ...  ", end="", flush=True)
        result = run_notebook(info.path, timeout=args.timeout)
        if result.passed:
            print(f"PASS  {result.seconds:6.1f} s", flush=True)
        else:
            failed += 1
            print(f"FAIL  {result.seconds:6.1f} s  {result.error}", flush=True)
    print(f"{len(infos) - failed} passed, {failed} failed")
    return 1 if failed else 0


# ---------------------------------------------------------------------- progress


def _domain_rows(exam: blueprints.Exam, standing: _Standing) -> list[list[object]]:
    """One row per domain: labs completed and exercises passed among its tagged notebooks."""
    rows: list[list[object]] = []
    for domain in exam.domains:
        tags = {t.id for t in domain.tasks}
        infos = [info for info in standing.infos if tags & set(info.tasks)]
        done = sum(standing.completed(info.id) for info in infos)
        counts = [standing.exercises(info.id) for info in infos]
        solved = sum(s for s, _ in counts)
        total = None if any(t is None for _, t in counts) else sum(t or 0 for _, t in counts)
        rows.append(
            [
                f"{domain.number} {domain.name}",
                f"{domain.weight}%",
                _fraction(done, len(infos)),
                _fraction(solved, total),
            ]
        )
    return rows


def cmd_progress(args: argparse.Namespace) -> int:
    """Print progress per notebook and per exam domain."""
    standing = _Standing.load()
    print(f"Progress store: {standing.store.path}\n")
    print("Notebooks")
    rows = []
    for info in standing.infos:
        summary = standing.store.notebooks.get(info.id)
        best = f"{summary.best_seconds:.1f} s" if summary and summary.best_seconds else "-"
        rows.append(
            [
                info.id,
                standing.status(info.id),
                summary.runs if summary else 0,
                best,
                _fraction(*standing.exercises(info.id)),
            ]
        )
    print(_table(["notebook", "status", ">runs", ">best time", "exercises"], rows))
    done = sum(standing.completed(info.id) for info in standing.infos)
    print(f"  {done}/{len(standing.infos)} labs completed\n")
    for exam in blueprints.EXAMS.values():
        print(f"{exam.code}  {exam.name}")
        headers = ["domain", ">weight", ">labs completed", ">exercises passed"]
        print(_table(headers, _domain_rows(exam, standing)))
        print()
    return _readiness(args, standing)


def _readiness(args: argparse.Namespace, standing: _Standing) -> int:
    """The readiness tables of both exams (labs.exam.readiness), and the plot when asked."""
    from labs.exam import plot, readiness

    chosen = {}
    for exam in blueprints.EXAMS.values():
        chosen[exam.code] = readiness.assess(
            exam, standing.infos, standing.store, standing.exercise_ids
        )
        print(readiness.table(chosen[exam.code]))
        print()
    if getattr(args, "plot", None):
        code = blueprints.get_exam(args.exam).code
        written = plot.save_readiness_plot(chosen[code], args.plot)
        print(f"{code} readiness plot saved to {written}")
    return 0


# ------------------------------------------------------------------- exam, drill


def cmd_exam(args: argparse.Namespace) -> int:
    """A timed practice exam in the terminal (labs.exam.terminal), or resume one."""
    from labs.exam.terminal import run_exam

    return run_exam(
        args.exam,
        minutes=args.minutes,
        seed=args.seed,
        resume=args.resume,
        new=args.new,
        bank=args.bank,
    )


def cmd_drill(args: argparse.Namespace) -> int:
    """A short drill of one domain or task statement with feedback after each answer."""
    from labs.exam.terminal import run_drill

    return run_drill(
        args.exam,
        domain=args.domain,
        task=args.task,
        count=args.count,
        bank=args.bank,
        seed=args.seed,
    )


# ------------------------------------------------------------------------ doctor

# (import name, distributions that provide it, import it?) tensorflow takes seconds to
# import, so it is checked by its installed version only.
_PACKAGES: list[tuple[str, tuple[str, ...], bool]] = [
    ("sagemaker", ("sagemaker",), True),
    ("moto", ("moto",), True),
    ("boto3", ("boto3",), True),
    ("xgboost", ("xgboost-cpu", "xgboost"), True),
    ("sklearn", ("scikit-learn",), True),
    ("pandas", ("pandas",), True),
    ("tensorflow", ("tensorflow-cpu", "tensorflow", "tensorflow-macos"), False),
    ("jupyterlab", ("jupyterlab",), True),
    ("nbval", ("nbval",), True),
]
_INSTALL_FIX = (
    "run `make lab` once (it installs everything), or `.venv/bin/pip install -e '.[dev]'`"
)


@dataclass
class Check:
    """One doctor check: what was checked, whether it is fine, what was seen, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # fine to go on, but worth a look (printed as WARN)


def _check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check("Python", ok, f"{version} ({sys.executable})", "install Python 3.11 or newer")


def _dist_version(dists: Sequence[str]) -> str | None:
    from importlib import metadata

    for dist in dists:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return None


def _check_package(module: str, dists: Sequence[str], do_import: bool) -> Check:
    version = _dist_version(dists)
    if do_import:
        try:
            imported = importlib.import_module(module)
        except Exception as error:  # any failure at import time means "not usable"
            return Check(
                module, False, f"cannot import: {type(error).__name__}: {error}", _INSTALL_FIX
            )
        version = version or getattr(imported, "__version__", None) or "unknown version"
    elif version is None:
        return Check(module, False, "not installed", _INSTALL_FIX)
    return Check(module, True, version)


def _check_loopback() -> Check:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            sock.listen(1)
            port = sock.getsockname()[1]
    except OSError as error:
        return Check(
            "loopback port",
            False,
            f"cannot listen on 127.0.0.1: {error}",
            "local mode serves AWS on a loopback port: allow local listening sockets "
            "(firewall or sandbox settings)",
        )
    return Check("loopback port", True, f"127.0.0.1:{port} can be bound")


def _check_store() -> Check:
    from labs import progress

    path = progress.store_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent) as handle:
            handle.write(b"ok")
    except OSError as error:
        return Check(
            "progress store",
            False,
            f"{path.parent} is not writable: {error}",
            "set LABS_HOME to a writable folder",
        )
    return Check("progress store", True, f"{path} (writable)")


def _check_mode() -> Check:
    mode = os.environ.get("LABS_MODE", "")
    if mode in ("", "local"):
        return Check("LABS_MODE", True, mode or "not set: local mode (the default)")
    if mode == "aws":
        return Check("LABS_MODE", True, "aws: notebooks run on your AWS account")
    return Check(
        "LABS_MODE",
        False,
        f"{mode!r} is not a mode",
        "set LABS_MODE to local or aws, or unset it for local mode",
    )


def _check_aws() -> list[Check]:
    """Credentials and region of the default boto3 session (may contact a metadata service)."""
    import boto3

    session = boto3.Session()
    try:
        credentials = session.get_credentials()
    except Exception as error:  # a broken profile raises botocore errors of many kinds
        credentials, problem = None, f"{type(error).__name__}: {error}"
    else:
        problem = "none found"
    creds = (
        Check("AWS credentials", True, f"found ({credentials.method})")
        if credentials is not None
        else Check(
            "AWS credentials",
            False,
            problem,
            "run `aws configure` (or `aws sso login`), or set AWS_PROFILE",
        )
    )
    region = (
        Check("AWS region", True, session.region_name)
        if session.region_name
        else Check(
            "AWS region",
            False,
            "not set",
            "set AWS_DEFAULT_REGION (e.g. us-east-1) or a region in your AWS profile",
        )
    )
    return [creds, region]


def _check_account() -> list[Check]:
    """The kit's account checks (labs.aws.preflight): stack, role, prices, quotas."""
    from labs.aws import preflight

    return [
        Check(f.name, f.status != preflight.FAIL, f.detail, f.fix, warn=f.status == preflight.WARN)
        for f in preflight.run()
    ]


def doctor_checks(aws: bool = False) -> list[Check]:
    """Run every check; with ``aws`` also the account checks (which may use the network)."""
    checks = [_check_python()]
    checks += [_check_package(*spec) for spec in _PACKAGES]
    checks += [_check_loopback(), _check_store(), _check_mode()]
    if aws:
        basics = _check_aws()
        checks += basics
        if all(c.ok for c in basics):
            checks += _check_account()
    return checks


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print each check as OK or FAIL (with the fix). Non-zero when any failed."""
    aws = args.aws or os.environ.get("LABS_MODE") == "aws"
    checks = doctor_checks(aws=aws)
    width = max(len(c.name) for c in checks)
    for check in checks:
        label = "FAIL" if not check.ok else "WARN" if check.warn else "OK"
        print(f"{label:<4}  {check.name:<{width}}  {check.detail}")
        if (not check.ok or check.warn) and check.fix:
            print(f"{'':<4}  {'':<{width}}  fix: {check.fix}")
    failed = sum(not c.ok for c in checks)
    print(
        f"\n{len(checks) - failed} OK, {failed} failed"
        + ("" if aws else " (--aws adds the account checks)")
    )
    return 1 if failed else 0


# ----------------------------------------------------------------- aws, cleanup


def cmd_aws(args: argparse.Namespace) -> int:
    """`labs aws setup | status | teardown`: the kit's stack on the learner's account."""
    from labs.aws import session, stack

    if args.action is None:
        raise LabsError(
            "Say what to do: `labs aws setup`, `labs aws status` or `labs aws teardown`."
        )
    with session.aws_errors_explained():
        account = session.connect(args.region)
        if args.action == "setup":
            options = stack.SetupOptions(
                budget_email=args.budget_email,
                budget_usd=args.budget_usd,
                scratch_days=args.scratch_days,
                log_days=args.log_days,
                yes=args.yes,
            )
            return stack.setup(account, options)
        if args.action == "status":
            return stack.status(account)
        return stack.teardown(account, yes=args.yes)


def cmd_cleanup(args: argparse.Namespace) -> int:
    """List kit-tagged SageMaker resources that cost money; delete or stop them on a yes."""
    from labs.aws import cleanup, session

    with session.aws_errors_explained():
        account = session.connect(args.region)
        return cleanup.command(account, notebook=args.notebook, yes=args.yes)


def _aws_arguments(aws: argparse.ArgumentParser, clean: argparse.ArgumentParser) -> None:
    """The options of `labs aws setup | status | teardown` and `labs cleanup`."""
    actions = aws.add_subparsers(dest="action", metavar="ACTION")
    texts = {
        "setup": "create or update the kit's stack: shows the change set and asks first",
        "status": "the kit's stack, its outputs, and kit resources running now",
        "teardown": "empty the kit bucket and delete the kit's stack (asks first)",
    }
    setup, status, teardown = (
        actions.add_parser(name, help=text, description=text) for name, text in texts.items()
    )
    for sub in (setup, status, teardown, clean):
        sub.add_argument("--region", help="the AWS region (default: AWS_REGION or your profile)")
    for sub in (setup, teardown, clean):
        sub.add_argument("--yes", action="store_true", help="do it without asking")
    setup.add_argument("--budget-email", metavar="EMAIL", help="e-mail for a monthly budget alarm")
    setup.add_argument(
        "--budget-usd", type=_positive(float), metavar="USD", help="the budget's monthly limit (20)"
    )
    setup.add_argument(
        "--scratch-days", type=_positive(int), metavar="N", help="scratch/ expires after N days (7)"
    )
    setup.add_argument(
        "--log-days",
        type=int,
        choices=[1, 3, 5, 7, 14, 30, 60, 90],
        metavar="N",
        help="days SageMaker job logs are kept: 1, 3, 5, 7, 14, 30, 60 or 90 (14)",
    )
    clean.add_argument("--notebook", metavar="NAME", help="only what this notebook made")


# -------------------------------------------------------------------------- main


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("labs")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``labs`` command."""
    parser = _Parser(
        prog="labs",
        description="Hands-on labs for the AWS MLS-C01 and MLA-C01 exams.",
    )
    parser.add_argument("--version", action="version", version=f"labs {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    commands: list[tuple[str, str, Callable[[argparse.Namespace], int]]] = [
        ("list", "the curriculum by series, with exam tags and your status", cmd_list),
        ("run", "run notebooks headless in local mode with the network guard on", cmd_run),
        ("progress", "your progress per notebook and per exam domain", cmd_progress),
        ("doctor", "check Python, packages, a loopback port, the progress store", cmd_doctor),
        ("exam", "a timed practice exam: MLS-C01 (default) or MLA-C01", cmd_exam),
        ("drill", "a short drill of one domain or task statement, feedback at once", cmd_drill),
        ("aws", "the kit's stack on your AWS account: setup, status, teardown", cmd_aws),
        ("cleanup", "list kit-tagged SageMaker resources costing money, remove them", cmd_cleanup),
    ]
    parsers = {}
    for name, help_text, handler in commands:
        parsers[name] = sub.add_parser(name, help=help_text, description=help_text)
        parsers[name].set_defaults(handler=handler)

    run = parsers["run"]
    run.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="id, file name or path")
    run.add_argument("--all", action="store_true", help="run every notebook of the curriculum")
    run.add_argument(
        "--timeout", type=float, default=600, metavar="SECONDS", help="limit per cell (600)"
    )
    parsers["doctor"].add_argument(
        "--aws",
        action="store_true",
        help="also check the AWS account: credentials, region, the kit stack, role, quotas",
    )
    _aws_arguments(parsers["aws"], parsers["cleanup"])
    _exam_arguments(parsers["exam"], parsers["drill"], parsers["progress"])
    return parser


def _exam_choice(text: str) -> str:
    try:
        return blueprints.get_exam(text.removesuffix("-c01").removesuffix("-C01")).code
    except KeyError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an exam: mls-c01 or mla-c01") from None


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
        return value

    return parse


def _exam_arguments(
    exam: argparse.ArgumentParser, drill: argparse.ArgumentParser, prog: argparse.ArgumentParser
) -> None:
    """The options of `labs exam`, `labs drill` and `labs progress --plot`."""
    exam.add_argument(
        "exam", nargs="?", type=_exam_choice, metavar="EXAM", help="mls-c01 (default) or mla-c01"
    )
    exam.add_argument(
        "--minutes", type=_positive(float), help="time allowed (default: the exam's own)"
    )
    exam.add_argument("--resume", action="store_true", help="continue the unfinished exam")
    exam.add_argument("--new", action="store_true", help="discard an unfinished exam, start anew")
    drill.add_argument(
        "--exam", type=_exam_choice, default="MLS-C01", help="mls-c01 (default) or mla-c01"
    )
    scope = drill.add_mutually_exclusive_group()
    scope.add_argument("--domain", type=int, metavar="N", help="one domain, e.g. 3")
    scope.add_argument("--task", metavar="N.N", help="one task statement, e.g. 3.4")
    drill.add_argument(
        "--count", type=_positive(int), default=10, help="questions in the drill (10)"
    )
    for sub in (exam, drill):
        sub.add_argument("--seed", type=int, help="a fixed seed, to draw the same questions")
        sub.add_argument("--bank", metavar="DIR", help="a folder of question YAML files")
    prog.add_argument("--plot", metavar="PATH", help="write the readiness plot (PNG) to PATH")
    prog.add_argument(
        "--exam", type=_exam_choice, default="MLS-C01", help="exam of the plot (mls-c01)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``labs`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            parser.print_help()
            return 0
        return args.handler(args)
    except LabsError as error:
        print(f"labs: {error}", file=sys.stderr)
        return USAGE_ERROR
    except SystemExit as done:  # --help and --version
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        print("\nlabs: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
