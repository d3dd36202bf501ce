"""The API's reference at /api/docs: Swagger UI served from this machine (the swagger-ui-py
package ships its files) and started by a script file, so the page works under the same
Content-Security-Policy as every other page — no inline script, no CDN."""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from .deps import PUBLIC
from .templating import templates

OPENAPI_URL = "/api/openapi.json"
ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript"}

# Public by choice: the page describes the API; every operation in it still needs its key.
router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])


@cache
def swagger_ui_files() -> Path | None:
    """Where swagger-ui-py keeps Swagger UI's distribution (found without importing the
    package, whose own code is for other frameworks)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    return templates.TemplateResponse(request, "api_docs.html", {
        "title": request.app.title, "version": request.app.version,
        "openapi_url": OPENAPI_URL})


@router.get("/api/docs/{asset}")
def api_docs_asset(asset: str) -> Response:
    folder = swagger_ui_files()
    if asset not in ASSETS or folder is None:
        raise HTTPException(404, "no such file")
    return FileResponse(folder / asset, media_type=ASSETS[asset],
                        headers={"Cache-Control": "public, max-age=86400"})
