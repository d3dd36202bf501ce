"""The authorization matrix: every route of the app × every role of the policy × anonymous ×
API keys, generated from the route table. A route that does not say who may call it fails
here, and so does one that lets in someone its rule keeps out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from charter.accounts.service import API_SCOPES, add_api_key
from charter.runtime import Runtime
from charter.web.access import FRAMEWORK_PUBLIC, Rule, routes, rule_of
from charter.web.app import create_app

from ..factories import staff_login

BASE = "http://127.0.0.1"


def _calls(runtime: Runtime) -> list[tuple[str, str, Rule]]:
    """(method, concrete path, rule) for every route; the route's own parameters filled with
    a value that exists nowhere, so the rule is tested, not the data."""
    calls = []
    unruled = []
    for route in routes(create_app(runtime)):
        if isinstance(route, Mount) and route.path == "/static":
            continue
        if isinstance(route, Route) and not isinstance(route, APIRoute):
            assert route.path in FRAMEWORK_PUBLIC, f"{route.path} says nothing about access"
            calls += [(m, route.path, Rule("public")) for m in sorted(route.methods or [])
                      if m != "HEAD"]
            continue
        assert isinstance(route, APIRoute), route
        rule = rule_of(route)
        if rule is None:
            unruled.append(f"{sorted(route.methods)} {route.path}")
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        calls += [(method, path, rule) for method in sorted(route.methods)]
    assert unruled == [], f"routes without an access rule: {unruled}"
    # logging out drops the client's cookie: that call comes last
    return sorted(calls, key=lambda call: call[1] == "/logout")


def _denied(response: Any) -> str | None:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 303 and response.headers.get("location") == "/login":
        return "login"
    return None


@pytest.fixture
def clients(runtime: Runtime) -> Iterator[dict[str, TestClient]]:
    """One logged-in client per role, and an anonymous one."""
    opened: dict[str, TestClient] = {}
    try:
        for role in runtime.policy.effective_roles():
            client = TestClient(create_app(runtime), base_url=BASE).__enter__()
            opened[role.id] = client
            staff_login(client, runtime, role.id)
        opened["anonymous"] = TestClient(create_app(runtime), base_url=BASE).__enter__()
        yield opened
    finally:
        for client in opened.values():
            client.__exit__(None, None, None)


def _send(client: TestClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.request(method, path, follow_redirects=False, **kwargs)


def test_every_route_every_role(runtime: Runtime, clients: dict[str, TestClient]) -> None:
    roles = {r.id: set(r.actions) for r in runtime.policy.effective_roles()}
    wrong = []
    for method, path, rule in _calls(runtime):
        for who, client in clients.items():
            response = _send(client, method, path)
            denied = _denied(response)
            if path == "/logout":
                expected = "login"  # its success is the way back to the login page
            elif rule.kind == "public":
                expected = None
            elif rule.kind == "scope":
                expected = "401"  # a staff session is not an API key
            elif who == "anonymous":
                expected = "login"
            elif rule.kind == "staff":
                expected = None
            else:
                expected = None if rule.value in roles[who] else "403"
            if denied != expected:
                wrong.append(f"{method} {path} as {who}: {response.status_code}, "
                             f"expected {expected or 'allowed'} ({rule.kind} {rule.value})")
            if "content-security-policy" not in response.headers:
                wrong.append(f"{method} {path}: no Content-Security-Policy")
    assert wrong == [], "\n".join(wrong)


def test_every_api_route_every_scope(runtime: Runtime, clients: dict[str, TestClient]) -> None:
    keys = {}
    with runtime.transaction() as session:
        for scope in API_SCOPES:
            keys[scope] = add_api_key(session, runtime, name=scope.replace(":", "-"),
                                      scopes=[scope], actor="test")
    client = clients["anonymous"]
    wrong = []
    for method, path, rule in _calls(runtime):
        if rule.kind != "scope":
            continue
        for scope, key in keys.items():
            response = _send(client, method, path, headers={"Authorization": f"Bearer {key}"})
            expected = None if scope in (rule.value, "admin") else "403"
            if _denied(response) != expected:
                wrong.append(f"{method} {path} with {scope}: {response.status_code}")
        forged = _send(client, method, path, headers={"Authorization": "Bearer chk_forged"})
        if forged.status_code != 401:
            wrong.append(f"{method} {path} with a forged key: {forged.status_code}")
    assert wrong == [], "\n".join(wrong)
