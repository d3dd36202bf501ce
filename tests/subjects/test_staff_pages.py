"""People in the Portal: found by whole address or number only; each role sees the categories
it is granted and nothing else; every search and view is audited without the data."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.cli import main
from charter.consent.service import record_consent
from charter.models import AuditEvent
from charter.runtime import Runtime

from ..factories import person, staff_login

EMAIL = "sophie.peeters@example.org"
BILLING = {"company": "Brasserie Lambert", "vat_number": "BE0999888777"}


def _events(runtime: Runtime, action: str) -> list[AuditEvent]:
    with runtime.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == action).order_by(AuditEvent.seq)))


def _subscribed(runtime: Runtime, subject_id: int) -> None:
    from charter.subjects.repository import subject_by_id

    with runtime.transaction() as session:
        subject = subject_by_id(session, runtime.organization_id, subject_id)
        assert subject is not None
        record_consent(session, runtime, subject, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")


def test_search_by_email_or_phone_finds_the_person(client: TestClient,
                                                    runtime: Runtime) -> None:
    subject = person(runtime, email=EMAIL, billing=BILLING)
    csrf = staff_login(client, runtime, "support")

    def search(query: str) -> Any:
        return client.post("/subjects", data={"q": query, "csrf_token": csrf})

    found = search("  Sophie.Peeters@example.org ")
    assert found.status_code == 200 and f'href="/subjects/{subject.id}"' in found.text
    by_phone = search("0470 12 34 56")  # national format
    assert f'href="/subjects/{subject.id}"' in by_phone.text
    assert "Nobody with this address" in search("sophie@example.org").text  # no partial
    bad = search("sophie")
    assert bad.status_code == 422 and "whole e-mail address or phone number" in bad.text
    [first, second, _third] = _events(runtime, "subject.searched")
    assert json.loads(first.details) == {"by": "email", "found": 1}
    assert EMAIL not in (first.details or "") and "0470" not in (second.details or "")
    assert client.post("/subjects", data={"q": EMAIL, "csrf_token": "forged"}
                       ).status_code == 400


def test_a_billing_clerk_sees_billing_data_and_nothing_else(client: TestClient,
                                                             runtime: Runtime) -> None:
    subject = person(runtime, email=EMAIL, billing=BILLING)
    _subscribed(runtime, subject.id)
    staff_login(client, runtime, "billing")
    page = client.get(f"/subjects/{subject.id}")
    assert page.status_code == 200
    assert "BE0999888777" in page.text
    for hidden in ("Sophie", "Peeters", EMAIL, "Newsletter about our courses", "Audit trail"):
        assert hidden not in page.text, hidden
    assert "1 other category hidden" in page.text
    [viewed] = _events(runtime, "subject.viewed")
    assert json.loads(viewed.details) == {"categories": ["billing"]}
    assert viewed.actor.startswith("staff:") and viewed.target == f"subject:{subject.id}"


def test_support_sees_contact_and_consents_but_not_billing(client: TestClient,
                                                            runtime: Runtime) -> None:
    subject = person(runtime, email=EMAIL, billing=BILLING)
    _subscribed(runtime, subject.id)
    staff_login(client, runtime, "support")
    page = client.get(f"/subjects/{subject.id}").text
    assert "Sophie" in page and EMAIL in page and "Newsletter about our courses" in page
    assert "BE0999888777" not in page and "Brasserie" not in page
    [viewed] = _events(runtime, "subject.viewed")
    assert json.loads(viewed.details) == {"categories": ["contact"],
                                          "also": ["contact", "consents"]}


def test_the_dpo_sees_everything_with_the_trail(client: TestClient, runtime: Runtime,
                                                cli_args: list[str]) -> None:
    subject = person(runtime, email=EMAIL, billing=BILLING)
    logged = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "access",
                                       "--email", EMAIL, "--channel", "post", "--verified"])
    assert logged.exit_code == 0, logged.output
    staff_login(client, runtime, "dpo")
    client.get(f"/subjects/{subject.id}")
    page = client.get(f"/subjects/{subject.id}").text
    assert "BE0999888777" in page and "Sophie" in page
    assert "Audit trail" in page and "subject.viewed" in page  # the first view is on it
    reference = logged.output.split(":")[0].split()[-1]
    assert f'<a href="/requests/{reference}">{reference}</a></td><td>access</td>' in page
    assert client.get("/subjects/999999").status_code == 404


def test_roles_without_the_right_get_nothing(client: TestClient, runtime: Runtime) -> None:
    subject = person(runtime, email=EMAIL)
    staff_login(client, runtime, "viewer")
    assert client.get(f"/subjects/{subject.id}").status_code == 403
    assert client.post("/subjects", data={"q": EMAIL}).status_code == 403
    assert _events(runtime, "subject.viewed") == []
