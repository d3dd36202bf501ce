"""The sweep: delete or anonymise, in batches, what the policy no longer allows to keep.

Each batch is one transaction that removes its rows and writes its evidence (rule, counts,
a hash over the ids) together: a crash loses at most the batch in flight, which the next run
takes again, and nothing is counted twice. The state is the data itself — what is due is
what the query finds — so a rerun simply carries on, and a second sweep running at the same
time takes other rows (``SKIP LOCKED`` on PostgreSQL; SQLite runs one writer at a time)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, delete, func, or_, select

from ..audit import record_event
from ..db import CharterSession
from ..models import ConsentState, Record, RightsRequest, Subject, utcnow
from ..rights.lifecycle import UNRESOLVED
from ..runtime import Runtime
from ..subjects.removal import remove_subjects
from .anonymise import anonymise
from .byproducts import BY_PRODUCTS, purge
from .schedule import NO_PURPOSE, fingerprint, rule_action
from .triggers import reschedule_records

Progress = Callable[[str, int], None]
"""(stage, rows done in this batch) — for a progress bar"""
STANDING = ("granted", "pending")
LEGAL_HOLD_ENDED = "legal_hold_ended"


def restricted_on_request(organization_id: int) -> Select[int | None]:
    """People who asked for their data to be kept but not used (Art. 18(1)(c): they may need
    it for a legal claim): no sweep touches it from the moment they ask until the
    restriction is lifted."""
    asked = RightsRequest.status.in_(UNRESOLVED)
    in_force = (RightsRequest.status == "fulfilled") & RightsRequest.stage.in_(
        ("done", "lifting"))
    return select(RightsRequest.subject_id).where(
        RightsRequest.organization_id == organization_id, RightsRequest.kind == "restriction",
        asked | in_force, RightsRequest.subject_id.is_not(None))


def due_records(organization_id: int, now: datetime, version: str) -> ColumnElement[bool]:
    """Past their retention and held by no law — or kept after an erasure only for a legal
    hold that has now ended."""
    not_held = or_(Record.legal_hold_until.is_(None), Record.legal_hold_until <= now)
    condition: ColumnElement[bool] = and_(
        Record.organization_id == organization_id, Record.schedule == version,
        Record.subject_id.not_in(restricted_on_request(organization_id)),
        or_(and_(Record.retention_due_at <= now, not_held),
            and_(Record.restricted.is_(True), Record.legal_hold_until <= now)))
    return condition


@dataclass
class SweepReport:
    rescheduled: int = 0
    deleted: int = 0
    anonymised: int = 0
    people_removed: int = 0
    by_products: dict[str, int] = field(default_factory=dict)


def ids_hash(ids: list[int]) -> str:
    """Evidence of which rows went, without them: the same ids give the same hash."""
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


def _reschedule_batch(session: CharterSession, runtime: Runtime, version: str,
                      limit: int, after: int) -> list[int]:
    """Reschedule the next records after id ``after``; the ids done."""
    stale = list(session.scalars(select(Record).where(
        Record.organization_id == runtime.organization_id, Record.schedule != version,
        Record.id > after).order_by(Record.id).limit(limit)
        .with_for_update(skip_locked=True)))  # a contact being stored now is not undone
    reschedule_records(session, runtime, stale)
    return [r.id for r in stale]


def _records_batch(session: CharterSession, runtime: Runtime, now: datetime, version: str,
                   limit: int, after: int, actor: str, report: SweepReport) -> list[int]:
    """Sweep the next due records after id ``after`` (a keyset: rows kept are not read
    again by the same run); the ids dealt with."""
    batch = session.execute(select(Record.id, Record.subject_id, Record.category,
                                   Record.retention_rule, Record.restricted).where(
        due_records(runtime.organization_id, now, version), Record.id > after)
        .order_by(Record.id).limit(limit).with_for_update(skip_locked=True)).all()
    if not batch:
        return []
    groups: dict[tuple[str, str, str], list[int]] = {}
    for record_id, _subject, category, rule, restricted in batch:
        # kept after an erasure only for the law: its end means deletion, never statistics
        name = LEGAL_HOLD_ENDED if restricted else rule or NO_PURPOSE
        action = "delete" if restricted else rule_action(runtime.policy, name)
        groups.setdefault((name, action, category), []).append(record_id)
    for (name, action, category), ids in groups.items():
        if action == "anonymise":
            anonymise(session, runtime, list(session.scalars(select(Record).where(
                Record.organization_id == runtime.organization_id, Record.id.in_(ids)))))
            report.anonymised += len(ids)
        session.execute(delete(Record).where(Record.organization_id == runtime.organization_id,
                                             Record.id.in_(ids)),
                        execution_options={"synchronize_session": False})
        report.deleted += len(ids) if action == "delete" else 0
        record_event(session, runtime.organization_id, actor=actor, action="retention.swept",
                     target=f"rule:{name}", details={
                         "category": category, "action": action, "count": len(ids),
                         "ids_sha256": ids_hash(ids)})
    subjects = sorted({subject for _id, subject, *_rest in batch})
    report.people_removed += _remove_emptied(session, runtime, subjects, actor)
    return [record_id for record_id, *_rest in batch]


def _emptied(organization_id: int) -> ColumnElement[bool]:
    """A person with no record left, no standing consent and no open request."""
    org = organization_id
    keep = select(Record.subject_id).where(Record.organization_id == org,
                                            Record.subject_id == Subject.id)
    consenting = select(ConsentState.subject_id).where(
        ConsentState.organization_id == org, ConsentState.subject_id == Subject.id,
        ConsentState.status.in_(STANDING))
    asking = select(RightsRequest.subject_id).where(
        RightsRequest.organization_id == org, RightsRequest.subject_id == Subject.id,
        RightsRequest.status.in_(UNRESOLVED))
    condition: ColumnElement[bool] = and_(Subject.organization_id == org, ~keep.exists(),
                                          ~consenting.exists(), ~asking.exists())
    return condition


def _remove_emptied(session: CharterSession, runtime: Runtime, subject_ids: list[int],
                    actor: str) -> int:
    """Remove the people of ``subject_ids`` left with nothing. A person whose row is locked
    (a form storing their data right now) is skipped: the next sweep sees them again."""
    org = runtime.organization_id
    emptied = list(session.scalars(select(Subject.id).where(
        _emptied(org), Subject.id.in_(subject_ids)).with_for_update(skip_locked=True)))
    if emptied:
        remove_subjects(session, runtime, emptied)
        record_event(session, org, actor=actor, action="retention.people_removed",
                     details={"count": len(emptied), "ids_sha256": ids_hash(emptied)})
    return len(emptied)


def sweep(runtime: Runtime, *, batch_size: int = 500, now: datetime | None = None,
          actor: str = "system", progress: Progress | None = None) -> SweepReport:
    """Reschedule what follows an older policy, then sweep records, then by-products."""
    moment = now or utcnow()
    version = fingerprint(runtime.policy)
    report = SweepReport()
    step = progress or (lambda stage, n: None)
    after = 0
    while True:
        with runtime.transaction() as session:
            ids = _reschedule_batch(session, runtime, version, batch_size, after)
        if not ids:
            break
        after = ids[-1]
        report.rescheduled += len(ids)
        step("rescheduled", len(ids))
    after = 0
    while True:
        with runtime.transaction() as session:
            ids = _records_batch(session, runtime, moment, version, batch_size, after, actor,
                                 report)
        if not ids:
            break
        after = ids[-1]
        step("records", len(ids))
    after = 0
    while True:  # people emptied otherwise: a consent withdrawn, a request closed
        with runtime.transaction() as session:
            people = list(session.scalars(select(Subject.id).where(
                _emptied(runtime.organization_id), Subject.id > after)
                .order_by(Subject.id).limit(batch_size)))
            if people:
                report.people_removed += _remove_emptied(session, runtime, people, actor)
        if not people:
            break
        after = people[-1]
        step("people", len(people))
    for item in BY_PRODUCTS:
        while True:
            with runtime.transaction() as session:
                ids = purge(session, runtime, item, moment, batch_size)
                if ids:
                    record_event(session, runtime.organization_id, actor=actor,
                                 action="retention.swept", target=f"by_product:{item.name}",
                                 details={"count": len(ids), "ids_sha256": ids_hash(ids)})
            if not ids:
                break
            report.by_products[item.name] = report.by_products.get(item.name, 0) + len(ids)
            step(item.name, len(ids))
            if item.purge is not None:
                break  # such purges take every row due at once
    return report


def count_due_records(session: CharterSession, runtime: Runtime, now: datetime) -> int:
    version = fingerprint(runtime.policy)
    return session.scalar(select(func.count()).select_from(Record).where(
        due_records(runtime.organization_id, now, version))) or 0
