"""The privacy notice in Chromium: the browser's language picks the notice's, the language
links switch it, and the sections a reader looks for are headings they can jump to."""

from __future__ import annotations

from typing import Any

from .conftest import LiveServer

HEADINGS = {
    "fr": ["Qui sommes-nous", "Vos droits", "Cookies"],
    "nl": ["Wie zijn wij", "Uw rechten", "Cookies"],
    "en": ["Who we are", "Your rights", "Cookies"],
}


def test_the_notice_follows_the_browser_language_and_the_switch(browser: Any,
                                                                 live: LiveServer) -> None:
    context = browser.new_context(locale="nl-BE")
    try:
        page = context.new_page()
        page.goto(f"{live.url}/privacy")
        assert page.get_attribute("html", "lang") == "nl"
        headings = page.locator("article.notice h2").all_inner_texts()
        assert all(h in headings for h in HEADINGS["nl"]), headings
        assert page.locator("#rights").is_visible()
        page.get_by_role("link", name="FR", exact=True).click()
        page.wait_for_url("**/privacy?lang=fr")
        assert page.get_attribute("html", "lang") == "fr"
        headings = page.locator("article.notice h2").all_inner_texts()
        assert all(h in headings for h in HEADINGS["fr"]), headings
        # the cookie table, with lifetimes in the reader's language
        assert "13 mois" in page.locator("#cookies").inner_text()
        page.get_by_role("link", name="Exercer vos droits").click()
        page.wait_for_url("**/requests/new?lang=fr")
        assert page.get_attribute("html", "lang") == "fr"
    finally:
        context.close()
