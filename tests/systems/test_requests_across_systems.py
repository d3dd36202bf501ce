"""Requests from the privacy center across every system: Charter's store, the accounting
SQLite file, the school database (SQLite, and PostgreSQL when configured) and paper files
answered by the billing clerk. The person is answered only when every system has."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from charter.models import AuditEvent, ManualTask, RequestSystemPart, utcnow
from charter.rights import repository
from charter.rights.fulfilment import retry_failed_parts
from charter.runtime import Runtime
from charter.web.app import create_app

from ..factories import person, staff_login
from ..rights.helpers import BASE, ask_and_confirm, deliver, fulfil_by_staff, refresh
from ..smtp import Inbox, link_in, text_of
from .conftest import SecondDatabase
from .databases import EMAIL, OTHER, rows

CHECKLIST_OF_TWO = {"checked": ["0", "1"]}


@pytest.fixture
def client(systems_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(systems_runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _parts(runtime: Runtime, reference: str) -> dict[str, str]:
    with runtime.transaction() as session:
        return {p.system: p.status for p in repository.parts_of(
            session, runtime.organization_id, refresh(runtime, reference).id)}


def _open_task(runtime: Runtime) -> ManualTask:
    with runtime.transaction() as session:
        [task] = session.scalars(select(ManualTask).where(
            ManualTask.organization_id == runtime.organization_id,
            ManualTask.status == "open"))
        return task


def _audited(runtime: Runtime, action: str) -> list[AuditEvent]:
    with runtime.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == action)))


def test_access_merges_the_part_of_every_system(
        client: TestClient, systems_runtime: Runtime, inbox: Inbox) -> None:
    runtime = systems_runtime
    person(runtime, email=EMAIL, billing={"company": "Peeters BV"})
    request = ask_and_confirm(client, runtime, inbox, "access", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    assert _parts(runtime, request.reference) == {
        "portal": "done", "accounting": "done", "school": "done", "paper_files": "pending"}
    assert refresh(runtime, request.reference).status == "in_progress"
    csrf = staff_login(client, runtime, "billing", email="clerk@langschool.be")
    task = _open_task(runtime)
    assert task.assignee_list == []  # no clerk when it opened: the role still lets them in
    page = client.get(f"/tasks/{task.uid}")
    assert page.status_code == 200 and EMAIL in page.text
    # the clerk saw who the person is: the audit says which categories that was
    with runtime.transaction() as session:
        [viewed] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "task.viewed"))
    assert json.loads(viewed.details) == {"task": task.uid, "categories": ["contact"],
                                          "also": []}
    extract = "invoice,amount\n2019-044,75.00\n"
    done = client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, **CHECKLIST_OF_TWO, "attested": "yes", "category": "billing",
        "note": "Found one paper invoice"},
        files={"extract": ("found.csv", extract.encode(), "text/csv")},
        follow_redirects=False)
    assert done.status_code == 303, done.text
    assert refresh(runtime, request.reference).status == "fulfilled"
    deliver(runtime)
    link = link_in(inbox.messages[-1], "/exports/").removeprefix(BASE)
    package = zipfile.ZipFile(io.BytesIO(client.get(link).content))

    def part(name: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = json.loads(package.read(name))
        return found

    assert part("portal/billing.json")[0]["company"] == "Peeters BV"
    assert [r["number"] for r in part("accounting/billing.json") if r["table"] == "invoices"] \
        == ["2015-007", "2025-101"]
    assert part("school/contact.json")[0]["first_name"] == "Sophie"
    assert sorted(r["course"] for r in part("school/language_profile.json")) == \
        ["Dutch B1", "English C1"]
    assert part("paper_files/billing.json") == [{"invoice": "2019-044", "amount": "75.00"}]
    assert OTHER not in " ".join(package.read(n).decode() for n in package.namelist())
    events = {e.action for e in _audited(runtime, "task.opened") + _audited(
        runtime, "task.viewed") + _audited(runtime, "task.done")}
    assert events == {"task.opened", "task.viewed", "task.done"}


def test_erasure_deletes_and_masks_while_held_invoices_stay_restricted(
        client: TestClient, systems_runtime: Runtime, inbox: Inbox,
        accounting: SecondDatabase, school: SecondDatabase) -> None:
    runtime = systems_runtime
    person(runtime, email=EMAIL)
    request = ask_and_confirm(client, runtime, inbox, "erasure", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    assert [e["id"] for e in rows(school.engine, "enrolments", school.schema)] == [32]
    held = {i["id"]: i["restricted"] for i in rows(school.engine, "invoices", school.schema)}
    assert held == {20: True, 21: False}
    clients = {c["id"]: c["email"] for c in rows(accounting.engine, "clients")}
    assert clients[1].endswith("@erased.invalid") and clients[2] == OTHER
    assert [i["id"] for i in rows(accounting.engine, "invoices")] == [11, 12]
    erased = _audited(runtime, "system.erased")
    assert {json.loads(e.details)["system"] for e in erased} == {"accounting", "school"}
    assert all("@" not in e.details for e in erased)  # counts by table, never values
    assert refresh(runtime, request.reference).status == "in_progress"  # paper files
    csrf = staff_login(client, runtime, "dpo")
    task = _open_task(runtime)
    steps = client.get(f"/tasks/{task.uid}").text
    assert steps.count('name="checked"') == 3  # the erasure checklist
    client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, "checked": ["0", "1", "2"], "attested": "yes",
        "note": "Shredded the enrolment form"}, follow_redirects=False)
    assert refresh(runtime, request.reference).status == "fulfilled"
    deliver(runtime)
    answer = text_of(inbox.messages[-1])
    assert "School database: personal details removed from the records we keep; records " \
        "deleted" in answer
    assert answer.count("Billing details, kept until 2032-11-03") == 1  # two systems, one line


def test_a_system_that_fails_is_shown_to_staff_and_retried(
        client: TestClient, systems_runtime: Runtime, inbox: Inbox,
        accounting: SecondDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = systems_runtime
    person(runtime, email=EMAIL)
    monkeypatch.delenv("ACCOUNTING_DATABASE_URL")  # the accounting database is out of reach
    request = ask_and_confirm(client, runtime, inbox, "restriction", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    assert _parts(runtime, request.reference) == {
        "portal": "done", "accounting": "failed", "school": "done", "paper_files": "pending"}
    staff_login(client, runtime, "dpo")
    page = client.get("/systems").text
    section = page.split("Accounting program")[1].split("</section>")[0]
    assert request.reference in section and "ConnectionMissing" in section
    assert "ACCOUNTING_DATABASE_URL" not in page  # the error's type, never its message
    with runtime.transaction() as session:
        assert retry_failed_parts(session, runtime) == 0  # not before its backoff
    monkeypatch.setenv("ACCOUNTING_DATABASE_URL", accounting.url)
    with runtime.transaction() as session:  # the backoff has passed
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == runtime.organization_id).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        assert retry_failed_parts(session, runtime) == 1
    assert _parts(runtime, request.reference)["accounting"] == "done"
    assert [c["blocked"] for c in rows(accounting.engine, "clients")] == [True, False]
    assert [json.loads(e.details)["attempt"] for e in _audited(
        runtime, "request.system_failed")] == [1]
    assert refresh(runtime, request.reference).status == "in_progress"  # paper files still


def test_a_manual_task_holds_the_request_open_until_attested(
        client: TestClient, systems_runtime: Runtime, inbox: Inbox) -> None:
    from charter.accounts.service import add_staff_user
    from charter.systems.manual import remind_tasks

    runtime = systems_runtime
    with runtime.transaction() as session:
        add_staff_user(session, runtime, email="clerk@langschool.be", role="billing",
                       password="a long enough password", actor="test")
    person(runtime, email=EMAIL)
    request = ask_and_confirm(client, runtime, inbox, "access", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    task = _open_task(runtime)
    deadline = refresh(runtime, request.reference).deadline
    assert task.due_on == deadline - timedelta(days=5)  # lead_days before the request's own
    assert task.assignee_list == ["clerk@langschool.be"]
    deliver(runtime)
    told = [m for m in inbox.messages if m["To"] == "clerk@langschool.be"]
    assert len(told) == 1 and request.reference in text_of(told[0])
    with runtime.transaction() as session:
        assert remind_tasks(session, runtime, today=task.due_on - timedelta(days=10)) == 0
        assert remind_tasks(session, runtime, today=task.due_on - timedelta(days=1)) == 1
        assert remind_tasks(session, runtime, today=task.due_on - timedelta(days=1)) == 0
        assert remind_tasks(session, runtime, today=task.due_on + timedelta(days=1)) == 1
    deliver(runtime)
    reminded = [m for m in inbox.messages if m["To"] == "clerk@langschool.be"]
    assert len(reminded) == 3 and "OVERDUE" in text_of(reminded[-1])
    assert reminded[-1]["Subject"] == "1 task(s) in systems you look after"
    assert f"{request.reference}, Paper files: find and export" in text_of(reminded[-1])

    staff_login(client, runtime, "viewer")
    assert client.get(f"/tasks/{task.uid}").status_code == 403
    assert "No open task for you" in client.get("/tasks").text
    csrf = staff_login(client, runtime, "billing", email="clerk2@langschool.be")  # hired later
    refused = client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, "checked": ["0"], "attested": "yes", "nothing_found": "yes",
        "note": "Nothing in the files"})
    assert refused.status_code == 422 and "tick every step" in refused.text
    # what was typed comes back, so the clerk only adds what is missing
    assert ">Nothing in the files</textarea>" in refused.text
    assert 'name="checked" value="0" checked' in refused.text
    assert 'name="checked" value="1" checked' not in refused.text
    assert 'name="nothing_found" value="yes" checked' in refused.text
    missing = client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, **CHECKLIST_OF_TWO, "attested": "yes", "note": "Looked"})
    assert missing.status_code == 422 and "upload what was found" in missing.text
    assert _open_task(runtime).status == "open"
    assert _parts(runtime, request.reference)["paper_files"] == "pending"
    assert refresh(runtime, request.reference).status == "in_progress"
    done = client.post(f"/tasks/{task.uid}", data={
        "csrf_token": csrf, **CHECKLIST_OF_TWO, "attested": "yes", "nothing_found": "yes",
        "note": "Nothing about her in the 2019-2025 folders"}, follow_redirects=False)
    assert done.status_code == 303
    assert refresh(runtime, request.reference).status == "fulfilled"
    with runtime.transaction() as session:
        stored = session.scalars(select(ManualTask).where(
            ManualTask.organization_id == runtime.organization_id)).one()
        assert stored.status == "done" and stored.done_by and stored.done_at
        assert b"2019-2025 folders" not in stored.sealed  # the note is encrypted at rest
        assert runtime.cipher.unseal(stored)["note"] == \
            "Nothing about her in the 2019-2025 folders"
    assert re.search(r"Nothing about her", client.get(f"/tasks/{task.uid}").text)
