"""The app's route table as calls to make, and how to read the answers: shared by the
authorization matrix, the table of who may reach what, and the CSRF tests."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount, Route

from charter.runtime import Runtime
from charter.web.access import FRAMEWORK_PUBLIC, Rule, routes, rule_of
from charter.web.app import create_app

BASE = "http://127.0.0.1"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # the methods that change things
CSRF_REFUSAL = "the form expired or came from elsewhere"


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route's path, with its parameters: /subjects/{subject_id}
    path: str  # the path called: each parameter a value that exists nowhere
    rule: Rule


@dataclass
class Caller:
    """A client and the CSRF token of its session ("" for nobody)."""

    client: TestClient
    csrf: str = ""


def route_calls(runtime: Runtime) -> list[Call]:
    """Every route × method; parameters filled with "1", so the rule is tested, not the data."""
    calls = []
    unruled = []
    for route in routes(create_app(runtime)):
        if isinstance(route, Mount) and route.path == "/static":
            continue
        if isinstance(route, Route) and not isinstance(route, APIRoute):
            assert route.path in FRAMEWORK_PUBLIC, f"{route.path} says nothing about access"
            calls += [Call(m, route.path, route.path, Rule("public"))
                      for m in sorted(route.methods or []) if m != "HEAD"]
            continue
        assert isinstance(route, APIRoute), route
        rule = rule_of(route)
        if rule is None:
            unruled.append(f"{sorted(route.methods)} {route.path}")
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        calls += [Call(method, route.path, path, rule) for method in sorted(route.methods)]
    assert unruled == [], f"routes without an access rule: {unruled}"
    # logging out drops the client's cookie: that call comes last
    return sorted(calls, key=lambda call: call.path == "/logout")


def send(caller: Caller, method: str, path: str, **kwargs: Any) -> Any:
    """The call as the Portal's own forms make it: a change carries the session's token."""
    if method in UNSAFE and "data" not in kwargs:
        kwargs["data"] = {"csrf_token": caller.csrf}
    return caller.client.request(method, path, follow_redirects=False, **kwargs)


def denied(response: Any) -> str | None:
    if response.status_code in (401, 403):
        return str(response.status_code)
    if response.status_code == 303 and response.headers.get("location") == "/login":
        return "login"
    return None


def csrf_refused(response: Any) -> bool:
    return response.status_code == 400 and CSRF_REFUSAL in response.text
