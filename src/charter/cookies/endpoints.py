"""`/consent.js` for the organization's sites, and the log of every choice made in it."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..db import CharterSession
from ..errors import InvalidInput, NotFound
from ..models import CookieConsent
from ..policy.text import Language
from ..web.deps import db_session, runtime_of
from ..web.templating import page_language, render
from .banner import banner_config, cookie_version

router = APIRouter(tags=["cookies"])
BANNER_JS = Path(__file__).resolve().parent.parent / "web" / "static" / "consent-banner.js"


@lru_cache(maxsize=1)
def _banner_code() -> str:
    return BANNER_JS.read_text(encoding="utf-8")


def _cors(request: Request, response: Response) -> Response:
    """Sites named in CHARTER_EMBED_ORIGINS may post choices from the visitor's browser."""
    origin = request.headers.get("origin", "")
    if origin and origin in runtime_of(request).settings.embed_origin_list:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Vary"] = "Origin"
    return response


@router.get("/consent.js", include_in_schema=False)
def consent_script(request: Request) -> Response:
    """The banner with its configuration, in the visitor's language. Without cookies to ask
    about, a script that does nothing."""
    runtime = runtime_of(request)
    language = page_language(request)
    config = banner_config(runtime, language, gpc=request.headers.get("sec-gpc") == "1")
    body = ("/* Charter: this site declares no cookie that needs consent, so no banner. */\n"
            if config is None else
            f"window.CharterConsentConfig = {json.dumps(config, ensure_ascii=False)};\n"
            + _banner_code())
    return Response(body, media_type="application/javascript", headers={
        "Cache-Control": "no-cache", "Vary": "Accept-Language, Sec-GPC"})


class CookieChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    consent_id: str = Field(alias="consentId", min_length=8, max_length=36)
    policy_version: str = Field(alias="policyVersion", max_length=80)
    language: Language
    action: Literal["accept_all", "reject_all", "custom", "do_not_sell"]
    choices: dict[str, bool]
    vendors: dict[str, bool] = Field(default_factory=dict)
    do_not_sell: bool = Field(alias="doNotSell", default=False)
    gpc: bool = False


@router.options("/api/v1/cookie-consents", include_in_schema=False)
def cookie_consent_preflight(request: Request) -> Response:
    return _cors(request, Response(status_code=204))


@router.post("/api/v1/cookie-consents", status_code=201)
def log_cookie_consent(choice: CookieChoice, request: Request,
                       session: CharterSession = Depends(db_session)) -> Response:
    """Proof of a choice made in the banner. No login: the browser posts it; it carries a
    random id and the choices, nothing that identifies the person."""
    runtime = runtime_of(request)
    try:
        uuid.UUID(choice.consent_id)
    except ValueError:
        raise InvalidInput("consentId: a random UUID") from None
    declared = {c.category for c in runtime.policy.cookies} - {"necessary"}
    unknown = sorted(set(choice.choices) - declared)
    if unknown:
        raise InvalidInput(f"choices: {', '.join(unknown)} is not a category of this site")
    if choice.policy_version != cookie_version(runtime.policy):
        raise InvalidInput("policyVersion: the banner is out of date; reload the page")
    session.add(CookieConsent(
        organization_id=runtime.organization_id, consent_id=choice.consent_id,
        policy_version=choice.policy_version, action=choice.action,
        choices=json.dumps(choice.choices, sort_keys=True),
        vendors=json.dumps(choice.vendors, sort_keys=True), do_not_sell=choice.do_not_sell,
        gpc=choice.gpc, language=choice.language))
    # The table itself is the proof; one audit event per visitor would only bloat the chain.
    return _cors(request, Response(status_code=201))


@router.get("/consent/preview", response_class=HTMLResponse, include_in_schema=False)
def preview(request: Request) -> Response:
    """The banner on a sample page, as the organization's visitors will see it; a sample
    statistics script runs only once statistics are accepted."""
    runtime = runtime_of(request)
    if not runtime.policy.cookies:
        raise NotFound("the policy declares no cookies")
    return render(request, "public/cookie_preview.html", {"cookies": runtime.policy.cookies},
                  language=page_language(request))
