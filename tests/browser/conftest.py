"""Real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, against Charter served
by uvicorn on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from charter.runtime import Runtime, open_runtime
from charter.web.app import create_app

from ..smtp import free_port

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium: scripts/install test installs it as root "
                    "(apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: FastAPI

    def use(self, runtime: Runtime) -> None:
        """Serve another runtime (a changed policy) from the next request on."""
        self.app.state.runtime = runtime


@contextmanager
def serving(base: Runtime, **settings: Any) -> Iterator[LiveServer]:
    """Charter on a free loopback port, its base URL its own."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    runtime = open_runtime(base.settings.model_copy(update={"base_url": url, **settings}),
                           engine=base.engine)
    app = create_app(runtime)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield LiveServer(url, app)
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def live(full_runtime: Runtime) -> Iterator[LiveServer]:
    with serving(full_runtime) as server:
        yield server


PASSWORD = "a long enough password"


def staff_account(runtime: Runtime, role: str = "dpo") -> str:
    """A member of staff with ``role``; returns their address (the password is PASSWORD)."""
    from charter.accounts.service import add_staff_user

    email = f"{role}@langschool.be"
    with runtime.transaction() as session:
        add_staff_user(session, runtime, email=email, role=role, password=PASSWORD,
                       actor="test")
    return email


def log_in(page: Any, url: str, email: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
