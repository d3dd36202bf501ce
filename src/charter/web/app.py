"""The FastAPI application: Portal pages, the API, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from .. import jobs
from ..accounts import account_pages, login_pages
from ..audit import pages as audit_pages
from ..breaches import pages as breach_pages
from ..collect import endpoints as collect_endpoints
from ..collect import pages as collect_pages
from ..collect.fields import SubmissionInvalid
from ..complaints import pages as complaint_pages
from ..consent import endpoints as consent_endpoints
from ..consent import pages as consent_pages
from ..cookies import endpoints as cookie_endpoints
from ..errors import InvalidInput, NotFound
from ..mail import pages as mail_pages
from ..models import ApiKey
from ..newsletter import endpoints as newsletter_endpoints
from ..newsletter import pages as newsletter_pages
from ..newsletter import staff_pages as newsletter_staff_pages
from ..portal import pages as portal_pages
from ..processors import pages as processor_pages
from ..publication import pages as publication_pages
from ..publication import staff_pages as publication_staff_pages
from ..retention import pages as retention_pages
from ..rights import endpoints as rights_endpoints
from ..rights import pages as rights_pages
from ..rights import staff_pages as rights_staff_pages
from ..runtime import Runtime
from ..subjects import staff_pages as subject_pages
from ..systems import pages as system_pages
from . import api_docs
from .deps import PUBLIC, LoginRequired, api_key, runtime_of
from .security import SecurityHeaders

ROUTERS = (
    api_docs.router,
    login_pages.router,
    account_pages.router,
    portal_pages.router,
    audit_pages.router,
    subject_pages.router,
    mail_pages.router,
    newsletter_staff_pages.router,
    rights_pages.router,  # before the staff pages: /requests/new is not a reference
    rights_staff_pages.router,
    system_pages.router,
    retention_pages.router,
    newsletter_pages.router,
    publication_pages.router,
    publication_staff_pages.router,
    breach_pages.router,
    complaint_pages.router,
    processor_pages.router,
    consent_pages.router,
    collect_pages.router,
    newsletter_endpoints.router,
    collect_endpoints.router,
    consent_endpoints.router,
    cookie_endpoints.router,
    rights_endpoints.router,
)


def create_app(runtime: Runtime, *, run_jobs: bool = False) -> FastAPI:
    """Build the app. ``run_jobs`` starts the embedded job consumer (no Redis configured)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        consumer = None
        if run_jobs:
            queue = jobs.build_queue(runtime.settings)
            jobs.bind_queue(queue)
            if not runtime.settings.redis_url:
                jobs.bind_runtime(runtime)
                consumer = jobs.start_embedded_consumer(queue)
        try:
            yield
        finally:
            if consumer is not None:
                jobs.stop_embedded_consumer(consumer)
            if run_jobs:
                jobs.bind_queue(None)

    app = FastAPI(
        title="Charter",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # web.api_docs serves Swagger UI without inline script or CDN
        redoc_url=None,
        openapi_url=api_docs.OPENAPI_URL,
    )
    app.state.runtime = runtime
    settings = runtime.settings
    public = urlsplit(settings.public_url)
    app.add_middleware(SecurityHeaders, hsts=settings.secure_cookies,
                       embed_origins=settings.embed_origin_list,
                       tls_host=public.netloc if public.scheme == "https" else None)
    app.mount(
        "/static", StaticFiles(directory=str(Path(__file__).parent / "static")), name="static"
    )

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(SubmissionInvalid)
    async def _submission_invalid(request: Request, exc: SubmissionInvalid) -> JSONResponse:
        errors = [{"field": p.field, "problem": p.message} for p in exc.problems]
        return JSONResponse({"detail": str(exc), "errors": errors}, status_code=422)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.get("/healthz", tags=["operations"], dependencies=[PUBLIC])
    def healthz(request: Request) -> dict[str, str]:
        """Liveness and readiness: the database answers and the policy is loaded."""
        with runtime_of(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "database": "ok",
            "organization": runtime_of(request).policy.organization.legal_name,
        }

    @app.get("/api/v1/whoami", tags=["api"])
    def whoami(key: ApiKey = Depends(api_key("consent:read"))) -> dict[str, object]:
        """Which API key is calling, and with which scopes."""
        return {"name": key.name, "scopes": key.scopes.split()}

    for router in ROUTERS:
        app.include_router(router)
    return app
