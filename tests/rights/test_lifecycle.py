"""Where a request stands, in the Data Rights Protocol's words, table-driven from the real
steps of its handling; nothing done for a person before they are verified; an expired
confirmation link; the audit trail of whole requests; staff reminders before the deadline."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import update

from charter.audit.repository import events_about
from charter.cli import main
from charter.consent.service import decide, record_consent
from charter.dates import local_date
from charter.errors import Conflict
from charter.models import MailLink, utcnow
from charter.rights import repository
from charter.rights.endpoints import request_out
from charter.rights.fulfilment import act_if_immediate, attest, decide_objection, fulfil
from charter.rights.intake import (
    ask_for_proof,
    decide_identity,
    deny,
    expire_unverified,
    extend,
    mark_verified,
    open_request,
    receive_proof,
    record_request,
    revoke,
)
from charter.rights.lifecycle import STAGE_STATUS, drp_reason
from charter.runtime import Runtime
from charter.subjects import find_subject

from ..factories import person
from ..smtp import Inbox, link_in, text_of
from .helpers import BASE, ask, ask_and_confirm, deliver, latest, refresh

EMAIL = "sophie.peeters@example.org"
DRP_STATUSES = {"open", "in_progress", "fulfilled", "denied", "expired", "revoked"}


def _start(runtime: Runtime, how: str) -> str:
    with runtime.transaction() as session:
        asked: dict[str, Any] = {"kind": "access", "email": EMAIL, "channel": "web_form",
                                 "actor": "subject"}
        if how == "recorded":
            return record_request(session, runtime, **asked).reference
        if how == "objection":
            asked.update(kind="objection", extra={"purpose": "course_suggestions"})
        found = open_request(session, runtime, **asked,
                             verified_by=None if how == "asked" else "staff:1")
        act_if_immediate(session, runtime, found, actor="staff:1")
        return found.reference


def _step(runtime: Runtime, inbox: Inbox, reference: str, step: str) -> None:
    token = ""
    if step == "proof":  # the person follows the link of the mail asking for proof
        deliver(runtime)
        token = link_in(inbox.messages[-1], "/requests/proof/").rsplit("/", 1)[1]
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        staff: dict[str, Any] = {"actor": "staff:1"}
        if step == "confirm":
            mark_verified(session, runtime, found, actor="subject")
        elif step == "doubt":
            ask_for_proof(session, runtime, found, note="the signature differs", **staff)
        elif step == "proof":
            receive_proof(session, runtime, token, name="id.pdf", media_type="application/pdf",
                          content=b"%PDF-1.4 identity")
        elif step in ("accept", "refuse"):
            decide_identity(session, runtime, found, accepted=step == "accept", **staff)
        elif step == "expire":
            found.created_at = utcnow() - timedelta(days=31)
            session.flush()
            assert expire_unverified(session, runtime) == 1
        elif step == "fulfil":
            fulfil(session, runtime, found, **staff)
        elif step == "attest":
            attest(session, runtime, found, system="accounting", note="checked", **staff)
        elif step == "deny":
            deny(session, runtime, found, reason="The fourth request this month.",
                 code="too_many_requests", **staff)
        elif step == "revoke":
            revoke(session, runtime, found, actor="subject")
        elif step == "reject":
            decide_objection(session, runtime, found, upheld=False,
                             reason="The suggestions are part of the course.", **staff)
        else:
            raise AssertionError(step)


LIFECYCLE = [
    # how it arrives, the steps taken, then: DRP status, Charter's stage, DRP reason
    ("recorded", [], "open", "received", None),
    ("recorded", ["confirm"], "in_progress", "processing", None),
    ("asked", [], "in_progress", "awaiting_verification", "need_user_verification"),
    ("asked", ["confirm"], "in_progress", "processing", None),
    ("asked", ["confirm", "doubt"], "in_progress", "awaiting_proof", "need_user_verification"),
    ("asked", ["doubt", "proof"], "in_progress", "proof_received", "need_user_verification"),
    ("asked", ["doubt", "proof", "accept"], "in_progress", "processing", None),
    ("asked", ["doubt", "proof", "refuse"], "denied", "done", "insuf_verification"),
    ("asked", ["expire"], "expired", "done", None),
    ("vouched", [], "in_progress", "processing", None),
    ("vouched", ["fulfil"], "in_progress", "awaiting_systems", None),
    ("vouched", ["fulfil", "attest"], "fulfilled", "done", None),
    ("vouched", ["deny"], "denied", "done", "too_many_requests"),
    ("vouched", ["revoke"], "revoked", "done", None),
    ("objection", [], "in_progress", "review", None),
    ("objection", ["reject"], "denied", "done", "claim_not_covered"),
]


@pytest.mark.parametrize("how, steps, status, stage, reason", LIFECYCLE)
def test_the_lifecycle_in_the_data_rights_protocol_words(
        full_runtime: Runtime, inbox: Inbox, how: str, steps: list[str], status: str,
        stage: str, reason: str | None) -> None:
    reference = _start(full_runtime, how)
    for step in steps:
        _step(full_runtime, inbox, reference, step)
    found = refresh(full_runtime, reference)
    assert (found.status, found.stage, drp_reason(found)) == (status, stage, reason)
    shown = request_out(full_runtime, found)  # what the API answers
    assert (shown.status, shown.reason) == (status, reason)


def test_every_stage_of_a_request_being_handled_has_a_drp_status() -> None:
    assert set(STAGE_STATUS.values()) == {"open", "in_progress"} < DRP_STATUSES
    assert {row[3] for row in LIFECYCLE} - {"done"} == set(STAGE_STATUS)  # all are tried


def test_the_api_gives_the_drp_reason_and_the_words_of_a_denial(
        mail_client: TestClient, mail_runtime: Runtime, cli_args: list[str]) -> None:
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "app", "--scope",
                                    "requests:write", "--scope", "requests:read"])
    headers = {"Authorization": f"Bearer {key.output.strip()}"}
    created = mail_client.post("/api/v1/requests", headers=headers, json={
        "type": "access", "email": "bram@example.org"}).json()
    assert (created["status"], created["reason"]) == ("in_progress", "need_user_verification")
    assert created["stage"] == "awaiting_verification"
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                created["reference"])
        assert found is not None
        deny(session, mail_runtime, found, reason="We hold nothing under this address.",
             code="no_match", actor="staff:1")
    status = mail_client.get(f"/api/v1/requests/{created['reference']}", headers=headers)
    assert status.json() | {"due_on": None} == created | {
        "status": "denied", "reason": "no_match", "stage": "done", "due_on": None,
        "processing_details": "We hold nothing under this address."}
    other = mail_client.post("/api/v1/requests", headers=headers, json={
        "type": "access", "email": "ann@example.org"}).json()
    with mail_runtime.transaction() as session, pytest.raises(Exception, match="code: one of"):
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                other["reference"])
        assert found is not None
        deny(session, mail_runtime, found, reason="x", code="bored", actor="staff:1")


def test_an_expired_confirmation_link_is_refused(mail_client: TestClient,
                                                 mail_runtime: Runtime, inbox: Inbox) -> None:
    assert ask(mail_client, "access", EMAIL).status_code == 200
    deliver(mail_runtime)
    path = link_in(inbox.messages[-1], "/requests/verify/").removeprefix(BASE)
    with mail_runtime.transaction() as session:  # the seven days have passed
        session.execute(update(MailLink).where(
            MailLink.organization_id == mail_runtime.organization_id,
            MailLink.kind == "verify").values(expires_at=utcnow() - timedelta(seconds=1)))
    assert mail_client.get(path).status_code == 404
    assert mail_client.post(path).status_code == 404
    request = latest(mail_runtime)
    assert (request.stage, request.verified_at) == ("awaiting_verification", None)
    deliver(mail_runtime)
    assert len(inbox.messages) == 1  # no acknowledgement


def _act(runtime: Runtime, reference: str, action: Any, **kwargs: Any) -> None:
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        action(session, runtime, found, actor="staff:1", **kwargs)


def test_nothing_is_done_for_a_person_before_they_are_verified(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    runtime = mail_runtime
    person(runtime, email=EMAIL)
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=EMAIL)
        assert subject is not None
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")
    assert ask(mail_client, "withdrawal", EMAIL).status_code == 200
    withdrawal = latest(runtime)
    assert ask(mail_client, "access", EMAIL).status_code == 200
    access = latest(runtime)
    for reference in (withdrawal.reference, access.reference):
        with pytest.raises(Conflict, match="not verified"):
            _act(runtime, reference, fulfil)
        with pytest.raises(Conflict, match="not verified"):
            _act(runtime, reference, attest, system="accounting", note="done by hand")
    with runtime.transaction() as session:  # the consent is not withdrawn on an unproven ask
        subject = find_subject(session, runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, runtime, subject, "newsletter", "email").allowed
    # confirmed, then doubted: nothing is done until the proof is decided
    confirmed = ask_and_confirm(mail_client, runtime, inbox, "access", "bram@example.org")
    _act(runtime, confirmed.reference, ask_for_proof, note="the address was just created")
    with pytest.raises(Conflict, match="waits for proof of identity"):
        _act(runtime, confirmed.reference, fulfil)
    with pytest.raises(Conflict, match="waits for proof of identity"):
        _act(runtime, confirmed.reference, attest, system="accounting", note="done")
    for reference in (withdrawal.reference, access.reference, confirmed.reference):
        with runtime.transaction() as session:
            assert repository.parts_of(session, runtime.organization_id,
                                       refresh(runtime, reference).id) == []


def _trail(runtime: Runtime, reference: str) -> list[tuple[str, dict[str, Any]]]:
    with runtime.transaction() as session:
        return [(e.action, json.loads(e.details)) for e in events_about(
            session, runtime.organization_id, f"request:{reference}")
            if e.action.startswith("request.")]


def test_every_step_of_a_request_is_audited(mail_client: TestClient, mail_runtime: Runtime,
                                            inbox: Inbox) -> None:
    runtime = mail_runtime
    person(runtime, email=EMAIL)
    granted = ask_and_confirm(mail_client, runtime, inbox, "erasure", EMAIL, ground="b")
    _act(runtime, granted.reference, extend, months=1, reason="Three archives to search.")
    _act(runtime, granted.reference, fulfil)
    _act(runtime, granted.reference, attest, system="accounting", note="erased in BOB")
    trail = _trail(runtime, granted.reference)
    assert [action for action, _ in trail] == [
        "request.received", "request.verified", "request.extended", "request.fulfilling",
        "request.attested", "request.fulfilled"]
    details = dict(trail)
    assert details["request.received"] == {"kind": "erasure", "channel": "web_form",
                                           "received_on": granted.received_on.isoformat(),
                                           "ground": "b"}
    assert details["request.fulfilled"] == {"ground": "b"}
    assert details["request.attested"] == {"system": "accounting"}
    refused = ask_and_confirm(mail_client, runtime, inbox, "access", "bram@example.org")
    _act(runtime, refused.reference, ask_for_proof, note="the address was just created")
    _act(runtime, refused.reference, decide_identity, accepted=False)
    assert _trail(runtime, refused.reference) == [
        ("request.received", {"kind": "access", "channel": "web_form",
                              "received_on": refused.received_on.isoformat()}),
        ("request.verified", {}), ("request.doubt", {}), ("request.identity_refused", {}),
        ("request.denied", {"reason": "insuf_verification"})]


def test_staff_are_reminded_before_the_deadline_and_only_late_ones_are_overdue(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    from charter.portal.metrics import requests_by_due
    from charter.rights.reminders import remind_staff

    from ..factories import staff_login

    runtime, client = mail_runtime, mail_client
    today = local_date(utcnow(), runtime.policy.organization.country)
    added = {}
    for name, days_ago in (("soon", 25), ("late", 40), ("fresh", 0)):
        result = CliRunner().invoke(main, [
            *cli_args, "requests", "add", "--type", "access", "--email",
            f"{name}@example.org", "--channel", "post", "--verified",
            "--received-at", (today - timedelta(days=days_ago)).isoformat()])
        assert result.exit_code == 0, result.output
        added[name] = result.output.split(":")[0]
    soon, late = refresh(runtime, added["soon"]), refresh(runtime, added["late"])
    assert 0 <= (soon.deadline - today).days <= 7 and late.deadline < today
    staff_login(client, runtime, "dpo")
    with runtime.transaction() as session:
        assert remind_staff(session, runtime) == 2  # the fresh one is a month off
        assert requests_by_due(session, runtime.organization_id, today).overdue == 1
    deliver(runtime)
    [reminder] = inbox.to("dpo@langschool.be")
    text = text_of(reminder)
    lines = {ref: line for line in text.splitlines()
             for ref in (soon.reference, late.reference) if line.startswith(f"- {ref} ")}
    assert "OVERDUE" in lines[late.reference] and "OVERDUE" not in lines[soon.reference]
    assert added["fresh"] not in text
    queue = client.get("/requests").text
    alert = queue.split('role="alert"')[1].split("</p>")[0]
    assert "1 overdue" in alert and late.reference in alert and soon.reference not in alert
    row = queue.split(f">{soon.reference}</a>")[1].split("</tr>")[0]
    assert "OVERDUE" not in row and f"{(soon.deadline - today).days} days" in row
    assert "OVERDUE" not in client.get(f"/requests/{soon.reference}").text
    assert "OVERDUE" in client.get(f"/requests/{late.reference}").text
