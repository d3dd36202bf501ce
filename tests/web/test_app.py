from __future__ import annotations

import re

from click.testing import CliRunner
from fastapi.testclient import TestClient

from charter.cli import main
from charter.runtime import Runtime, open_runtime
from charter.web.app import create_app
from charter.web.security import CSP

from ..factories import staff_login


def test_health(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok",
                               "organization": "Test Language School SRL"}


def test_openapi_is_published(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/whoami" in spec["paths"]


def test_api_docs_work_under_the_portals_csp(client: TestClient) -> None:
    """Swagger UI from this machine, started by a script file: FastAPI's own page used an
    inline script and a CDN, which the CSP blocks (tests/browser/test_api_docs.py renders it)."""
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert "<script>" not in page.text and "https://" not in page.text
    scripts = re.findall(r'<script src="([^"]+)"></script>', page.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page.text)
    assert scripts == ["/api/docs/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert 'data-openapi-url="/api/openapi.json"' in page.text
    for asset in (*scripts, *styles):
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert served.headers["content-type"].startswith(("text/javascript", "text/css"))
    assert "SwaggerUIBundle" in client.get(scripts[0]).text
    assert client.get("/api/docs/swagger-editor.js").status_code == 404  # only what it needs
    assert client.get("/docs/oauth2-redirect").status_code == 404


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
    secure = open_runtime(runtime.settings.model_copy(update={"secure_cookies": True}),
                          engine=runtime.engine)
    with TestClient(create_app(secure), base_url="https://127.0.0.1") as client:
        headers = client.get("/login").headers
        assert headers["strict-transport-security"].startswith("max-age=31536000")
        assert "Secure" in headers["set-cookie"]  # the login form's token
        staff_login(client, secure, "dpo")
        session_cookie = next(c for c in client.cookies.jar if c.name == "charter_session")
        assert session_cookie.secure


def _login_page_headers(runtime: Runtime, base_url: str) -> tuple[str, str | None]:
    with TestClient(create_app(runtime), base_url=base_url) as client:
        headers = client.get("/login").headers
        return headers["set-cookie"], headers.get("strict-transport-security")


def test_secure_cookies_follow_tls_without_the_setting(runtime: Runtime) -> None:
    """Behind TLS the cookies are Secure even when CHARTER_SECURE_COOKIES was forgotten: a
    request over https (the scheme a trusted proxy forwards), or one naming the host of an
    https public URL. Over plain http under another name they stay usable."""
    assert runtime.settings.secure_cookies is False
    cookie, hsts = _login_page_headers(runtime, "https://127.0.0.1")
    assert "secure" in cookie.lower() and hsts and hsts.startswith("max-age=31536000")
    with TestClient(create_app(runtime), base_url="https://127.0.0.1") as client:
        staff_login(client, runtime, "dpo")  # the Secure session cookie comes back over https
        session_cookie = next(c for c in client.cookies.jar if c.name == "charter_session")
        assert session_cookie.secure

    public = open_runtime(runtime.settings.model_copy(
        update={"base_url": "https://privacy.langschool.be/"}), engine=runtime.engine)
    cookie, hsts = _login_page_headers(public, "http://privacy.langschool.be")
    assert "secure" in cookie.lower() and hsts  # TLS ends at a proxy that keeps the Host
    cookie, hsts = _login_page_headers(public, "http://127.0.0.1:8000")
    assert "secure" not in cookie.lower() and hsts is None  # a tunnel to the server itself
    cookie, hsts = _login_page_headers(runtime, "http://127.0.0.1")
    assert "secure" not in cookie.lower() and hsts is None
