"""Subjects and their records: stored encrypted, found by blind index, every view audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from email_validator import EmailNotValidError, validate_email

from ..audit import record_event
from ..crypto import normalise_phone
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..models import Record, Subject, SubjectContact, utcnow
from ..retention.triggers import contact_made
from ..runtime import Runtime
from . import repository


def valid_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidInput(f"email: {exc}") from None


@dataclass
class RecordInput:
    category: str
    fields: dict[str, Any]
    source: str
    collected_at: datetime | None = None
    last_contact_at: datetime | None = None
    contract_end_at: datetime | None = None


@dataclass
class SubjectView:
    subject_id: int
    language: str
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    hidden_categories: list[str] = field(default_factory=list)


def _check_fields(runtime: Runtime, item: RecordInput) -> None:
    category = runtime.policy.category(item.category)
    if category is None:
        raise InvalidInput(f"category {item.category!r} is not declared in the policy")
    allowed = category.field_names()
    unknown = sorted(set(item.fields) - allowed) if allowed else []
    if unknown:
        raise InvalidInput(f"{item.category}: undeclared field(s) {', '.join(unknown)}")


def find_subject(
    session: CharterSession, runtime: Runtime, *, email: str | None = None, phone: str | None = None
) -> Subject | None:
    org = runtime.organization_id
    if email:
        return repository.subject_by_email_index(session, org, runtime.blind_index.email(email))
    if phone:
        index = runtime.blind_index.phone(phone, region=runtime.policy.organization.country)
        found = repository.subjects_by_phone_index(session, org, index)
        return found[0] if found else None
    raise InvalidInput("give an e-mail address or a phone number")


def ensure_subject(
    session: CharterSession,
    runtime: Runtime,
    *,
    email: str,
    phone: str | None = None,
    language: str | None = None,
) -> tuple[Subject, bool]:
    """The subject with this e-mail, created if new; ``(subject, created)``. Its contact
    details are kept sealed so Charter can write to the person. The language is set when the
    subject is created: anyone may type an address into a form, so a later submission does
    not change how the person is written to."""
    email = valid_email(email)
    phone_e164 = (
        normalise_phone(phone, region=runtime.policy.organization.country) if phone else None
    )
    org = runtime.organization_id
    email_index = runtime.blind_index.email(email)
    subject = repository.subject_by_email_index(session, org, email_index)
    created = subject is None
    if subject is None:
        subject = Subject(
            organization_id=org,
            email_index=email_index,
            language=language or runtime.policy.languages.default,
        )
        session.add(subject)
        session.flush()
    contact = repository.contact_of(session, org, subject.id)
    known = runtime.cipher.unseal(contact) if contact else {}
    if phone_e164:
        subject.phone_index = runtime.blind_index.phone(phone_e164)
    wanted = {"email": email, "phone": phone_e164 or known.get("phone")}
    if wanted != known:
        if contact is None:
            contact = SubjectContact(organization_id=org, subject_id=subject.id)
            session.add(contact)
        runtime.cipher.seal(contact, wanted)
    session.flush()
    return subject, created


def change_address(session: CharterSession, runtime: Runtime, subject: Subject,
                   email: str) -> None:
    """A rectified e-mail address: the person is found, and written to, at the new one."""
    address = valid_email(email)
    index = runtime.blind_index.email(address)
    other = repository.subject_by_email_index(session, runtime.organization_id, index)
    if other is not None and other.id != subject.id:
        raise Conflict("email: another person already uses this address")
    subject.email_index = index
    contact = repository.contact_of(session, runtime.organization_id, subject.id)
    known = runtime.cipher.unseal(contact) if contact else {}
    if contact is None:
        contact = SubjectContact(organization_id=runtime.organization_id, subject_id=subject.id)
        session.add(contact)
    runtime.cipher.seal(contact, {**known, "email": address})
    session.flush()


def contact_of(session: CharterSession, runtime: Runtime, subject: Subject) -> dict[str, Any]:
    """``{"email": ..., "phone": ...}`` of a subject ({} when none is known)."""
    contact = repository.contact_of(session, runtime.organization_id, subject.id)
    value: dict[str, Any] = runtime.cipher.unseal(contact) if contact else {}
    return value


def store_subject_data(
    session: CharterSession,
    runtime: Runtime,
    *,
    email: str,
    phone: str | None = None,
    language: str | None = None,
    records: list[RecordInput],
    actor: str,
) -> Subject:
    """Attach records to the subject with this e-mail (created if new), encrypted."""
    for item in records:
        _check_fields(runtime, item)
    subject, created = ensure_subject(
        session, runtime, email=email, phone=phone, language=language
    )
    now = utcnow()
    stored = [_upsert_record(session, runtime, subject, item, now) for item in records]
    # a new contact moves "last contact" on all the person's records, and their due dates
    contact_made(session, runtime, subject, max((r.last_contact_at for r in stored), default=now))
    record_event(
        session,
        runtime.organization_id,
        actor=actor,
        action="subject.created" if created else "subject.updated",
        target=f"subject:{subject.id}",
        details={"categories": sorted({r.category for r in records})},
    )
    return subject


def _upsert_record(
    session: CharterSession, runtime: Runtime, subject: Subject, item: RecordInput, now: datetime
) -> Record:
    org = runtime.organization_id
    record = repository.record_of(session, org, subject.id, item.category, item.source)
    if record is None:
        record = Record(
            organization_id=org,
            subject_id=subject.id,
            category=item.category,
            source=item.source,
            collected_at=item.collected_at or now,
        )
        session.add(record)
    runtime.cipher.seal(record, item.fields)
    given = item.last_contact_at or now
    record.last_contact_at = max(given, record.last_contact_at) if record.id else given
    if item.contract_end_at:
        record.contract_end_at = item.contract_end_at
    session.flush()
    return record


def view_subject(
    session: CharterSession,
    runtime: Runtime,
    subject_id: int,
    *,
    allowed_categories: set[str] | None,
    actor: str,
    also_shown: list[str] | None = None,
) -> SubjectView:
    """Decrypt what the viewer's role may see, and write down that they saw it.

    ``allowed_categories=None`` means every category (admin, DPO); ``also_shown`` names
    what else the page showed (consents, requests), for the audit event.
    """
    org = runtime.organization_id
    subject = repository.subject_by_id(session, org, subject_id)
    if subject is None:
        raise InvalidInput(f"no subject {subject_id}")
    view = SubjectView(subject_id=subject.id, language=subject.language)
    for record in repository.records_of(session, org, subject.id):
        if allowed_categories is not None and record.category not in allowed_categories:
            if record.category not in view.hidden_categories:
                view.hidden_categories.append(record.category)
            continue
        view.records.setdefault(record.category, []).append(
            {"source": record.source, **runtime.cipher.unseal(record)}
        )
    record_event(
        session,
        org,
        actor=actor,
        action="subject.viewed",
        target=f"subject:{subject.id}",
        details={"categories": sorted(view.records),
                 **({"also": also_shown} if also_shown else {})},
    )
    return view
