"""Small factories with keyword arguments, as Polar does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from charter.models import Subject
from charter.runtime import Runtime, open_runtime
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


def staff_login(client: Any, runtime: Runtime, role: str, *,
                email: str | None = None) -> str:
    """Create a staff user with ``role``, log the client in; returns the page CSRF token."""
    import re

    from charter.accounts.service import add_staff_user

    email = email or f"{role}@langschool.be"
    password = "a long enough password"
    with runtime.transaction() as session:
        add_staff_user(session, runtime, email=email, role=role, password=password, actor="test")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token.group(1)},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    home = client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    return csrf.group(1)


Edit = tuple[str, str]
"""(text in the policy file, what it becomes): each must be found, and is replaced once."""


def policy_with(runtime: Runtime, tmp_path: Path, *edits: Edit, source: str | None = None,
                name: str = "changed.yaml") -> Runtime:
    """The same organization and store under the runtime's policy (or ``source``) with these
    edits."""
    text = runtime.settings.policy.read_text() if source is None else source
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text)
    return open_runtime(runtime.settings.model_copy(update={"policy": path}),
                        engine=runtime.engine)
