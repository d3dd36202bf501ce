"""The authorization matrix: every route of the app × every role of the policy × anonymous ×
API keys, generated from the route table. A route that does not say who may call it fails
here, and so does one that lets in someone its rule keeps out. Changes are sent the way the
Portal's forms send them, with the session's CSRF token, so a CSRF refusal is never taken
for an allowed call (tests/web/test_csrf.py refuses the calls without it).

The matrix checks each route against its own rule, so a wrong rule would pass it: `WHO_MAY`
below says, independently of the code, which roles may reach each staff route."""

from __future__ import annotations

from charter.accounts.service import API_SCOPES, add_api_key
from charter.policy import DEFAULT_ROLES
from charter.runtime import Runtime

from .routes import Call, Caller, csrf_refused, denied, route_calls, send


def _expected(call: Call, who: str, roles: dict[str, set[str]]) -> str | None:
    rule = call.rule
    if call.path == "/logout":
        return "login"  # its success is the way back to the login page
    if rule.kind == "public":
        return None
    if rule.kind == "scope":
        return "401"  # a staff session is not an API key
    if who == "anonymous":
        return "login"
    if rule.kind == "staff":
        return None
    return None if rule.value in roles[who] else "403"


def test_every_route_every_role(runtime: Runtime, callers: dict[str, Caller]) -> None:
    roles = {r.id: set(r.actions) for r in runtime.policy.effective_roles()}
    wrong = []
    for call in route_calls(runtime):
        for who, caller in callers.items():
            response = send(caller, call.method, call.path)
            expected = _expected(call, who, roles)
            if csrf_refused(response):
                wrong.append(f"{call.method} {call.path} as {who}: refused its CSRF token")
            elif response.status_code >= 500:
                wrong.append(f"{call.method} {call.path} as {who}: {response.status_code}")
            elif denied(response) != expected:
                wrong.append(f"{call.method} {call.path} as {who}: {response.status_code}, "
                             f"expected {expected or 'allowed'} ({call.rule.kind} "
                             f"{call.rule.value})")
            if "content-security-policy" not in response.headers:
                wrong.append(f"{call.method} {call.path}: no Content-Security-Policy")
    assert wrong == [], "\n".join(wrong)


def test_every_api_route_every_scope(runtime: Runtime, callers: dict[str, Caller]) -> None:
    keys = {}
    with runtime.transaction() as session:
        for scope in API_SCOPES:
            keys[scope] = add_api_key(session, runtime, name=scope.replace(":", "-"),
                                      scopes=[scope], actor="test")
    nobody = callers["anonymous"]
    wrong = []
    for call in route_calls(runtime):
        if call.rule.kind != "scope":
            continue
        for scope, key in keys.items():
            response = send(nobody, call.method, call.path,
                            headers={"Authorization": f"Bearer {key}"})
            expected = None if scope in (call.rule.value, "admin") else "403"
            if denied(response) != expected:
                wrong.append(f"{call.method} {call.path} with {scope}: {response.status_code}")
        forged = send(nobody, call.method, call.path,
                      headers={"Authorization": "Bearer chk_forged"})
        if forged.status_code != 401:
            wrong.append(f"{call.method} {call.path} with a forged key: {forged.status_code}")
    assert wrong == [], "\n".join(wrong)


# Who may reach each staff route with the default roles, written down apart from the code:
# what the seeds promise (a billing clerk sees billing data and nothing else). Every staff
# route is listed, and so is any route under SENSITIVE, whatever its rule: a new route, or a
# changed rule, must agree with this table. Staff accounts and API keys are managed on the
# CLI (`charter user`, `charter apikey`); a Portal page for them belongs here, admin only.
STAFF = frozenset({"admin", "dpo", "support", "billing", "viewer"})
PEOPLE = frozenset({"admin", "dpo", "support", "billing"})
REQUESTS = frozenset({"admin", "dpo", "support"})
DPO = frozenset({"admin", "dpo"})
ANYONE = "anyone"  # a link that carries its own token

WHO_MAY: dict[tuple[str, str], frozenset[str] | str] = {
    ("GET", "/"): STAFF,  # counts only
    ("GET", "/account"): STAFF,
    ("POST", "/account/{action}"): STAFF,  # one's own account
    ("GET", "/tasks"): STAFF,  # one's own tasks (all of them for those handling requests)
    ("GET", "/tasks/{uid}"): STAFF,
    ("POST", "/tasks/{uid}"): STAFF,
    # people: each role then sees only its categories
    ("GET", "/subjects"): PEOPLE,
    ("POST", "/subjects"): PEOPLE,
    ("GET", "/subjects/{subject_id}"): PEOPLE,
    ("GET", "/requests"): REQUESTS,
    ("GET", "/requests/{reference}"): REQUESTS,
    ("POST", "/requests/{reference}/{action}"): REQUESTS,
    ("GET", "/systems"): REQUESTS,
    ("GET", "/exports/{token}"): ANYONE,  # the person's own download
    ("GET", "/outbox"): DPO,
    ("GET", "/outbox/{message_id}"): DPO,
    ("GET", "/campaigns"): DPO,
    ("POST", "/campaigns"): DPO,
    ("GET", "/audit"): DPO,
    ("POST", "/audit/verify"): DPO,
    ("GET", "/breaches"): DPO,
    ("GET", "/breaches/new"): DPO,
    ("POST", "/breaches/new"): DPO,
    ("GET", "/breaches/{reference}"): DPO,
    ("GET", "/breaches/{reference}/edit"): DPO,
    ("POST", "/breaches/{reference}/edit"): DPO,
    ("GET", "/breaches/{reference}/authority.txt"): DPO,
    ("GET", "/breaches/{reference}/notice-{language}.txt"): DPO,
    ("POST", "/breaches/{reference}/{action}"): DPO,
    ("GET", "/complaints"): DPO,
    ("GET", "/complaints/new"): DPO,
    ("POST", "/complaints"): DPO,
    ("GET", "/complaints/{reference}"): DPO,
    ("POST", "/complaints/{reference}/{action}"): DPO,
    ("GET", "/policy"): DPO,
    # the registers and their exports
    ("GET", "/records"): DPO,
    ("GET", "/records/ropa.{fmt}"): DPO,
    ("GET", "/processors"): DPO,
    ("GET", "/processors.csv"): DPO,
    ("GET", "/retention"): DPO,
}
SENSITIVE = ("/subjects", "/outbox", "/audit", "/breaches", "/exports", "/records",
             "/processors", "/retention", "/users", "/staff", "/keys", "/apikeys", "/api-keys")


def test_the_table_of_who_may_reach_what_covers_the_app(runtime: Runtime) -> None:
    assert {r.id for r in runtime.policy.effective_roles()} == {r.id for r in DEFAULT_ROLES}
    calls = {(c.method, c.route): c for c in route_calls(runtime)}
    unlisted = sorted(f"{method} {route}" for (method, route), call in calls.items()
                      if (method, route) not in WHO_MAY and route != "/logout"
                      and (call.rule.kind in ("staff", "action") or route.startswith(SENSITIVE)))
    assert unlisted == [], f"say in WHO_MAY who may reach: {unlisted}"
    stale = sorted(f"{method} {route}" for method, route in WHO_MAY
                   if (method, route) not in calls)
    assert stale == [], f"WHO_MAY names routes the app does not have: {stale}"


def test_each_role_reaches_exactly_what_the_table_says(
        runtime: Runtime, callers: dict[str, Caller]) -> None:
    calls = {(c.method, c.route): c for c in route_calls(runtime)}
    wrong = []
    for (method, route), allowed in WHO_MAY.items():
        path = calls[(method, route)].path
        for who, caller in callers.items():
            if allowed == ANYONE or who in allowed:
                expected = None
            else:
                expected = "login" if who == "anonymous" else "403"
            response = send(caller, method, path)
            if denied(response) != expected or csrf_refused(response):
                wrong.append(f"{method} {route} as {who}: {response.status_code}, "
                             f"expected {expected or 'allowed'}")
    assert wrong == [], "\n".join(wrong)
