"""Art. 19: the recipients of a person's data hear of a rectification or an erasure — by mail
where the policy gives their address, otherwise as a task for staff in the audit log."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from charter.rights.connectors import Change
from charter.rights.fulfilment import approve_changes
from charter.runtime import Runtime
from charter.web.app import create_app

from ..factories import person, policy_with
from ..smtp import Inbox, text_of
from .helpers import ask_and_confirm, deliver, refresh
from .test_fulfilment import _accounting_done, _act

EMAIL = "sophie.peeters@example.org"
HOSTING = "dpa@hosting.example"


def _with_address(runtime: Runtime, tmp_path: Path) -> Runtime:
    anchor = "    name: Example Hosting SA\n"
    return policy_with(runtime, tmp_path, (anchor, anchor + f"    notify_email: {HOSTING}\n"))


def test_a_recipient_with_an_address_is_told_by_mail(mail_runtime: Runtime, inbox: Inbox,
                                                     tmp_path: Path) -> None:
    runtime = _with_address(mail_runtime, tmp_path)
    person(runtime, email=EMAIL, last_name="Peters")
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        request = ask_and_confirm(client, runtime, inbox, "rectification", EMAIL,
                                  "My name is Peeters.")
    _act(runtime, request.reference, approve_changes,
         changes=[Change("contact", "last_name", "Peeters")])
    _accounting_done(runtime, request.reference)
    assert refresh(runtime, request.reference).status == "fulfilled"
    deliver(runtime)
    [told] = inbox.to(HOSTING)
    body = text_of(told)
    assert request.reference in body and EMAIL in body  # which person, which request
    assert "- Contact details" in body and "Please do the same" in body
    assert told["Subject"].startswith("Art. 19 GDPR: ")
