"""The dry run: what a sweep would remove now — counts per rule, category and system, the
oldest due — what is past its retention but held by law and why, how many records follow
an older policy and will be rescheduled first, and Charter's own by-products. It writes
nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from ..db import CharterSession
from ..models import Record, utcnow
from ..runtime import Runtime
from .byproducts import BY_PRODUCTS, count_due
from .schedule import NO_PURPOSE, fingerprint, rule_action
from .sweep import LEGAL_HOLD_ENDED, due_records, restricted_on_request


@dataclass(frozen=True)
class DueLine:
    rule: str
    action: str
    category: str
    systems: list[str]
    count: int
    oldest_due: datetime | None


@dataclass(frozen=True)
class HeldLine:
    category: str
    holds: list[str]
    """each law that keeps it: "label (basis)" """
    count: int
    until: datetime | None


@dataclass
class RetentionPlan:
    at: datetime
    due: list[DueLine] = field(default_factory=list)
    held: list[HeldLine] = field(default_factory=list)
    to_reschedule: int = 0
    by_products: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def total_due(self) -> int:
        return sum(line.count for line in self.due)


def plan(session: CharterSession, runtime: Runtime, now: datetime | None = None
         ) -> RetentionPlan:
    moment = now or utcnow()
    policy, org = runtime.policy, runtime.organization_id
    version = fingerprint(policy)
    result = RetentionPlan(at=moment)
    result.to_reschedule = session.scalar(select(func.count()).select_from(Record).where(
        Record.organization_id == org, Record.schedule != version)) or 0
    rows = session.execute(select(Record.retention_rule, Record.category, Record.restricted,
                                  func.count(), func.min(Record.retention_due_at))
                           .where(due_records(org, moment, version))
                           .group_by(Record.retention_rule, Record.category,
                                     Record.restricted))
    for rule, category, restricted, count, oldest in rows:
        name = LEGAL_HOLD_ENDED if restricted else rule or NO_PURPOSE
        action = "delete" if restricted else rule_action(policy, name)
        # records live in Charter's own store, whatever categories its entry lists
        systems = [s.id for s in policy.systems if s.kind == "builtin"] or ["builtin"]
        result.due.append(DueLine(name, action, category, systems, int(count), oldest))
    held = session.execute(select(Record.category, func.count(),
                                  func.max(Record.legal_hold_until)).where(
        Record.organization_id == org, Record.schedule == version,
        and_(Record.retention_due_at <= moment, Record.legal_hold_until > moment))
        .group_by(Record.category))
    for category, count, until in held:
        laws = [f"{h.label.get('en', policy.languages.default)} "
                f"({h.basis.get('en', policy.languages.default)})"
                for h in policy.legal_holds if category in h.categories]
        result.held.append(HeldLine(category, laws, int(count), until))
    asked = session.scalar(select(func.count()).select_from(Record).where(
        Record.organization_id == org, Record.retention_due_at <= moment,
        Record.subject_id.in_(restricted_on_request(org)))) or 0
    if asked:
        result.held.append(HeldLine("(any)", ["restricted at the person's request, Art. 18"],
                                    int(asked), None))
    result.by_products = [(item.name, item.label, count_due(session, runtime, item, moment))
                          for item in BY_PRODUCTS]
    return result
