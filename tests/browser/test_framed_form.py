"""A form framed in the organization's own site (another origin) works in Chromium, and a
site not named in CHARTER_EMBED_ORIGINS cannot frame it."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from charter.models import Subject
from charter.runtime import Runtime

from ..smtp import free_port
from .conftest import serving


@contextmanager
def other_site(folder: Path, page: str) -> Iterator[str]:
    (folder / "index.html").write_text(page)
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"  # another site than 127.0.0.1
    finally:
        server.shutdown()


def test_a_framed_form_is_filled_and_sent(browser: Any, full_runtime: Runtime,
                                          tmp_path: Path) -> None:
    port = free_port()
    origin = f"http://localhost:{port}"
    with serving(full_runtime, embed_origins=origin) as charter:
        (tmp_path / "index.html").write_text(
            f'<!doctype html><title>School</title><iframe id="f" width="600" height="900" '
            f'src="{charter.url}/forms/newsletter_signup?lang=en"></iframe>')
        handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                    directory=str(tmp_path))
        site = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        threading.Thread(target=site.serve_forever, daemon=True).start()
        try:
            page = browser.new_context().new_page()
            page.goto(origin)
            frame = page.frame_locator("#f")
            frame.locator("#f-email").fill("framed@example.org")
            frame.locator("button[type=submit]").click()
            frame.locator("text=We have received your details.").wait_for()
        finally:
            site.shutdown()
    with full_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Subject).where(
            Subject.organization_id == full_runtime.organization_id)) == 1


def test_a_site_not_named_cannot_frame_it(browser: Any, full_runtime: Runtime,
                                          tmp_path: Path) -> None:
    with serving(full_runtime, embed_origins="https://www.langschool.be") as charter, \
            other_site(tmp_path, f'<iframe id="f" src="{charter.url}/forms/enrolment">'
                                 f'</iframe>') as url:
        page = browser.new_context().new_page()
        page.goto(url)
        page.wait_for_timeout(500)
        frame = page.frames[-1]
        assert frame.evaluate("document.querySelector('#f-email')") is None  # blocked
