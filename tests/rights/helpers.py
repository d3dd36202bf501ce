"""Small helpers for the rights tests: ask through the privacy center, read the mail."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.models import RightsRequest
from charter.rights import repository
from charter.rights.fulfilment import fulfil
from charter.runtime import Runtime

from ..smtp import Inbox, link_in

BASE = "https://privacy.langschool.be"


def deliver(runtime: Runtime) -> None:
    deliver_due(runtime, SmtpTransport(runtime.settings))


def ask(client: TestClient, kind: str, email: str, details: str = "", *, lang: str = "en",
        purpose: str = "", ground: str = "") -> Any:
    page = client.get(f"/requests/new?lang={lang}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return client.post(f"/requests/new?lang={lang}", data={
        "kind": kind, "email": email, "details": details, "purpose": purpose,
        "ground": ground, "csrf_token": token.group(1)})


def ask_and_confirm(client: TestClient, runtime: Runtime, inbox: Inbox, kind: str,
                    email: str, details: str = "", *, purpose: str = "", lang: str = "en",
                    ground: str | None = None) -> RightsRequest:
    """The whole intake: the form, the verification mail, the confirmation. An erasure is
    asked on the ground that the data is no longer needed (Art. 17(1)(a)) unless ``ground``
    says otherwise ("" for none)."""
    if ground is None:
        ground = "a" if kind == "erasure" else ""
    deliver(runtime)  # what was queued before is not the verification
    before = len(inbox.messages)
    assert ask(client, kind, email, details, purpose=purpose, lang=lang,
               ground=ground).status_code == 200
    deliver(runtime)
    [verification] = inbox.messages[before:]
    path = link_in(verification, "/requests/verify/").removeprefix(BASE)
    assert client.post(path).status_code == 200
    return latest(runtime)


def latest(runtime: Runtime) -> RightsRequest:
    with runtime.transaction() as session:
        found = repository.queue(session, runtime.organization_id, statuses=(
            "open", "in_progress", "fulfilled", "denied", "expired", "revoked"))
        return max(found, key=lambda r: r.id)


def refresh(runtime: Runtime, reference: str) -> RightsRequest:
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        return found


def fulfil_by_staff(runtime: Runtime, reference: str) -> None:
    """A member of staff acts on the verified request (every system is asked)."""
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        fulfil(session, runtime, found, actor="staff:1")
