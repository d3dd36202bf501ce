"""The API's reference (/api/docs) in Chromium under the app's CSP: Swagger UI, served from
this machine and started by a script file, lists the operations — FastAPI's own page, with
its inline script and CDN assets, was blocked and stayed blank."""

from __future__ import annotations

import time
from typing import Any

from charter.runtime import Runtime

from .conftest import serving

# Injected by the browser itself, so it runs under any CSP: each violation is kept.
WATCH_CSP = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _poll(page: Any, expression: str, seconds: float = 15) -> Any:
    """The CSP forbids wait_for_function (it evaluates strings): poll with evaluate."""
    deadline = time.monotonic() + seconds
    while not (value := page.evaluate(expression)):
        assert time.monotonic() < deadline, f"never true: {expression}"
        time.sleep(0.1)
    return value


def test_swagger_ui_lists_the_operations_without_a_csp_error(browser: Any,
                                                             runtime: Runtime) -> None:
    with serving(runtime) as live:
        page = browser.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(WATCH_CSP)
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(live.url)
                or r.url.startswith("data:") else outside.append(r.url))

        page.goto(f"{live.url}/api/docs")
        paths = _poll(page, "Array.from(document.querySelectorAll('.opblock-summary-path'))"
                            ".map(e => e.textContent.replace(/\\u200b/g, ''))")
        assert {"/api/v1/whoami", "/api/v1/requests", "/api/v1/consents"} <= set(paths)
        assert page.get_by_role("heading", name="Charter").first.is_visible()

        # an operation opens on click, with its parameters (React styles work under the CSP)
        page.locator(".opblock-summary", has_text="/api/v1/consent/check").first.click()
        _poll(page, "document.querySelectorAll('.opblock.is-open .parameters').length")

        assert page.evaluate("window.cspViolations") == []
        assert errors == []
        assert outside == []  # nothing fetched from another site
        page.close()
