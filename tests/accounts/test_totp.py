"""Two-step login: set up from the account page, asked at every login after, a code never
accepted twice, wrong codes count towards the lockout, an administrator can turn it off."""

from __future__ import annotations

import re
import time

import pyotp
from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select

from charter.accounts.service import MAX_FAILED_LOGINS
from charter.cli import main
from charter.models import StaffTotp
from charter.runtime import Runtime

from ..factories import staff_login

PASSWORD = "a long enough password"
EMAIL = "dpo@langschool.be"


def _csrf(page_text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert match, page_text
    return match.group(1)


def _set_up(client: TestClient, runtime: Runtime) -> pyotp.TOTP:
    """Log in as the DPO and turn two-step login on; returns the app's generator."""
    csrf = staff_login(client, runtime, "dpo")
    assert client.post("/account/totp-start", data={"csrf_token": csrf}).status_code == 200
    page = client.get("/account")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text)
    assert secret and 'src="data:image/svg+xml' in page.text  # the QR code, inline
    totp = pyotp.TOTP(secret.group(1))
    wrong = client.post("/account/totp-confirm", data={"csrf_token": csrf, "code": "000000"})
    assert wrong.status_code == 422 and "not the current code" in wrong.text
    confirmed = client.post("/account/totp-confirm", data={"csrf_token": csrf,
                                                           "code": totp.now()})
    assert confirmed.status_code == 200 and "On: after your password" in confirmed.text
    client.post("/logout", data={"csrf_token": csrf})
    return totp


def _password_step(client: TestClient) -> object:
    page = client.get("/login")
    return client.post("/login", data={"email": EMAIL, "password": PASSWORD,
                                       "csrf_token": _csrf(page.text)}, follow_redirects=False)


def _code_step(client: TestClient, code: str, csrf: str) -> object:
    return client.post("/login/code", data={"code": code, "csrf_token": csrf},
                       follow_redirects=False)


def _next_code(totp: pyotp.TOTP) -> str:
    """The code of the next 30-second step (the current one was spent setting up)."""
    return totp.at(time.time() + 30)


def test_the_code_is_asked_after_the_password_and_opens_the_session(
        client: TestClient, runtime: Runtime) -> None:
    totp = _set_up(client, runtime)
    first = _password_step(client)
    assert first.status_code == 200  # type: ignore[attr-defined]
    assert "Code from your authenticator app" in first.text  # type: ignore[attr-defined]
    assert "charter_session" not in first.headers.get("set-cookie", "")  # type: ignore[attr-defined]
    assert client.get("/", follow_redirects=False).status_code == 303  # not logged in yet
    csrf = _csrf(first.text)  # type: ignore[attr-defined]
    code = _next_code(totp)
    opened = _code_step(client, code, csrf)
    assert opened.status_code == 303  # type: ignore[attr-defined]
    assert client.get("/").status_code == 200
    # the same code again, even with a fresh password step, is refused: it was spent
    client.cookies.delete("charter_session")
    again = _password_step(client)
    replay = _code_step(client, code, _csrf(again.text))  # type: ignore[attr-defined]
    assert replay.status_code == 401  # type: ignore[attr-defined]


def test_the_code_step_needs_the_password_step(client: TestClient, runtime: Runtime) -> None:
    totp = _set_up(client, runtime)
    page = client.get("/login")
    forged = _code_step(client, _next_code(totp), _csrf(page.text))
    assert forged.status_code == 401  # type: ignore[attr-defined]
    assert "first step expired" in forged.text  # type: ignore[attr-defined]
    client.cookies.set("charter_pending_login", "1.9999999999.forged")
    forged = _code_step(client, _next_code(totp), _csrf(client.get("/login").text))
    assert forged.status_code == 401  # type: ignore[attr-defined]


def test_wrong_codes_lock_the_account(client: TestClient, runtime: Runtime) -> None:
    totp = _set_up(client, runtime)
    csrf = _csrf(_password_step(client).text)  # type: ignore[attr-defined]
    for _ in range(MAX_FAILED_LOGINS):
        wrong = _code_step(client, "123456" if totp.now() != "123456" else "654321", csrf)
        assert wrong.status_code == 401  # type: ignore[attr-defined]
        csrf = _csrf(wrong.text)  # type: ignore[attr-defined]
    # locked: the right password does not even reach the code step
    locked = _password_step(client)
    assert locked.status_code == 401  # type: ignore[attr-defined]


def test_an_administrator_turns_it_off_for_a_lost_phone(
        client: TestClient, runtime: Runtime, cli_args: list[str]) -> None:
    _set_up(client, runtime)
    result = CliRunner().invoke(main, [*cli_args, "user", "totp-off", EMAIL])
    assert result.exit_code == 0, result.output
    with runtime.transaction() as session:
        assert session.scalars(select(StaffTotp).where(
            StaffTotp.organization_id == runtime.organization_id)).first() is None
    assert _password_step(client).status_code == 303  # type: ignore[attr-defined]
    unknown = CliRunner().invoke(main, [*cli_args, "user", "totp-off", "nobody@x.be"])
    assert unknown.exit_code != 0 and "no staff user" in unknown.output


def test_the_secret_is_sealed(client: TestClient, runtime: Runtime) -> None:
    totp = _set_up(client, runtime)
    with runtime.transaction() as session:
        [row] = session.scalars(select(StaffTotp).where(
            StaffTotp.organization_id == runtime.organization_id)).all()
        assert totp.secret.encode() not in row.sealed


def test_changing_the_password_needs_the_current_one(client: TestClient,
                                                      runtime: Runtime) -> None:
    csrf = staff_login(client, runtime, "support")
    refused = client.post("/account/password", data={"csrf_token": csrf, "current": "guess",
                                                      "new": "another long password"})
    assert refused.status_code == 422 and "not the right one" in refused.text
    changed = client.post("/account/password", data={
        "csrf_token": csrf, "current": PASSWORD, "new": "another long password"})
    assert changed.status_code == 200
    client.post("/logout", data={"csrf_token": csrf})
    page = client.get("/login")
    old = client.post("/login", data={"email": "support@langschool.be", "password": PASSWORD,
                                      "csrf_token": _csrf(page.text)}, follow_redirects=False)
    assert old.status_code == 401
