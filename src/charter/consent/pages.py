"""The preferences page, reached by the link in every mail: each consent, on or off, saved
at once. Withdrawing is as easy as giving."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..db import CharterSession
from ..errors import InvalidInput
from ..i18n import N_, gettext_for
from ..mail.links import resolve
from ..models import Subject
from ..runtime import Runtime
from ..subjects import contact_of
from ..subjects.repository import subject_by_id
from ..subjects.service import valid_email
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import attach_form_token, evidence_of, form_token_ok, new_form_token
from ..web.templating import link_gone, page_language, render
from . import repository
from .preferences import mail_preferences_link
from .receipts import consent_receipt
from .service import consent_channels, record_consent

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone
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
        return link_gone(request, language)
    receipts = [e for e in repository.events_of(session, runtime.organization_id, subject.id)
                if e.action in ("grant", "withdraw")]
    return render(request, "public/preferences.html", {
        "token": token, "saved": saved, "receipts": receipts,
        "options": _options(session, runtime, subject, language)}, language=language)


@router.get("/preferences", response_class=HTMLResponse)
def ask_for_link(request: Request) -> Response:
    return _ask_page(request, page_language(request))


def _ask_page(request: Request, language: str, *, status: int = 200,
              error: str | None = None) -> Response:
    token = new_form_token()
    response = render(request, "public/preferences_ask.html", {
        "csrf_token": token, "error": error}, language=language, status_code=status)
    return attach_form_token(request, response, token)


@router.post("/preferences", response_class=HTMLResponse)
def send_link(request: Request, email: str = Form(""), csrf_token: str = Form(""),
              session: CharterSession = TRANSACTION) -> Response:
    """A magic link by mail; the answer never tells whether the address is known."""
    language = page_language(request)
    _ = gettext_for(language)
    if not form_token_ok(request, csrf_token):
        return _ask_page(request, language, status=400,
                         error=_("The form expired; please try again."))
    try:
        address = valid_email(email)
    except InvalidInput:
        return _ask_page(request, language, status=422, error=_("Give a valid e-mail address."))
    mail_preferences_link(session, runtime_of(request), address)
    return render(request, "public/message.html", {
        "title": _("Check your inbox"),
        "text": _("If we hold data about this address, a link to your preferences is on its "
                  "way.")}, language=language)


@router.get("/preferences/{token}/receipts/{receipt_id}")
def download_receipt(token: str, receipt_id: str, request: Request,
                     session: CharterSession = TRANSACTION) -> Response:
    """A consent receipt (Kantara CR v1.1 JSON), for the person it belongs to."""
    runtime = runtime_of(request)
    subject = _subject_for(session, runtime, token)
    event = repository.event_by_receipt(session, runtime.organization_id, receipt_id)
    if subject is None or event is None or event.subject_id != subject.id:
        return link_gone(request, page_language(request))
    body = consent_receipt(runtime, event, contact_of(session, runtime, subject).get("email", ""))
    return JSONResponse(body, headers={
        "Content-Disposition": f'attachment; filename="consent-{receipt_id}.json"'})


@router.get("/preferences/{token}", response_class=HTMLResponse)
def preferences(token: str, request: Request,
                session: CharterSession = TRANSACTION) -> Response:
    return _page(request, session, token, saved=False)


@router.post("/preferences/{token}", response_class=HTMLResponse)
def save_preferences(token: str, request: Request, consent: list[str] = Form(default=[]),
                     session: CharterSession = TRANSACTION) -> Response:
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
                           evidence=evidence_of(request))
    return _page(request, session, token, saved=subject is not None)
