"""How a message leaves: one small interface, SMTP as its real implementation."""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

from ..settings import Settings

_ADDRESS = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?")


class DeliveryFailed(Exception):
    """A message could not be handed over. ``permanent`` failures are not retried; a
    ``server`` failure (no connection, TLS or login refused) is nothing the message did:
    it is retried, and the rest of the batch waits rather than failing the same way."""

    def __init__(self, reason: str, *, permanent: bool, server: bool = False) -> None:
        # Servers quote the recipient in their answers: the reason never keeps an address.
        super().__init__(_ADDRESS.sub("<address>", reason)[:250])
        self.permanent = permanent and not server
        self.server = server


class MailTransport(Protocol):
    def send(self, message: EmailMessage) -> None:
        """Hand one message over, or raise :class:`DeliveryFailed`."""

    def close(self) -> None: ...


class SmtpTransport:
    """SMTP with STARTTLS or TLS and an optional login; one connection reused for a batch."""

    def __init__(self, settings: Settings, *, timeout: float = 30) -> None:
        assert settings.smtp_host, "an SMTP transport needs CHARTER_SMTP_HOST"
        self.settings = settings
        self.timeout = timeout
        self._connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        host, port = str(s.smtp_host), s.smtp_port
        context = ssl.create_default_context()
        connection: smtplib.SMTP
        if s.smtp_tls == "tls":
            connection = smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(host, port, timeout=self.timeout)
        try:
            if s.smtp_tls == "starttls":
                connection.starttls(context=context)
            if s.smtp_user and s.smtp_password:
                connection.login(s.smtp_user, s.smtp_password.get_secret_value())
        except BaseException:
            with contextlib.suppress(OSError):
                connection.close()
            raise
        return connection

    def _connected(self) -> smtplib.SMTP:
        if self._connection is None:
            try:
                self._connection = self._connect()
            except smtplib.SMTPResponseException as exc:
                raise DeliveryFailed(f"server: {exc.smtp_code} {_text(exc.smtp_error)}",
                                     permanent=False, server=True) from None
            except (smtplib.SMTPException, OSError) as exc:
                raise DeliveryFailed(f"server: {type(exc).__name__}: {exc}",
                                     permanent=False, server=True) from None
        return self._connection

    def send(self, message: EmailMessage) -> None:
        connection = self._connected()
        try:
            refused = connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            self._drop()
            raise DeliveryFailed(f"recipient refused ({', '.join(map(str, codes))})",
                                 permanent=all(c >= 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            self._drop()
            raise DeliveryFailed(f"{exc.smtp_code} {_text(exc.smtp_error)}",
                                 permanent=exc.smtp_code >= 500) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}", permanent=False) from None
        if refused:
            raise DeliveryFailed("recipient refused", permanent=True)

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()


def _text(error: bytes | str) -> str:
    return error.decode(errors="replace") if isinstance(error, bytes) else str(error)


def transport_for(settings: Settings) -> MailTransport | None:
    """The configured transport; None leaves mail in the outbox (the demo's mode)."""
    return SmtpTransport(settings) if settings.smtp_host else None
