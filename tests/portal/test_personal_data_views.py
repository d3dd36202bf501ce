"""Every view of a person's data is audited with who, when and which categories — exactly the
categories the page showed, read back from the page itself, for roles that see different
parts of the same person."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.mail.service import queue_message
from charter.models import AuditEvent, utcnow
from charter.runtime import Runtime
from charter.subjects import RecordInput, store_subject_data
from charter.web.app import create_app

from ..factories import staff_login

EMAIL = "sophie.peeters@example.org"
RECORDS = [
    RecordInput(category="contact", source="enrolment",
                fields={"email": EMAIL, "first_name": "Sophie", "last_name": "Peeters"}),
    RecordInput(category="language_profile", source="enrolment",
                fields={"mother_tongue": "nl", "target_language": "fr", "level": "B1"}),
    RecordInput(category="billing", source="enrolment",
                fields={"company": "Brasserie Lambert", "vat_number": "BE0999888777"}),
]


def _categories_shown(runtime: Runtime, page: str) -> list[str]:
    """The categories whose records the page shows: the headings of its Records card."""
    records = page.split("<h2>Records</h2>", 1)[1].split("</section>", 1)[0]
    policy = runtime.policy
    by_label = {c.label.get("en", policy.languages.default): c.id
                for c in policy.data_categories}
    return sorted(by_label[heading] for heading in re.findall(r"<h3>([^<]+)</h3>", records))


def _view_as(runtime: Runtime, role: str, subject_id: int) -> tuple[str, AuditEvent]:
    with TestClient(create_app(runtime), base_url="http://127.0.0.1") as client:
        staff_login(client, runtime, role)
        page = client.get(f"/subjects/{subject_id}")
        assert page.status_code == 200
    with runtime.transaction() as session:
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "subject.viewed").order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    return page.text, event


def test_the_view_event_names_exactly_the_categories_the_page_showed(
        runtime: Runtime) -> None:
    before = utcnow() - timedelta(seconds=5)
    with runtime.transaction() as session:
        subject = store_subject_data(session, runtime, email=EMAIL, phone=None,
                                     records=RECORDS, actor="test")
    seen = {}
    for role in ("support", "billing"):
        page, event = _view_as(runtime, role, subject.id)
        details = json.loads(event.details or "{}")
        shown = _categories_shown(runtime, page)
        role_categories = set(runtime.policy.role(role).categories)  # type: ignore[union-attr]
        assert details["categories"] == shown, role
        assert set(shown) <= role_categories, role  # and nothing beyond the role
        assert event.actor.startswith("staff:") and event.target == f"subject:{subject.id}"
        assert event.occurred_at.replace(tzinfo=None) >= before.replace(tzinfo=None)
        assert EMAIL not in (event.details or "")  # which categories, never the data
        # the address at the top of the page is contact data too, named under "also"
        assert (EMAIL in page) == ("contact" in details.get("also", [])), role
        seen[role] = details
    assert seen["support"] == {"categories": ["contact", "language_profile"],
                               "also": ["contact"]}
    assert seen["billing"] == {"categories": ["billing"]}


def test_opening_a_mail_in_the_outbox_names_the_categories_it_showed(
        client: TestClient, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        message = queue_message(session, runtime, kind="newsletter_confirmation", to=EMAIL,
                                language="en", context={"purpose_label": "News",
                                                        "confirm_url": "https://x/c"})
    staff_login(client, runtime, "dpo")
    assert EMAIL in client.get(f"/outbox/{message.id}").text
    with runtime.transaction() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "mail.viewed")).all()
    assert event.actor.startswith("staff:")
    assert json.loads(event.details or "{}") == {
        "message": message.uid, "kind": "newsletter_confirmation",
        "categories": ["contact"], "also": ["mail text"]}
