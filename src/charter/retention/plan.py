"""The dry run: what a sweep would remove now — counts per rule, category and system, the
oldest due — what is past its retention but held by law and why, how many records follow
an older policy and will be rescheduled first, Charter's own by-products, and the declared
systems outside Charter's store that hold data under a rule but that no sweep reaches (and
who must apply the rules there). It writes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, select

from ..db import CharterSession
from ..models import Record, utcnow
from ..policy import Policy
from ..policy.processing import System
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


@dataclass(frozen=True)
class NotSweptLine:
    """A system outside Charter's store that holds categories under a retention rule: the
    sweep deletes nothing there, so the plan says who must."""

    system: str
    kind: str
    categories: list[str]
    """the categories it holds that a purpose's retention rule governs"""
    who: str


BY_REQUEST_ONLY = "not swept by Charter: erase by request only"


def _who(system: System) -> str:
    if system.kind != "manual":
        return BY_REQUEST_ONLY
    staff = list(system.responsible)
    if system.manual is not None:
        staff += [str(a) for a in system.manual.assignees]
        staff += [f"role {r}" for r in system.manual.roles]
    return "not swept by Charter: the rules are applied by hand by " + (
        ", ".join(staff) or "those who handle requests")


def not_swept(policy: Policy) -> list[NotSweptLine]:
    """Every declared system but the built-in store, with the categories it holds that a
    retention rule governs: Charter reaches those systems for requests, never for sweeps."""
    ruled = {c for p in policy.purposes if p.retention for c in p.categories}
    lines = []
    for system in policy.systems:
        held = [c for c in system.categories if c in ruled]
        if system.kind != "builtin" and held:
            lines.append(NotSweptLine(system.id, system.kind, held, _who(system)))
    return lines


@dataclass
class RetentionPlan:
    at: datetime
    due: list[DueLine] = field(default_factory=list)
    held: list[HeldLine] = field(default_factory=list)
    to_reschedule: int = 0
    by_products: list[tuple[str, str, int]] = field(default_factory=list)
    not_swept: list[NotSweptLine] = field(default_factory=list)

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
    result.not_swept = not_swept(policy)
    return result
