"""Server-rendered pages. Each language has its own environment, so `{% trans %}` and `_()`
speak the page's language; staff pages are in English for now."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask
from starlette.responses import Response

from ..i18n import gettext_for, pick_language, template_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"


@cache
def templates_for(language: str) -> Jinja2Templates:
    return Jinja2Templates(env=template_environment(TEMPLATES, language, html=True))


templates = templates_for("en")


def page_language(request: Request, preferred: str | None = None) -> str:
    """``?lang=`` first, then the person's known language, then the browser's."""
    runtime = request.app.state.runtime
    offered = runtime.policy.languages.all
    requested = request.query_params.get("lang")
    if requested in offered:
        return str(requested)
    if preferred in offered:
        return str(preferred)
    return pick_language(None, request.headers.get("accept-language"), offered,
                         runtime.policy.languages.default)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    language: str = "en",
    status_code: int = 200,
    background: BackgroundTask | None = None,
) -> Response:
    runtime = request.app.state.runtime
    return templates_for(language).TemplateResponse(
        request,
        name,
        {"lang": language, "policy": runtime.policy, "organization": runtime.policy.organization,
         **context},
        status_code=status_code,
        background=background,
    )


def render_staff(request: Request, staff: Any, name: str, context: dict[str, Any],
                 *, status_code: int = 200) -> Response:
    """A Portal page: the menu shows what the staff member's role may do."""
    role = request.app.state.runtime.policy.role(staff.user.role)
    return render(request, name, {"staff": staff, "actions": set(role.actions if role else []),
                                  **context}, status_code=status_code)


def link_gone(request: Request, language: str) -> Response:
    """The answer to a mailed link that was used, expired or never existed."""
    _ = gettext_for(language)
    return render(request, "public/message.html", {
        "title": _("This link no longer works"),
        "text": _("It was already used, it expired, or it never existed."), "alert": True},
        language=language, status_code=404)
