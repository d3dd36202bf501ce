"""`/consent.js` for the organization's sites, and the log of every choice made in it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..db import CharterSession
from ..errors import InvalidInput, NotFound
from ..i18n import gettext_for
from ..policy.text import Language
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.templating import page_language, render
from ..wording import COOKIE_WORDS, cookie_lifetime_words
from .banner import banner_config
from .service import Choice, log_choice

router = APIRouter(tags=["cookies"], dependencies=[PUBLIC])  # the banner, for anyone
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


MAX_CHOICE = 16_000


@router.post("/api/v1/cookie-consents", status_code=201)
def log_cookie_consent(choice: CookieChoice, request: Request,
                       session: CharterSession = TRANSACTION) -> Response:
    """Proof of a choice made in the banner. No login: the browser posts it; it carries a
    random id and the choices, nothing that identifies the person."""
    if int(request.headers.get("content-length") or 0) > MAX_CHOICE:
        raise InvalidInput("body: too large")
    log_choice(session, runtime_of(request), Choice(
        consent_id=choice.consent_id, policy_version=choice.policy_version,
        language=choice.language, action=choice.action, choices=choice.choices,
        vendors=choice.vendors, do_not_sell=choice.do_not_sell,
        gpc=choice.gpc or request.headers.get("sec-gpc") == "1"))
    # The table itself is the proof; one audit event per visitor would only bloat the chain.
    return _cors(request, Response(status_code=201))


@router.get("/consent/preview", response_class=HTMLResponse, include_in_schema=False)
def preview(request: Request) -> Response:
    """The banner on a sample page, as the organization's visitors will see it; a sample
    statistics script runs only once statistics are accepted."""
    runtime = runtime_of(request)
    if not runtime.policy.cookies:
        raise NotFound("the policy declares no cookies")
    language = page_language(request)
    _ = gettext_for(language)
    cookies = [{"name": c.name, "provider": c.provider, "category": _(COOKIE_WORDS[c.category]),
                "duration": cookie_lifetime_words(c.duration, language)}
               for c in runtime.policy.cookies]
    return render(request, "public/cookie_preview.html", {"cookies": cookies},
                  language=language)
