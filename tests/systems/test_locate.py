"""Where a person's data is: every declared system asked through its connector's `find`,
reading only; systems only people can open are not asked; each lookup is audited without
the address."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from charter.errors import InvalidInput
from charter.models import AuditEvent
from charter.rights.connectors import SystemAnswer
from charter.runtime import Runtime
from charter.systems.locate import locate
from charter.systems.mock import ConnectorCall, MockConnector

from ..factories import person
from .databases import EMAIL


def _where(runtime: Runtime, email: str) -> dict[str, tuple[str, list[str]]]:
    with runtime.transaction() as session:
        return {w.system.id: (w.state, w.categories)
                for w in locate(session, runtime, email, actor="staff:1")}


def test_each_system_says_whether_it_holds_the_person(runtime: Runtime) -> None:
    person(runtime, email=EMAIL, billing={"company": "Atelier"})
    assert _where(runtime, EMAIL) == {"portal": ("found", ["billing", "contact"]),
                                      "accounting": ("ask its people", [])}
    assert _where(runtime, "nobody@example.org")["portal"] == ("not found", [])
    with runtime.transaction() as session:
        events = list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action == "systems.located").order_by(AuditEvent.id)))
    assert [json.loads(e.details) for e in events] == [
        {"portal": "found", "accounting": "ask its people"},
        {"portal": "not found", "accounting": "ask its people"}]
    assert all(EMAIL not in e.details and "nobody" not in e.details for e in events)


def test_a_connector_is_asked_and_its_failure_reported_by_type(runtime: Runtime) -> None:
    def handler(call: ConnectorCall) -> SystemAnswer:
        assert call.action == "find" and call.person.phone == "+32470123456"
        if call.number == 1:
            raise ConnectionError(f"cannot reach the database for {call.person.email}")
        return SystemAnswer(found=True, categories=["billing"])

    runtime.connectors["accounting"] = MockConnector(handler)
    person(runtime, email=EMAIL)
    assert _where(runtime, EMAIL)["accounting"] == ("failed (ConnectionError)", [])
    assert _where(runtime, EMAIL)["accounting"] == ("found", ["billing"])


def test_a_malformed_address_is_refused(runtime: Runtime) -> None:
    with pytest.raises(InvalidInput):
        _where(runtime, "not-an-address")


def test_the_command_prints_where_the_person_is(runtime: Runtime, cli_args: list[str]) -> None:
    from click.testing import CliRunner

    from charter.cli import main

    person(runtime, email=EMAIL)
    result = CliRunner().invoke(main, [*cli_args, "systems", "find", EMAIL],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("portal" in line and "found" in line and "contact" in line for line in lines)
    assert any("accounting" in line and "ask its people" in line for line in lines)
    assert EMAIL not in result.output
