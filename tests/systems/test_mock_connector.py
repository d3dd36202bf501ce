"""The connector test double (as httpx's MockTransport): requests go on through the one
connector interface whatever the system — a failure is retried with backoff, a system that
says "later" gets a task, and lifting a restriction hands back what the restriction set."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from charter.cli import main
from charter.models import AuditEvent, RequestSystemPart, utcnow
from charter.rights import repository
from charter.rights.connectors import AwaitingPerson, SystemAnswer
from charter.rights.fulfilment import (
    MAX_ATTEMPTS,
    lift_due_restrictions,
    lift_restriction,
    retry_failed_parts,
)
from charter.rights.intake import ask_for_proof, revoke
from charter.runtime import Runtime
from charter.systems import repository as systems_repository
from charter.systems.manual import remind_tasks
from charter.systems.mock import ConnectorCall, MockConnector
from charter.systems.service import overview

from ..factories import person, staff_login
from ..rights.helpers import ask_and_confirm, fulfil_by_staff, refresh
from ..smtp import Inbox
from .databases import EMAIL


def _status(runtime: Runtime, reference: str) -> dict[str, tuple[str, int]]:
    with runtime.transaction() as session:
        return {p.system: (p.status, p.attempts) for p in repository.parts_of(
            session, runtime.organization_id, refresh(runtime, reference).id)}


def test_a_failure_is_retried_with_growing_backoff(mail_client: TestClient,
                                                   mail_runtime: Runtime,
                                                   inbox: Inbox) -> None:
    def handler(call: ConnectorCall) -> SystemAnswer:
        if call.number <= 2:
            raise TimeoutError("the accounting computer is off")
        return SystemAnswer(found=True, data={"billing": [{"invoice": "2026-014"}]})

    double = MockConnector(handler)
    mail_runtime.connectors["accounting"] = double
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    waits = []
    for attempt in (1, 2):
        assert _status(mail_runtime, request.reference)["accounting"] == ("failed", attempt)
        with mail_runtime.transaction() as session:
            [part] = [p for p in repository.parts_of(session, mail_runtime.organization_id,
                                                     refresh(mail_runtime, request.reference).id)
                      if p.system == "accounting"]
            assert part.next_attempt_at is not None and part.last_error == "TimeoutError"
            waits.append(part.next_attempt_at - utcnow())
            part.next_attempt_at = utcnow() - timedelta(seconds=1)
        with mail_runtime.transaction() as session:
            assert retry_failed_parts(session, mail_runtime) == 1
    assert waits[1] > waits[0] + timedelta(minutes=1)  # 2, then 4 minutes
    assert [c.action for c in double.calls] == ["access"] * 3
    assert all(c.person.email == EMAIL and c.person.request == request.reference
               for c in double.calls)
    # a system that knows people by phone only is given the number Charter holds for them
    assert {c.person.phone for c in double.calls} == {"+32470123456"}
    assert refresh(mail_runtime, request.reference).status == "fulfilled"


def test_a_retry_that_cannot_finish_still_counts(mail_client: TestClient,
                                                 mail_runtime: Runtime, inbox: Inbox) -> None:
    def handler(call: ConnectorCall) -> SystemAnswer:
        if call.number == 1:
            raise ConnectionError("down")
        return SystemAnswer(found=True, data={"billing": [{"scan": object()}]})  # unstorable

    mail_runtime.connectors["accounting"] = MockConnector(handler)
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        for part in repository.parts_of(session, mail_runtime.organization_id,
                                        refresh(mail_runtime, request.reference).id):
            part.next_attempt_at = utcnow() - timedelta(seconds=1)
    with mail_runtime.transaction() as session:
        assert retry_failed_parts(session, mail_runtime) == 1
    # the second attempt is counted and waits its backoff: no retry every ten minutes forever
    assert _status(mail_runtime, request.reference)["accounting"] == ("failed", 2)
    assert refresh(mail_runtime, request.reference).status == "in_progress"


def test_a_system_that_answers_later_gets_a_task(mail_client: TestClient,
                                                 mail_runtime: Runtime, inbox: Inbox) -> None:
    def later(call: ConnectorCall) -> SystemAnswer:
        raise AwaitingPerson("accounting")

    mail_runtime.connectors["accounting"] = MockConnector(later)
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "erasure", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    fulfil_by_staff(mail_runtime, request.reference)  # asked twice: still one task
    with mail_runtime.transaction() as session:
        [task] = systems_repository.open_tasks(session, mail_runtime.organization_id)
        assert (task.system, task.action) == ("accounting", "erasure")
    assert _status(mail_runtime, request.reference)["accounting"] == ("pending", 0)


def test_a_withdrawn_request_releases_its_task(mail_client: TestClient,
                                              mail_runtime: Runtime, inbox: Inbox) -> None:
    def later(call: ConnectorCall) -> SystemAnswer:
        raise AwaitingPerson("accounting")

    mail_runtime.connectors["accounting"] = MockConnector(later)
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        revoke(session, mail_runtime, found, actor="staff:1")
    with mail_runtime.transaction() as session:
        org = mail_runtime.organization_id
        assert systems_repository.open_tasks(session, org) == []  # off everyone's list
        overdue = utcnow().date() + timedelta(days=60)
        assert remind_tasks(session, mail_runtime, today=overdue) == 0  # never reminded
        [released] = [e for e in session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == org,
            AuditEvent.action == "request.systems_released"))]
        assert json.loads(released.details) == {"tasks": 1, "callbacks": 0}


def test_lifting_hands_back_what_the_restriction_set(mail_client: TestClient,
                                                     mail_runtime: Runtime,
                                                     inbox: Inbox) -> None:
    def handler(call: ConnectorCall) -> SystemAnswer:
        if call.action == "restriction":
            return SystemAnswer(found=True, done=["use restricted"], undo={"rows": [7]})
        if call.number == 2:
            raise ConnectionError("down on the day of lifting")
        return SystemAnswer(found=True)

    double = MockConnector(handler)
    mail_runtime.connectors["accounting"] = double
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "restriction", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        day = lift_restriction(session, mail_runtime, found, reason="the dispute is settled",
                               actor="staff:1")
    with mail_runtime.transaction() as session:
        assert lift_due_restrictions(session, mail_runtime, today=day) == 0  # failed: again
    assert refresh(mail_runtime, request.reference).stage == "lifting"
    staff_login(mail_client, mail_runtime, "dpo")
    page = mail_client.get("/systems").text
    assert "Restrictions a system failed to lift" in page
    assert request.reference in page and "accounting (<span class=\"error\">ConnectionError" in page
    with mail_runtime.transaction() as session:
        assert lift_due_restrictions(session, mail_runtime, today=day) == 1
    assert refresh(mail_runtime, request.reference).stage == "lifted"
    assert "Restrictions a system failed to lift" not in mail_client.get("/systems").text
    lifts = [c for c in double.calls if c.action == "lift"]
    assert len(lifts) == 2 and all(c.restricted is not None and c.restricted.undo ==
                                   {"rows": [7]} for c in lifts)


def test_the_mock_records_rectifications(mail_client: TestClient, mail_runtime: Runtime,
                                         inbox: Inbox) -> None:
    from charter.rights.connectors import Change
    from charter.rights.fulfilment import approve_changes

    double = MockConnector(lambda call: SystemAnswer(found=True, done=["changed"]))
    mail_runtime.connectors["accounting"] = double
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "rectification", EMAIL,
                              "my surname is Peeters-Maes")
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        approve_changes(session, mail_runtime, found, actor="staff:1",
                        changes=[Change("contact", "last_name", "Peeters-Maes")])
    [call] = double.calls
    assert call.action == "rectification"
    assert call.changes == [Change("contact", "last_name", "Peeters-Maes")]
    assert refresh(mail_runtime, request.reference).status == "fulfilled"
    assert set(_status(mail_runtime, request.reference).values()) == {("done", 0)}


def test_after_the_last_attempt_retries_stop_and_staff_attest(
        mail_client: TestClient, mail_runtime: Runtime, inbox: Inbox,
        cli_args: list[str]) -> None:
    def down(call: ConnectorCall) -> SystemAnswer:
        raise ConnectionError("the accounting computer is gone")

    double = MockConnector(down)
    mail_runtime.connectors["accounting"] = double
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    csrf = staff_login(mail_client, mail_runtime, "dpo")
    attest = {"csrf_token": csrf, "system": "accounting", "note": "Printed the customer card"}
    early = mail_client.post(f"/requests/{request.reference}/attest", data=attest,
                             follow_redirects=False)
    assert early.status_code >= 400  # while retries go on, the connector answers
    assert "answers through its connector" in early.text
    for attempt in range(2, MAX_ATTEMPTS + 1):
        _past_backoff(mail_runtime)
        with mail_runtime.transaction() as session:
            assert retry_failed_parts(session, mail_runtime) == 1, attempt
    assert _status(mail_runtime, request.reference)["accounting"] == ("failed", MAX_ATTEMPTS)
    assert len(double.calls) == MAX_ATTEMPTS

    _past_backoff(mail_runtime)
    with mail_runtime.transaction() as session:
        assert retry_failed_parts(session, mail_runtime) == 0  # no ninth attempt ...
        assert retry_failed_parts(session, mail_runtime) == 0  # ... ever
    assert len(double.calls) == MAX_ATTEMPTS
    assert _status(mail_runtime, request.reference)["accounting"] == ("failed", MAX_ATTEMPTS)
    listed = CliRunner(env={"COLUMNS": "200"}).invoke(main, [*cli_args, "systems", "tasks"])
    assert listed.exit_code == 0, listed.output
    assert f"1 part(s) stopped retrying after {MAX_ATTEMPTS} attempts" in listed.output
    [line] = [line for line in listed.output.splitlines() if request.reference in line]
    assert [c.strip() for c in line.split("│")[1:-1]][:2] == ["accounting", request.reference]
    assert "ConnectionError" in line
    with mail_runtime.transaction() as session:
        [state] = [s for s in overview(session, mail_runtime) if s.system.id == "accounting"]
        assert [r.reference for _p, r in state.to_attest] == [request.reference]
    assert "stopped retrying — do it by hand" in mail_client.get("/systems").text

    done = mail_client.post(f"/requests/{request.reference}/attest", data=attest,
                            follow_redirects=False)
    assert done.status_code == 303, done.text  # now staff's attestation is the answer
    assert _status(mail_runtime, request.reference)["accounting"] == ("done", MAX_ATTEMPTS)
    assert refresh(mail_runtime, request.reference).status == "fulfilled"
    with mail_runtime.transaction() as session:
        [attested] = session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == mail_runtime.organization_id,
            AuditEvent.action == "request.attested"))
        assert json.loads(attested.details) == {"system": "accounting"}
    assert "stopped retrying" not in CliRunner().invoke(
        main, [*cli_args, "systems", "tasks"]).output


def _past_backoff(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == runtime.organization_id).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))


def test_a_request_waiting_for_proof_owes_nothing_meanwhile(mail_client: TestClient,
                                                            mail_runtime: Runtime,
                                                            inbox: Inbox) -> None:
    """A doubt raised while a system was failing: nothing is done for the person until they
    prove who they are, so the part is neither retried nor listed as owed."""
    def handler(call: ConnectorCall) -> SystemAnswer:
        raise TimeoutError("the accounting computer is off")

    mail_runtime.connectors["accounting"] = MockConnector(handler)
    person(mail_runtime, email=EMAIL)
    request = ask_and_confirm(mail_client, mail_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(mail_runtime, request.reference)
    assert _status(mail_runtime, request.reference)["accounting"] == ("failed", 1)
    with mail_runtime.transaction() as session:
        found = repository.request_by_reference(session, mail_runtime.organization_id,
                                                request.reference)
        assert found is not None
        ask_for_proof(session, mail_runtime, found, note="The signature differs.",
                      actor="staff:1")
    _past_backoff(mail_runtime)
    with mail_runtime.transaction() as session:
        assert retry_failed_parts(session, mail_runtime) == 0
        assert systems_repository.unanswered_parts(session, mail_runtime.organization_id) == []
        [state] = [s for s in overview(session, mail_runtime) if s.system.id == "accounting"]
        assert state.parts == [] and state.to_attest == []
