"""Security headers, and an access log that carries no personal data (no IP, no query).

A plain ASGI middleware: it only touches the response's start message, so it costs next to
nothing per request (Starlette's BaseHTTPMiddleware would wrap every body in a stream)."""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("charter.access")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
API_DOCS_CSP = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Headers on every response. Forms may be framed by the organization's own sites."""

    def __init__(self, app: ASGIApp, *, hsts: bool, embed_origins: list[str]) -> None:
        self.app = app
        self.hsts = hsts
        self.embed_origins = embed_origins
        self.framed_csp = CSP.replace("frame-ancestors 'none'",
                                      "frame-ancestors 'self' " + " ".join(embed_origins))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        path: str = scope["path"]
        framed = bool(self.embed_origins) and path.startswith("/forms/")
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    API_DOCS_CSP if path == "/api/docs" else self.framed_csp if framed else CSP
                )
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if not framed:
                    headers["X-Frame-Options"] = "DENY"
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route: Any = scope.get("route")
            log.info("%s %s %s %.1fms", scope["method"], getattr(route, "path", "-"), status,
                     (time.perf_counter() - started) * 1000)
