"""The privacy notice on the web: the version in force today in the visitor's language (with
the next one announced, its date and link), every version at its own address, the answers to
a change notice, and the GPC declaration."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup

from ..dates import local_date
from ..db import CharterSession
from ..i18n import gettext_for
from ..models import PolicyVersion, utcnow
from ..runtime import Runtime
from ..web.deps import PUBLIC, TRANSACTION, runtime_of
from ..web.forms import evidence_of
from ..web.templating import link_gone, page_language, render
from . import repository
from .answers import answer, material_changes, respondent
from .service import describe, published_policy, render_notices

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])  # for anyone


def _today(runtime: Runtime) -> date:
    return local_date(utcnow(), runtime.policy.organization.country)


def _announcement(versions: list[PolicyVersion], language: str) -> Markup:
    """The versions published but not yet in force: when each applies, and where to read it
    before then."""
    _ = gettext_for(language)
    lines = [Markup('<p><strong>{}</strong> <a href="/privacy/versions/{}?lang={}">{}</a></p>')
             .format(_("A new version of this notice applies from %(date)s.")
                     % {"date": v.effective_on.isoformat()}, v.number, language,
                     _("Read version %(n)s") % {"n": v.number}) for v in versions]
    return Markup('<aside class="upcoming" role="note">{}</aside>').format(
        Markup("").join(lines)) if lines else Markup("")


def _show(request: Request, version: PolicyVersion | None, language: str, *,
          upcoming: list[PolicyVersion] | None = None) -> Response:
    runtime = runtime_of(request)
    if version is None:  # nothing in force yet: the policy file, marked as not published
        notices = render_notices(runtime.policy, None, runtime.policy.effective_date,
                                 base_url=runtime.settings.public_url)
    else:
        notices = json.loads(version.notices)
    text = notices.get(language) or notices[runtime.policy.languages.default]
    html = _announcement(upcoming or [], language) + Markup(text["html"])
    return render(request, "public/notice.html", {"notice": html}, language=language)


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, session: CharterSession = TRANSACTION) -> Response:
    """The version in force today; a published one whose date has not come is announced."""
    runtime = runtime_of(request)
    today = _today(runtime)
    return _show(request, repository.in_force(session, runtime.organization_id, today),
                 page_language(request),
                 upcoming=repository.upcoming(session, runtime.organization_id, today))


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
    changes = [describe(c, published, lang) for c in material_changes(policy_version)]
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


def _gpc_last_update(session: CharterSession, runtime: Runtime) -> date:
    """When the stance on GPC last changed, as far as Charter can tell: the effective date of
    the published notice in force, else the policy's own effective date, else the day the
    policy file was last written."""
    today = _today(runtime)
    version = repository.in_force(session, runtime.organization_id, today)
    if version is not None:
        return version.effective_on
    if runtime.policy.effective_date:
        return date.fromisoformat(runtime.policy.effective_date)
    try:
        written = datetime.fromtimestamp(Path(runtime.loaded.file).stat().st_mtime, UTC)
    except OSError:
        return today
    return local_date(written, runtime.policy.organization.country)


@router.get("/.well-known/gpc.json")
def gpc_declaration(request: Request, session: CharterSession = TRANSACTION) -> Response:
    """Global Privacy Control: published when the policy honours it."""
    runtime = runtime_of(request)
    if not runtime.policy.signals.honour_gpc:
        raise HTTPException(404, "this site does not declare Global Privacy Control support")
    return JSONResponse({"gpc": True,
                         "lastUpdate": _gpc_last_update(session, runtime).isoformat()})
