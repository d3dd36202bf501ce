"""The privacy notice on the web: the version in force in the visitor's language, every
version at its own address, the answers to a change notice, and the GPC declaration."""

from __future__ import annotations

import json

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from ..db import CharterSession
from ..i18n import gettext_for
from ..models import PolicyVersion
from ..policy.diff import PolicyChange
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import evidence_of
from ..web.templating import link_gone, page_language, render
from . import repository
from .service import answer, describe, published_policy, render_notices, respondent

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone


def _show(request: Request, version: PolicyVersion | None, language: str) -> Response:
    runtime = runtime_of(request)
    if version is None:  # nothing published yet: the policy in force, marked as such
        notices = render_notices(runtime.policy, None, runtime.policy.effective_date,
                                 base_url=runtime.settings.public_url)
    else:
        notices = json.loads(version.notices)
    text = notices.get(language) or notices[runtime.policy.languages.default]
    return render(request, "public/notice.html", {"notice": text["html"]}, language=language)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    return _show(request, repository.latest(session, runtime.organization_id),
                 page_language(request))


@router.get("/privacy/versions", response_class=HTMLResponse)
def versions(request: Request, session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    return render(request, "public/versions.html", {
        "versions": repository.all_versions(session, runtime.organization_id)},
        language=page_language(request))


@router.get("/privacy/versions/{number}", response_class=HTMLResponse)
def version(number: int, request: Request, session: CharterSession = TRANSACTION) -> Response:
    found = repository.by_number(session, runtime_of(request).organization_id, number)
    if found is None:
        raise HTTPException(404, "no such version")
    return _show(request, found, page_language(request))


def _respond_page(request: Request, session: CharterSession, token: str) -> Response:
    runtime = runtime_of(request)
    found = respondent(session, runtime, token)
    lang = page_language(request, found[0].language if found else None)
    if found is None:
        return link_gone(request, lang)
    _subject, policy_version, notice = found
    _ = gettext_for(lang)
    published = published_policy(policy_version)  # the labels as that version gave them
    changes = [describe(PolicyChange(**c), published, lang)
               for c in json.loads(policy_version.changes) if c["material"]]
    choices = [("accepted", _("I accept the new notice")),
               ("objected", _("I object to these changes: do not apply them to my data")),
               ("withdrew", _("I withdraw all my consents")),
               ("unsubscribed", _("Send me no more marketing")),
               ("erasure", _("Erase my data"))]
    return render(request, "public/respond.html", {
        "token": token, "changes": changes, "version": policy_version, "notice": notice,
        "choices": choices, "ends": policy_version.window_ends_on or policy_version.effective_on},
        language=lang)


@router.get("/privacy/respond/{token}", response_class=HTMLResponse)
def respond_form(token: str, request: Request, session: CharterSession = TRANSACTION
                 ) -> Response:
    return _respond_page(request, session, token)


@router.post("/privacy/respond/{token}", response_class=HTMLResponse)
def respond(token: str, request: Request, choice: str = Form("", alias="answer"),
            session: CharterSession = TRANSACTION) -> Response:
    """The link in the mail is the person's own: no login, no other token needed."""
    if answer(session, runtime_of(request), token, choice, evidence=evidence_of(request)) \
            is None:
        return link_gone(request, page_language(request))
    return _respond_page(request, session, token)


@router.get("/.well-known/gpc.json")
def gpc_declaration(request: Request, session: CharterSession = TRANSACTION) -> Response:
    """Global Privacy Control: published when the policy honours it."""
    runtime = runtime_of(request)
    if not runtime.policy.signals.honour_gpc:
        raise HTTPException(404, "this site does not declare Global Privacy Control support")
    latest = repository.latest(session, runtime.organization_id)
    updated = (latest.effective_on.isoformat() if latest else
               runtime.policy.effective_date or None)
    return JSONResponse({"gpc": True, **({"lastUpdate": updated} if updated else {})})
