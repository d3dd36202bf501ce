"""Small factories with keyword arguments, as Polar does."""

from __future__ import annotations

from typing import Any

from charter.models import Subject
from charter.runtime import Runtime
from charter.subjects import RecordInput, store_subject_data


def person(
    runtime: Runtime,
    *,
    email: str = "sophie.peeters@example.org",
    phone: str | None = "+32 470 12 34 56",
    first_name: str = "Sophie",
    last_name: str = "Peeters",
    billing: dict[str, Any] | None = None,
    **record: Any,
) -> Subject:
    records = [
        RecordInput(
            category="contact",
            source="enrolment",
            fields={"email": email, "first_name": first_name, "last_name": last_name},
            **record,
        )
    ]
    if billing:
        records.append(RecordInput(category="billing", source="enrolment", fields=billing))
    with runtime.transaction() as session:
        return store_subject_data(
            session, runtime, email=email, phone=phone, records=records, actor="test"
        )
