"""Due dates move with their triggers: a new contact with the person moves "last contact" on
all their records, a withdrawn consent starts the clock of the purpose it served, the end of
a contract or the closing of an account starts theirs. Each move reschedules the person's
records at once; a changed policy reschedules everyone before the next sweep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from ..audit import record_event
from ..db import CharterSession
from ..errors import InvalidInput
from ..models import ConsentState, Record, Subject, utcnow
from ..policy import Policy
from ..runtime import Runtime
from .schedule import TriggerDates, applicable, fingerprint, legal_hold_until, retention_due

ENDED = ("withdrawn", "objected", "gpc", "dnt")
MOVABLE = {"contract_end": "contract_end_at", "account_closed": "account_closed_at"}


def _consents(session: CharterSession, organization_id: int,
              subject_ids: list[int]) -> dict[int, dict[str, datetime | None]]:
    """Per person and purpose: when their consent ended (on every channel), or None while it
    stands on one."""
    states: dict[int, dict[str, list[tuple[str, datetime]]]] = {}
    rows = session.execute(select(ConsentState.subject_id, ConsentState.purpose,
                                  ConsentState.status, ConsentState.since).where(
        ConsentState.organization_id == organization_id,
        ConsentState.subject_id.in_(subject_ids)))
    for subject_id, purpose, status, since in rows:
        states.setdefault(subject_id, {}).setdefault(purpose, []).append((status, since))
    return {subject_id: {purpose: None if any(s not in ENDED for s, _ in found)
                         else max(when for _, when in found)
                         for purpose, found in purposes.items()}
            for subject_id, purposes in states.items()}


def schedule(policy: Policy, record: Record, consents: dict[str, datetime | None],
             version: str) -> None:
    dates = TriggerDates(collected=record.collected_at, last_contact=record.last_contact_at,
                         contract_end=record.contract_end_at,
                         account_closed=record.account_closed_at,
                         consent_withdrawn=consents)
    purposes = applicable(policy, record.category, record.source, consents)
    record.retention_due_at, record.retention_rule = retention_due(
        policy, record.category, dates, purposes)
    record.legal_hold_until = legal_hold_until(policy, record.category, dates, purposes)
    record.schedule = version


def reschedule_records(session: CharterSession, runtime: Runtime,
                       records: list[Record]) -> None:
    """Recompute the dates of these records (of one or many people)."""
    if not records:
        return
    subject_ids = sorted({r.subject_id for r in records})
    consents = _consents(session, runtime.organization_id, subject_ids)
    version = fingerprint(runtime.policy)
    for record in records:
        schedule(runtime.policy, record, consents.get(record.subject_id, {}), version)
    session.flush()


def _records_of(session: CharterSession, runtime: Runtime, subject_id: int) -> list[Record]:
    # not through charter.subjects: storing a person's data reschedules it (no import loop)
    return list(session.scalars(select(Record).where(
        Record.organization_id == runtime.organization_id, Record.subject_id == subject_id)))


def reschedule_subject(session: CharterSession, runtime: Runtime, subject_id: int) -> None:
    reschedule_records(session, runtime, _records_of(session, runtime, subject_id))


def contact_made(session: CharterSession, runtime: Runtime, subject: Subject,
                 when: datetime | None = None) -> None:
    """A new contact: "last contact" moves on every record of the person, never back."""
    moment = when or utcnow()
    session.execute(update(Record).where(
        Record.organization_id == runtime.organization_id, Record.subject_id == subject.id,
        Record.last_contact_at < moment).values(last_contact_at=moment)
        .execution_options(synchronize_session="fetch"))
    reschedule_subject(session, runtime, subject.id)


def mark_trigger(session: CharterSession, runtime: Runtime, subject: Subject, trigger: str,
                 when: datetime, *, actor: str) -> int:
    """The contract ended or the account was closed (staff, the CLI, an import): the clocks
    of the rules counting from it start. Returns the number of records rescheduled."""
    if trigger not in MOVABLE:
        raise InvalidInput(f"trigger: one of {', '.join(MOVABLE)}")
    if when > utcnow():
        raise InvalidInput(f"{trigger}: not in the future")
    records = _records_of(session, runtime, subject.id)
    for record in records:
        setattr(record, MOVABLE[trigger], when)
    reschedule_records(session, runtime, records)
    record_event(session, runtime.organization_id, actor=actor, action="retention.trigger",
                 target=f"subject:{subject.id}",
                 details={"trigger": trigger, "on": when.date().isoformat()})
    return len(records)
