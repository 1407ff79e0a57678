"""Spaced repetition of missed questions: a small Leitner system counted in drills.

A question enters the review queue when it is missed, in a drill or in a practice exam. It
then sits in one of three boxes; the box says after how many drills it comes back:

========  ==========================================  =====================
box       when it comes back                          after a right answer
========  ==========================================  =====================
1         in the next drill that covers it            box 2
2         after one more drill (it skips one)         box 3
3         after three more drills                     it leaves the queue
========  ==========================================  =====================

A wrong answer, in any box, puts the question back in box 1. So a missed question leaves
the queue only after three right answers in a row, each further apart than the last.
Time is counted in drills, not days, so the queue works however often a learner
practises: ``due`` is the number of drills that must have been done before the question
comes back. A drill takes due questions first (lowest box, then longest overdue), then
questions the learner has not seen, then the least recently seen (:mod:`labs.exam.drill`).

>>> queue = {}
>>> review(queue, [("d1-001", False)], drills_done=4)
>>> queue["d1-001"]["box"], queue["d1-001"]["due"]
(1, 4)
>>> review(queue, [("d1-001", True)], drills_done=5)
>>> queue["d1-001"]["box"], queue["d1-001"]["due"]
(2, 6)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["BOX_DELAY", "LAST_BOX", "due_ids", "review"]

#: Drills to skip before a question in each box comes back.
BOX_DELAY = {1: 0, 2: 1, 3: 3}
LAST_BOX = max(BOX_DELAY)


def review(
    queue: dict[str, dict[str, Any]],
    outcomes: Iterable[tuple[str, bool]],
    drills_done: int,
    when: str | None = None,
) -> None:
    """Update ``queue`` in place with ``(question id, right?)`` outcomes.

    ``drills_done`` counts the drills recorded so far, including the one these outcomes
    come from (an exam's outcomes use the count as it stands). A question is due again
    when that count reaches its ``due``.
    """
    for qid, right in outcomes:
        entry = queue.get(qid)
        if not right:
            misses = int(entry.get("misses", 0)) + 1 if entry else 1
            queue[qid] = {"box": 1, "due": drills_done + BOX_DELAY[1], "misses": misses}
        elif entry is None:
            continue  # a right answer to a question not in the queue changes nothing
        else:
            box = int(entry.get("box", 1)) + 1
            if box > LAST_BOX:
                del queue[qid]
                continue
            entry.update(box=box, due=drills_done + BOX_DELAY[box])
        if when is not None and qid in queue:
            queue[qid]["last_seen"] = when


def due_ids(queue: Mapping[str, Mapping[str, Any]], drills_done: int) -> list[str]:
    """Ids due for review after ``drills_done`` drills: lowest box first, then most overdue."""
    due = [
        (int(entry.get("box", 1)), int(entry.get("due", 0)), qid)
        for qid, entry in queue.items()
        if int(entry.get("due", 0)) <= drills_done
    ]
    return [qid for _, _, qid in sorted(due)]
