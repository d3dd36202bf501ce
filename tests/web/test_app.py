from __future__ import annotations

from click.testing import CliRunner
from fastapi.testclient import TestClient

from charter.cli import main
from charter.runtime import Runtime


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok",
                               "organization": "Test Language School SRL"}


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/whoami" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    csp = headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in headers  # only behind TLS (secure_cookies)


def test_api_keys_and_scopes(client: TestClient, cli_args: list[str]) -> None:
    runner = CliRunner()
    created = runner.invoke(main, [*cli_args, "apikey", "add", "crm", "--scope", "consent:read"])
    assert created.exit_code == 0, created.output
    key = created.output.strip()
    assert key.startswith("chk_")
    ok = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {key}"})
    assert ok.status_code == 200 and ok.json() == {"name": "crm", "scopes": ["consent:read"]}
    assert client.get("/api/v1/whoami").status_code == 401
    assert client.get("/api/v1/whoami",
                      headers={"Authorization": "Bearer chk_wrong"}).status_code == 401
    other = runner.invoke(main, [*cli_args, "apikey", "add", "forms", "--scope", "forms:submit"])
    denied = client.get("/api/v1/whoami",
                        headers={"Authorization": f"Bearer {other.output.strip()}"})
    assert denied.status_code == 403
    again = runner.invoke(main, [*cli_args, "apikey", "add", "crm", "--scope", "admin"])
    assert again.exit_code == 5 and "already exists" in again.output


def test_behind_tls_hsts_and_secure_cookies(runtime: Runtime) -> None:
    from charter.runtime import open_runtime
    from charter.web.app import create_app

    from ..factories import staff_login

    secure = open_runtime(runtime.settings.model_copy(update={"secure_cookies": True}),
                          engine=runtime.engine)
    with TestClient(create_app(secure), base_url="https://127.0.0.1") as client:
        headers = client.get("/login").headers
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "Secure" in headers["set-cookie"]  # the login form's token
        staff_login(client, secure, "dpo")
        session_cookie = next(c for c in client.cookies.jar if c.name == "charter_session")
        assert session_cookie.secure
