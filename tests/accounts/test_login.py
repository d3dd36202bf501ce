from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from charter.accounts.service import MAX_FAILED_LOGINS, add_staff_user
from charter.models import StaffSession, StaffUser, utcnow
from charter.runtime import Runtime

PASSWORD = "correct horse battery"


@pytest.fixture
def staff(runtime: Runtime) -> str:
    with runtime.transaction() as session:
        add_staff_user(session, runtime, email="dpo@langschool.be", role="dpo",
                       password=PASSWORD, actor="test")
    return "dpo@langschool.be"


def _csrf(client: TestClient) -> str:
    page = client.get("/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def login(client: TestClient, email: str, password: str) -> object:
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": _csrf(client)}, follow_redirects=False)


def test_login_opens_a_session_with_safe_cookie(client: TestClient, staff: str) -> None:
    response = login(client, staff, PASSWORD)
    assert response.status_code == 303  # type: ignore[attr-defined]
    cookie = response.headers["set-cookie"]  # type: ignore[attr-defined]
    assert "charter_session=" in cookie and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    page = client.get("/")
    assert page.status_code == 200
    assert "Test Language School SRL" in page.text and "Requests by deadline" in page.text


def test_pages_need_a_login(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_wrong_password_and_lockout(client: TestClient, staff: str, runtime: Runtime) -> None:
    assert login(client, staff, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    assert login(client, "nobody@langschool.be", PASSWORD).status_code == 401  # type: ignore[attr-defined]
    for _ in range(MAX_FAILED_LOGINS - 1):
        login(client, staff, "wrong password!")
    # locked now: even the right password is refused, with the same message
    response = login(client, staff, PASSWORD)
    assert response.status_code == 401  # type: ignore[attr-defined]
    assert "Wrong e-mail or password" in response.text  # type: ignore[attr-defined]
    with runtime.transaction() as session:  # fifteen minutes later
        session.execute(update(StaffUser)
                        .where(StaffUser.organization_id == runtime.organization_id)
                        .values(locked_until=utcnow() - timedelta(seconds=1)))
    assert login(client, staff, PASSWORD).status_code == 303  # type: ignore[attr-defined]


def test_login_without_csrf_token_is_refused(client: TestClient, staff: str) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": staff, "password": PASSWORD,
                                           "csrf_token": "forged"}, follow_redirects=False)
    assert response.status_code == 400
    assert "charter_session" not in response.headers.get("set-cookie", "")


def test_idle_sessions_end(client: TestClient, staff: str, runtime: Runtime) -> None:
    login(client, staff, PASSWORD)
    assert client.get("/", follow_redirects=False).status_code == 200
    idle = timedelta(minutes=runtime.settings.session_idle_minutes + 1)
    with runtime.transaction() as session:
        session.execute(update(StaffSession)
                        .where(StaffSession.organization_id == runtime.organization_id)
                        .values(last_seen_at=utcnow() - idle))
    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(client: TestClient, staff: str) -> None:
    login(client, staff, PASSWORD)
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    client.post("/logout", data={"csrf_token": token.group(1)})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_passwords_are_kept_as_argon2id_hashes(staff: str, runtime: Runtime) -> None:
    with runtime.transaction() as session:
        stored = session.scalars(select(StaffUser.password_hash).where(
            StaffUser.organization_id == runtime.organization_id,
            StaffUser.email == staff)).one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
