"""Intake: the privacy center, the API and staff logging a letter; identity by a single-use
link; proof asked for in case of doubt, deleted once decided; the clock and extensions."""

from __future__ import annotations

import base64
from datetime import date, timedelta

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.cli import main
from charter.models import IdentityDocument, RightsRequest
from charter.rights import repository
from charter.rights.intake import ask_for_proof, decide_identity, deny, extend
from charter.runtime import Runtime

from ..factories import person
from ..smtp import Inbox, link_in, text_of
from .helpers import BASE, ask, ask_and_confirm, deliver, latest, refresh


def _count(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(RightsRequest).where(
            RightsRequest.organization_id == runtime.organization_id)) or 0


def test_a_request_waits_for_the_link_then_is_acknowledged_with_its_due_date(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    person(mail_runtime, email="sophie.peeters@example.org")
    page = mail_client.get("/requests/new?lang=fr")
    assert '<html lang="fr">' in page.text and "Exercer vos droits" in page.text
    assert ask(mail_client, "access", "sophie.peeters@example.org").status_code == 200
    request = latest(mail_runtime)
    # acknowledged, waiting for the person: DRP's in_progress / need_user_verification
    assert (request.status, request.stage) == ("in_progress", "awaiting_verification")
    assert request.subject_id is not None and request.reference.startswith("R-")
    deliver(mail_runtime)
    [verification] = inbox.messages
    assert verification["Subject"] == "Confirm your request: access to your data"
    path = link_in(verification, "/requests/verify/").removeprefix(BASE)
    assert mail_client.get(path).status_code == 200  # asks, does nothing
    assert refresh(mail_runtime, request.reference).stage == "awaiting_verification"
    assert mail_client.post(path).status_code == 200
    assert mail_client.post(path).status_code == 404  # single use
    confirmed = refresh(mail_runtime, request.reference)
    assert (confirmed.status, confirmed.stage) == ("in_progress", "processing")
    deliver(mail_runtime)
    acknowledgement = inbox.messages[-1]
    assert acknowledgement["Subject"] == f"We received your request ({request.reference})"
    assert "We will answer by" in text_of(acknowledgement)
    # the test policy promises 30 days: stricter than one month
    assert confirmed.due_on - confirmed.received_on <= timedelta(days=30)


def test_bad_requests_change_nothing_and_abuse_is_limited(mail_client: TestClient,
                                                          mail_runtime: Runtime,
                                                          inbox: Inbox) -> None:
    refused = ask(mail_client, "teleportation", "not-an-address")
    assert refused.status_code == 422
    assert "Choose what you want us to do." in refused.text
    assert "Give a valid e-mail address." in refused.text
    assert _count(mail_runtime) == 0
    for _ in range(5):
        assert ask(mail_client, "access", "target@example.org").status_code == 200
    assert _count(mail_runtime) == 3  # three a day per address: the same answer, nothing more
    deliver(mail_runtime)
    assert len(inbox.to("target@example.org")) == 3


def test_staff_log_a_letter_with_its_real_date_of_receipt(runtime: Runtime,
                                                          cli_args: list[str]) -> None:
    result = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "erasure",
                                       "--email", "Jules@Example.org", "--received-at",
                                       "2026-11-02", "--channel", "post", "--verified"])
    assert result.exit_code == 0, result.output
    request = latest(runtime)
    assert request.channel == "post" and request.received_on == date(2026, 11, 2)
    assert request.due_on == date(2026, 12, 2)  # 30 days: 2 December, a Wednesday
    assert request.status == "in_progress"  # identity checked at the desk
    listing = CliRunner().invoke(main, [*cli_args, "requests", "list"])
    assert request.reference in listing.output
    bad = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "erasure",
                                    "--email", "x@example.org", "--received-at", "2999-01-01",
                                    "--channel", "post"])
    assert bad.exit_code == 2 and "received-at: a day in the future" in bad.output
    assert _count(runtime) == 1


def test_api_requests_and_their_status(mail_client: TestClient, mail_runtime: Runtime,
                                       cli_args: list[str], inbox: Inbox) -> None:
    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "app", "--scope",
                                    "requests:write", "--scope", "requests:read"])
    headers = {"Authorization": f"Bearer {key.output.strip()}"}
    created = mail_client.post("/api/v1/requests", headers=headers, json={
        "type": "portability", "email": "bram@example.org", "verified_by": "account-1234",
        "target_url": "https://other-school.example/import"})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "in_progress" and body["type"] == "portability"
    status = mail_client.get(f"/api/v1/requests/{body['reference']}", headers=headers)
    assert status.json() == body
    for bad in ({"type": "access", "email": "x@example.org", "target_url": "http://x"},
                {"type": "access", "email": "x@example.org", "colour": "red"},
                {"type": "nap", "email": "x@example.org"}):
        assert mail_client.post("/api/v1/requests", headers=headers,
                                json=bad).status_code == 422, bad
    assert mail_client.get("/api/v1/requests/R-1999-0001", headers=headers).status_code == 404


def test_reasonable_doubt_asks_for_proof_which_is_deleted_once_decided(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "erasure", "lucas@example.org")
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        ask_for_proof(session, mail_runtime, found, note="the address differs from our "
                      "records", actor="staff:1")
    deliver(mail_runtime)
    upload = link_in(inbox.messages[-1], "/requests/proof/").removeprefix(BASE)
    sent = mail_client.post(upload, files={"document": ("id.pdf", b"%PDF-1.4 identity",
                                                        "application/pdf")})
    assert sent.status_code == 200
    with mail_runtime.transaction() as session:
        [document] = session.scalars(select(IdentityDocument).where(
            IdentityDocument.organization_id == mail_runtime.organization_id)).all()
        stored = mail_runtime.cipher.unseal(document)
    # sealed: neither the bytes nor their base64 are readable in the row, the key opens them
    assert b"identity" not in document.sealed
    assert base64.b64encode(b"%PDF-1.4 identity") not in document.sealed
    assert base64.b64decode(stored["content"]) == b"%PDF-1.4 identity"
    assert refresh(mail_runtime, request.reference).stage == "proof_received"
    again = mail_client.post(upload, files={"document": ("id.pdf", b"%PDF-1.4 other",
                                                         "application/pdf")})
    assert again.status_code == 404  # the link was spent by the upload
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        decide_identity(session, mail_runtime, found, accepted=False, actor="staff:1")
    with mail_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(IdentityDocument).where(
            IdentityDocument.organization_id == mail_runtime.organization_id)) == 0
    assert refresh(mail_runtime, request.reference).status == "denied"
    deliver(mail_runtime)
    denial = inbox.messages[-1]
    assert "could not be granted" in denial["Subject"]
    assert "could not make sure that the request comes from you" in text_of(denial)


def test_extension_only_within_the_first_month_and_the_person_is_told(
        mail_runtime: Runtime, inbox: Inbox, cli_args: list[str]) -> None:
    runtime = mail_runtime
    CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "access", "--email",
                              "emma@example.org", "--channel", "email", "--verified"])
    request = latest(runtime)
    no_reason = CliRunner().invoke(main, [*cli_args, "requests", "extend", request.reference,
                                          "--reason", " "])
    assert no_reason.exit_code == 2
    done = CliRunner().invoke(main, [*cli_args, "requests", "extend", request.reference,
                                     "--months", "2", "--reason",
                                     "We must search three archives."])
    assert done.exit_code == 0, done.output
    extended = refresh(runtime, request.reference)
    assert extended.extended_to is not None and extended.extended_to > extended.due_on
    deliver(runtime)
    [told] = [m for m in inbox.to("emma@example.org") if "More time" in m["Subject"]]
    body = text_of(told)
    assert "The reason: We must search three archives." in body
    assert f"{extended.extended_to.day}" in body and "Data Protection Authority" in body
    again = CliRunner().invoke(main, [*cli_args, "requests", "extend", request.reference,
                                      "--reason", "more"])
    assert again.exit_code == 5 and "already extended" in again.output
    old = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "access",
                                    "--email", "old@example.org", "--channel", "post",
                                    "--received-at",
                                    (date.today() - timedelta(days=40)).isoformat(),
                                    "--verified"])
    assert old.exit_code == 0
    late = CliRunner().invoke(main, [*cli_args, "requests", "extend",
                                     latest(runtime).reference, "--reason", "busy"])
    assert late.exit_code == 5 and "within the first month" in late.output


def test_per_address_and_per_ip_limits(mail_client: TestClient, mail_runtime: Runtime) -> None:
    for n in range(12):
        assert ask(mail_client, "access", f"p{n}@example.org").status_code == 200
    assert _count(mail_runtime) == 10  # ten a day from one IP address


def test_unconfirmed_requests_expire_and_staff_are_reminded(
        mail_runtime: Runtime, inbox: Inbox, cli_args: list[str]) -> None:
    from charter.accounts.service import add_staff_user
    from charter.rights.reminders import remind_staff

    with mail_runtime.transaction() as session:
        add_staff_user(session, mail_runtime, email="dpo@langschool.be", role="dpo",
                       password="a long enough password", actor="test")
        add_staff_user(session, mail_runtime, email="clerk@langschool.be", role="billing",
                       password="a long enough password", actor="test")
    late = date.today() - timedelta(days=40)
    for email, received in (("late@example.org", late), ("fresh@example.org", None)):
        args = ["requests", "add", "--type", "access", "--email", email, "--channel", "post",
                "--verified"]
        if received:
            args += ["--received-at", received.isoformat()]
        assert CliRunner().invoke(main, [*cli_args, *args]).exit_code == 0
    with mail_runtime.transaction() as session:
        assert remind_staff(session, mail_runtime) == 1  # the late one; the fresh is a month off
        assert remind_staff(session, mail_runtime) == 0  # once a day
    deliver(mail_runtime)
    [reminder] = [m for m in inbox.messages if m["To"] == "dpo@langschool.be"]
    assert "OVERDUE" in text_of(reminder) and not inbox.to("clerk@langschool.be")
    assert ask_and_expire(mail_runtime) == "expired"  # never confirmed within 30 days


def ask_and_expire(runtime: Runtime) -> str:
    from sqlalchemy import update

    from charter.models import utcnow
    from charter.rights.intake import expire_unverified, open_request

    with runtime.transaction() as session:
        request = open_request(session, runtime, kind="access", email="ghost@example.org",
                               channel="web_form", actor="test")
        reference = request.reference
        session.execute(update(RightsRequest).where(
            RightsRequest.organization_id == runtime.organization_id,
            RightsRequest.reference == reference).values(
            created_at=utcnow() - timedelta(days=31)))
        assert expire_unverified(session, runtime) == 1
    return refresh(runtime, reference).status


def test_every_mail_about_a_request_leads_to_the_persons_preferences(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    runtime = mail_runtime
    person(runtime, email="ines.martin@example.org")
    request = ask_and_confirm(mail_client, runtime, inbox, "access", "ines.martin@example.org")
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id,
                                                request.reference)
        assert found is not None
        extend(session, runtime, found, months=1, reason="Three archives to search.",
               actor="staff:1")
        deny(session, runtime, found, reason="Manifestly unfounded.", actor="staff:1")
    deliver(runtime)
    mails = inbox.to("ines.martin@example.org")
    kinds = [m["Subject"].split(" (")[0] for m in mails]
    assert len(mails) == 4, kinds  # verification, acknowledgement, extension, denial
    for mail in mails:  # withdrawing consent is one click away from each of them
        page = mail_client.get(link_in(mail, "/preferences/").removeprefix(BASE))
        assert page.status_code == 200 and "Save my choices" in page.text, mail["Subject"]
    # an erasure leaves no preferences behind: its mails carry no such link
    person(runtime, email="hugo.lenoir@example.org")
    ask_and_confirm(mail_client, runtime, inbox, "erasure", "hugo.lenoir@example.org")
    deliver(runtime)
    about_erasure = inbox.to("hugo.lenoir@example.org")
    assert about_erasure and all("/preferences/" not in text_of(m) for m in about_erasure)
