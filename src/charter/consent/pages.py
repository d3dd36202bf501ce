"""The preferences page, reached by the link in every mail: each consent, on or off, saved
at once. Withdrawing is as easy as giving."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..i18n import N_, gettext_for
from ..mail.links import resolve
from ..models import Subject
from ..runtime import Runtime
from ..subjects.repository import subject_by_id
from ..web.deps import db_session, runtime_of
from ..web.templating import page_language, render
from . import repository
from .service import consent_channels, record_consent

router = APIRouter(include_in_schema=False)
CHANNEL_LABELS = {"email": N_("by e-mail"), "phone": N_("by phone"), "sms": N_("by SMS"),
                  "post": N_("by post")}


@dataclass(frozen=True)
class Option:
    key: str
    purpose: str
    channel: str
    label: str
    channel_label: str
    granted: bool


def _options(session: CharterSession, runtime: Runtime, subject: Subject,
             language: str) -> list[Option]:
    _ = gettext_for(language)
    policy = runtime.policy
    states = {(s.purpose, s.channel): s.status
              for s in repository.states_of(session, runtime.organization_id, subject.id)}
    options = []
    for purpose_id, channel in consent_channels(policy):
        purpose = policy.purpose(purpose_id)
        assert purpose is not None
        options.append(Option(f"{purpose_id}:{channel}", purpose_id, channel,
                              purpose.label.get(language, policy.languages.default),
                              _(CHANNEL_LABELS[channel]),
                              states.get((purpose_id, channel)) == "granted"))
    return options


def _subject_for(session: CharterSession, runtime: Runtime, token: str) -> Subject | None:
    link = resolve(session, runtime, token, "preferences")
    return subject_by_id(session, runtime.organization_id, link.subject_id) if link else None


def _page(request: Request, session: CharterSession, token: str, *, saved: bool) -> Response:
    runtime = runtime_of(request)
    subject = _subject_for(session, runtime, token)
    language = page_language(request, subject.language if subject else None)
    if subject is None:
        _ = gettext_for(language)
        return render(request, "public/message.html", {
            "title": _("This link no longer works"),
            "text": _("It was already used, it expired, or it never existed."), "alert": True},
            language=language, status_code=404)
    return render(request, "public/preferences.html", {
        "token": token, "saved": saved,
        "options": _options(session, runtime, subject, language)}, language=language)


@router.get("/preferences/{token}", response_class=HTMLResponse)
def preferences(token: str, request: Request,
                session: CharterSession = Depends(db_session)) -> Response:
    return _page(request, session, token, saved=False)


@router.post("/preferences/{token}", response_class=HTMLResponse)
def save_preferences(token: str, request: Request, consent: list[str] = Form(default=[]),
                     session: CharterSession = Depends(db_session)) -> Response:
    runtime = runtime_of(request)
    subject = _subject_for(session, runtime, token)
    if subject is not None:
        language = page_language(request, subject.language)
        chosen = set(consent)
        for option in _options(session, runtime, subject, language):
            wanted = option.key in chosen
            if wanted == option.granted:
                continue
            record_consent(session, runtime, subject, purpose=option.purpose,
                           channel=option.channel, action="grant" if wanted else "withdraw",
                           method="preferences_page", actor="subject", language=language,
                           text=f"{option.label} — {option.channel_label}",
                           evidence={"ip": request.client.host if request.client else None,
                                     "user_agent": request.headers.get("user-agent", "")[:300]})
    return _page(request, session, token, saved=subject is not None)
