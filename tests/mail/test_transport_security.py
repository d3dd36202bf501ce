"""SMTP as it is set up in production: STARTTLS with a login, TLS from the start, our own
sender. A real aiosmtpd server on loopback with a certificate from a test CA made here; the
transport trusts that CA the ordinary way (SSL_CERT_FILE), its verification left on."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, select

from charter.mail.service import deliver_due, queue_message
from charter.mail.transport import SmtpTransport
from charter.models import OutboxMessage
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings

from ..smtp import Inbox, free_port, text_of

USER, PASSWORD = "charter-mailer", "s3cret-relay-pass"
CONTEXT = {"purpose_label": "Newsletter", "confirm_url": "https://x.example/newsletter/confirm/t"}


# -- a test CA and a server certificate for 127.0.0.1 / localhost --------------------------

def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """ca.pem (what the client trusts), server.pem + server.key (what the server shows)."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca = (x509.CertificateBuilder()
          .subject_name(_name("Charter test CA")).issuer_name(_name("Charter test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(
              digital_signature=False, content_commitment=False, key_encipherment=False,
              data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
              encipher_only=False, decipher_only=False), critical=True)
          .add_extension(ca_ski, critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    server = (x509.CertificateBuilder()
              .subject_name(_name("127.0.0.1")).issuer_name(ca.subject)
              .public_key(key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - timedelta(minutes=5))
              .not_valid_after(now + timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([
                  x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                  critical=False)
              .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                             critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                  ca_ski), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    _write_key(paths["key"], key)
    return paths


@pytest.fixture
def trust_test_ca(certificates: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenSSL reads SSL_CERT_FILE each time a default context loads its verify paths, so the
    transport's ssl.create_default_context() trusts the test CA (and only it, as a file)."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates["ca"]))


@pytest.fixture
def server_context(certificates: dict[str, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates["cert"], certificates["key"])
    return context


# -- a server that notes how each message reached it ----------------------------------------

class SecureInbox(Inbox):
    """What it receives, with the TLS version and the login of the session that sent it."""

    def __init__(self) -> None:
        super().__init__()
        self.deliveries: list[tuple[str | None, str | None]] = []
        self.senders: list[str | None] = []  # MAIL FROM of each message
        self.logins: list[tuple[str, bool]] = []  # every AUTH attempt: user, accepted
        self._attempts = threading.Lock()

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope,
                     mechanism: str, auth_data: Any) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        accepted = (auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
        with self._attempts:
            self.logins.append((auth_data.login.decode(), accepted))
        return AuthResult(success=accepted, handled=False, auth_data=auth_data)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        tls = server.transport.get_extra_info("ssl_object") if server.transport else None
        auth = session.auth_data
        self.senders.append(envelope.mail_from)
        self.deliveries.append((tls.version() if isinstance(tls, ssl.SSLObject) else None,
                                auth.login.decode() if isinstance(auth, LoginPassword) else None))
        return await super().handle_DATA(server, session, envelope)


Start = Callable[..., SecureInbox]


@pytest.fixture
def start_server() -> Iterator[Start]:
    """Starts a loopback server with the given aiosmtpd options; stopped after the test."""
    controllers: list[Controller] = []

    def start(**options: Any) -> SecureInbox:
        inbox = SecureInbox()
        inbox.port = free_port()
        if options.pop("with_login", False):
            options.update(authenticator=inbox.authenticate, auth_required=True,
                           auth_require_tls=True)
        controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **options)
        controller.start()
        controllers.append(controller)
        return inbox

    yield start
    for controller in controllers:
        controller.stop()


def _runtime(settings: Settings, engine: Engine, inbox: Inbox, **smtp: Any) -> Runtime:
    """model_copy does not validate: a password must be given as a SecretStr."""
    configured = settings.model_copy(update={
        "smtp_host": "127.0.0.1", "smtp_port": inbox.port,
        "base_url": "https://privacy.langschool.be", **smtp})
    return open_runtime(configured, engine=engine)


def _queue(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return queue_message(session, runtime, kind="newsletter_confirmation",
                             to="lucas.maes@example.org", language="en", context=CONTEXT).id


def _messages(runtime: Runtime) -> list[OutboxMessage]:
    with runtime.transaction() as session:
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.organization_id == runtime.organization_id).order_by(OutboxMessage.id)))


def _starttls_server(start: Start, server_context: ssl.SSLContext) -> SecureInbox:
    return start(tls_context=server_context, require_starttls=True, with_login=True)


# -- the tests ------------------------------------------------------------------------------

@pytest.mark.usefixtures("trust_test_ca")
def test_starttls_with_a_login_delivers_over_tls(
        settings: Settings, engine: Engine, start_server: Start,
        server_context: ssl.SSLContext) -> None:
    inbox = _starttls_server(start_server, server_context)
    runtime = _runtime(settings, engine, inbox, smtp_tls="starttls", smtp_user=USER,
                       smtp_password=SecretStr(PASSWORD))
    _queue(runtime)
    report = deliver_due(runtime, SmtpTransport(runtime.settings))
    assert report.sent == 1, report.errors
    [mail] = inbox.messages
    assert mail["To"] == "lucas.maes@example.org"
    assert "https://x.example/newsletter/confirm/t" in text_of(mail)
    [(tls_version, login)] = inbox.deliveries
    assert tls_version in ("TLSv1.2", "TLSv1.3")  # upgraded before anything was said
    assert login == USER
    assert inbox.logins == [(USER, True)]
    [row] = _messages(runtime)
    assert row.status == "sent" and row.last_error is None


@pytest.mark.usefixtures("trust_test_ca")
def test_a_wrong_password_loses_no_mail_and_stops_the_batch(
        settings: Settings, engine: Engine, start_server: Start,
        server_context: ssl.SSLContext) -> None:
    """The server answers 535: the configuration is at fault, not the messages. Nothing is
    failed for good, no attempt is spent, the batch stops at the first refusal, and once the
    password is right everything goes."""
    inbox = _starttls_server(start_server, server_context)
    runtime = _runtime(settings, engine, inbox, smtp_tls="starttls", smtp_user=USER,
                       smtp_password=SecretStr("not-the-password"))
    _queue(runtime)
    _queue(runtime)
    report = deliver_due(runtime, SmtpTransport(runtime.settings))
    assert report.sent == 0 and report.failed == 0 and report.retried == 1
    assert inbox.messages == [] and inbox.deliveries == []
    assert inbox.logins and all(login == (USER, False) for login in inbox.logins)
    first, second = _messages(runtime)
    assert (first.status, first.attempts) == ("queued", 0)
    assert first.last_error == "server: 535 5.7.8 Authentication credentials invalid"
    assert "not-the-password" not in first.last_error
    # the second was never tried: given back to the queue as it was
    assert (second.status, second.attempts, second.claim, second.last_error) == (
        "queued", 0, None, None)
    fixed = _runtime(settings, engine, inbox, smtp_tls="starttls", smtp_user=USER,
                     smtp_password=SecretStr(PASSWORD))
    later = datetime.now(UTC) + timedelta(hours=1)
    assert deliver_due(fixed, SmtpTransport(fixed.settings), now=later).sent == 2
    assert len(inbox.messages) == 2


def test_starttls_with_an_untrusted_certificate_is_refused_and_retried(
        settings: Settings, engine: Engine, start_server: Start,
        server_context: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """Verification is on: without the test CA the handshake fails, nothing is said in clear,
    and the message waits for a retry."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's CAs only
    inbox = _starttls_server(start_server, server_context)
    runtime = _runtime(settings, engine, inbox, smtp_tls="starttls", smtp_user=USER,
                       smtp_password=SecretStr(PASSWORD))
    _queue(runtime)
    report = deliver_due(runtime, SmtpTransport(runtime.settings))
    assert report.retried == 1 and inbox.messages == [] and inbox.logins == []
    [row] = _messages(runtime)
    assert row.status == "queued" and row.attempts == 0  # the server's fault: none spent
    assert row.last_error is not None and "CERTIFICATE_VERIFY_FAILED" in row.last_error


@pytest.mark.usefixtures("trust_test_ca")
def test_implicit_tls_delivers(settings: Settings, engine: Engine, start_server: Start,
                               server_context: ssl.SSLContext) -> None:
    inbox = start_server(ssl_context=server_context)
    runtime = _runtime(settings, engine, inbox, smtp_tls="tls")
    _queue(runtime)
    report = deliver_due(runtime, SmtpTransport(runtime.settings))
    assert report.sent == 1, report.errors
    [mail] = inbox.messages
    assert mail["To"] == "lucas.maes@example.org"
    [(tls_version, login)] = inbox.deliveries
    assert tls_version in ("TLSv1.2", "TLSv1.3") and login is None
    assert _messages(runtime)[0].status == "sent"


def test_mail_from_replaces_the_policy_address(settings: Settings, engine: Engine,
                                               start_server: Start) -> None:
    inbox = start_server()
    runtime = _runtime(settings, engine, inbox, smtp_tls="none",
                       mail_from="notifications@mail.langschool.be")
    _queue(runtime)
    assert deliver_due(runtime, SmtpTransport(runtime.settings)).sent == 1
    [mail] = inbox.messages
    assert mail["From"] == "Test Language School SRL <notifications@mail.langschool.be>"
    assert mail["From"].addresses[0].addr_spec == "notifications@mail.langschool.be"
    assert "privacy@langschool.be" not in str(mail["From"])
    assert mail["Message-ID"].endswith("@mail.langschool.be>")
    assert inbox.senders == ["notifications@mail.langschool.be"]  # the envelope, too


def test_a_login_without_its_password_is_refused_at_start() -> None:
    for half in ({"smtp_user": USER}, {"smtp_password": PASSWORD}):
        with pytest.raises(ValidationError, match="give both or neither"):
            Settings(**half)  # type: ignore[arg-type]
