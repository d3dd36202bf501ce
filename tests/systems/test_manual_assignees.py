"""A manual system whose policy names its people by address (`manual.assignees`): they get
the task and its reminders — not those who handle requests — may complete it whatever their
role, and each morning's reminders leave a `task.reminded` audit event."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.accounts.service import add_staff_user
from charter.models import AuditEvent, ManualTask
from charter.runtime import Runtime
from charter.systems.manual import remind_tasks
from charter.web.app import create_app

from ..factories import person, staff_login
from ..rights.helpers import ask_and_confirm, deliver, fulfil_by_staff, refresh
from ..smtp import Inbox, text_of
from .conftest import PORTAL, policy_with, runtime_with
from .databases import EMAIL

BOOKKEEPER = "bookkeeper@langschool.be"
LEDGER = {"id": "ledger", "kind": "manual", "label": {"en": "Paper ledger"},
          "categories": ["billing"], "responsible": ["Bookkeeper"],
          "manual": {"assignees": [BOOKKEEPER], "lead_days": 5}}


@pytest.fixture
def ledger_runtime(mail_runtime: Runtime, tmp_path: Path) -> Runtime:
    return runtime_with(mail_runtime, policy_with(tmp_path, [PORTAL, LEDGER]))


@pytest.fixture
def client(ledger_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(ledger_runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _to(inbox: Inbox, address: str) -> list[str]:
    return [text_of(m) for m in inbox.messages if m["To"] == address]


def test_staff_named_by_address_get_the_task_and_its_reminders(
        client: TestClient, ledger_runtime: Runtime, inbox: Inbox) -> None:
    runtime = ledger_runtime
    with runtime.transaction() as session:  # a viewer: no right to handle requests
        add_staff_user(session, runtime, email=BOOKKEEPER, role="viewer",
                       password="a long enough password", actor="test")
        add_staff_user(session, runtime, email="dpo@langschool.be", role="dpo",
                       password="a long enough password", actor="test")
    person(runtime, email=EMAIL)
    request = ask_and_confirm(client, runtime, inbox, "access", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    with runtime.transaction() as session:
        [task] = session.scalars(select(ManualTask).where(
            ManualTask.organization_id == runtime.organization_id))
    assert (task.system, task.assignee_list) == ("ledger", [BOOKKEEPER])
    deliver(runtime)
    [opened] = _to(inbox, BOOKKEEPER)
    assert request.reference in opened and "Paper ledger" in opened
    assert _to(inbox, "dpo@langschool.be") == []  # the named person has an account

    with runtime.transaction() as session:
        assert remind_tasks(session, runtime, today=task.due_on - timedelta(days=1)) == 1
    deliver(runtime)
    reminders = _to(inbox, BOOKKEEPER)[1:]
    assert len(reminders) == 1 and request.reference in reminders[0]
    assert _to(inbox, "dpo@langschool.be") == []
    with runtime.transaction() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "task.reminded"))
    assert json.loads(event.details) == {"tasks": 1, "staff": 1}
    assert event.actor == "system" and EMAIL not in event.details

    staff_login(client, runtime, "viewer", email="viewer2@langschool.be")
    assert client.get(f"/tasks/{task.uid}").status_code == 403  # a viewer not named
    client.cookies.clear()
    csrf = _login(client, BOOKKEEPER)
    assert client.get(f"/tasks/{task.uid}").status_code == 200  # named: whatever the role
    done = client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, "checked": ["0", "1"], "attested": "yes", "nothing_found": "yes",
        "note": "Nothing in the 2025 ledger"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    assert refresh(runtime, request.reference).status == "fulfilled"


def _login(client: TestClient, email: str) -> str:
    """Log in an existing staff account; the page's CSRF token."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post("/login", data={"email": email, "password": "a long enough password",
                                "csrf_token": token.group(1)}, follow_redirects=False)
    home = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf.group(1)
