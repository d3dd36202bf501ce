"""CSRF on every staff form, by construction: `current_staff` refuses any change whose form
lacks the session's token, so a new form cannot forget it. Generated from the route table:
every cookie-authenticated change is refused without the token and with a forged one; the
changes that take no session are listed with what protects them instead."""

from __future__ import annotations

from fastapi import Depends
from fastapi.testclient import TestClient

from charter.runtime import Runtime
from charter.web.app import create_app
from charter.web.deps import Staff, current_staff, require

from ..factories import staff_login
from .routes import BASE, UNSAFE, Caller, csrf_refused, route_calls, send

DOUBLE_SUBMIT = "a token in a form cookie and in the form (web.forms)"
CAPABILITY = "the link's own token, mailed to the person"

# Changes that take no staff session, and so no session's CSRF token. API routes (a Bearer
# key, which no browser sends by itself) are exempt by their rule and not listed.
SESSIONLESS_CHANGES = {
    ("POST", "/login"): DOUBLE_SUBMIT,
    ("POST", "/login/code"): DOUBLE_SUBMIT,
    ("POST", "/requests/new"): DOUBLE_SUBMIT,
    ("POST", "/newsletter"): DOUBLE_SUBMIT,
    ("POST", "/preferences"): DOUBLE_SUBMIT,
    ("POST", "/forms/{point_id}"): "a signed form token (the form may sit in another site's "
                                   "frame, where our cookies are withheld)",
    ("POST", "/requests/verify/{token}"): CAPABILITY,
    ("POST", "/requests/proof/{token}"): CAPABILITY,
    ("POST", "/newsletter/confirm/{token}"): CAPABILITY,
    ("POST", "/u/{token}"): CAPABILITY + " (RFC 8058 one-click unsubscribe posts no form)",
    ("POST", "/privacy/respond/{token}"): CAPABILITY,
    ("POST", "/preferences/{token}"): CAPABILITY,
    ("POST", "/parental/{token}"): CAPABILITY,
    ("POST", "/systems/callbacks/{token}"): "the token handed to the system's webhook",
    ("POST", "/api/v1/cookie-consents"): "nothing to forge: the visitor's own cookie choice, "
                                         "recorded without a session",
}


def test_every_staff_change_refuses_a_missing_or_forged_token(
        runtime: Runtime, callers: dict[str, Caller]) -> None:
    admin = callers["admin"]
    checked, wrong = 0, []
    for call in route_calls(runtime):
        if call.method not in UNSAFE or call.rule.kind not in ("staff", "action"):
            continue
        checked += 1
        for label, form in (("without a token", {}), ("with a forged token",
                                                      {"csrf_token": "forged"})):
            response = send(admin, call.method, call.path, data=form)
            if not csrf_refused(response):
                wrong.append(f"{call.method} {call.route} {label}: {response.status_code}")
    assert checked >= 10  # the Portal's forms were found
    assert wrong == [], "\n".join(wrong)
    assert admin.client.get("/").status_code == 200  # and the session is still open


def test_changes_without_a_session_are_listed_with_their_protection(runtime: Runtime) -> None:
    calls = {(c.method, c.route): c for c in route_calls(runtime)}
    unlisted = sorted(f"{m} {r}" for (m, r), call in calls.items()
                      if m in UNSAFE and call.rule.kind == "public"
                      and (m, r) not in SESSIONLESS_CHANGES)
    assert unlisted == [], f"a change without a session needs its own protection: {unlisted}"
    assert sorted(f"{m} {r}" for m, r in SESSIONLESS_CHANGES if (m, r) not in calls) == []


def test_a_new_staff_form_is_protected_without_asking(runtime: Runtime) -> None:
    """A handler that never mentions CSRF still gets the check."""
    app = create_app(runtime)
    changed: list[str] = []

    @app.post("/probe")
    def probe(staff: Staff = Depends(current_staff)) -> dict[str, bool]:
        changed.append(staff.actor)
        return {"changed": True}

    @app.delete("/probe/{name}")
    def probe_delete(name: str, staff: Staff = Depends(require("manage_staff"))) -> None:
        changed.append(name)

    with TestClient(app, base_url=BASE) as client:
        csrf = staff_login(client, runtime, "admin")
        assert csrf_refused(client.post("/probe"))
        assert csrf_refused(client.post("/probe", data={"csrf_token": "forged"}))
        assert csrf_refused(client.post("/probe", json={"csrf_token": csrf}))  # forms only
        assert csrf_refused(client.request("DELETE", "/probe/x"))
        assert changed == []
        assert client.post("/probe", data={"csrf_token": csrf}).json() == {"changed": True}
        upload = client.post("/probe", data={"csrf_token": csrf},
                             files={"extract": ("a.csv", b"email\n", "text/csv")})
        assert upload.status_code == 200  # a multipart form carries it the same way
        assert client.get("/").status_code == 200  # reading needs no token
    assert len(changed) == 2
