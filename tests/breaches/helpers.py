"""Small helpers for the breach tests: the Portal form, the register's rows, the audit."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.breaches import repository
from charter.breaches.clock import zone_of
from charter.breaches.facts import read_facts
from charter.breaches.service import record_breach
from charter.models import AuditEvent, Breach, utcnow
from charter.runtime import Runtime

DESCRIPTION = "A laptop holding the list of Sophie Peeters' class was stolen from a car."


def ago(hours: float) -> datetime:
    return utcnow() - timedelta(hours=hours)


def form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid breach form; ``detected_hours_ago`` sets detected_at."""
    hours = overrides.pop("detected_hours_ago", None)
    values: dict[str, Any] = {
        "detected_at": ago(hours).isoformat() if hours is not None else "",
        "occurred_at": "", "nature": ["confidentiality"], "categories": ["contact", "billing"],
        "people": "120", "records": "340", "description": DESCRIPTION,
        "consequences": "Phishing mails using the names of the students.",
        "measures_taken": "The laptop's account was locked; passwords were reset.",
        "measures_proposed": "Full-disk encryption on every laptop by June.",
        "contact": "", "risk": ""}
    values.update(overrides)
    return values


def record(client: TestClient, csrf: str, **overrides: Any) -> Any:
    return client.post("/breaches/new", data={**form(**overrides), "csrf_token": csrf},
                       follow_redirects=False)


def recorded(client: TestClient, csrf: str, **overrides: Any) -> str:
    """Record a breach through the Portal; its reference."""
    response = record(client, csrf, **overrides)
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).rsplit("/", 1)[1]


def act(client: TestClient, csrf: str, reference: str, action: str, **fields: str) -> Any:
    return client.post(f"/breaches/{reference}/{action}",
                       data={**fields, "csrf_token": csrf}, follow_redirects=False)


def breach(runtime: Runtime, reference: str) -> Breach:
    with runtime.transaction() as session:
        found = repository.breach_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        return found


def breach_count(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(Breach).where(
            Breach.organization_id == runtime.organization_id)) or 0


def events(runtime: Runtime, action: str = "breach.") -> list[AuditEvent]:
    """Audit events whose action starts with ``action``, oldest first."""
    with runtime.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action.startswith(action)).order_by(AuditEvent.seq)))


def details(event: AuditEvent) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(event.details or "{}")
    return parsed


def add(runtime: Runtime, **overrides: Any) -> str:
    """Record a breach directly through the service (as the CLI does); its reference."""
    values = form(**overrides)
    facts = read_facts(runtime.policy, zone=zone_of("BE"), now=utcnow(), **values)
    with runtime.transaction() as session:
        return record_breach(session, runtime, facts, actor="test").reference
