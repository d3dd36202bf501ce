"""Staff at work on requests: `charter requests show | verify | deny` on the command line,
and the actions of a request's page in the Portal, posted as a browser does (logged in,
with the page's CSRF token)."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner, Result
from fastapi.testclient import TestClient

from charter.audit.repository import events_about
from charter.cli import main
from charter.rights.intake import open_request
from charter.runtime import Runtime
from charter.subjects import find_subject, view_subject

from ..factories import person, staff_login
from ..smtp import Inbox, link_in, text_of
from .helpers import BASE, deliver, refresh

EMAIL = "sophie.peeters@example.org"


def _cli(cli_args: list[str], *args: str) -> Result:
    return CliRunner().invoke(main, [*cli_args, "requests", *args])


def _add(cli_args: list[str], email: str, *more: str) -> str:
    added = _cli(cli_args, "add", "--type", "access", "--email", email, "--channel", "post",
                 *more)
    assert added.exit_code == 0, added.output
    return added.output.split(":")[0]


def _send_proof(client: TestClient, runtime: Runtime, inbox: Inbox) -> None:
    deliver(runtime)
    upload = link_in(inbox.messages[-1], "/requests/proof/").removeprefix(BASE)
    sent = client.post(upload, files={"document": ("id.pdf", b"%PDF-1.4 id", "application/pdf")})
    assert sent.status_code == 200


def test_show_gives_the_request_and_is_an_audited_access(
        runtime: Runtime, cli_args: list[str]) -> None:
    reference = _add(cli_args, EMAIL, "--details", "Everything since 2024.", "--verified")
    shown = _cli(cli_args, "show", reference)
    assert shown.exit_code == 0, shown.output
    body = json.loads(shown.output)
    assert {k: body[k] for k in ("reference", "type", "status", "reason", "stage", "channel",
                                 "ground")} == {
        "reference": reference, "type": "access", "status": "in_progress", "reason": None,
        "stage": "processing", "channel": "post", "ground": None}
    assert body["details"] == {"email": EMAIL, "details": "Everything since 2024."}
    assert body["systems"] == {}  # no system asked yet
    with runtime.transaction() as session:
        viewed = [e.actor for e in events_about(session, runtime.organization_id,
                                                f"request:{reference}")
                  if e.action == "request.viewed"]
    assert viewed == ["cli"]
    missing = _cli(cli_args, "show", "R-1999-0001")
    assert missing.exit_code == 4 and "no request R-1999-0001" in missing.output


def test_verify_confirms_doubts_and_decides_on_proof(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    confirmed = _add(cli_args, "ann@example.org")
    assert refresh(mail_runtime, confirmed).stage == "awaiting_verification"
    refuse = _cli(cli_args, "verify", confirmed, "--refuse")
    assert refuse.exit_code == 2 and "--refuse decides on proof received" in refuse.output
    done = _cli(cli_args, "verify", confirmed)
    assert done.exit_code == 0 and "(in_progress, processing)" in done.output
    again = _cli(cli_args, "verify", confirmed)
    assert again.exit_code == 5 and "nothing to confirm" in again.output
    # a doubt, a document, accepted
    accepted = _add(cli_args, "bram@example.org")
    doubt = _cli(cli_args, "verify", accepted, "--doubt", "The address was created today.")
    assert doubt.exit_code == 0 and "(in_progress, awaiting_proof)" in doubt.output
    deliver(mail_runtime)
    assert "/requests/proof/" in text_of(inbox.to("bram@example.org")[-1])
    _send_proof(mail_client, mail_runtime, inbox)
    assert refresh(mail_runtime, accepted).stage == "proof_received"
    assert _cli(cli_args, "verify", accepted).exit_code == 0
    assert (refresh(mail_runtime, accepted).stage,
            refresh(mail_runtime, accepted).verified_at is not None) == ("processing", True)
    # a doubt, a document, refused: denied for lack of identification, and told so
    refused = _add(cli_args, "carl@example.org")
    assert _cli(cli_args, "verify", refused, "--doubt", "Signed by someone else.").exit_code == 0
    _send_proof(mail_client, mail_runtime, inbox)
    decided = _cli(cli_args, "verify", refused, "--refuse")
    assert decided.exit_code == 0, decided.output
    denied = refresh(mail_runtime, refused)
    assert (denied.status, denied.reason) == ("denied", "insuf_verification")
    deliver(mail_runtime)
    assert "could not make sure that the request comes from you" in \
        text_of(inbox.to("carl@example.org")[-1])


def test_deny_says_why_in_words_and_in_the_protocols_code(
        mail_runtime: Runtime, inbox: Inbox, cli_args: list[str]) -> None:
    reference = _add(cli_args, "ann@example.org", "--verified")
    bad = _cli(cli_args, "deny", reference, "--reason", "x", "--code", "bored")
    assert bad.exit_code == 2
    empty = _cli(cli_args, "deny", reference, "--reason", " ")
    assert empty.exit_code == 2 and "a refusal says why" in empty.output
    assert refresh(mail_runtime, reference).status == "in_progress"
    denied = _cli(cli_args, "deny", reference, "--reason", "Your fourth request this month.",
                  "--code", "too_many_requests")
    assert denied.exit_code == 0 and "(denied, done)" in denied.output
    found = refresh(mail_runtime, reference)
    assert (found.status, found.reason) == ("denied", "too_many_requests")
    deliver(mail_runtime)
    assert "The reason: Your fourth request this month." in \
        text_of(inbox.to("ann@example.org")[-1])
    again = _cli(cli_args, "deny", reference, "--reason", "still no")
    assert again.exit_code == 5 and "is denied" in again.output
    plain = _add(cli_args, "bram@example.org", "--verified")
    assert _cli(cli_args, "deny", plain, "--reason", "Not ours to answer.").exit_code == 0
    assert refresh(mail_runtime, plain).reason == "other"


def _open(runtime: Runtime, kind: str, **more: Any) -> str:
    with runtime.transaction() as session:
        return open_request(session, runtime, kind=kind, email=EMAIL, channel="email",
                            verified_by=more.pop("verified_by", "staff:1"), actor="staff:1",
                            **more).reference


class Desk:
    """A member of staff on a request's page: each action a form posted with the token."""

    def __init__(self, client: TestClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    def post(self, reference: str, action: str, **form: str) -> Any:
        return self.client.post(f"/requests/{reference}/{action}",
                                data={"csrf_token": self.csrf, **form}, follow_redirects=False)


def test_staff_act_on_each_kind_of_request_from_its_page(
        full_client: TestClient, full_runtime: Runtime) -> None:
    runtime = full_runtime
    person(runtime, email=EMAIL, last_name="Peters")
    desk = Desk(full_client, staff_login(full_client, runtime, "dpo"))
    # reasonable doubt, on a request not yet confirmed
    doubted = _open(runtime, "access", verified_by=None)
    assert desk.post(doubted, "doubt", note=" ").status_code == 422
    assert full_client.post(f"/requests/{doubted}/doubt", data={
        "csrf_token": "forged", "note": "x"}).status_code == 400
    assert desk.post(doubted, "doubt", note="The address was created today.").status_code == 303
    assert refresh(runtime, doubted).stage == "awaiting_proof"
    page = full_client.get(f"/requests/{doubted}").text
    assert "Proof not convincing: refuse" in page and "need user verification" in page
    assert "Fulfil in every system" not in page  # nothing is done before it is decided
    # more time, once, with a reason
    extended = _open(runtime, "access")
    assert desk.post(extended, "extend", months="1", reason="Three archives.").status_code == 303
    assert refresh(runtime, extended).extended_to is not None
    again = desk.post(extended, "extend", months="1", reason="More.")
    assert again.status_code == 422 and "already extended" in again.text
    # a rectification: the changes proposed, reviewed, approved and applied
    corrected = _open(runtime, "rectification", details="Peeters, with two e's.")
    wrong = desk.post(corrected, "approve", changes="contact.shoe_size=44")
    assert wrong.status_code == 422 and "not a declared field" in wrong.text
    assert desk.post(corrected, "approve", changes="contact.last_name=Peeters\n"
                     ).status_code == 303
    assert desk.post(corrected, "attest", system="accounting", note="Name fixed in BOB."
                     ).status_code == 303
    assert refresh(runtime, corrected).status == "fulfilled"
    with runtime.transaction() as session:
        subject = find_subject(session, runtime, email=EMAIL)
        assert subject is not None
        view = view_subject(session, runtime, subject.id, allowed_categories=None, actor="test")
        assert view.records["contact"][0]["last_name"] == "Peeters"
    # an objection to a legitimate interest, weighed and refused
    objection = _open(runtime, "objection", extra={"purpose": "course_suggestions"})
    from charter.rights.fulfilment import act_if_immediate
    from charter.rights.repository import request_by_reference

    with runtime.transaction() as session:
        found = request_by_reference(session, runtime.organization_id, objection)
        assert found is not None
        act_if_immediate(session, runtime, found, actor="staff:1")
    assert refresh(runtime, objection).stage == "review"
    assert desk.post(objection, "objection", decision="reject", reason=" ").status_code == 422
    assert desk.post(objection, "objection", decision="reject",
                     reason="The suggestions are part of the course.").status_code == 303
    weighed = refresh(runtime, objection)
    assert (weighed.status, weighed.reason) == ("denied", "claim_not_covered")
    # a restriction, put in force, then lifted after telling the person
    restricted = _open(runtime, "restriction")
    assert desk.post(restricted, "lift", reason="Too early.").status_code == 422
    assert desk.post(restricted, "fulfil").status_code == 303
    assert desk.post(restricted, "attest", system="accounting", note="Blocked in BOB."
                     ).status_code == 303
    assert "Restriction in force" in full_client.get(f"/requests/{restricted}").text
    assert desk.post(restricted, "lift", reason=" ").status_code == 422
    assert desk.post(restricted, "lift", reason="The accuracy is settled.").status_code == 303
    assert refresh(runtime, restricted).stage == "lifting"
    # a refusal with its code
    refused = _open(runtime, "access")
    assert desk.post(refused, "deny", code="suspected_fraud",
                     reason="The request was not made in good faith.").status_code == 303
    denied = refresh(runtime, refused)
    assert (denied.status, denied.reason) == ("denied", "suspected_fraud")
    assert "(suspected_fraud)" in full_client.get(f"/requests/{refused}").text
    with runtime.transaction() as session:
        actions = {e.action for r in (doubted, extended, corrected, objection, restricted)
                   for e in events_about(session, runtime.organization_id, f"request:{r}")
                   if e.actor.startswith("staff:")}
    assert {"request.doubt", "request.extended", "request.approved", "request.attested",
            "request.denied", "restriction.lifting"} <= actions
