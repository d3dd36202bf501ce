"""The cookie banner's finer controls in Chromium: Google Consent Mode v2 signals, one switch
per provider, the "do not sell or share" control, and the banner embedded in another site."""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from charter.runtime import Runtime, open_runtime

from ..smtp import free_port
from .conftest import LiveServer, serving
from .test_cookie_banner import _choice, _logged, _open, _ran, _until

ADS = ("ad_storage", "ad_user_data", "ad_personalization")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _consent_calls(page: Any) -> list[list[Any]]:
    """Every gtag('consent', ...) call in window.dataLayer, in order (its entries are
    `arguments` objects, which only Array.from turns into something serializable)."""
    return list(page.evaluate(
        "(window.dataLayer || []).map((entry) => Array.from(entry))"
        ".filter((args) => args[0] === 'consent')"))


# ---------------------------------------------------------------------------------------------
# 1. Google Consent Mode v2


@pytest.mark.parametrize(("action", "headers", "analytics", "ads"), [
    ("accept", {}, "granted", "granted"),
    ("reject", {}, "denied", "denied"),
    ("accept", {"Sec-GPC": "1"}, "granted", "denied"),  # GPC keeps advertising off
], ids=["accept-all", "reject-all", "accept-all-under-gpc"])
def test_google_consent_mode_denies_by_default_and_follows_the_choice(
        browser: Any, live: LiveServer, action: str, headers: dict[str, str], analytics: str,
        ads: str) -> None:
    page = _open(browser, live, extra_http_headers=headers)
    [default] = _consent_calls(page)  # before any choice: the defaults, and no update
    assert default[:2] == ["consent", "default"]
    assert {key: default[2][key] for key in ("analytics_storage", *ADS)} == {
        "analytics_storage": "denied", "ad_storage": "denied", "ad_user_data": "denied",
        "ad_personalization": "denied"}
    assert default[2]["security_storage"] == "granted"

    page.locator(f"[data-charter-action={action}]").click()
    _until(page, "window.dataLayer.filter((e) => e[0] === 'consent').length === 2")
    update = _consent_calls(page)[-1]
    assert update[:2] == ["consent", "update"]
    assert update[2]["analytics_storage"] == analytics
    assert {update[2][key] for key in ADS} == {ads}
    # the test policy declares no preferences cookie: nothing grants those
    assert update[2]["functionality_storage"] == update[2]["personalization_storage"] == "denied"

    # On the next page the stored choice follows the defaults at once, before any tag reads them.
    page.reload()
    page.wait_for_timeout(300)
    calls = _consent_calls(page)
    assert [call[1] for call in calls] == ["default", "update"]
    assert calls[1][2] == update[2]


# ---------------------------------------------------------------------------------------------
# 2. One switch per provider

VENDOR_SCRIPTS = """
document.addEventListener('DOMContentLoaded', () => {
  for (const vendor of ['google', 'matomo']) {
    const script = document.createElement('script');
    script.type = 'text/plain';
    script.setAttribute('data-category', 'analytics');
    script.setAttribute('data-vendor', vendor);
    script.setAttribute('data-test-vendor', vendor);
    script.src = '/static/preview-analytics.js?vendor=' + vendor;
    document.body.appendChild(script);
  }
});
"""
"""Two blocked statistics scripts, one per provider, in place before the banner starts on every
load (an init script: the page's CSP allows no inline script). Each bumps the same counter as
the preview page's own statistics script, which names no provider."""


def _two_statistics_providers(live: LiveServer, full_runtime: Runtime, tmp_path: Path) -> None:
    """Serve the test policy with a second statistics provider, Matomo, next to Google."""
    lines = full_runtime.settings.policy.read_text().splitlines(keepends=True)
    [at] = [i for i, line in enumerate(lines) if "{name: _ga, provider: Google" in line]
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    lines.insert(at + 1, indent + "- {name: _pk_id*, provider: Matomo, category: analytics, "
                 "duration: 13 months, party: third, purpose: Statistics}\n")
    changed = tmp_path / "two-providers.yaml"
    changed.write_text("".join(lines))
    live.use(open_runtime(live.app.state.runtime.settings.model_copy(
        update={"policy": changed}), engine=full_runtime.engine))


def _open_with_vendor_scripts(browser: Any, live: LiveServer) -> Any:
    context = browser.new_context()
    context.add_init_script(VENDOR_SCRIPTS)
    page = context.new_page()
    page.goto(f"{live.url}/consent/preview?lang=en")
    page.wait_for_selector("[data-charter-action=reject]")
    return page


def _blocked(page: Any, vendor: str) -> bool:
    return bool(page.evaluate(
        f"document.querySelector('script[data-test-vendor={vendor}]').type === 'text/plain'"))


def test_one_provider_off_while_its_category_stays_on(browser: Any, live: LiveServer,
                                                      full_runtime: Runtime,
                                                      tmp_path: Path) -> None:
    _two_statistics_providers(live, full_runtime, tmp_path)
    page = _open_with_vendor_scripts(browser, live)
    assert _blocked(page, "google") and _blocked(page, "matomo") and _ran(page) == 0

    page.locator("[data-charter-action=customize]").click()
    page.locator("#charter-consent-category-analytics").check()  # turns both providers on
    google = page.locator("input[data-charter-vendor=google]")
    matomo = page.locator("input[data-charter-vendor=matomo]")
    assert google.is_checked() and matomo.is_checked()
    matomo.uncheck()
    page.locator("[data-charter-action=save]").click()

    choice = _choice(page)
    assert choice["c"] == {"analytics": True, "marketing": False}
    assert choice["vd"] == {"google": True, "matomo": False, "meta": False}
    # the page's own statistics script (no provider named) and Google's run; Matomo's does not
    _until(page, "window.charterPreviewAnalyticsRan === 2")
    page.wait_for_timeout(300)
    assert _ran(page) == 2 and not _blocked(page, "google") and _blocked(page, "matomo")

    [logged] = _logged(full_runtime, 1)
    assert logged.action == "custom"
    assert json.loads(logged.choices) == {"analytics": True, "marketing": False}
    assert json.loads(logged.vendors) == {"google": True, "matomo": False, "meta": False}

    page.reload()  # remembered, provider by provider
    _until(page, "window.charterPreviewAnalyticsRan === 2")
    page.wait_for_timeout(300)
    assert _ran(page) == 2 and _blocked(page, "matomo")
    page.locator("[data-charter-action=reopen]").click()
    assert page.locator("#charter-consent-category-analytics").is_checked()
    assert page.locator("input[data-charter-vendor=google]").is_checked()
    assert not page.locator("input[data-charter-vendor=matomo]").is_checked()


def test_switching_one_provider_off_deletes_its_cookies_only(browser: Any, live: LiveServer,
                                                             full_runtime: Runtime,
                                                             tmp_path: Path) -> None:
    _two_statistics_providers(live, full_runtime, tmp_path)
    page = _open_with_vendor_scripts(browser, live)
    page.locator("[data-charter-action=accept]").click()
    _until(page, "window.charterPreviewAnalyticsRan === 3")  # the page's, Google's, Matomo's
    page.evaluate("document.cookie = '_pk_id.1.abcd=visitor; path=/; max-age=3600'")
    _until(page, "document.cookie.includes('_ga=') "
                 "&& document.cookie.includes('_pk_id.1.abcd=')")

    page.locator("[data-charter-action=reopen]").click()
    page.locator("input[data-charter-vendor=matomo]").uncheck()
    assert page.locator("#charter-consent-category-analytics").is_checked()
    page.locator("[data-charter-action=save]").click()
    _until(page, "!document.cookie.includes('_pk_id.1.abcd=')")
    assert "_ga=" in page.evaluate("document.cookie")  # Google's stays: still allowed
    assert _choice(page)["c"] == {"analytics": True, "marketing": True}  # as they were
    assert _choice(page)["vd"] == {"google": True, "matomo": False, "meta": True}
    actions = [(c.action, json.loads(c.vendors)) for c in _logged(full_runtime, 2)]
    assert actions == [("accept_all", {"google": True, "matomo": True, "meta": True}),
                       ("custom", {"google": True, "matomo": False, "meta": True})]


# ---------------------------------------------------------------------------------------------
# 3. "Do not sell or share my personal information"


def test_do_not_sell_on_the_first_layer(browser: Any, live: LiveServer,
                                        full_runtime: Runtime) -> None:
    assert full_runtime.policy.signals.do_not_sell_link  # the fixture asks for the control
    page = _open(browser, live)
    posted: list[dict[str, Any]] = []
    page.on("request", lambda request: posted.append(json.loads(request.post_data))
            if request.url.endswith("/api/v1/cookie-consents") and request.method == "POST"
            else None)
    dns = page.locator(".charter-consent__banner [data-charter-action=dns]")
    assert dns.inner_text() == "Do not sell or share my personal information"
    dns.click()

    page.wait_for_selector(".charter-consent__status:not([hidden])")
    assert page.locator(".charter-consent__status").inner_text() == (
        "We will not sell or share your personal information.")
    assert page.locator("[data-charter-action=accept]").count() == 0  # answered
    choice = _choice(page)
    assert set(choice) == {"id", "v", "c", "vd", "dns", "t"}  # nothing about the person
    assert UUID4.match(choice["id"])
    assert choice["v"] == live.app.state.runtime.policy_version
    assert abs(choice["t"] / 1000 - time.time()) < 60
    assert choice["c"] == {"analytics": False, "marketing": False} and choice["dns"] is True
    assert choice["vd"] == {"google": False, "meta": False}
    assert _consent_calls(page)[-1][2]["ad_storage"] == "denied"
    page.wait_for_timeout(300)
    assert _ran(page) == 0

    [logged] = _logged(full_runtime, 1)
    assert logged.action == "do_not_sell" and logged.do_not_sell is True
    assert logged.consent_id == choice["id"] and not logged.gpc
    assert json.loads(logged.choices) == {"analytics": False, "marketing": False}
    assert [set(body) for body in posted] == [{
        "consentId", "policyVersion", "language", "action", "choices", "vendors", "doNotSell",
        "gpc"}]


def test_do_not_sell_after_accept_all_keeps_statistics(browser: Any, live: LiveServer,
                                                        full_runtime: Runtime) -> None:
    page = _open(browser, live)
    page.locator("[data-charter-action=accept]").click()
    _until(page, "window.charterPreviewAnalyticsRan === 1")
    first = _choice(page)
    assert first["c"] == {"analytics": True, "marketing": True} and first["dns"] is False

    page.locator("[data-charter-action=reopen]").click()
    page.locator(".charter-consent__panel [data-charter-action=dns]").click()
    _until(page, "document.querySelector('.charter-consent__panel') === null")
    choice = _choice(page)
    assert choice["c"] == {"analytics": True, "marketing": False} and choice["dns"] is True
    assert choice["vd"] == {"google": True, "meta": False}
    assert choice["id"] == first["id"]  # the same visitor, changing their mind
    update = _consent_calls(page)[-1][2]
    assert update["analytics_storage"] == "granted"
    assert {update[key] for key in ADS} == {"denied"}

    logged = _logged(full_runtime, 2)
    assert [(c.action, c.do_not_sell) for c in logged] == [("accept_all", False),
                                                           ("do_not_sell", True)]
    assert json.loads(logged[1].choices) == {"analytics": True, "marketing": False}
    assert json.loads(logged[1].vendors) == {"google": True, "meta": False}

    # it stands through a later choice that leaves marketing off
    page.locator("[data-charter-action=reopen]").click()
    assert not page.locator("#charter-consent-category-marketing").is_checked()
    page.locator("[data-charter-action=save]").click()
    _until(page, "document.querySelector('.charter-consent__panel') === null")
    assert _choice(page)["dns"] is True
    assert _logged(full_runtime, 3)[-1].do_not_sell is True


# ---------------------------------------------------------------------------------------------
# 4. The banner embedded in the organization's own site (another origin)

SITE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>School</title></head>
<body><p>Our language school.</p>
<script type="text/plain" data-category="analytics">
window.thirdPartyRan = (window.thirdPartyRan || 0) + 1;
</script>
<script src="{charter}/consent.js?lang=en"></script>
</body></html>"""


@contextmanager
def _site(folder: Path, port: int, charter: str) -> Iterator[str]:
    """A static page on http://localhost:PORT (Charter is on 127.0.0.1: another origin)."""
    folder.mkdir()
    (folder / "index.html").write_text(SITE.replace("{charter}", charter))
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://localhost:{port}/index.html"
    finally:
        server.shutdown()
        server.server_close()


def _third_party_ran(page: Any) -> int:
    return int(page.evaluate("window.thirdPartyRan || 0"))


def test_the_banner_in_another_site(browser: Any, full_runtime: Runtime,
                                    tmp_path: Path) -> None:
    port, stranger_port = free_port(), free_port()
    with serving(full_runtime, embed_origins=f"http://localhost:{port}") as charter, \
            _site(tmp_path / "school", port, charter.url) as school, \
            _site(tmp_path / "stranger", stranger_port, charter.url) as stranger:
        page = browser.new_context().new_page()
        page.goto(school)
        page.wait_for_selector("[data-charter-action=reject]")
        assert _third_party_ran(page) == 0
        page.locator("[data-charter-action=reject]").click()
        [logged] = _logged(full_runtime, 1)  # posted across origins, allowed by CORS
        assert logged.action == "reject_all"
        assert _choice(page)["id"] == logged.consent_id
        page.reload()
        page.wait_for_timeout(500)
        assert page.locator("[data-charter-action=accept]").count() == 0  # remembered
        assert _third_party_ran(page) == 0  # never ran

        other = browser.new_context().new_page()
        other.goto(school)
        other.wait_for_selector("[data-charter-action=accept]")
        other.locator("[data-charter-action=accept]").click()
        _until(other, "window.thirdPartyRan === 1")
        assert [c.action for c in _logged(full_runtime, 2)] == ["reject_all", "accept_all"]

        # Negative control: a site not named in embed_origins gets the banner, but its
        # browser may not post the choice to Charter.
        outsider = browser.new_context().new_page()
        outsider.goto(stranger)
        outsider.wait_for_selector("[data-charter-action=accept]")
        outsider.locator("[data-charter-action=accept]").click()
        _until(outsider, "window.thirdPartyRan === 1")
        assert len(_logged(full_runtime, 3, seconds=2)) == 2


def test_google_turned_off_is_told_to_google(browser: Any, live: LiveServer,
                                             full_runtime: Runtime, tmp_path: Path) -> None:
    """Statistics kept, Google refused: Consent Mode denies analytics storage to Google's tags
    (which may be loaded unblocked and rely on it), while Matomo's script runs."""
    _two_statistics_providers(live, full_runtime, tmp_path)
    page = _open_with_vendor_scripts(browser, live)
    page.locator("[data-charter-action=customize]").click()
    page.locator("#charter-consent-category-analytics").check()
    page.locator("input[data-charter-vendor=google]").uncheck()
    page.locator("[data-charter-action=save]").click()
    _until(page, "window.dataLayer.filter((e) => e[0] === 'consent').length === 2")
    [_default, update] = _consent_calls(page)
    assert update[1] == "update" and update[2]["analytics_storage"] == "denied"
    assert _blocked(page, "google") and not _blocked(page, "matomo")
