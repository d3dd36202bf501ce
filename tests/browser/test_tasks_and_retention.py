"""Two Portal pages in Chromium, under the app's CSP: a billing clerk completing the task a
system answered by people owes to an access request (a refused attestation first, then the
checklist, the note and a CSV extract), and the retention plan before and after a sweep."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.models import AuditEvent, ManualTask
from charter.retention.sweep import sweep
from charter.rights import repository
from charter.runtime import Runtime, open_runtime
from charter.subjects import RecordInput
from charter.systems.manual import DEFAULT_CHECKLISTS
from charter.web.app import create_app

from ..factories import person
from ..retention.conftest import EXAMPLES, prospect, store, years_ago
from ..rights.helpers import ask_and_confirm, deliver, fulfil_by_staff, refresh
from ..smtp import Inbox, link_in
from ..systems.conftest import PAPER, PORTAL, policy_with, runtime_with
from .conftest import log_in, serving, staff_account

EMAIL = "sophie.peeters@example.org"
EXTRACT = "invoice,amount\n2019-044,75.00\n2021-112,120.50\n"


def _console_errors(page: Any) -> list[str]:
    """What the page reports as errors, with the URL each is about: a CSP violation, a script
    error, a resource that failed to load."""
    errors: list[str] = []

    def heard(message: Any) -> None:
        url = message.location.get("url", "")
        if message.type == "error":
            errors.append(f"{message.text} at {url}")

    page.on("console", heard)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def paper_runtime(mail_runtime: Runtime, tmp_path: Path) -> Runtime:
    """Charter's store and paper files that billing clerks answer by hand; mail on loopback."""
    return runtime_with(mail_runtime, policy_with(tmp_path, [PORTAL, PAPER]))


@pytest.fixture
def paper_client(paper_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(paper_runtime), base_url="http://127.0.0.1") as client:
        yield client


def _tasks(runtime: Runtime) -> list[ManualTask]:
    with runtime.transaction() as session:
        return list(session.scalars(select(ManualTask).where(
            ManualTask.organization_id == runtime.organization_id)))


def _parts(runtime: Runtime, reference: str) -> dict[str, str]:
    with runtime.transaction() as session:
        return {p.system: p.status for p in repository.parts_of(
            session, runtime.organization_id, refresh(runtime, reference).id)}


def _audited(runtime: Runtime, action: str) -> list[AuditEvent]:
    with runtime.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == action)))


def test_a_clerk_completes_a_paper_files_task_in_the_browser(
        browser: Any, paper_runtime: Runtime, paper_client: TestClient, inbox: Inbox,
        tmp_path: Path) -> None:
    runtime = paper_runtime
    person(runtime, email=EMAIL, billing={"company": "Peeters BV"})
    clerk = staff_account(runtime, "billing")  # the role the policy names for the paper files
    request = ask_and_confirm(paper_client, runtime, inbox, "access", EMAIL)
    fulfil_by_staff(runtime, request.reference)
    assert _parts(runtime, request.reference) == {"portal": "done", "paper_files": "pending"}
    [task] = _tasks(runtime)
    assert task.assignee_list == [clerk]
    extract = tmp_path / "paper-invoices.csv"
    extract.write_text(EXTRACT)
    with serving(runtime) as live:
        context = browser.new_context()
        try:
            page = context.new_page()
            errors = _console_errors(page)
            log_in(page, live.url, clerk)
            page.wait_for_url(f"{live.url}/")
            page.get_by_role("navigation", name="Portal").get_by_role(
                "link", name="Tasks", exact=True).click()
            page.wait_for_url(f"{live.url}/tasks")
            task_url = f"{live.url}/tasks/{task.uid}"
            with page.expect_response(task_url) as shown:
                page.get_by_role("link", name=request.reference).click()
            assert "script-src 'self'" in shown.value.headers["content-security-policy"]
            page.wait_for_url(task_url)
            assert page.get_by_role("heading", name="Paper files: access for "
                                    f"{request.reference}").is_visible()
            assert page.get_by_text(EMAIL).is_visible()
            steps = page.get_by_role("group", name="Checklist").get_by_role("checkbox")
            assert steps.count() == len(DEFAULT_CHECKLISTS["access"])
            for step in DEFAULT_CHECKLISTS["access"]:
                assert page.get_by_label(step).is_visible()

            # one step left unticked: refused, and nothing changes
            steps.first.check()
            page.get_by_label("What was done", exact=True).fill("Looked in the cabinet")
            page.get_by_label("I attest that this was done as described.").check()
            page.get_by_role("button", name="Attest").click()
            refused = page.get_by_role("alert")
            assert refused.inner_text() == ("Nothing was changed: tick every step of the "
                                            "checklist once it is done")
            [still] = _tasks(runtime)
            assert still.status == "open"
            assert _parts(runtime, request.reference)["paper_files"] == "pending"
            assert refresh(runtime, request.reference).status == "in_progress"
            assert _audited(runtime, "task.done") == []
            assert page.url == task_url
            # the refusal is answered with 422, which Chromium logs; nothing else is
            assert len(errors) == 1 and "status of 422" in errors[0] \
                and errors[0].endswith(f" at {task_url}"), errors
            errors.clear()

            # every step, the note, the attestation and what was found
            for i in range(steps.count()):
                steps.nth(i).check()
            page.get_by_label("What was done", exact=True).fill(
                "Found two paper invoices in the 2019 and 2021 folders")
            page.get_by_label("I attest that this was done as described.").check()
            page.get_by_label('What was found (JSON {"category": [rows]} or CSV)',
                              exact=True).set_input_files(extract)
            page.get_by_label("Category of a CSV file").select_option("billing")
            page.get_by_role("button", name="Attest").click()
            page.wait_for_url(f"{live.url}/tasks")
            assert page.get_by_text("No open task for you.").is_visible()
            assert page.get_by_role("link", name=request.reference).count() == 0
            assert errors == []
        finally:
            context.close()

    [done] = _tasks(runtime)
    assert done.status == "done" and done.done_by
    assert _parts(runtime, request.reference) == {"portal": "done", "paper_files": "done"}
    assert refresh(runtime, request.reference).status == "fulfilled"
    [event] = _audited(runtime, "task.done")
    assert json.loads(event.details)["extract_rows"] == 2
    deliver(runtime)
    answer = [m for m in inbox.messages if m["To"] == EMAIL][-1]
    download = urlsplit(link_in(answer, "/exports/")).path
    package = zipfile.ZipFile(io.BytesIO(paper_client.get(download).content))
    assert json.loads(package.read("paper_files/billing.json")) == [
        {"invoice": "2019-044", "amount": "75.00"},
        {"invoice": "2021-112", "amount": "120.50"}]
    assert json.loads(package.read("portal/billing.json"))[0]["company"] == "Peeters BV"


@pytest.fixture
def qualifio(runtime: Runtime) -> Runtime:
    settings = runtime.settings.model_copy(update={"policy": EXAMPLES / "qualifio.yaml"})
    return open_runtime(settings, engine=runtime.engine)


def test_the_retention_page_before_and_after_a_sweep(browser: Any,
                                                     qualifio: Runtime) -> None:
    for n in range(3):
        prospect(qualifio, f"old.prospect{n}@example.org", years_ago(4))
    for n in range(6):  # anonymised by the sweep: a month the chart may show
        store(qualifio, f"visitor{n}@example.org",
              RecordInput("language_profile", {"language": "fr"}, "website_tracking",
                          collected_at=years_ago(4), last_contact_at=years_ago(4)))
    dpo = staff_account(qualifio, "dpo")
    with serving(qualifio) as live:
        context = browser.new_context()
        try:
            page = context.new_page()
            errors = _console_errors(page)
            log_in(page, live.url, dpo)
            page.wait_for_url(f"{live.url}/")
            page.get_by_role("navigation", name="Portal").get_by_role(
                "link", name="Retention", exact=True).click()
            page.wait_for_url(f"{live.url}/retention")
            assert page.get_by_role("heading", name="Due now: 12 record(s)").is_visible()
            due = page.locator("table").first
            assert due.get_by_role("rowheader", name="prospects").count() == 2  # 2 categories
            assert due.get_by_role("cell", name="anonymise").is_visible()
            assert "example.org" not in page.content()
            assert errors == []

            sweep(qualifio)
            reloaded = page.reload()
            assert "script-src 'self'" in reloaded.headers["content-security-policy"]
            assert page.get_by_role("heading", name="Due now: 0 record(s)").is_visible()
            assert page.get_by_text("Nothing is past its retention.").is_visible()
            assert page.get_by_role("img", name="Anonymised records by month collected") \
                .is_visible()
            assert errors == []
        finally:
            context.close()
