"""Security headers, Secure cookies behind TLS, an access log that carries no personal data
(no IP, no query), and the last catch for errors, logged without their message.

A plain ASGI middleware: it only touches the response's start message, so it costs next to
nothing per request (Starlette's BaseHTTPMiddleware would wrap every body in a stream)."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..logs import failure

log = logging.getLogger("charter.access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def _host(value: bytes) -> bytes:
    host = value.strip().lower()
    return host[:-4] if host.endswith(b":443") else host


def _secured(set_cookie: bytes) -> bytes:
    """A Set-Cookie value with the Secure attribute (added once)."""
    attributes = [part.strip().lower() for part in set_cookie.split(b";")[1:]]
    return set_cookie if b"secure" in attributes else set_cookie + b"; Secure"


class SecurityHeaders:
    """Headers on every response. Forms may be framed by the organization's own sites.

    Behind TLS every cookie is marked Secure and HSTS is sent, here for every cookie the app
    sets. A response is behind TLS when ``hsts`` says so for all of them (``secure_cookies``
    on), when its request came over https (uvicorn takes the scheme from a trusted proxy's
    X-Forwarded-Proto), or when the request names the host of an https public URL
    (``tls_host``): a browser there is on https. Reached under another name (127.0.0.1
    through a tunnel, a test client), the cookies stay usable over plain http."""

    def __init__(self, app: ASGIApp, *, hsts: bool, embed_origins: list[str],
                 tls_host: str | None = None) -> None:
        self.app = app
        self.hsts = hsts
        self.tls_host = _host(tls_host.encode()) if tls_host else None
        self.embed_origins = embed_origins
        self.framed_csp = CSP.replace("frame-ancestors 'none'",
                                      "frame-ancestors 'self' " + " ".join(embed_origins))

    def _names_tls_host(self, scope: Scope) -> bool:
        if self.tls_host is None:
            return False
        host = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
        return _host(host) == self.tls_host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        framed = bool(self.embed_origins) and path.startswith("/forms/")
        tls = self.hsts or scope.get("scheme") == "https" or self._names_tls_host(scope)
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = self.framed_csp if framed else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if not framed:
                    headers["X-Frame-Options"] = "DENY"
                if tls:
                    headers["Strict-Transport-Security"] = HSTS
                    message["headers"] = [
                        (name, _secured(value) if name.lower() == b"set-cookie" else value)
                        for name, value in message["headers"]]
            await send(message)

        started_response = False

        async def send_tracked(message: Message) -> None:
            nonlocal started_response
            started_response = started_response or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, send_tracked)
        except Exception as exc:
            # Logged by type and place only, and not re-raised: the server would print the
            # message and traceback, which may quote what the visitor sent.
            status = 500
            log.error("unhandled %s on %s %s", failure(exc), scope["method"],
                      getattr(scope.get("route"), "path", "-"))
            if not started_response:
                await send_tracked({"type": "http.response.start", "status": 500,
                                    "headers": [(b"content-type", b"text/plain")]})
                await send_tracked({"type": "http.response.body",
                                    "body": b"Internal error; it was logged without its data."})
        finally:
            route: Any = scope.get("route")
            log.info("%s %s %s %.1fms", scope["method"], getattr(route, "path", "-"), status,
                     (time.perf_counter() - started) * 1000)
