"""Drawing practice-exam forms from the question bank by the blueprint's weights and mix.

A form is the exam's question count (65) drawn without repeats:

- per domain by the blueprint's weights, rounded by largest remainder so the counts sum to
  the form size (MLS-C01: 13/16/23/13);
- per category within the exam guide's mix (MLS-C01: general AWS about 15%, ML concepts
  50-60%, AWS ML services 25-35%), aiming at the middle of each range.

MLS-C01 forms place questions by ``mls_task``; MLA-C01 forms use only questions with an
``mla_task`` and place them by it (the MLA guide states no category mix). When the bank
cannot fill a form, :class:`FormError` says which domain or category is short and by how
much.

>>> domain_quotas("MLS-C01")
{1: 13, 2: 16, 3: 23, 4: 13}
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from labs.errors import LabsError
from labs.exam import blueprints
from labs.exam.bank import CATEGORIES, Question

__all__ = [
    "ABOUT_MARGIN",
    "FormError",
    "MixRule",
    "category_rules",
    "domain_quotas",
    "draw_form",
    "draw_forms",
    "form_domain",
    "form_mix",
]

#: Where the guide gives one figure for a category ("about 15%"), a form may stray this far
#: either side of it (0.05: 10-20%). Ranges the guide gives ("50-60%") are used as they are.
ABOUT_MARGIN = 0.05


class FormError(LabsError):
    """The bank cannot fill the form asked for; the message says what is short."""


@dataclass(frozen=True)
class MixRule:
    """The share one category may take of a form: ``low``-``high``, aiming at ``target``."""

    category: str
    low: float
    high: float
    target: float

    def count_range(self, size: int) -> range:
        """The whole question counts a ``size``-question form may hold."""
        return range(math.ceil(self.low * size - 1e-9), math.floor(self.high * size + 1e-9) + 1)


def _exam(exam: str | blueprints.Exam) -> blueprints.Exam:
    return exam if isinstance(exam, blueprints.Exam) else blueprints.get_exam(exam)


def _largest_remainder(shares: dict, total: int) -> dict:
    """Whole counts proportional to ``shares`` that sum to ``total`` (ties: first key wins)."""
    whole = sum(shares.values())
    exact = {key: total * share / whole for key, share in shares.items()}
    counts = {key: math.floor(value) for key, value in exact.items()}
    order = sorted(shares, key=lambda key: -(exact[key] - counts[key]))
    for key in order[: total - sum(counts.values())]:
        counts[key] += 1
    return counts


def domain_quotas(exam: str | blueprints.Exam = "MLS-C01") -> dict[int, int]:
    """Questions per domain in one form: the weights, by largest-remainder rounding."""
    chosen = _exam(exam)
    return _largest_remainder({d.number: d.weight for d in chosen.domains}, chosen.questions)


def category_rules(exam: str | blueprints.Exam = "MLS-C01") -> dict[str, MixRule]:
    """The exam's category mix as rules keyed by bank category (empty when none is stated).

    The blueprint's ``category_mix`` (``general_aws``, ...) maps onto the bank's categories
    (``general-aws``, ...). A single figure is widened by :data:`ABOUT_MARGIN`; each target
    is the middle of its range, scaled so the targets sum to 1.
    """
    mix = _exam(exam).category_mix
    if not mix:
        return {}
    ranges: dict[str, tuple[float, float]] = {}
    for key, (low, high) in mix.items():
        category = key.replace("_", "-")
        if category not in CATEGORIES:
            raise FormError(f"the blueprint's category {key!r} is not a bank category")
        if low == high:
            low, high = max(0.0, low - ABOUT_MARGIN), min(1.0, high + ABOUT_MARGIN)
        ranges[category] = (round(low, 6), round(high, 6))
    middle = {c: (low + high) / 2 for c, (low, high) in ranges.items()}
    scale = sum(middle.values())
    return {c: MixRule(c, low, high, middle[c] / scale) for c, (low, high) in ranges.items()}


def form_domain(question: Question, exam: str | blueprints.Exam = "MLS-C01") -> int | None:
    """The domain ``question`` counts toward in ``exam`` (``None``: not tagged for that exam)."""
    return question.domain if _exam(exam).prefix == "MLS" else question.mla_domain


def form_mix(
    form: Iterable[Question], exam: str | blueprints.Exam = "MLS-C01"
) -> tuple[dict[int, int], dict[str, int]]:
    """A form's questions counted per domain and per category."""
    form = list(form)
    domains = Counter(form_domain(q, exam) for q in form)
    categories = Counter(q.category for q in form)
    return dict(sorted(domains.items())), {c: categories.get(c, 0) for c in CATEGORIES}


# --- allocation: how many questions each (domain, category) cell gives each form ----------


#: A (domain, category) cell of the allocation; category "*" when the exam states no mix.
Cell = tuple[int, str]
_Node = tuple[str, int | str]  # ("row", domain) or ("col", category)


def _max_flow(
    rows: dict[int, int],
    cols: dict[str, int],
    caps: dict[Cell, int],
    rng: random.Random,
) -> tuple[int, dict[Cell, int]]:
    """Max flow source -> domain rows -> (domain, category) cells -> category columns -> sink.

    ``rows`` and ``cols`` are the capacities from the source and to the sink, ``caps`` those
    of the cells. The graph has a handful of nodes, so each augmenting path is found by a
    depth-first search, in a shuffled order so that different seeds give different (equally
    valid) allocations. Returns the total flow and the flow through each cell.
    """
    caps = {cell: n for cell, n in caps.items() if cell[0] in rows and cell[1] in cols}
    flow = dict.fromkeys(caps, 0)
    row_used = dict.fromkeys(rows, 0)
    col_used = dict.fromkeys(cols, 0)
    total = 0
    while True:
        # parent[node] = (previous node, cell used, +1 forward / -1 undoing flow)
        parent: dict[_Node, tuple[_Node | None, Cell | None, int]] = {}
        stack: list[_Node] = []
        starts = [r for r in rows if row_used[r] < rows[r]]
        rng.shuffle(starts)
        for r in starts:
            parent[("row", r)] = (None, None, 0)
            stack.append(("row", r))
        end: _Node | None = None
        while stack and end is None:
            node = stack.pop()
            if node[0] == "row":
                steps = [
                    (c, ("col", c[1]), 1) for c in caps if c[0] == node[1] and flow[c] < caps[c]
                ]
            else:
                steps = [(c, ("row", c[0]), -1) for c in caps if c[1] == node[1] and flow[c] > 0]
            rng.shuffle(steps)
            for cell, nxt, sign in steps:
                if nxt in parent:
                    continue
                parent[nxt] = (node, cell, sign)
                stack.append(nxt)
                if nxt[0] == "col" and col_used[nxt[1]] < cols[nxt[1]]:  # type: ignore[index]
                    end = nxt
                    break
        if end is None:
            return total, flow
        col_used[end[1]] += 1  # type: ignore[index]
        node = end
        while True:
            prev, cell, sign = parent[node]
            if prev is None or cell is None:
                row_used[node[1]] += 1  # type: ignore[index]
                break
            flow[cell] += sign
            node = prev
        total += 1


def _category_plans(rules: dict[str, MixRule], size: int) -> list[dict[str, int]]:
    """Every per-category count vector allowed for one form, closest to the targets first."""
    if not rules:
        return [{"*": size}]
    categories = list(rules)
    target = _largest_remainder({c: rules[c].target for c in categories}, size)
    plans: list[dict[str, int]] = [{}]
    for category in categories:
        plans = [{**p, category: n} for p in plans for n in rules[category].count_range(size)]
    plans = [p for p in plans if sum(p.values()) == size]
    return sorted(plans, key=lambda p: (sum(abs(p[c] - target[c]) for c in categories), str(p)))


def _split(
    aggregate: dict[Cell, int],
    rows: dict[int, int],
    cols: dict[str, int],
    forms: int,
    rng: random.Random,
) -> list[dict[Cell, int]]:
    """Split a cell allocation for ``forms`` forms into one allocation per form.

    Each form takes floor or ceil of (what is left / forms left) from every cell, which
    always admits row sums ``rows`` and column sums ``cols`` (integer rounding of a matrix
    with integral margins), so every remaining form stays feasible.
    """
    left = dict(aggregate)
    out = []
    for remaining in range(forms, 0, -1):
        low = {cell: n // remaining for cell, n in left.items()}
        caps = {cell: -(-n // remaining) - low[cell] for cell, n in left.items()}
        need_rows = {r: rows[r] - sum(v for (d, _), v in low.items() if d == r) for r in rows}
        need_cols = {c: cols[c] - sum(v for (_, k), v in low.items() if k == c) for c in cols}
        got, extra = _max_flow(need_rows, need_cols, caps, rng)
        if got != sum(need_rows.values()):  # pragma: no cover - excluded by the rounding theorem
            raise FormError("internal error: could not split the allocation between forms")
        share = {cell: low[cell] + extra[cell] for cell in left}
        for cell, n in share.items():
            left[cell] -= n
        out.append(share)
    return out


def _interleave(questions: list[Question], rng: random.Random) -> list[Question]:
    """Shuffle, then deal task statements in turn, so each form spreads over the tasks."""
    by_task: dict[str, list[Question]] = defaultdict(list)
    shuffled = list(questions)
    rng.shuffle(shuffled)
    for q in shuffled:
        by_task[q.mls_task].append(q)
    queues = list(by_task.values())
    rng.shuffle(queues)
    dealt = []
    while queues:
        queues = [queue for queue in queues if queue]
        for queue in queues:
            dealt.append(queue.pop())
    return dealt


def _shortage(
    pool: Sequence[Question], chosen: blueprints.Exam, forms: int, quotas: dict[int, int]
) -> str | None:
    """A plain statement of the first domain or category the pool cannot fill, if any."""
    what = f"{forms} {chosen.code} form{'s' if forms > 1 else ''}"
    have = Counter(form_domain(q, chosen) for q in pool)
    tag = "mls_task" if chosen.prefix == "MLS" else "mla_task"
    for number, quota in quotas.items():
        if have[number] < forms * quota:
            name = chosen.domain(number).name
            return (
                f"the bank cannot fill {what}: domain {number} ({name}) needs "
                f"{forms * quota} questions with a {tag} of {chosen.prefix} {number}.x, "
                f"and {have[number]} are available"
            )
    by_category = Counter(q.category for q in pool)
    for rule in category_rules(chosen).values():
        least = rule.count_range(chosen.questions).start
        if by_category[rule.category] < forms * least:
            return (
                f"the bank cannot fill {what}: each form needs at least {least} "
                f"{rule.category} questions ({rule.low:.0%} of {chosen.questions}), and "
                f"{by_category[rule.category]} are available"
            )
    return None


def draw_forms(
    bank: Sequence[Question],
    n: int,
    seed: int,
    exam: str = "MLS-C01",
    *,
    exclude: Iterable[str | Question] = (),
) -> list[list[Question]]:
    """``n`` forms of ``exam`` that share no question, each by the weights and the mix.

    ``exclude`` lists questions (or ids) to leave out, e.g. those a learner has seen. The
    same ``bank``, ``n``, ``seed`` and ``exclude`` always give the same forms. Raises
    :class:`FormError` naming what is short when the bank cannot fill them.
    """
    if n < 1:
        raise FormError(f"ask for at least one form (got n={n})")
    chosen = _exam(exam)
    ids = Counter(q.id for q in bank)
    repeated = sorted(qid for qid, count in ids.items() if count > 1)
    if repeated:
        raise FormError(f"the bank holds these ids more than once: {', '.join(repeated)}")
    skip = {q.id if isinstance(q, Question) else str(q) for q in exclude}
    pool = [q for q in bank if q.id not in skip and form_domain(q, chosen) is not None]
    quotas = domain_quotas(chosen)
    short = _shortage(pool, chosen, n, quotas)
    if short:
        raise FormError(short)

    rules = category_rules(chosen)
    cells: dict[Cell, list[Question]] = defaultdict(list)
    for q in pool:
        cells[(form_domain(q, chosen), q.category if rules else "*")].append(q)  # type: ignore[index]
    caps = {cell: len(qs) for cell, qs in cells.items()}
    rng = random.Random(seed)
    size = chosen.questions
    for plan in _category_plans(rules, size):
        rows = {d: n * quota for d, quota in quotas.items()}
        cols = {c: n * count for c, count in plan.items()}
        got, aggregate = _max_flow(rows, cols, caps, rng)
        if got == n * size:
            break
    else:
        mix = ", ".join(f"{r.category} {r.low:.0%}-{r.high:.0%}" for r in rules.values())
        raise FormError(
            f"the bank cannot fill {n} {chosen.code} form(s) with {quotas} questions per "
            f"domain and the category mix ({mix}): some domain lacks questions of a category. "
            f"Available per (domain, category): {dict(sorted(caps.items()))}"
        )

    shares = _split(aggregate, quotas, plan, n, rng)
    forms: list[list[Question]] = [[] for _ in range(n)]
    for cell, questions in sorted(cells.items()):
        dealt = _interleave(questions, rng)
        for k, share in enumerate(shares):
            forms[k] += dealt[: share[cell]]
            dealt = dealt[share[cell] :]
    for form in forms:
        rng.shuffle(form)
    return forms


def draw_form(
    bank: Sequence[Question],
    exam: str = "MLS-C01",
    *,
    seed: int,
    exclude: Iterable[str | Question] = (),
) -> list[Question]:
    """One form of ``exam`` (65 questions) by the weights and the mix, with no repeats.

    ``exclude`` lists questions (or ids) to leave out. Raises :class:`FormError` naming the
    domain or category that is short when the bank cannot fill a form.
    """
    return draw_forms(bank, 1, seed, exam, exclude=exclude)[0]
