"""No personal data in server logs: a whole day of Charter — a form, a failed and a good
login, a search, an access request whose accounting system fails with the address in its
error, mail over SMTP, an erasure, bad input — with every logger at DEBUG as an operator
could set it; then every message, argument and traceback is searched for the person."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from charter.logs import MaskingFormatter, configure_logging
from charter.models import RequestSystemPart, utcnow
from charter.rights import repository
from charter.rights.fulfilment import attest, fulfil, retry_failed_parts
from charter.runtime import Runtime

from .collect.test_forms import GOOD, post_form
from .factories import staff_login
from .rights.helpers import ask_and_confirm, deliver
from .smtp import Inbox

EMAIL = GOOD["email"]
SECRETS = (EMAIL, GOOD["first_name"], GOOD["last_name"], "470 12 34 56", "+32470123456",
           "Atelier Maes", "BE0999888777")


class Everything(logging.Handler):
    """Keeps each record whole: message, arguments and any traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        parts = [record.name, record.getMessage(), repr(record.args)]
        if record.exc_info:
            parts.append(logging.Formatter().formatException(record.exc_info))
        parts.append(record.stack_info or "")
        self.lines.append(" ".join(parts))


@pytest.fixture
def captured() -> Iterator[Everything]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level
                    for name in list(logging.Logger.manager.loggerDict)}
    configure_logging("debug")
    handler = Everything()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


class DownAccounting:
    """The accounting system's connector failing, its error quoting the person (as drivers'
    errors do)."""

    def export(self, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError(f"lookup of {EMAIL} ({GOOD['last_name']}) timed out")

    erase = restrict = rectify = export


def test_a_whole_day_leaves_no_personal_data_in_the_logs(
        captured: Everything, mail_client: TestClient, mail_runtime: Runtime,
        inbox: Inbox) -> None:
    runtime, client = mail_runtime, mail_client
    assert post_form(client, "enrolment", GOOD).status_code == 200
    assert post_form(client, "enrolment", {**GOOD, "email": "Sophie Maes <broken"}
                     ).status_code == 422
    login_page = client.get("/login").text
    token = login_page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/login", data={"email": EMAIL, "password": "wrong password",
                                       "csrf_token": token}).status_code == 401
    csrf = staff_login(client, runtime, "dpo")
    assert client.post("/subjects", data={"q": EMAIL, "csrf_token": csrf}).status_code == 200
    runtime.connectors["accounting"] = DownAccounting()
    request = ask_and_confirm(client, runtime, inbox, "access", EMAIL)
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id,
                                                request.reference)
        assert found is not None
        fulfil(session, runtime, found, actor="staff:1")
    with runtime.transaction() as session:  # the retry job meets the same failure
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == runtime.organization_id).values(
            next_attempt_at=utcnow()))
    with runtime.transaction() as session:
        retry_failed_parts(session, runtime)
    del runtime.connectors["accounting"]
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id,
                                                request.reference)
        assert found is not None
        found_parts = repository.parts_of(session, runtime.organization_id, found.id)
        assert [p.last_error for p in found_parts if p.status == "failed"] == \
            ["ConnectionError"]  # the scenario met the failure it means to test
    deliver(runtime)
    erasure = ask_and_confirm(client, runtime, inbox, "erasure", EMAIL)
    with runtime.transaction() as session:
        found = repository.request_by_reference(session, runtime.organization_id,
                                                erasure.reference)
        assert found is not None
        fulfil(session, runtime, found, actor="staff:1")
        attest(session, runtime, found, system="accounting", note="erased", actor="staff:1")
    deliver(runtime)
    assert any("charter.access" in line for line in captured.lines)
    leaked = [line for line in captured.lines
              if any(s.lower() in line.lower() for s in SECRETS)]
    assert leaked == [], leaked[:5]


def test_addresses_that_slip_through_are_masked() -> None:
    formatter = MaskingFormatter("%(message)s")
    record = logging.LogRecord("x", logging.INFO, "", 0, "to %s from %s",
                               ("sophie@example.org", "192.0.2.7"), None)
    assert formatter.format(record) == "to [e-mail] from [ip]"
    for ip in ("2001:db8::1", "fe80::1ff:fe23:4567:890a", "::1",
               "2001:0db8:85a3:0000:0000:8a2e:0370:7334"):
        record = logging.LogRecord("x", logging.INFO, "", 0, "from %s at 15:02:40", (ip,), None)
        assert formatter.format(record) == "from [ip] at 15:02:40", ip


def test_an_unhandled_error_is_logged_by_type_and_place_only(
        captured: Everything, runtime: Runtime) -> None:
    from fastapi import FastAPI

    from charter.web.security import SecurityHeaders

    inner = FastAPI()

    @inner.get("/boom")
    def boom() -> None:
        raise RuntimeError(f"row for {EMAIL} is broken")

    app = SecurityHeaders(inner, hsts=False, embed_origins=[])
    with TestClient(app) as client:  # type: ignore[arg-type]
        response = client.get("/boom")
    assert response.status_code == 500 and EMAIL not in response.text
    assert "content-security-policy" in response.headers
    [line] = [line for line in captured.lines if "unhandled" in line]
    assert "RuntimeError at" in line and EMAIL not in line
