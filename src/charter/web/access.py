"""Who may call each route, read from its dependencies: a role's action (`require`), an API
key's scope (`api_key`), any logged-in staff member (`current_staff`), or anyone (`PUBLIC`).
The authorization matrix test walks the app's route table with this, so a route that says
nothing fails the suite."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from .deps import current_staff, public

# FastAPI's own page: the OpenAPI description is public by choice (it describes the API;
# every endpoint in it still needs its key). Its viewer, web.api_docs, says PUBLIC itself.
FRAMEWORK_PUBLIC = ("/api/openapi.json",)


@dataclass(frozen=True)
class Rule:
    kind: str  # action, scope, staff, public
    value: str = ""


def _calls(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def rule_of(route: APIRoute) -> Rule | None:
    """The route's rule; None when it declares none, or contradictory ones."""
    rules: set[Rule] = set()
    login = False
    for call in _calls(route.dependant):
        if hasattr(call, "charter_action"):
            rules.add(Rule("action", call.charter_action))
        elif hasattr(call, "charter_scope"):
            rules.add(Rule("scope", call.charter_scope))
        elif call is public:
            rules.add(Rule("public"))
        elif call is current_staff:
            login = True
    if login and not any(r.kind == "action" for r in rules):
        rules.add(Rule("staff"))
    return rules.pop() if len(rules) == 1 else None


def routes(app: FastAPI) -> Iterator[Any]:
    """Every route, through included routers."""

    def flat(items: list[Any]) -> Iterator[Any]:
        for item in items:
            inner = getattr(item, "original_router", None)
            yield from flat(inner.routes) if inner is not None else [item]

    yield from flat(app.router.routes)
