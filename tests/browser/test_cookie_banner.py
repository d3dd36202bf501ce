"""The cookie banner in Chromium: nothing non-necessary runs before consent; the choice is
remembered; a new cookie table asks again; Global Privacy Control keeps marketing off."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote

from sqlalchemy import select

from charter.models import CookieConsent
from charter.runtime import Runtime, open_runtime

from .conftest import LiveServer


def _open(browser: Any, live: LiveServer, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    page.goto(f"{live.url}/consent/preview?lang=en")
    page.wait_for_selector("[data-charter-action=reject]")
    return page


def _choice(page: Any) -> dict[str, Any]:
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return dict(json.loads(unquote(cookies["charter_consent"])))


def _until(page: Any, expression: str, seconds: float = 10) -> None:
    """Poll from outside the page: our CSP forbids the eval wait_for_function relies on."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def _ran(page: Any) -> int:
    return int(page.evaluate("window.charterPreviewAnalyticsRan || 0"))


def _logged(runtime: Runtime, count: int, seconds: float = 10) -> list[CookieConsent]:
    """The proof log once ``count`` choices reached it: the banner posts them in the
    background, so the page may be ahead of the database."""
    deadline = time.monotonic() + seconds
    while True:
        with runtime.transaction() as session:
            logged = list(session.scalars(select(CookieConsent).where(
                CookieConsent.organization_id == runtime.organization_id)
                .order_by(CookieConsent.id)))
        if len(logged) >= count or time.monotonic() > deadline:
            return logged
        time.sleep(0.05)


def test_reject_keeps_analytics_off_and_accept_turns_it_on(browser: Any, live: LiveServer,
                                                           full_runtime: Runtime) -> None:
    page = _open(browser, live)
    accept = page.locator("[data-charter-action=accept]")
    reject = page.locator("[data-charter-action=reject]")
    assert accept.get_attribute("class") == reject.get_attribute("class")  # equally prominent
    assert page.locator("[role=dialog]").first.get_attribute("aria-labelledby")
    assert _ran(page) == 0  # nothing before consent
    reject.click()
    page.wait_for_timeout(300)
    assert _ran(page) == 0 and "_ga" not in {c["name"] for c in page.context.cookies()}
    assert _choice(page)["c"] == {"analytics": False, "marketing": False}
    page.reload()
    page.wait_for_timeout(300)
    assert page.locator("[data-charter-action=accept]").count() == 0  # remembered
    assert _ran(page) == 0

    other = _open(browser, live)
    other.locator("[data-charter-action=accept]").click()
    _until(other, "window.charterPreviewAnalyticsRan === 1")
    other.reload()
    _until(other, "window.charterPreviewAnalyticsRan === 1")  # runs again, asks not
    assert other.locator("[data-charter-action=accept]").count() == 0
    actions = [c.action for c in _logged(full_runtime, 2)]
    assert actions == ["reject_all", "accept_all"]


def test_withdrawing_statistics_deletes_their_cookies(browser: Any, live: LiveServer) -> None:
    page = _open(browser, live)
    page.locator("[data-charter-action=accept]").click()
    _until(page, "document.cookie.includes('_ga=')")
    page.locator("[data-charter-action=reopen]").click()
    box = page.locator("input[data-charter-category=analytics]").first
    assert box.is_checked()
    box.uncheck()
    page.locator("[data-charter-action=save]").click()
    _until(page, "!document.cookie.includes('_ga=')")
    assert _choice(page)["c"]["analytics"] is False


def test_a_new_policy_version_asks_again(browser: Any, live: LiveServer, full_runtime: Runtime,
                                         tmp_path: Any) -> None:
    page = _open(browser, live)
    page.locator("[data-charter-action=accept]").click()
    page.reload()
    page.wait_for_timeout(300)
    assert page.locator("[data-charter-action=accept]").count() == 0
    # a change that touches no cookie: a new version of the policy all the same
    source = full_runtime.settings.policy.read_text()
    assert "Rue de la Loi 16" in source
    changed = tmp_path / "changed.yaml"
    changed.write_text(source.replace("Rue de la Loi 16", "Rue de la Loi 16 (2nd floor)"))
    live.use(open_runtime(live.app.state.runtime.settings.model_copy(
        update={"policy": changed}), engine=full_runtime.engine))
    page.reload()
    page.wait_for_selector("[data-charter-action=accept]")
    assert _ran(page) == 0  # not before the new question is answered


def test_gpc_keeps_marketing_off_even_on_accept_all(browser: Any, live: LiveServer,
                                                    full_runtime: Runtime) -> None:
    page = _open(browser, live, extra_http_headers={"Sec-GPC": "1"})
    page.locator("[data-charter-action=accept]").click()
    _until(page, "window.charterPreviewAnalyticsRan === 1")
    choice = _choice(page)
    assert choice["c"] == {"analytics": True, "marketing": False} and choice["dns"] is True
    [logged] = _logged(full_runtime, 1)
    assert logged.gpc and json.loads(logged.choices)["marketing"] is False


def test_the_banner_works_by_keyboard(browser: Any, live: LiveServer) -> None:
    page = _open(browser, live)
    focused = page.evaluate("document.activeElement.getAttribute('data-charter-action')")
    assert focused in ("accept", "reject", "customize")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the third button of the first layer: settings
    page.wait_for_selector("[data-charter-action=save]")
    assert page.locator("[aria-modal=true]").count() == 1
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-charter-action=reject]")
