"""Each right end to end: asked through the privacy center, confirmed by the link, acted on
in every declared system, answered by mail — and what the person can then find."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.consent.service import decide, record_consent
from charter.models import Record, RecordRevision, RightsRequest, Subject, Suppression
from charter.rights import repository
from charter.rights.connectors import Change, SystemAnswer
from charter.rights.fulfilment import (
    approve_changes,
    attest,
    decide_objection,
    fulfil,
    lift_due_restrictions,
    lift_restriction,
    retry_failed_parts,
)
from charter.runtime import Runtime
from charter.subjects import find_subject, view_subject

from ..factories import person
from ..smtp import Inbox, link_in, text_of
from .helpers import BASE, ask_and_confirm, deliver, refresh

EMAIL = "sophie.peeters@example.org"
BILLING = {"company": "Brasserie Lambert", "vat_number": "BE0999888777"}
INVOICES = {"billing": [{"invoice": "2026-014", "vat_number": "BE0999888777"}]}


def _act(runtime: Runtime, reference: str, action: Any, **kwargs: Any) -> None:
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        action(session, runtime, found, actor="staff:1", **kwargs)


def _subscribed(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=EMAIL)
        assert subject is not None
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")


def _answer(inbox: Inbox) -> str:
    return text_of(inbox.messages[-1])


def _accounting_done(runtime: Runtime, reference: str, **kwargs: Any) -> None:
    """The accounting program is a manual system: its two people attest what they did."""
    _act(runtime, reference, attest, system="accounting", note="checked in BOB", **kwargs)


def test_access_gives_a_package_and_the_article_15_letter(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    person(mail_runtime, email=EMAIL, billing=BILLING)
    _subscribed(mail_runtime)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    _act(mail_runtime, request.reference, fulfil)
    waiting = refresh(mail_runtime, request.reference)
    assert (waiting.status, waiting.stage) == ("in_progress", "awaiting_systems")
    extract = {"billing": [{"invoice": "2026-014", "amount": "450.00"}]}
    _accounting_done(mail_runtime, request.reference, extract=extract)
    assert refresh(mail_runtime, request.reference).status == "fulfilled"
    deliver(mail_runtime)
    answer = inbox.messages[-1]
    assert answer["Subject"] == f"Your request is complete ({request.reference})"
    link = link_in(answer, "/exports/").removeprefix(BASE)
    download = mail_client.get(link)
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    package = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(package.namelist())
    assert {"portal/contact.json", "portal/contact.csv", "portal/billing.json",
            "portal/consents.json", "accounting/billing.json", "letter.html"} <= names
    contact = json.loads(package.read("portal/contact.json"))
    assert contact[0]["first_name"] == "Sophie"
    assert "Sophie" in package.read("portal/contact.csv").decode()
    assert json.loads(package.read("accounting/billing.json")) == extract["billing"]
    letter = package.read("letter.html").decode()
    for fragment in ("Newsletter about our courses", "your consent", "3 years after our last "
                     "contact with you", "Example Hosting SA", "Data Protection Authority",
                     "Course enrolment form", "No decision about you is taken by automated"):
        assert fragment in letter, fragment
    # the file on disk is encrypted
    stored = list((mail_runtime.settings.data_dir / "exports").glob("*.bin"))
    sealed = stored[0].read_bytes() if len(stored) == 1 else b""
    assert sealed and not sealed.startswith(b"PK") and b"Sophie" not in sealed


def _portability_to(client: TestClient, runtime: Runtime, inbox: Inbox, other_controller: Any,
                    target: str) -> RightsRequest:
    """A verified portability request asking that the data go to ``target`` (answered by
    ``other_controller``, the edge of the world), fulfilled by staff."""
    runtime.connectors["http"] = httpx.MockTransport(other_controller)
    person(runtime, email=EMAIL, billing=BILLING)
    request = ask_and_confirm(client, runtime, inbox, "portability", EMAIL)
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id,
                                                request.reference)
        assert found is not None
        runtime.cipher.seal(found, {**runtime.cipher.unseal(found), "target_url": target})
    _act(runtime, request.reference, fulfil)
    return request


def test_portability_gives_what_the_person_provided_and_can_send_it_on(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    received: list[dict[str, Any]] = []

    def other_controller(request: httpx.Request) -> httpx.Response:
        received.append(json.loads(request.content))
        return httpx.Response(201)

    request = _portability_to(mail_client, mail_runtime, inbox, other_controller,
                              "https://new-school.example")
    # the accountant's extract: invoices, kept under a legal obligation, are not portable
    _accounting_done(mail_runtime, request.reference, extract=INVOICES)
    [sent] = received
    assert sent["reference"] == request.reference
    assert sent["data"]["portal"]["contact"][0]["email"] == EMAIL
    assert "consents" not in sent["data"]["portal"]  # what she provided, not our records
    assert "billing" not in sent["data"]["portal"] and "accounting" not in sent["data"]
    deliver(mail_runtime)
    assert "Your data was also sent to https://new-school.example." in _answer(inbox)
    package = _package(mail_client, inbox)
    assert "portal/contact.json" in package.namelist()
    assert not [n for n in package.namelist() if "billing" in n]
    assert b"BE0999888777" not in b"".join(package.read(n) for n in package.namelist())


def _package(client: TestClient, inbox: Inbox) -> zipfile.ZipFile:
    download = client.get(link_in(inbox.messages[-1], "/exports/").removeprefix(BASE))
    assert download.status_code == 200
    return zipfile.ZipFile(io.BytesIO(download.content))


def _refused(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, text="maintenance")


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("no route to host", request=request)


@pytest.mark.parametrize("other_controller, error", [
    (_refused, {"error": "HTTPStatusError", "status": 503}),
    (_unreachable, {"error": "ConnectError"}),
])
def test_a_transfer_that_fails_is_reported_to_the_person_and_to_staff(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox, other_controller: Any,
        error: dict[str, Any]) -> None:
    from charter.audit.repository import events_about

    request = _portability_to(mail_client, mail_runtime, inbox, other_controller,
                              "https://new-school.example/import")
    _accounting_done(mail_runtime, request.reference, extract=INVOICES)
    done = refresh(mail_runtime, request.reference)
    assert done.status == "fulfilled"  # she has her package all the same
    deliver(mail_runtime)
    assert "We could not deliver your data to https://new-school.example/import; download " \
           "it below." in _answer(inbox)
    assert "portal/contact.json" in _package(mail_client, inbox).namelist()
    with mail_runtime.transaction() as session:
        events = {e.action: json.loads(e.details) for e in events_about(
            session, mail_runtime.organization_id, f"request:{request.reference}")}
    assert events["request.transfer_failed"] == {"host": "new-school.example", **error}
    assert "request.transferred" not in events
    assert "We could not deliver" in str(mail_runtime.cipher.unseal(done)["answer"])


def test_the_access_letter_is_in_the_persons_language(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from html import unescape

    person(mail_runtime, email=EMAIL, billing=BILLING)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL, lang="fr")
    assert request.language == "fr"
    _act(mail_runtime, request.reference, fulfil)
    _accounting_done(mail_runtime, request.reference, extract=INVOICES)
    deliver(mail_runtime)
    assert inbox.messages[-1]["Subject"] == \
        f"Votre demande a été traitée ({request.reference})"
    letter = unescape(_package(mail_client, inbox).read("letter.html").decode())
    assert '<html lang="fr">' in letter
    assert "<h1>Vos données détenues par Test Language School SRL</h1>" in letter

    def section(title: str) -> str:
        return letter.split(f"<h2>{title}</h2>")[1].split("<h2>")[0]

    # Art. 15(1)(b): the categories found
    categories = section("Quelles données")
    assert "Coordonnées" in categories and "Données de facturation" in categories
    assert "Profil linguistique" not in categories  # none held about her
    # Art. 15(1)(e) and (f): her rights, and the authority to complain to
    rights = section("Vos droits")
    for right in ("de faire rectifier les données inexactes (art. 16)",
                  "de faire effacer vos données (art. 17)",
                  "de faire limiter l'utilisation de vos données (art. 18)",
                  "de vous opposer à l'utilisation de vos données (art. 21)"):
        assert f"Vous avez le droit {right}" in rights, right
    assert "Autorité de protection des données" in rights
    assert "Organiser les cours auxquels vous vous inscrivez" in letter  # (a) purposes
    for english in ("What data", "Your rights", "You have the right", "Contact details",
                    "Data Protection Authority"):
        assert english not in letter, english


def test_rectification_is_reviewed_applied_with_history_and_recipients_told(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    person(mail_runtime, email=EMAIL, last_name="Peters")
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "rectification", EMAIL,
                              "My name is Peeters, with two e's.")
    with pytest.raises(Exception, match="review the proposed changes"):
        _act(mail_runtime, request.reference, fulfil)
    with pytest.raises(Exception, match="not a declared field"):
        _act(mail_runtime, request.reference, approve_changes,
             changes=[Change("contact", "shoe_size", "44")])
    _act(mail_runtime, request.reference, approve_changes,
         changes=[Change("contact", "last_name", "Peeters")])
    _accounting_done(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email=EMAIL)
        assert subject is not None
        view = view_subject(session, mail_runtime, subject.id, allowed_categories=None,
                            actor="test")
        assert view.records["contact"][0]["last_name"] == "Peeters"
        [revision] = session.scalars(select(RecordRevision).where(
            RecordRevision.organization_id == mail_runtime.organization_id)).all()
        assert mail_runtime.cipher.unseal(revision)["last_name"] == "Peters"
        from charter.audit.repository import events_about

        told = [e.action for e in events_about(session, mail_runtime.organization_id,
                                               f"request:{request.reference}")]
    assert "recipient.to_notify" in told  # the hosting company, which has no address here
    assert refresh(mail_runtime, request.reference).status == "fulfilled"


def test_erasure_deletes_all_but_what_the_law_keeps_and_suppresses(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox, cli_args: list[str]
) -> None:
    person(mail_runtime, email=EMAIL, billing=BILLING)
    _subscribed(mail_runtime)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "erasure", EMAIL,
                              "I no longer study with you.")
    _act(mail_runtime, request.reference, fulfil)
    _accounting_done(mail_runtime, request.reference)
    deliver(mail_runtime)
    answer = _answer(inbox)
    assert "The law obliges us to keep some data" in answer
    assert "Billing details, kept until" in answer and "art. III.88" in answer
    with mail_runtime.transaction() as session:
        org = mail_runtime.organization_id
        records = session.scalars(select(Record).where(Record.organization_id == org)).all()
        assert [(r.category, r.restricted) for r in records] == [("billing", True)]
        assert session.scalar(select(func.count()).select_from(Suppression).where(
            Suppression.organization_id == org)) == 1
        subject = find_subject(session, mail_runtime, email=EMAIL)
        # only what the legal hold keeps is left, restricted: no mail, no consent, no export
        assert subject is not None and subject.restricted_at is not None
        assert decide(session, mail_runtime, subject, "newsletter", "email").allowed is False
        view = view_subject(session, mail_runtime, subject.id, allowed_categories=None,
                            actor="test")
        assert set(view.records) == {"billing"}
    from click.testing import CliRunner

    from charter.cli import main

    key = CliRunner().invoke(main, [*cli_args, "apikey", "add", "crm", "--scope",
                                    "consent:read"]).output.strip()
    check = mail_client.get("/api/v1/consent/check", headers={"Authorization": f"Bearer {key}"},
                            params={"email": EMAIL, "purpose": "newsletter"})
    assert check.json()["allowed"] is False


def test_erasure_without_a_legal_hold_leaves_nothing(mail_client: TestClient,
                                                     mail_runtime: Runtime,
                                                     inbox: Inbox) -> None:
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "erasure", EMAIL)
    _act(mail_runtime, request.reference, fulfil)
    _accounting_done(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        assert find_subject(session, mail_runtime, email=EMAIL) is None
        assert session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == mail_runtime.organization_id)) == 0
    deliver(mail_runtime)
    assert inbox.messages[-1]["To"] == EMAIL  # the answer still reaches her
    # a second access request finds nothing
    again = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    assert again.subject_id is None


def test_restriction_stops_everything_but_storage_and_is_lifted_after_telling(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from charter.newsletter.campaigns import Letter, send_campaign

    person(mail_runtime, email=EMAIL)
    _subscribed(mail_runtime)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "restriction", EMAIL)
    _act(mail_runtime, request.reference, fulfil)
    _accounting_done(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email=EMAIL)
        assert subject is not None and subject.restricted_at is not None
        assert decide(session, mail_runtime, subject, "newsletter", "email").reason == \
            "restricted"
        assert send_campaign(session, mail_runtime, purpose="newsletter",
                             letters={"en": Letter("News", "Hello")},
                             actor="test").recipients == 0
    deliver(mail_runtime)
    before = len(inbox.messages)
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        lift_on = lift_restriction(session, mail_runtime, found, actor="staff:1",
                                   reason="The accuracy is settled.")
        # told first (Art. 18(3)); nothing is lifted on the day of the notice
        assert lift_due_restrictions(session, mail_runtime, today=lift_on - timedelta(days=1)
                                     ) == 0
    deliver(mail_runtime)
    [notice] = inbox.messages[before:]
    assert "restriction on your data will be lifted" in notice["Subject"]
    assert "The accuracy is settled." in text_of(notice)
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email=EMAIL)
        assert subject is not None and subject.restricted_at is not None
        assert lift_due_restrictions(session, mail_runtime, today=lift_on) == 1
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email=EMAIL)
        assert subject is not None and subject.restricted_at is None
        assert decide(session, mail_runtime, subject, "newsletter", "email").allowed
    assert refresh(mail_runtime, request.reference).stage == "lifted"


def test_objection_to_marketing_is_immediate_to_an_interest_is_weighed(
        full_runtime: Runtime, inbox: Inbox) -> None:
    from charter.web.app import create_app

    person(full_runtime, email=EMAIL)
    _subscribed(full_runtime)
    with TestClient(create_app(full_runtime), base_url="http://127.0.0.1") as client:
        marketing = ask_and_confirm(client, full_runtime, inbox, "objection", EMAIL)
        interest = ask_and_confirm(client, full_runtime, inbox, "objection", EMAIL,
                                   purpose="course_suggestions")
    assert refresh(full_runtime, marketing.reference).status == "fulfilled"  # at once
    waiting = refresh(full_runtime, interest.reference)
    assert (waiting.status, waiting.stage) == ("in_progress", "review")  # weighed by staff
    with pytest.raises(Exception, match="record why"):
        _act(full_runtime, interest.reference, decide_objection, upheld=True, reason=" ")
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, full_runtime, subject, "newsletter", "email").reason == \
            "objected"
        assert decide(session, full_runtime, subject, "course_suggestions", "email").allowed
    _act(full_runtime, interest.reference, decide_objection, upheld=True,
         reason="No compelling ground outweighs her interests.")
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, full_runtime, subject, "course_suggestions",
                      "email").reason == "objected"
    assert refresh(full_runtime, interest.reference).status == "fulfilled"
    deliver(full_runtime)
    assert "We no longer use your data for: Suggesting courses that fit your level." in \
        _answer(inbox)


def test_an_objection_outweighed_is_refused_with_the_reason(
        full_runtime: Runtime, inbox: Inbox) -> None:
    from charter.web.app import create_app

    person(full_runtime, email=EMAIL)
    with TestClient(create_app(full_runtime), base_url="http://127.0.0.1") as client:
        interest = ask_and_confirm(client, full_runtime, inbox, "objection", EMAIL,
                                   purpose="course_suggestions")
    _act(full_runtime, interest.reference, decide_objection, upheld=False,
         reason="The suggestions are part of the course you bought.")
    assert refresh(full_runtime, interest.reference).status == "denied"
    deliver(full_runtime)
    assert "The suggestions are part of the course you bought." in _answer(inbox)
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, full_runtime, subject, "course_suggestions", "email").allowed


def test_withdrawal_of_all_consents(mail_client: TestClient, mail_runtime: Runtime,
                                    inbox: Inbox) -> None:
    person(mail_runtime, email=EMAIL)
    _subscribed(mail_runtime)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "withdrawal", EMAIL)
    assert refresh(mail_runtime, request.reference).status == "fulfilled"
    with mail_runtime.transaction() as session:
        subject = find_subject(session, mail_runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, mail_runtime, subject, "newsletter", "email").reason == \
            "withdrawn"
    deliver(mail_runtime)
    assert "Consents withdrawn: 1." in _answer(inbox)


def test_withdrawal_of_one_purpose_keeps_the_others(full_runtime: Runtime,
                                                     inbox: Inbox) -> None:
    from charter.web.app import create_app

    person(full_runtime, email=EMAIL)
    _subscribed(full_runtime)
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email=EMAIL)
        assert subject is not None
        record_consent(session, full_runtime, subject, purpose="partner_offers",
                       channel="email", action="grant", method="written", actor="test")
    with TestClient(create_app(full_runtime), base_url="http://127.0.0.1") as client:
        request = ask_and_confirm(client, full_runtime, inbox, "withdrawal", EMAIL,
                                  purpose="partner_offers")
    assert refresh(full_runtime, request.reference).status == "fulfilled"
    with full_runtime.transaction() as session:
        subject = find_subject(session, full_runtime, email=EMAIL)
        assert subject is not None
        assert decide(session, full_runtime, subject, "partner_offers", "email").reason == \
            "withdrawn"
        assert decide(session, full_runtime, subject, "newsletter", "email").allowed


class FlakyStore:
    """A test double of a connector (like httpx's MockTransport): fails once, then works."""

    def __init__(self) -> None:
        self.calls = 0

    def export(self, *args: Any, **kwargs: Any) -> SystemAnswer:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("the accounting server is down")
        return SystemAnswer(found=True, data={"billing": [{"invoice": "2026-014"}]},
                            done=["exported"])

    erase = restrict = rectify = export


def test_a_failing_system_is_retried_and_the_request_waits_for_it(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from sqlalchemy import update

    from charter.models import RequestSystemPart, utcnow

    flaky = FlakyStore()
    mail_runtime.connectors["accounting"] = flaky
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    _act(mail_runtime, request.reference, fulfil)
    with mail_runtime.transaction() as session:
        [portal, accounting] = repository.parts_of(session, mail_runtime.organization_id,
                                                   refresh(mail_runtime, request.reference).id)
        assert (portal.status, accounting.status) == ("done", "failed")
        assert accounting.last_error == "ConnectionError"  # never the message: it may hold data
    assert refresh(mail_runtime, request.reference).status == "in_progress"
    with mail_runtime.transaction() as session:  # the backoff has passed
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == mail_runtime.organization_id).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        assert retry_failed_parts(session, mail_runtime) == 1
    assert flaky.calls == 2 and refresh(mail_runtime, request.reference).status == "fulfilled"


def test_staff_act_from_the_portal(client: TestClient, runtime: Runtime,
                                   cli_args: list[str]) -> None:
    from click.testing import CliRunner

    from charter.cli import main

    from ..factories import staff_login

    person(runtime, email=EMAIL)
    CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "access", "--email",
                              EMAIL, "--channel", "email"])
    request = refresh(runtime, "R-" + str(__import__("datetime").date.today().year) + "-0001")
    csrf = staff_login(client, runtime, "dpo")
    queue = client.get("/requests")
    assert request.reference in queue.text
    page = client.get(f"/requests/{request.reference}")
    assert EMAIL in page.text and "Identity confirmed" in page.text
    verified = client.post(f"/requests/{request.reference}/verify",
                           data={"csrf_token": csrf}, follow_redirects=False)
    assert verified.status_code == 303
    refused = client.post(f"/requests/{request.reference}/deny",
                          data={"csrf_token": csrf, "reason": " "})
    assert refused.status_code == 422 and "a refusal says why" in refused.text
    assert refresh(runtime, request.reference).status == "in_progress"
    assert client.post(f"/requests/{request.reference}/deny",
                       data={"csrf_token": "forged", "reason": "x"}).status_code == 400
    staff_login(client, runtime, "billing", email="clerk@langschool.be")
    assert client.get("/requests").status_code == 403


def test_the_export_disappears_when_its_retention_ends(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox) -> None:
    from sqlalchemy import update

    from charter.models import ExportFile, MailLink, utcnow
    from charter.rights.exports import delete_expired_exports

    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    _act(mail_runtime, request.reference, fulfil)
    _accounting_done(mail_runtime, request.reference)
    deliver(mail_runtime)
    link = link_in(inbox.messages[-1], "/exports/").removeprefix(BASE)
    assert mail_client.get(link).status_code == 200
    past = utcnow() - timedelta(seconds=1)
    with mail_runtime.transaction() as session:
        org = mail_runtime.organization_id
        for model in (ExportFile, MailLink):
            session.execute(update(model).where(model.organization_id == org,
                                                model.expires_at.is_not(None)).values(
                expires_at=past))
        assert delete_expired_exports(session, mail_runtime) == 1
    assert list((mail_runtime.settings.data_dir / "exports").glob("*.bin")) == []
    assert mail_client.get(link).status_code == 404
