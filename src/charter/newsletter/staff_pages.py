"""Campaigns from the Portal: write the letter per language, see who it will reach, send."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..db import CharterSession
from ..errors import InvalidInput
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from .campaigns import Letter, audience_size, send_campaign
from .repository import recent_campaigns

router = APIRouter(include_in_schema=False)


def _page(request: Request, staff: Staff, session: CharterSession, *, error: str | None = None,
          sent: int | None = None, status_code: int = 200) -> Response:
    runtime = runtime_of(request)
    purposes = [p for p in runtime.policy.purposes
                if p.legal_basis == "consent" and p.marketing]
    return render_staff(request, staff, "newsletter/campaigns.html", {
        "campaigns": recent_campaigns(session, runtime.organization_id, limit=100),
        "purposes": purposes,
        "audience": {p.id: audience_size(session, runtime, p.id) for p in purposes},
        "languages": runtime.policy.languages.all, "error": error, "sent": sent},
        status_code=status_code)


@router.get("/campaigns", response_class=HTMLResponse)
def campaigns(request: Request, sent: int | None = None,
              staff: Staff = Depends(require("send_campaigns")),
              session: CharterSession = TRANSACTION) -> Response:
    return _page(request, staff, session, sent=sent)


@router.post("/campaigns", response_class=HTMLResponse)
def new_campaign(
    request: Request,
    purpose: str = Form(""),
    subject_en: str = Form(""),
    body_en: str = Form(""),
    subject_fr: str = Form(""),
    body_fr: str = Form(""),
    subject_nl: str = Form(""),
    body_nl: str = Form(""),
    staff: Staff = Depends(require("send_campaigns")),
    session: CharterSession = TRANSACTION,
) -> Response:
    runtime = runtime_of(request)
    given = {"en": (subject_en, body_en), "fr": (subject_fr, body_fr), "nl": (subject_nl, body_nl)}
    letters = {language: Letter(subject=subject.strip(), body=body.strip())
               for language, (subject, body) in given.items() if subject.strip() or body.strip()}
    try:
        campaign = send_campaign(session, runtime, purpose=purpose, letters=letters,
                                 actor=staff.actor)
    except InvalidInput as exc:
        return _page(request, staff, session, error=str(exc), status_code=422)
    return RedirectResponse(f"/campaigns?sent={campaign.recipients}", status_code=303)
