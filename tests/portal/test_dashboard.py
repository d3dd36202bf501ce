"""The dashboard: what needs doing, as figures and charts, each part for the roles whose
work it is."""

from __future__ import annotations

from datetime import date, timedelta

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import update

from charter.cli import main
from charter.consent.service import record_consent, withdraw_all
from charter.models import Record, utcnow
from charter.runtime import Runtime
from charter.subjects.repository import subject_by_id

from ..factories import person, staff_login


def _request(cli_args: list[str], email: str, received: date) -> None:
    result = CliRunner().invoke(main, [*cli_args, "requests", "add", "--type", "access",
                                       "--email", email, "--channel", "post", "--verified",
                                       "--received-at", received.isoformat()])
    assert result.exit_code == 0, result.output


def _row(label: str, *values: int) -> str:
    return f'<tr><th scope="row">{label}</th>' + "".join(f"<td>{v}</td>" for v in values)


def test_requests_by_deadline_and_the_overdue_ones(client: TestClient, runtime: Runtime,
                                                   cli_args: list[str]) -> None:
    today = date.today()
    _request(cli_args, "late@example.org", today - timedelta(days=45))
    _request(cli_args, "fresh@example.org", today)
    staff_login(client, runtime, "support")
    page = client.get("/").text
    assert "1 request overdue." in page and 'role="img"' in page
    assert _row("overdue", 1) in page and _row("later", 1) in page
    assert "access) — due" in page  # the overdue one, linked


def test_consent_trend_counts_this_weeks_grants_and_withdrawals(
        client: TestClient, runtime: Runtime) -> None:
    subject = person(runtime)
    with runtime.transaction() as session:
        found = subject_by_id(session, runtime.organization_id, subject.id)
        assert found is not None
        record_consent(session, runtime, found, purpose="newsletter", channel="email",
                       action="grant", method="written", actor="test")
        withdraw_all(session, runtime, found, method="unsubscribe_link", actor="test")
    staff_login(client, runtime, "dpo")
    page = client.get("/").text
    monday = date.today() - timedelta(days=date.today().weekday())
    assert _row(monday.strftime("%d/%m"), 1, 1, 1) in page  # given, withdrawn, unsubscribed


def test_records_past_retention_are_counted_apart_from_legal_holds(
        client: TestClient, runtime: Runtime) -> None:
    person(runtime, email="a@example.org")
    person(runtime, email="b@example.org", billing={"company": "X", "vat_number": "BE0999888777"})
    past = utcnow() - timedelta(days=1)
    with runtime.transaction() as session:
        org = runtime.organization_id
        session.execute(update(Record).where(Record.organization_id == org,
                                             Record.category == "contact")
                        .values(retention_due_at=past))
        session.execute(update(Record).where(Record.organization_id == org,
                                             Record.category == "billing")
                        .values(retention_due_at=past, legal_hold_until=utcnow()
                                + timedelta(days=365)))
    staff_login(client, runtime, "viewer")
    page = client.get("/").text
    assert "2 <span>records past their retention</span>" in page
    assert "1 past due are kept under a legal hold" in page


def test_each_role_sees_its_own_work(client: TestClient, runtime: Runtime) -> None:
    staff_login(client, runtime, "billing")
    page = client.get("/").text
    assert 'id="requests"' not in page and 'id="breaches"' not in page
    assert 'id="consent"' in page  # billing may view people: consent trend is counts only
    staff_login(client, runtime, "viewer", email="viewer@langschool.be")
    page = client.get("/").text
    assert 'id="requests"' not in page and 'id="consent"' not in page
    assert 'id="retention"' in page


def test_open_breaches_with_their_clock_and_open_complaints(client: TestClient,
                                                            runtime: Runtime) -> None:
    from ..breaches.helpers import recorded
    from ..complaints.helpers import post_complaint

    csrf = staff_login(client, runtime, "dpo")
    reference = recorded(client, csrf, detected_hours_ago=80)
    assert post_complaint(client, csrf).status_code == 303
    page = client.get("/").text
    breaches = page.split('id="breaches"')[1].split("</section>")[0]
    assert reference in breaches and 'role="alert"' in breaches and "overdue by 8 h" in breaches
    complaints = page.split('id="complaints"')[1].split("</section>")[0]
    assert "1 <span>waiting for an answer</span>" in complaints and "1 overdue" in complaints
