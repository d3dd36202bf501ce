"""In the Portal: the record of processing (Art. 30) to read and download, and the published
versions of the notice with what people answered to their change notices."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..policy.ropa import RENDERERS, rows
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .service import running_ahead

router = APIRouter(include_in_schema=False)
MEDIA = {"csv": "text/csv", "html": "text/html", "jsonld": "application/ld+json"}


@router.get("/records", response_class=HTMLResponse)
def records(request: Request, staff: Staff = Depends(require("export_records"))) -> Response:
    policy = runtime_of(request).policy
    return render_staff(request, staff, "publication/records.html", {
        "activities": rows(policy, "controller"), "on_behalf": rows(policy, "processor")})


@router.get("/records/ropa.{fmt}")
def ropa_download(fmt: str, request: Request, staff: Staff = Depends(require("export_records"))
                  ) -> Response:
    if fmt not in RENDERERS:
        raise HTTPException(404, "csv, html or jsonld")
    body = RENDERERS[fmt](runtime_of(request).policy)
    return Response(body, media_type=MEDIA[fmt], headers={
        "Content-Disposition": f'attachment; filename="record-of-processing.{fmt}"'})


@router.get("/policy", response_class=HTMLResponse)
def policy_versions(request: Request, staff: Staff = Depends(require("manage_policy")),
                    session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    versions = repository.all_versions(session, runtime.organization_id)
    current = hashlib.sha256(runtime.loaded.source.encode()).hexdigest()
    return render_staff(request, staff, "publication/versions.html", {
        "versions": versions,
        "answers": {v.id: repository.counts_by_answer(session, runtime.organization_id, v.id)
                    for v in versions},
        "unpublished": not versions or versions[0].content_hash != current,
        "ahead": running_ahead(session, runtime)})
