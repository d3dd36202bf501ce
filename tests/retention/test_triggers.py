"""Triggers under the test school's policy: a withdrawal ends the purpose it served, a rule
counting from the withdrawal starts then, the end of a contract starts its clock; Charter's
own by-products go when their time is up. (Restriction: see test_edges.py.)"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import func, select, update

from charter.cli import main
from charter.complaints.service import ComplaintInput, close, record_complaint
from charter.mail.service import queue_message
from charter.models import (
    Complaint,
    CookieConsent,
    OutboxMessage,
    Record,
    RightsRequest,
    Subject,
    utcnow,
)
from charter.retention.sweep import sweep
from charter.rights.intake import open_request
from charter.runtime import Runtime
from charter.subjects import RecordInput, store_subject_data

from ..factories import policy_with
from .conftest import READER, known, reader, withdraw

EMAIL = READER


def test_a_withdrawal_ends_the_purpose_it_served(runtime: Runtime) -> None:
    reader(runtime)
    assert sweep(runtime).deleted == 0  # subscribed: the newsletter holds the address
    withdraw(runtime)
    report = sweep(runtime)
    assert report.deleted == 1 and report.people_removed == 1 and not known(runtime)


def test_a_rule_counting_from_the_withdrawal(runtime: Runtime, tmp_path: Path) -> None:
    grace = policy_with(runtime, tmp_path, (
        "    retention: prospects\nretention_rules:",
        "    retention: after_withdrawal\nretention_rules:\n"
        "  - {id: after_withdrawal, duration: 30 days, trigger: consent_withdrawn, "
        "action: delete}"))
    reader(grace)
    with grace.transaction() as session:
        [record] = session.scalars(select(Record).where(
            Record.organization_id == grace.organization_id)).all()
        assert record.retention_due_at is None  # while the consent stands
    withdraw(grace)
    assert sweep(grace).deleted == 0  # thirty days of grace
    assert sweep(grace, now=utcnow() + timedelta(days=31)).deleted == 1


def test_the_end_of_a_contract_starts_its_clock(runtime: Runtime,
                                                cli_args: list[str]) -> None:
    email = "student@example.org"
    with runtime.transaction() as session:  # enrolled: courses, 2 years after the contract
        store_subject_data(session, runtime, email=email, records=[
            RecordInput("contact", {"email": email}, "enrolment"),
            RecordInput("language_profile", {"target_language": "nl"}, "enrolment")],
            actor="test")
    assert sweep(runtime).deleted == 0
    ended = (datetime.now(UTC) - timedelta(days=800)).date().isoformat()
    result = CliRunner().invoke(main, [*cli_args, "retention", "mark", email,
                                       "--contract-end", ended])
    assert result.exit_code == 0, result.output
    assert "2 record(s) rescheduled" in result.output
    # the language profile served the courses only; the contact also serves invoicing
    assert sweep(runtime).deleted == 1
    with runtime.transaction() as session:
        left = session.scalars(select(Record.category).where(
            Record.organization_id == runtime.organization_id)).all()
    assert left == ["contact"]
    both = CliRunner().invoke(main, [*cli_args, "retention", "mark", "x@example.org"])
    assert both.exit_code != 0 and "exactly one" in both.output


def test_charters_own_by_products_go_when_their_time_is_up(runtime: Runtime) -> None:
    old, recent = utcnow() - timedelta(days=400), utcnow() - timedelta(days=5)
    with runtime.transaction() as session:
        for _ in range(2):
            queue_message(session, runtime, kind="preferences_link", to="a@example.org",
                          language="en", context={"preferences_url": "https://x/p"})
        for made in (old, recent):
            session.add(CookieConsent(organization_id=runtime.organization_id,
                                      consent_id="c" * 36, policy_version="v", action="accept",
                                      choices="{}", vendors="{}", language="en",
                                      created_at=made))
        for email in ("closed.long.ago@example.org", "closed.lately@example.org",
                      "still.open@example.org"):
            open_request(session, runtime, kind="access", email=email, channel="email",
                         actor="test")
    with runtime.transaction() as session:
        org = runtime.organization_id
        mails = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.organization_id == org))
        first = session.scalar(select(func.min(OutboxMessage.id)).where(
            OutboxMessage.organization_id == org))
        session.execute(update(OutboxMessage).where(OutboxMessage.organization_id == org)
                        .values(status="sent", sent_at=recent))
        session.execute(update(OutboxMessage).where(OutboxMessage.organization_id == org,
                                                    OutboxMessage.id == first)
                        .values(sent_at=old))
        requests = list(session.scalars(select(RightsRequest).where(
            RightsRequest.organization_id == org).order_by(RightsRequest.id)))
        requests[0].status, requests[0].closed_at = "fulfilled", utcnow() - timedelta(days=1200)
        requests[1].status, requests[1].closed_at = "fulfilled", recent
        for received, reason in ((utcnow() - timedelta(days=6 * 365), "withdrawn in 2020"),
                                 (utcnow() - timedelta(days=6 * 365), ""),
                                 (recent, "withdrawn")):
            complaint = record_complaint(session, runtime, ComplaintInput(
                channel="email", statement="You kept mailing me", name="A. Person",
                received_on=received.date().isoformat()), actor="test")
            if reason:  # closed; the second one stays open: it is still owed an answer
                close(session, runtime, complaint, reason=reason, actor="test")
    report = sweep(runtime)
    assert report.by_products["closed_complaints"] == 1
    assert report.by_products["outbox_messages"] == 1
    assert report.by_products["cookie_consents"] == 1
    assert report.by_products["closed_requests"] == 1
    with runtime.transaction() as session:
        org = runtime.organization_id
        left = [r.status for r in session.scalars(select(RightsRequest).where(
            RightsRequest.organization_id == org).order_by(RightsRequest.id))]
        # the one closed lately, and the one still waiting for its address to be confirmed
        # (``open`` before the DRP lifecycle, ``in_progress`` with it)
        assert left[0] == "fulfilled" and left[1] in ("open", "in_progress") and len(left) == 2
        kept = session.scalars(select(Complaint.status).where(
            Complaint.organization_id == org).order_by(Complaint.id)).all()
        assert kept == ["open", "closed"]  # the recent one, and the old one still open
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.organization_id == org)) == mails - 1
        assert session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == org)) == 0
