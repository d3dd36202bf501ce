from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from charter.runtime import Runtime
from charter.web.app import create_app

from ..factories import staff_login
from .routes import BASE, Caller


@pytest.fixture
def callers(runtime: Runtime) -> Iterator[dict[str, Caller]]:
    """One logged-in client per role of the policy (with its CSRF token), and nobody's."""
    opened: dict[str, Caller] = {}
    try:
        for role in runtime.policy.effective_roles():
            client = TestClient(create_app(runtime), base_url=BASE).__enter__()
            opened[role.id] = Caller(client)
            opened[role.id].csrf = staff_login(client, runtime, role.id)
        opened["anonymous"] = Caller(TestClient(create_app(runtime), base_url=BASE).__enter__())
        yield opened
    finally:
        for caller in opened.values():
            caller.client.__exit__(None, None, None)
