"""The practice-exam question bank: YAML files under ``labs/exam/bank/``, loaded and checked.

One file per MLS-C01 domain (``mls-d1.yaml`` ... ``mls-d4.yaml``), each a list of questions::

    - id: d3-017                  # d<domain>-<3 digits>, unique across the bank
      mls_task: MLS 3.5           # MLS-C01 task statement
      mla_task: MLA 2.3           # optional: the MLA-C01 task statement where it fits
      category: ml-concept        # general-aws | ml-concept | aws-ml-service
      type: single                # single (4 options, 1 answer) or multiple
      choose: 2                   # multiple only: how many to pick (>= 2), 5+ options
      stem: "... Which ...? (Choose two.)"
      options: {A: ..., B: ..., C: ..., D: ...}
      answer: [B]
      explanations: {A: ..., B: ..., C: ..., D: ...}   # one per option
      reference: "Guide name: topic title"
      lab: 05-4-monitoring        # a key of labs.curriculum.LAB_PLAN

:func:`load_bank` reads every file and raises :class:`BankError` listing every problem,
each naming the file, the question id and what is wrong. :func:`validate` checks the parsed
entries of one file and returns those messages, so an author can check a draft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from labs.curriculum import LAB_PLAN
from labs.errors import LabsError
from labs.exam import blueprints

__all__ = [
    "BANK_DIR",
    "CATEGORIES",
    "CHOOSE_WORDS",
    "NEAR_DUPLICATE_THRESHOLD",
    "SHINGLE_WORDS",
    "TYPES",
    "BankError",
    "Question",
    "load_bank",
    "near_duplicates",
    "stem_similarity",
    "validate",
]

BANK_DIR = Path(__file__).resolve().parent / "bank"

#: The question categories, as the exam guide splits its content.
CATEGORIES = ("general-aws", "ml-concept", "aws-ml-service")
#: The question types: one right of four, or several right of five or more.
TYPES = ("single", "multiple")
#: How a multiple-response stem says how many to pick: "(Choose two.)".
CHOOSE_WORDS = {2: "two", 3: "three", 4: "four"}

_REQUIRED = (
    "id",
    "mls_task",
    "category",
    "type",
    "stem",
    "options",
    "answer",
    "explanations",
    "reference",
    "lab",
)
_OPTIONAL = ("mla_task", "choose")
_ID = re.compile(r"d([1-9])-(\d{3})")
_LETTERS = "ABCDEFG"
_FILE_DOMAIN = re.compile(r"mls-d([1-9])$")
_REFERENCE = re.compile(r"[^:]+\S: \S.*")
_BANNED_OPTIONS = re.compile(r"\b(all|none|both) of the (above|options|answers)\b", re.I)
_SINGLE_OPTIONS = 4
_MULTIPLE_MIN_OPTIONS = 5


class BankError(LabsError):
    """The question bank cannot be read or a question breaks the bank's format."""


@dataclass(frozen=True)
class Question:
    """One bank question, exactly as its YAML entry says (validated).

    ``options`` and ``explanations`` are ``(letter, text)`` pairs in letter order;
    ``answer`` holds the right letters in letter order. ``choose`` is 1 for a single-answer
    question. ``source`` is the file it came from.
    """

    id: str
    mls_task: str
    category: str
    type: str
    stem: str
    options: tuple[tuple[str, str], ...]
    answer: tuple[str, ...]
    explanations: tuple[tuple[str, str], ...]
    reference: str
    lab: str
    mla_task: str | None = None
    choose: int = 1
    source: str = field(default="", compare=False, repr=False)

    @property
    def domain(self) -> int:
        """The MLS-C01 domain number (1-4)."""
        return blueprints.task(self.mls_task).domain

    @property
    def mla_domain(self) -> int | None:
        """The MLA-C01 domain number, or ``None`` when the question has no ``mla_task``."""
        return blueprints.task(self.mla_task).domain if self.mla_task else None

    @property
    def letters(self) -> tuple[str, ...]:
        """The option letters, ``("A", "B", "C", "D")`` for a single-answer question."""
        return tuple(letter for letter, _ in self.options)

    def option(self, letter: str) -> str:
        """The text of option ``letter``."""
        return dict(self.options)[letter]

    def explanation(self, letter: str) -> str:
        """Why option ``letter`` is right or wrong."""
        return dict(self.explanations)[letter]

    def is_correct(self, chosen: Iterable[str]) -> bool:
        """True when ``chosen`` is exactly the right set of letters (no partial credit)."""
        return {str(c).strip().upper() for c in chosen} == set(self.answer)


# --- reading YAML ---------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (plain YAML keeps the last one silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BankError(f"{path.name}: cannot read the file: {error}") from None
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass: no tags run code
    except yaml.YAMLError as error:
        raise BankError(f"{path.name}: not valid YAML: {error}") from None


# --- validation -----------------------------------------------------------------------


def _letters_ok(
    value: object, what: str, problems: list[str], in_order: bool = True
) -> dict[str, str] | None:
    """Check a mapping of letters to non-empty text; ``in_order``: exactly A, B, C, ..."""
    if not isinstance(value, dict) or not value:
        problems.append(f"{what} must be a mapping of letters to text (A: ..., B: ...)")
        return None
    keys = [str(k) for k in value]
    if in_order and keys != list(_LETTERS[: len(keys)]):
        problems.append(f"{what} letters must run A, B, C, ... in order; found {', '.join(keys)}")
        return None
    if not in_order and not set(keys) <= set(_LETTERS):
        problems.append(f"{what} keys must be option letters; found {', '.join(keys)}")
        return None
    for letter, text in value.items():
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{what} {letter} must be non-empty text (got {text!r})")
    return {str(k): v for k, v in value.items()}


def _check_fields(entry: dict[str, Any], file_domain: int | None) -> list[str]:
    """Required and known fields; id, task statements, category, lab and reference."""
    problems: list[str] = []
    missing = [k for k in _REQUIRED if k not in entry]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    unknown = sorted(str(k) for k in entry if k not in _REQUIRED and k not in _OPTIONAL)
    if unknown:
        problems.append(f"unknown field {', '.join(unknown)}")

    qid = entry.get("id")
    match = _ID.fullmatch(qid) if isinstance(qid, str) else None
    if "id" in entry and not match:
        problems.append(f"id {qid!r} must look like 'd3-017' (d<domain>-<3 digits>)")
    mls_task = entry.get("mls_task")
    task_domain = None
    if "mls_task" in entry:
        if mls_task in blueprints.task_ids("MLS-C01"):
            task_domain = blueprints.task(mls_task).domain
        else:
            problems.append(f"mls_task {mls_task!r} is not an MLS-C01 task statement ('MLS 1.2')")
    if match and task_domain and int(match.group(1)) != task_domain:
        problems.append(
            f"id {qid} says domain {match.group(1)} but mls_task {mls_task} is in domain "
            f"{task_domain}"
        )
    if file_domain and task_domain and task_domain != file_domain:
        problems.append(
            f"mls_task {mls_task} is in domain {task_domain} but this file holds domain "
            f"{file_domain}"
        )
    mla_task = entry.get("mla_task")
    if "mla_task" in entry and mla_task not in blueprints.task_ids("MLA-C01"):
        problems.append(f"mla_task {mla_task!r} is not an MLA-C01 task statement ('MLA 3.1')")

    if "category" in entry and entry["category"] not in CATEGORIES:
        problems.append(f"category {entry['category']!r} must be one of {', '.join(CATEGORIES)}")
    if "lab" in entry and entry["lab"] not in LAB_PLAN:
        problems.append(f"lab {entry['lab']!r} is not a lab of labs.curriculum.LAB_PLAN")
    reference = entry.get("reference")
    if "reference" in entry and not (
        isinstance(reference, str) and _REFERENCE.fullmatch(reference.strip())
    ):
        problems.append(
            f"reference {reference!r} must name the guide and the topic: 'Guide: topic'"
        )
    return problems


def _check_shape(entry: dict[str, Any]) -> tuple[list[str], dict[str, str] | None, int | None]:
    """Stem, options and type rules; returns the problems, the options and how many to pick."""
    problems: list[str] = []
    stem = entry.get("stem")
    if "stem" in entry and (not isinstance(stem, str) or not stem.strip()):
        problems.append("stem must be non-empty text")
        stem = None
    options = _letters_ok(entry["options"], "options", problems) if "options" in entry else None
    for letter, text in (options or {}).items():
        if isinstance(text, str) and _BANNED_OPTIONS.search(text):
            problems.append(f"option {letter} says 'all/none of the above'; write a real option")

    qtype, choose = entry.get("type"), entry.get("choose")
    if "type" in entry and qtype not in TYPES:
        problems.append(f"type {qtype!r} must be 'single' or 'multiple'")
        return problems, options, None
    if qtype == "single":
        if "choose" in entry:
            problems.append("choose is only for type: multiple")
        if options is not None and len(options) != _SINGLE_OPTIONS:
            problems.append(f"a single-answer question has exactly 4 options, not {len(options)}")
        if stem and "(choose" in stem.lower():
            problems.append("a single-answer stem must not say '(Choose ...)'")
        return problems, options, 1
    if qtype != "multiple":
        return problems, options, None
    if not isinstance(choose, int) or isinstance(choose, bool) or choose not in CHOOSE_WORDS:
        problems.append(f"choose must be a whole number from 2 to 4 (got {choose!r})")
        return problems, options, None
    if options is not None and (len(options) < _MULTIPLE_MIN_OPTIONS or len(options) <= choose):
        problems.append(
            f"a multiple-response question needs 5 or more options and more than "
            f"choose={choose}; it has {len(options)}"
        )
    wanted = f"(Choose {CHOOSE_WORDS[choose]}.)"
    if stem and not stem.rstrip().endswith(wanted):
        problems.append(f"a choose={choose} stem must end with {wanted!r}")
    return problems, options, choose


def _check_answer(
    entry: dict[str, Any], options: dict[str, str] | None, choose: int | None
) -> list[str]:
    """The answer letters and the explanation of every option."""
    problems: list[str] = []
    answer = entry.get("answer")
    if "answer" in entry:
        letters_only = isinstance(answer, list) and all(isinstance(a, str) for a in answer)
        if not letters_only or not answer:
            problems.append("answer must be a list of option letters, e.g. [B]")
        else:
            if len(set(answer)) != len(answer):
                problems.append(f"answer repeats a letter: {answer}")
            stray = [a for a in answer if options is not None and a not in options]
            if stray:
                problems.append(f"answer {', '.join(stray)} is not an option letter")
            if choose is not None and len(answer) != choose:
                problems.append(
                    f"answer has {len(answer)} letter(s) but the question needs {choose}"
                )
    if "explanations" in entry:
        explanations = _letters_ok(entry["explanations"], "explanations", problems, False)
        if explanations is not None and options is not None and set(explanations) != set(options):
            problems.append(
                f"explanations cover {', '.join(sorted(explanations))} but the options are "
                f"{', '.join(options)}; explain every option"
            )
    return problems


def _check_entry(entry: dict[str, Any], file_domain: int | None) -> list[str]:
    """Every problem with one question entry (an empty list when it is good)."""
    shape_problems, options, choose = _check_shape(entry)
    return (
        _check_fields(entry, file_domain) + shape_problems + _check_answer(entry, options, choose)
    )


def validate(entries: object, source: str | Path = "<bank>") -> list[str]:
    """Every problem in one bank file's parsed entries, as ``"file: id: problem"`` lines.

    ``entries`` is what the YAML file holds (a list of mappings). ``source`` names the file
    in the messages; when its name is ``mls-dN.yaml`` every question must belong to domain
    N. Duplicate ids within the file are reported too. An empty list means the file is good.
    """
    name = Path(str(source)).name
    if not isinstance(entries, list) or not entries:
        return [f"{name}: the file must hold a non-empty list of questions"]
    domain_match = _FILE_DOMAIN.fullmatch(Path(name).stem)
    file_domain = int(domain_match.group(1)) if domain_match else None
    problems: list[str] = []
    seen: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{name}: entry {position}: must be a mapping with id, stem, ...")
            continue
        qid = entry.get("id")
        label = qid if isinstance(qid, str) and qid else f"entry {position}"
        if isinstance(qid, str):
            if qid in seen:
                problems.append(f"{name}: {label}: duplicate id (also entry {seen[qid]})")
            seen.setdefault(qid, position)
        problems += [f"{name}: {label}: {p}" for p in _check_entry(entry, file_domain)]
    return problems


def _question(entry: dict[str, Any], source: str) -> Question:
    options = tuple((str(k), str(v).strip()) for k, v in entry["options"].items())
    explanations = tuple((k, str(entry["explanations"][k]).strip()) for k, _ in options)
    return Question(
        id=entry["id"],
        mls_task=entry["mls_task"],
        category=entry["category"],
        type=entry["type"],
        stem=entry["stem"].strip(),
        options=options,
        answer=tuple(sorted(entry["answer"])),
        explanations=explanations,
        reference=entry["reference"].strip(),
        lab=entry["lab"],
        mla_task=entry.get("mla_task"),
        choose=entry.get("choose", 1),
        source=source,
    )


def load_bank(path: str | Path | None = None) -> list[Question]:
    """Every question of the bank, file by file in name order, in file order within each.

    ``path`` is a folder of ``*.yaml`` files (default: the kit's bank) or one file. Raises
    :class:`BankError` listing every problem found, or when there is nothing to load.
    """
    root = Path(path) if path is not None else BANK_DIR
    if root.is_dir():
        files = sorted(root.glob("*.yaml"))
    elif root.is_file():
        files = [root]
    else:
        raise BankError(f"no question bank at {root}")
    if not files:
        raise BankError(f"no *.yaml question files in {root}")
    problems: list[str] = []
    questions: list[Question] = []
    first_seen: dict[str, str] = {}
    for file in files:
        entries = _read(file)
        found = validate(entries, file)
        if found:
            problems += found
            continue
        for entry in entries:  # type: ignore[union-attr]  # validate() checked it is a list
            qid = entry["id"]
            if qid in first_seen:
                problems.append(f"{file.name}: {qid}: duplicate id (also in {first_seen[qid]})")
                continue
            first_seen[qid] = file.name
            questions.append(_question(entry, file.name))
    if problems:
        shown = "\n  ".join(problems[:40])
        more = f"\n  ... and {len(problems) - 40} more" if len(problems) > 40 else ""
        raise BankError(f"the question bank has {len(problems)} problem(s):\n  {shown}{more}")
    return questions


# --- near-duplicate stems -------------------------------------------------------------

#: Word-shingle length for :func:`stem_similarity`.
SHINGLE_WORDS = 2
#: Stems at or above this similarity count as near-duplicates. Changing one word in every
#: ``k`` removes about two of every ``k`` word pairs from each side, so the Jaccard score of a
#: reworded stem is roughly ``(k - 2) / (k + 2)``: 0.67 when one word in ten changes, 0.43
#: for one in five, 0.33 for one in four. Distinct stems in the bank share only stock
#: phrases and score below 0.2. 0.35 flags anything reworded less than one word in four and
#: leaves a wide margin above unrelated pairs.
NEAR_DUPLICATE_THRESHOLD = 0.35

_WORD = re.compile(r"[a-z0-9]+")


def _shingles(text: str, size: int = SHINGLE_WORDS) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def stem_similarity(a: str, b: str) -> float:
    """Jaccard similarity (0-1) of the two texts' word-bigram sets, ignoring case and punctuation.

    Two stems about the same scenario reworded lightly (a new company name, a synonym or
    two, a changed number) keep most of their word pairs and score well above
    :data:`NEAR_DUPLICATE_THRESHOLD`; distinct scenarios share only stock phrases ("which
    solution meets these requirements") and score far below it.
    """
    first, second = _shingles(a), _shingles(b)
    if not first and not second:
        return 1.0
    return len(first & second) / len(first | second)


def near_duplicates(
    questions: Sequence[Question], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> list[tuple[str, str, float]]:
    """Pairs of questions whose stems are ``threshold`` similar or more, most similar first."""
    shingles = [(q.id, _shingles(q.stem)) for q in questions]
    pairs = []
    for i, (first_id, first) in enumerate(shingles):
        for second_id, second in shingles[i + 1 :]:
            union = first | second
            score = len(first & second) / len(union) if union else 1.0
            if score >= threshold:
                pairs.append((first_id, second_id, round(score, 3)))
    return sorted(pairs, key=lambda pair: -pair[2])
