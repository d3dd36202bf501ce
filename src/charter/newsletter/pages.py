"""Public pages: subscribe, confirm, unsubscribe (RFC 8058 one-click), in the visitor's
language. None of them needs a login or a cookie except the sign-up form's own token."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ..db import CharterSession
from ..errors import InvalidInput
from ..i18n import gettext_for
from ..mail.links import resolve
from ..subjects.repository import subject_by_id
from ..subjects.service import valid_email
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import attach_form_token, evidence_of, form_token_ok, new_form_token
from ..web.templating import link_gone, page_language, render
from .service import (
    confirm_subscription,
    consent_text,
    newsletter_purpose,
    purpose_label,
    request_subscription,
    unsubscribe,
)

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone


def _message(request: Request, language: str, title: str, text: str, status: int = 200,
             alert: bool = False) -> Response:
    return render(request, "public/message.html", {"title": title, "text": text,
                                                   "alert": alert},
                  language=language, status_code=status)


def _signup(request: Request, language: str, *, errors: list[str] | None = None,
            email: str = "", status: int = 200) -> Response:
    runtime = runtime_of(request)
    purpose = newsletter_purpose(runtime)
    token = new_form_token()
    response = render(request, "public/newsletter.html", {
        "csrf_token": token, "errors": errors or [], "email": email,
        "purpose_label": purpose_label(runtime.policy, purpose, language),
        "consent_text": consent_text(runtime.policy, purpose, language)},
        language=language, status_code=status)
    return attach_form_token(request, response, token)


@router.get("/newsletter", response_class=HTMLResponse)
def newsletter_form(request: Request) -> Response:
    return _signup(request, page_language(request))


@router.post("/newsletter", response_class=HTMLResponse)
def newsletter_subscribe(
    request: Request,
    email: str = Form(""),
    consent: str = Form(""),
    csrf_token: str = Form(""),
    session: CharterSession = TRANSACTION,
) -> Response:
    language = page_language(request)
    _ = gettext_for(language)
    if not form_token_ok(request, csrf_token):
        return _signup(request, language, errors=[_("The form expired; please try again.")],
                       email=email, status=400)
    errors = []
    try:
        valid_email(email)
    except InvalidInput:
        errors.append(_("Give a valid e-mail address."))
    if consent != "yes":
        errors.append(_("Tick the box to agree: nothing is sent without it."))
    if errors:
        return _signup(request, language, errors=errors, email=email, status=422)
    request_subscription(session, runtime_of(request), email=email, language=language,
                         evidence=evidence_of(request))
    return _message(request, language, _("Check your inbox"),
                    _("If this address can be subscribed, a message with a confirmation link "
                      "is on its way."))


@router.get("/newsletter/confirm/{token}", response_class=HTMLResponse)
def confirm_form(token: str, request: Request,
                 session: CharterSession = TRANSACTION) -> Response:
    """A page with a button: mail scanners that open links must not confirm for the person."""
    runtime = runtime_of(request)
    link = resolve(session, runtime, token, "confirm")
    subject = subject_by_id(session, runtime.organization_id, link.subject_id) if link else None
    language = page_language(request, subject.language if subject else None)
    if link is None:
        return link_gone(request, language)
    _ = gettext_for(language)
    return render(request, "public/confirm.html", {
        "title": _("Confirm your subscription"),
        "text": purpose_label(runtime.policy, link.purpose or "", language),
        "button": _("Yes, subscribe me"), "action": f"/newsletter/confirm/{token}"},
        language=language)


@router.post("/newsletter/confirm/{token}", response_class=HTMLResponse)
def confirm(token: str, request: Request,
            session: CharterSession = TRANSACTION) -> Response:
    language = page_language(request)
    if not confirm_subscription(session, runtime_of(request), token,
                                evidence=evidence_of(request)):
        return link_gone(request, language)
    _ = gettext_for(language)
    return _message(request, language, _("You are subscribed"),
                    _("Thank you. Every message carries a link to unsubscribe."))


@router.get("/u/{token}", response_class=HTMLResponse)
def unsubscribe_form(token: str, request: Request,
                     session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    link = resolve(session, runtime, token, "unsubscribe")
    subject = subject_by_id(session, runtime.organization_id, link.subject_id) if link else None
    language = page_language(request, subject.language if subject else None)
    if link is None or subject is None:
        return link_gone(request, language)
    _ = gettext_for(language)
    return render(request, "public/confirm.html", {
        "title": _("Unsubscribe"),
        "text": _("Stop receiving \"%(purpose)s\"?") % {
            "purpose": purpose_label(runtime.policy, link.purpose or "", language)},
        "button": _("Unsubscribe"), "action": f"/u/{token}"}, language=language)


@router.post("/u/{token}", response_class=HTMLResponse)
def unsubscribe_now(token: str, request: Request,
                    session: CharterSession = TRANSACTION) -> Response:
    """The button of the page, and the RFC 8058 one-click POST of mail programs."""
    runtime = runtime_of(request)
    done = unsubscribe(session, runtime, token, method="unsubscribe_link")
    subject = subject_by_id(session, runtime.organization_id, done.subject_id) if done else None
    language = page_language(request, subject.language if subject else None)
    if done is None:
        return link_gone(request, language)
    _ = gettext_for(language)
    return _message(request, language, _("You are unsubscribed"),
                    _("You will receive no more \"%(purpose)s\". This took effect at once.") % {
                        "purpose": purpose_label(runtime.policy, done.purpose, language)})
