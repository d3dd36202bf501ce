"""A webhook system against a real HTTP server on loopback (the third party's endpoint is the
edge of the world): HMAC-signed calls, answers at once or by a signed callback, failures
and silences retried, and callbacks that are forged, replayed or out of policy refused
without changing anything."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from charter.models import RequestSystemPart, WebhookDelivery, utcnow
from charter.policy.lint import lint
from charter.rights import repository
from charter.rights.connectors import Person, connector_for
from charter.rights.fulfilment import retry_failed_parts
from charter.rights.intake import deny
from charter.runtime import Runtime
from charter.systems.callbacks import expire_silent_deliveries
from charter.systems.locate import locate
from charter.systems.webhook import WebhookConnector, WebhookNotConfigured
from charter.web.app import create_app

from ..factories import person
from ..rights.helpers import BASE, ask_and_confirm, deliver, fulfil_by_staff, refresh
from ..smtp import Inbox, link_in, text_of
from .conftest import PORTAL, policy_with, runtime_with
from .databases import EMAIL

SECRET = "a shared secret of the mailing tool"


@dataclass
class Endpoint:
    """The mailing tool's endpoint: answers from ``replies`` in turn, records each call."""

    url: str
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    calls: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    state = Endpoint(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.calls.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status, payload = state.replies.pop(0) if state.replies else (500, {})
            content = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/charter-hook"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook_runtime(mail_runtime: Runtime, tmp_path: Path, endpoint: Endpoint,
                 monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("MAILING_HOOK_SECRET", SECRET)
    path = policy_with(tmp_path, [PORTAL, {
        "id": "mailing", "kind": "webhook", "label": {"en": "Mailing tool"},
        "categories": ["contact"], "url": endpoint.url, "secret_env": "MAILING_HOOK_SECRET",
        "webhook": {"timeout_seconds": 5, "callback_hours": 2}}])
    return runtime_with(mail_runtime, path)


@pytest.fixture
def client(hook_runtime: Runtime) -> Iterator[TestClient]:
    with TestClient(create_app(hook_runtime), base_url="http://127.0.0.1") as test_client:
        yield test_client


def _signature(body: bytes, at: int | None = None) -> str:
    """As docs/systems.md tells a receiver to sign: t=UNIX,v1=HMAC-SHA256("{t}." + body)."""
    moment = int(time.time()) if at is None else at
    digest = hmac.new(SECRET.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def _part(runtime: Runtime, reference: str) -> RequestSystemPart:
    with runtime.transaction() as session:
        parts = repository.parts_of(session, runtime.organization_id,
                                    refresh(runtime, reference).id)
        return next(p for p in parts if p.system == "mailing")


def _past_backoff(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        session.execute(update(RequestSystemPart).where(
            RequestSystemPart.organization_id == runtime.organization_id).values(
            next_attempt_at=utcnow() - timedelta(seconds=1)))
        return retry_failed_parts(session, runtime)


def test_a_signed_call_answered_at_once(client: TestClient, hook_runtime: Runtime,
                                        endpoint: Endpoint, inbox: Inbox) -> None:
    person(hook_runtime, email=EMAIL)
    endpoint.replies.append((200, {"found": True, "done": ["unsubscribed and deleted"]}))
    request = ask_and_confirm(client, hook_runtime, inbox, "erasure", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    [(headers, body)] = endpoint.calls
    stamp = headers["charter-signature"].split(",")[0].removeprefix("t=")
    assert headers["charter-signature"] == _signature(body, int(stamp))
    assert abs(int(stamp) - time.time()) < 60
    sent = json.loads(body)
    assert (sent["action"], sent["request"], sent["person"]["email"]) == \
        ("erasure", request.reference, EMAIL)
    assert sent["callback_url"].startswith(f"{BASE}/systems/callbacks/")
    assert sent["due_on"] == refresh(hook_runtime, request.reference).deadline.isoformat()
    assert refresh(hook_runtime, request.reference).status == "fulfilled"
    deliver(hook_runtime)
    assert "Mailing tool: unsubscribed and deleted" in text_of(inbox.messages[-1])


def test_a_202_waits_for_the_signed_callback(client: TestClient, hook_runtime: Runtime,
                                             endpoint: Endpoint, inbox: Inbox) -> None:
    person(hook_runtime, email=EMAIL)
    endpoint.replies.append((202, {}))
    request = ask_and_confirm(client, hook_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    assert _part(hook_runtime, request.reference).status == "pending"
    callback = json.loads(endpoint.calls[0][1])["callback_url"].removeprefix(BASE)
    result = json.dumps({"found": True, "data": {"contact": [
        {"email": EMAIL, "opened": 14}]}}).encode()

    def post(body: bytes, signature: str, path: str = callback) -> Any:
        return client.post(path, content=body, headers={
            "Content-Type": "application/json", "Charter-Signature": signature})

    assert post(result, "t=1,v1=00").status_code == 401
    assert post(result, _signature(result, int(time.time()) - 3600)).status_code == 401
    assert post(result, _signature(result), "/systems/callbacks/guessed").status_code == 404
    outside = json.dumps({"found": True, "data": {"billing": [{"iban": "x"}]}}).encode()
    refused = post(outside, _signature(outside))
    assert refused.status_code == 422 and "does not hold billing" in refused.text
    unknown_key = json.dumps({"found": True, "extra": 1}).encode()
    assert post(unknown_key, _signature(unknown_key)).status_code == 422
    assert _part(hook_runtime, request.reference).status == "pending"  # nothing changed
    assert refresh(hook_runtime, request.reference).status == "in_progress"
    answered = post(result, _signature(result))
    assert answered.status_code == 200 and answered.json() == {"status": "answered"}
    assert refresh(hook_runtime, request.reference).status == "fulfilled"
    assert post(result, _signature(result)).status_code == 409  # a replay changes nothing
    deliver(hook_runtime)
    link = link_in(inbox.messages[-1], "/exports/").removeprefix(BASE)
    package = zipfile.ZipFile(io.BytesIO(client.get(link).content))
    assert json.loads(package.read("mailing/contact.json")) == [{"email": EMAIL, "opened": 14}]


def test_a_failing_webhook_is_retried_with_backoff(client: TestClient, hook_runtime: Runtime,
                                                   endpoint: Endpoint, inbox: Inbox) -> None:
    person(hook_runtime, email=EMAIL)
    endpoint.replies += [(503, {}), (200, {"found": False})]
    request = ask_and_confirm(client, hook_runtime, inbox, "restriction", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    failed = _part(hook_runtime, request.reference)
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", "WebhookRefused", 1)
    assert failed.next_attempt_at is not None and failed.next_attempt_at > utcnow()
    assert _past_backoff(hook_runtime) == 1
    assert _part(hook_runtime, request.reference).status == "done"
    assert len(endpoint.calls) == 2
    assert refresh(hook_runtime, request.reference).status == "fulfilled"


def test_a_silent_webhook_is_asked_again(client: TestClient, hook_runtime: Runtime,
                                         endpoint: Endpoint, inbox: Inbox) -> None:
    person(hook_runtime, email=EMAIL)
    endpoint.replies += [(202, {}), (200, {"found": True, "done": ["deleted"]})]
    request = ask_and_confirm(client, hook_runtime, inbox, "erasure", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    with hook_runtime.transaction() as session:
        assert expire_silent_deliveries(session, hook_runtime) == 0  # within callback_hours
        session.execute(update(WebhookDelivery).where(
            WebhookDelivery.organization_id == hook_runtime.organization_id).values(
            sent_at=utcnow() - timedelta(hours=3)))
        assert expire_silent_deliveries(session, hook_runtime) == 1
    silent = _part(hook_runtime, request.reference)
    assert (silent.status, silent.last_error) == ("failed", "CallbackTimeout")
    assert _past_backoff(hook_runtime) == 1
    assert refresh(hook_runtime, request.reference).status == "fulfilled"
    late = json.loads(endpoint.calls[0][1])["callback_url"].removeprefix(BASE)
    body = json.dumps({"found": True}).encode()
    assert client.post(late, content=body, headers={"Charter-Signature": _signature(body)}
                       ).status_code == 409  # the expired call is not heard any more
    with hook_runtime.transaction() as session:
        states = session.scalars(select(WebhookDelivery.status).where(
            WebhookDelivery.organization_id == hook_runtime.organization_id)).all()
        assert states == ["expired"]


def test_a_denied_request_no_longer_hears_its_callback(client: TestClient,
                                                       hook_runtime: Runtime,
                                                       endpoint: Endpoint, inbox: Inbox) -> None:
    person(hook_runtime, email=EMAIL)
    endpoint.replies.append((202, {}))
    request = ask_and_confirm(client, hook_runtime, inbox, "access", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    callback = json.loads(endpoint.calls[0][1])["callback_url"].removeprefix(BASE)
    huge = b"{" + b" " * (1024 * 1024) + b"}"
    assert client.post(callback, content=huge, headers={
        "Charter-Signature": _signature(huge)}).status_code == 413  # read no further
    with hook_runtime.transaction() as session:
        found = repository.request_by_reference(session, hook_runtime.organization_id,
                                                request.reference)
        assert found is not None
        deny(session, hook_runtime, found, reason="manifestly unfounded", actor="staff:1")
    body = json.dumps({"found": True, "data": {"contact": [{"email": EMAIL}]}}).encode()
    assert client.post(callback, content=body, headers={
        "Charter-Signature": _signature(body)}).status_code == 409
    assert refresh(hook_runtime, request.reference).status == "denied"
    assert _part(hook_runtime, request.reference).status == "pending"


def test_a_lookup_is_answered_at_once(hook_runtime: Runtime, endpoint: Endpoint) -> None:
    endpoint.replies += [(200, {"found": True, "categories": ["contact"]}),
                         (200, {"found": True, "categories": ["billing"]})]
    with hook_runtime.transaction() as session:
        [_portal, mailing] = locate(session, hook_runtime, EMAIL, actor="staff:1")
        assert (mailing.state, mailing.categories) == ("found", ["contact"])
        assert json.loads(endpoint.calls[0][1])["action"] == "find"
        [_portal, refused] = locate(session, hook_runtime, EMAIL, actor="staff:1")
        assert refused.state == "failed (InvalidInput)"  # billing: not in this system


def test_without_its_secret_a_webhook_is_not_called(client: TestClient, hook_runtime: Runtime,
                                                    endpoint: Endpoint, inbox: Inbox,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    person(hook_runtime, email=EMAIL)
    monkeypatch.delenv("MAILING_HOOK_SECRET")
    request = ask_and_confirm(client, hook_runtime, inbox, "erasure", EMAIL)
    fulfil_by_staff(hook_runtime, request.reference)
    assert _part(hook_runtime, request.reference).last_error == "WebhookNotConfigured"
    assert endpoint.calls == []  # an unsigned call never leaves


def _hook_at(base: Runtime, tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
             ) -> tuple[Runtime, WebhookConnector, list[httpx.Request]]:
    """A webhook system at ``url``, its HTTP going to a transport that records each call."""
    monkeypatch.setenv("MAILING_HOOK_SECRET", SECRET)
    runtime = runtime_with(base, policy_with(tmp_path, [PORTAL, {
        "id": "mailing", "kind": "webhook", "label": {"en": "Mailing tool"},
        "categories": ["contact"], "url": url, "secret_env": "MAILING_HOOK_SECRET"}]))
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"found": False})

    runtime.connectors["http"] = httpx.MockTransport(record)
    connector = connector_for(runtime, runtime.policy.systems[1])
    assert isinstance(connector, WebhookConnector)
    return runtime, connector, sent


def _erase(runtime: Runtime, connector: WebhookConnector) -> Any:
    with runtime.transaction() as session:
        return connector.erase(session, runtime, Person(
            email=EMAIL, email_index=runtime.blind_index.email(EMAIL), request="R-1"))


@pytest.mark.parametrize("url", [
    "http://hooks.example.org/charter",
    "http://10.0.0.7/charter",                      # private, but not this machine
    "http://127.0.0.1.nip.io/charter",              # a name that only looks like loopback
    "http://localhost.example.org/charter",
    "http://127.0.0.1@hooks.example.org/charter",   # loopback as a user name: the host is not
    "ftp://127.0.0.1/charter",
])
def test_plain_http_elsewhere_is_refused_when_called(runtime: Runtime, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     url: str) -> None:
    hooked, connector, sent = _hook_at(runtime, tmp_path, url, monkeypatch)
    assert any("must be called over https" in f.message for f in lint(hooked.loaded))
    with pytest.raises(WebhookNotConfigured, match="not an https URL"):
        _erase(hooked, connector)  # a policy loaded without `charter check` is no way round
    assert sent == []  # the person's address never left in clear


@pytest.mark.parametrize("url", [
    "https://hooks.example.org/charter",
    "http://127.0.0.1:8025/charter",
    "http://localhost/charter",
    "http://[::1]:8025/charter",
])
def test_https_and_plain_http_to_this_machine_are_called(runtime: Runtime, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         url: str) -> None:
    hooked, connector, sent = _hook_at(runtime, tmp_path, url, monkeypatch)
    assert not any("must be called over https" in f.message for f in lint(hooked.loaded))
    assert _erase(hooked, connector).found is False
    [call] = sent
    assert str(call.url) == url and json.loads(call.content)["action"] == "erasure"


def test_a_request_to_a_plain_http_webhook_fails_its_part(
        mail_runtime: Runtime, inbox: Inbox, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    hooked, _connector, sent = _hook_at(mail_runtime, tmp_path,
                                        "http://hooks.example.org/charter", monkeypatch)
    person(hooked, email=EMAIL)
    with TestClient(create_app(hooked), base_url="http://127.0.0.1") as client:
        request = ask_and_confirm(client, hooked, inbox, "erasure", EMAIL)
    fulfil_by_staff(hooked, request.reference)
    part = _part(hooked, request.reference)
    assert (part.status, part.last_error) == ("failed", "WebhookNotConfigured")
    assert sent == [] and refresh(hooked, request.reference).status == "in_progress"
