"""The Portal in Chromium: logging in (with two-step login), finding a person, and an access
request handled from its receipt to the person's download."""

from __future__ import annotations

import io
import time
import zipfile
from typing import Any

import pyotp

from charter.mail.service import deliver_due
from charter.mail.transport import SmtpTransport
from charter.runtime import Runtime

from ..factories import person
from ..smtp import Inbox, link_in
from .conftest import LiveServer, log_in, staff_account

EMAIL = "sophie.peeters@example.org"


def test_login_with_two_step_and_finding_a_person(browser: Any, live: LiveServer,
                                                  full_runtime: Runtime) -> None:
    person(full_runtime, email=EMAIL)
    email = staff_account(full_runtime)
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, live.url, email)
        page.wait_for_url(f"{live.url}/")
        assert page.get_by_role("heading", name="Requests by deadline").is_visible()
        page.get_by_role("link", name="Account").click()
        page.get_by_role("button", name="Set up two-step login").click()
        assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
        totp = pyotp.TOTP(page.locator("#totp-secret").inner_text())
        page.get_by_label("Code from the app").fill(totp.now())
        page.get_by_role("button", name="Confirm").click()
        assert page.get_by_text("On: after your password").is_visible()
        page.get_by_role("button", name="Log out").click()
        log_in(page, live.url, email)
        page.get_by_label("Code from your authenticator app").fill(
            totp.at(int(time.time()) + 30))  # the next step: the current one is spent
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(f"{live.url}/")
        page.get_by_role("link", name="People").click()
        page.get_by_label("E-mail address or phone number").fill(EMAIL)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Person #").first.click()
        assert page.get_by_role("heading", name="Records").is_visible()
        assert page.get_by_text("Sophie").first.is_visible()
    finally:
        context.close()


def test_an_access_request_from_receipt_to_download(browser: Any, live: LiveServer,
                                                    full_runtime: Runtime,
                                                    inbox: Inbox) -> None:
    def deliver() -> None:
        deliver_due(full_runtime, SmtpTransport(full_runtime.settings))

    person(full_runtime, email=EMAIL, billing={"company": "Brasserie Lambert",
                                               "vat_number": "BE0999888777"})
    staff_email = staff_account(full_runtime)
    visitor = browser.new_context()
    staff = browser.new_context()
    try:
        # the person asks, and confirms from the mail
        page = visitor.new_page()
        page.goto(f"{live.url}/requests/new?lang=en")
        page.locator("#kind-access").check()
        page.get_by_label("E-mail address").fill(EMAIL)
        page.get_by_role("button", name="Send my request").click()
        deliver()
        page.goto(link_in(inbox.messages[-1], "/requests/verify/"))
        page.get_by_role("button", name="Yes, this is my request").click()
        # staff act on it in every system
        desk = staff.new_page()
        log_in(desk, live.url, staff_email)
        desk.get_by_role("link", name="Requests", exact=True).click()
        desk.get_by_role("link", name="R-").first.click()
        desk.get_by_role("button", name="Fulfil in every system").click()
        desk.get_by_label("System").select_option("accounting")
        desk.get_by_label("What was done").fill("Searched BOB: no invoice")
        desk.get_by_role("button", name="Attest a system done by hand").click()
        assert desk.get_by_text("fulfilled").first.is_visible()
        # the answer arrives; the person downloads the package
        deliver()
        download_url = link_in(inbox.messages[-1], "/exports/")
        page.set_content(f'<a href="{download_url}">Download your data</a>')
        with page.expect_download() as started:
            page.get_by_role("link", name="Download your data").click()
        with open(started.value.path(), "rb") as saved:
            package = zipfile.ZipFile(io.BytesIO(saved.read()))
        assert "letter.html" in package.namelist()
        assert b"BE0999888777" in package.read("portal/billing.json")
    finally:
        visitor.close()
        staff.close()


def test_logging_a_breach_and_notifying_the_authority(browser: Any, live: LiveServer,
                                                      full_runtime: Runtime) -> None:
    email = staff_account(full_runtime)
    context = browser.new_context()
    try:
        page = context.new_page()
        log_in(page, live.url, email)
        page.get_by_role("link", name="Breaches", exact=True).click()
        page.get_by_role("link", name="Record a breach").click()
        page.locator("#nature-confidentiality").check()
        page.locator("#category-contact").check()
        page.get_by_label("people: approximate number concerned").fill("120")
        page.get_by_label("description: what happened").fill(
            "A laptop with the class lists was stolen from a car.")
        page.get_by_label("consequences: likely consequences for the people").fill(
            "Phishing mails using the students' names.")
        page.get_by_role("button", name="Record the breach").click()
        page.wait_for_url("**/breaches/B-*")
        reference = page.url.rsplit("/", 1)[1]
        assert page.get_by_text("left to notify the authority").first.is_visible()
        draft = page.locator("pre.mail").filter(has_text="Data Protection Authority").first
        assert "A laptop with the class lists" in draft.inner_text()
        page.get_by_label("Risk to the people").select_option("risk")
        page.get_by_role("button", name="Record the risk").click()
        page.get_by_label("The authority's reference").fill("DPA-2026-118")
        page.get_by_role("button", name="Record the notification to the authority").click()
        assert page.get_by_text("notified after").first.is_visible()
        page.get_by_role("link", name="Breaches", exact=True).click()
        assert page.get_by_role("link", name=reference).is_visible()
    finally:
        context.close()
