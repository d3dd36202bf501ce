"""A store run under Qualifio's policy (prospects: 3 years after the last contact; contracts:
10 years after their end, and a legal hold on contract records), with people seeded across
its rules at dates chosen so that some are due and some are not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from charter.consent.service import record_consent, withdraw_all
from charter.models import Subject, utcnow
from charter.runtime import Runtime, open_runtime
from charter.subjects import RecordInput, find_subject, store_subject_data

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "charter" / "examples"


@pytest.fixture
def qualifio(runtime: Runtime) -> Runtime:
    settings = runtime.settings.model_copy(update={"policy": EXAMPLES / "qualifio.yaml"})
    return open_runtime(settings, engine=runtime.engine)


def years_ago(years: float) -> datetime:
    return utcnow() - timedelta(days=round(365.25 * years))


def store(runtime: Runtime, email: str, *records: RecordInput) -> Subject:
    with runtime.transaction() as session:
        return store_subject_data(session, runtime, email=email, records=list(records),
                                  actor="test")


def prospect(runtime: Runtime, email: str, last_contact: datetime) -> Subject:
    """Asked for a demo, then nothing: prospecting keeps them 3 years after the last contact."""
    return store(runtime, email,
                 RecordInput("contact", {"email": email}, "demo_request",
                             collected_at=last_contact, last_contact_at=last_contact),
                 RecordInput("professional", {"company": "Atelier", "job_title": "CMO"},
                             "demo_request", collected_at=last_contact,
                             last_contact_at=last_contact))


@dataclass(frozen=True)
class Customer:
    subject: Subject
    contract_end: datetime


def customer(runtime: Runtime, email: str, contract_end: datetime | None) -> Subject:
    """Signed up for the platform: contract records, 10 years after the contract's end."""
    start = datetime(2012, 1, 10, tzinfo=UTC)
    return store(runtime, email,
                 RecordInput("contact", {"email": email}, "account_signup",
                             collected_at=start, last_contact_at=start,
                             contract_end_at=contract_end),
                 RecordInput("billing", {"billing_company": "Mediahuis", "vat_number":
                                         "BE0999888777"}, "account_signup",
                             collected_at=start, last_contact_at=start,
                             contract_end_at=contract_end))


READER = "lena@example.org"


def reader(runtime: Runtime) -> Subject:
    """A newsletter reader who signed up on the form and nothing else."""
    with runtime.transaction() as session:
        subject = store_subject_data(session, runtime, email=READER, records=[RecordInput(
            "contact", {"email": READER}, "newsletter_signup")], actor="test")
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="double_opt_in", actor="test")
        return subject


def withdraw(runtime: Runtime, email: str = READER) -> None:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=email)
        assert subject is not None
        withdraw_all(session, runtime, subject, method="unsubscribe_link", actor="test")


def known(runtime: Runtime, email: str = READER) -> bool:
    with runtime.transaction() as session:
        return find_subject(session, runtime, email=email) is not None
