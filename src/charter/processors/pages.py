"""The register of processors in the Portal, read-only and from the policy, with a CSV
download for the authority or an auditor. Nothing personal is on it: no audit event."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from ..web.deps import Staff, require, runtime_of
from ..web.templating import render_staff
from .register import build_register, register_csv

router = APIRouter(include_in_schema=False)


@router.get("/processors", response_class=HTMLResponse)
def processors(request: Request, staff: Staff = Depends(require("export_records"))
               ) -> Response:
    return render_staff(request, staff, "processors/register.html", {
        "register": build_register(runtime_of(request).policy)})


@router.get("/processors.csv")
def processors_csv(request: Request, staff: Staff = Depends(require("export_records"))
                   ) -> Response:
    return Response(register_csv(runtime_of(request).policy), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="processors.csv"'})
