"""Figures from anonymised facts, with a k-anonymity floor: a group of fewer than k is shown
as suppressed, never as its number, and no total is given that would let it be worked out."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select

from ..db import CharterSession
from ..errors import InvalidInput
from ..models import AnonymousFact
from ..runtime import Runtime

DIMENSIONS = ("category", "source", "month", "language")


@dataclass(frozen=True)
class Cell:
    key: tuple[str, ...]
    count: int | None
    """None: fewer than k, suppressed"""


def statistics(session: CharterSession, runtime: Runtime, by: list[str], *,
               k: int | None = None) -> list[Cell]:
    """Counts of anonymised records grouped ``by`` category, source, month, language or a
    kept field (``field:NAME``); groups under k suppressed. ``k`` may raise the policy's
    floor, never lower it."""
    floor = max(k or 0, runtime.policy.statistics.minimum_cell)
    unknown = [d for d in by if d not in DIMENSIONS and not d.startswith("field:")]
    if not by or unknown:
        raise InvalidInput(f"by: one or more of {', '.join(DIMENSIONS)} or field:NAME")
    rows = session.execute(select(
        AnonymousFact.category, AnonymousFact.source, AnonymousFact.month,
        AnonymousFact.language, AnonymousFact.kept, func.count()).where(
        AnonymousFact.organization_id == runtime.organization_id).group_by(
        AnonymousFact.category, AnonymousFact.source, AnonymousFact.month,
        AnonymousFact.language, AnonymousFact.kept))
    counts: dict[tuple[str, ...], int] = {}
    for category, source, month, language, kept, count in rows:
        known = {"category": category, "source": source, "month": month,
                 "language": language, **{f"field:{n}": str(v)
                                          for n, v in json.loads(kept).items()}}
        key = tuple(known.get(d, "") for d in by)
        counts[key] = counts.get(key, 0) + int(count)
    return [Cell(key, n if n >= floor else None) for key, n in sorted(counts.items())]
