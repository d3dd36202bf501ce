"""Every system that holds personal data answers requests through one interface — find and
export, erase or anonymise, restrict and lift, rectify — the way httpx pairs a transport
interface with its implementations. The built-in store is the first implementation; a
system without one (a manual system, or one whose connector is not configured) is answered
by a person, who attests what was done."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete

from ..collect.fields import declared_field
from ..consent.repository import events_of
from ..db import CharterSession
from ..errors import InvalidInput
from ..i18n import N_
from ..models import (
    ConsentEvent,
    ConsentState,
    MailLink,
    ParentalConsent,
    Record,
    RecordRevision,
    Subject,
    SubjectContact,
    Submission,
    utcnow,
)
from ..policy import Policy
from ..policy.processing import System
from ..runtime import Runtime
from ..subjects.removal import purge_mail_of, remove_subject
from ..subjects.repository import records_of, subject_by_id
from ..subjects.service import change_address


@dataclass(frozen=True)
class Person:
    """Who a request is about, in the forms a system may look people up by."""

    email: str
    email_index: str
    subject_id: int | None = None
    phone: str | None = None
    request: str | None = None
    """the reference of the request it is asked for: a webhook quotes it, and its answer
    comes back to it"""


@dataclass(frozen=True)
class Change:
    """One rectification: a field of a data category, and its new value."""

    category: str
    field: str
    value: str

    @classmethod
    def parse(cls, text: str) -> Change:
        """``CATEGORY.FIELD=VALUE``."""
        target, sep, value = text.strip().partition("=")
        category, dot, name = target.partition(".")
        if not sep or not dot or not category or not name:
            raise InvalidInput(f"change: CATEGORY.FIELD=VALUE, got {text.strip()!r}")
        return cls(category=category.strip(), field=name.strip(), value=value.strip())


@dataclass
class SystemAnswer:
    found: bool
    data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    """what was erased, restricted or changed, in words for the person's answer"""
    held: list[str] = field(default_factory=list)
    """what the law made us keep: "category|until" """
    categories: list[str] = field(default_factory=list)
    """the data categories the action touched (to tell their recipients, Art. 19)"""
    undo: dict[str, Any] = field(default_factory=dict)
    """what a restriction set, so that lifting it unsets exactly that and nothing held for
    another reason (a legal hold, a child's sign-up)"""


class Awaiting(Exception):
    """The system answers later: its part waits (for a person, or for a callback)."""


class AwaitingPerson(Awaiting):
    """The system is answered by a person (a manual system): the part waits for them."""


class Connector(Protocol):
    def find(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        """Whether the system holds the person, and in which categories; reads only."""
        ...

    def export(self, session: CharterSession, runtime: Runtime, person: Person, *,
               provided_only: bool) -> SystemAnswer: ...

    def erase(self, session: CharterSession, runtime: Runtime,
              person: Person) -> SystemAnswer: ...

    def restrict(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        ...

    def lift(self, session: CharterSession, runtime: Runtime, person: Person,
             restricted: SystemAnswer) -> SystemAnswer: ...

    def rectify(self, session: CharterSession, runtime: Runtime, person: Person,
                changes: list[Change], *, actor: str) -> SystemAnswer: ...


class PersonAnswers:
    """A system answered by the people in charge of it (the policy's `responsible`)."""

    def __init__(self, system: System) -> None:
        self.system = system

    def export(self, *args: Any, **kwargs: Any) -> SystemAnswer:
        raise AwaitingPerson(self.system.id)

    find = erase = restrict = lift = rectify = export


def portable_categories(policy: Policy) -> set[str]:
    """Art. 20(1): data processed on consent or on a contract; not, say, invoices kept
    because the law obliges us to."""
    return {c for p in policy.purposes if p.legal_basis in ("consent", "contract")
            for c in p.categories}


def _serialisable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class BuiltinStore:
    """Charter's own encrypted store."""

    def __init__(self, system: System) -> None:
        self.system = system

    def _subject(self, session: CharterSession, runtime: Runtime,
                 person: Person) -> Subject | None:
        if person.subject_id is None:
            return None
        return subject_by_id(session, runtime.organization_id, person.subject_id)

    def _records(self, session: CharterSession, runtime: Runtime,
                 subject: Subject) -> list[Record]:
        mine = set(self.system.categories) or None
        return records_of(session, runtime.organization_id, subject.id, mine)

    def find(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        records = self._records(session, runtime, subject)
        return SystemAnswer(found=True, categories=sorted({r.category for r in records}))

    def export(self, session: CharterSession, runtime: Runtime, person: Person, *,
               provided_only: bool) -> SystemAnswer:
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        policy = runtime.policy
        provided = {p.id for p in policy.collection_points if p.kind in ("form", "api")}
        portable = portable_categories(policy)
        answer = SystemAnswer(found=True)
        for record in self._records(session, runtime, subject):
            if provided_only and (record.source not in provided
                                  or record.category not in portable):
                continue
            row = {"source": record.source, "collected_at": _serialisable(record.collected_at),
                   "last_contact_at": _serialisable(record.last_contact_at),
                   **runtime.cipher.unseal(record)}
            answer.data.setdefault(record.category, []).append(row)
        if not provided_only:
            answer.data["consents"] = [
                {"receipt": e.receipt_id, "purpose": e.purpose, "channel": e.channel,
                 "action": e.action, "method": e.method, "at": e.occurred_at.isoformat(),
                 "policy_version": e.policy_version}
                for e in events_of(session, runtime.organization_id, subject.id)]
        return answer

    def erase(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        """Delete everything, except records a legal hold keeps: those stay, restricted."""
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        now = utcnow()
        answer = SystemAnswer(found=True)
        records = self._records(session, runtime, subject)
        answer.categories = sorted({r.category for r in records})
        held = [r for r in records
                if r.legal_hold_until is not None and r.legal_hold_until > now]
        if not held:
            answer.done.append(N_("all your data in our own database"))
            remove_subject(session, runtime, subject)
            return answer
        org = runtime.organization_id
        for record in records:
            if record in held:
                record.restricted = True
                continue
            session.delete(record)
        for model in (ConsentState, ConsentEvent, Submission, MailLink, ParentalConsent,
                      SubjectContact):
            session.execute(delete(model).where(model.organization_id == org,
                                                model.subject_id == subject.id))
        purge_mail_of(session, runtime, subject.id)
        subject.restricted_at = subject.restricted_at or now
        answer.done.append(N_("everything else in our own database"))
        for category in sorted({r.category for r in held}):
            until = max(r.legal_hold_until for r in held if r.category == category
                        and r.legal_hold_until is not None)
            answer.held.append(f"{category}|{until.date().isoformat()}")
        session.flush()
        return answer

    def restrict(self, session: CharterSession, runtime: Runtime, person: Person) -> SystemAnswer:
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        records = self._records(session, runtime, subject)
        undo = {"records": [r.id for r in records if not r.restricted],
                "subject": subject.restricted_at is None}
        subject.restricted_at = subject.restricted_at or utcnow()
        for record in records:
            record.restricted = True
        return SystemAnswer(found=True, done=[N_("our own database")],
                            categories=sorted({r.category for r in records}), undo=undo)

    def lift(self, session: CharterSession, runtime: Runtime, person: Person,
             restricted: SystemAnswer) -> SystemAnswer:
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        mine = set(restricted.undo.get("records", []))
        for record in self._records(session, runtime, subject):
            if record.id in mine:
                record.restricted = False
        if restricted.undo.get("subject"):
            subject.restricted_at = None
        return SystemAnswer(found=True, done=[N_("our own database")])

    def rectify(self, session: CharterSession, runtime: Runtime, person: Person,
                changes: list[Change], *, actor: str) -> SystemAnswer:
        subject = self._subject(session, runtime, person)
        if subject is None:
            return SystemAnswer(found=False)
        answer = SystemAnswer(found=True)
        for record in self._records(session, runtime, subject):
            mine = [c for c in changes if c.category == record.category]
            if not mine:
                continue
            before = runtime.cipher.unseal(record)
            after = {**before, **{c.field: c.value for c in mine}}
            if after == before:
                continue
            revision = RecordRevision(organization_id=runtime.organization_id,
                                      record_id=record.id, uid=uuid.uuid4().hex,
                                      changed_by=actor)
            runtime.cipher.seal(revision, before)
            session.add(revision)
            runtime.cipher.seal(record, after)
            answer.done.extend(f"{c.category}: {c.field}" for c in mine)
            for change in mine:
                if declared_field(runtime.policy, change.category, change.field).type == "email":
                    change_address(session, runtime, subject, change.value)
            answer.categories = sorted({*answer.categories, record.category})
        session.flush()
        return answer


def connector_for(runtime: Runtime, system: System) -> Connector:
    """The connector of a declared system: one configured at run time (by system id), the
    built-in store, an SQL database or a webhook the policy maps, or the people in charge."""
    if system.id in runtime.connectors:
        connector: Connector = runtime.connectors[system.id]
        return connector
    if system.kind == "builtin":
        return BuiltinStore(system)
    from ..systems.registry import configured_connector  # builds on this module

    return configured_connector(system) or PersonAnswers(system)
