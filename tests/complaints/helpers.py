"""Posting the complaint form as staff do, and reading what was stored."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from charter.complaints import repository
from charter.models import AuditEvent, Complaint
from charter.runtime import Runtime

FORM = {"received_on": "2026-01-15", "channel": "email", "name": "Sophie Peeters",
        "contact": "+32 470 12 34 56", "statement": "My marks were sent to another student."}


def post_complaint(client: TestClient, csrf: str, **fields: str) -> Any:
    return client.post("/complaints", data={**FORM, **fields, "csrf_token": csrf},
                       follow_redirects=False)


def stored(runtime: Runtime, reference: str) -> Complaint:
    with runtime.transaction() as session:
        found = repository.complaint_by_reference(session, runtime.organization_id, reference)
        assert found is not None
        return found


def complaint_count(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return session.scalar(select(func.count()).select_from(Complaint).where(
            Complaint.organization_id == runtime.organization_id)) or 0


def complaint_events(runtime: Runtime) -> list[AuditEvent]:
    with runtime.transaction() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.organization_id == runtime.organization_id,
            AuditEvent.action.startswith("complaint.")).order_by(AuditEvent.seq)))
