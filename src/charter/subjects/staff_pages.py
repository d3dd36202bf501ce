"""People in the Portal: found only by their exact e-mail address or phone number (through
the blind index — there is no list to browse), and each person's page showing what the
viewer's role covers. Every search and every view is in the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ..audit import record_event
from ..audit.repository import events_about
from ..consent import repository as consents
from ..db import CharterSession
from ..errors import InvalidInput
from ..models import Subject
from ..policy import Policy
from ..rights import repository as rights
from ..runtime import Runtime
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .service import contact_of, valid_email, view_subject

router = APIRouter(include_in_schema=False)


def role_categories(policy: Policy, role_id: str) -> set[str] | None:
    """The data categories a role may see; None for all of them (``["*"]``)."""
    role = policy.role(role_id)
    if role is None:
        return set()
    return None if "*" in role.categories else set(role.categories)


def _search(session: CharterSession, runtime: Runtime, query: str) -> list[Subject]:
    org = runtime.organization_id
    if not query:
        raise InvalidInput("search: a whole e-mail address or phone number")
    if "@" in query:
        index = runtime.blind_index.email(valid_email(query))
        found = repository.subject_by_email_index(session, org, index)
        return [found] if found else []
    try:
        index = runtime.blind_index.phone(query, region=runtime.policy.organization.country)
    except InvalidInput:
        raise InvalidInput("search: a whole e-mail address or phone number") from None
    return repository.subjects_by_phone_index(session, org, index)


@router.get("/subjects", response_class=HTMLResponse)
def search_form(request: Request, staff: Staff = Depends(require("view_subjects"))) -> Response:
    return render_staff(request, staff, "subjects/search.html", {"query": "", "found": None})


@router.post("/subjects", response_class=HTMLResponse)
def search(request: Request, q: str = Form(""),
           staff: Staff = Depends(require("view_subjects")),
           session: CharterSession = TRANSACTION) -> Response:
    """A POST, so the address never sits in a URL (proxy logs, browser history)."""
    runtime = runtime_of(request)
    query = q.strip()
    try:
        found = _search(session, runtime, query)
    except InvalidInput as exc:
        return render_staff(request, staff, "subjects/search.html",
                            {"query": query, "found": None, "error": str(exc)}, status_code=422)
    # the query itself is personal data: the log says a search happened and what it found
    record_event(session, runtime.organization_id, actor=staff.actor, action="subject.searched",
                 details={"by": "email" if "@" in query else "phone", "found": len(found)})
    return render_staff(request, staff, "subjects/search.html", {"query": query, "found": found})


def _visible_consents(session: CharterSession, runtime: Runtime, subject_id: int,
                      allowed: set[str] | None) -> list[Any]:
    """A consent is about a purpose; it is shown when the role covers the purpose's data."""
    shown = []
    for state in consents.states_of(session, runtime.organization_id, subject_id):
        purpose = runtime.policy.purpose(state.purpose)
        if allowed is None or (purpose and set(purpose.categories) & allowed):
            shown.append(state)
    return shown


def _contact_visible(policy: Policy, allowed: set[str] | None) -> bool:
    if allowed is None:
        return True
    return any("email" in c.field_names() or "phone" in c.field_names()
               for c in policy.data_categories if c.id in allowed)


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def show(subject_id: int, request: Request, staff: Staff = Depends(require("view_subjects")),
         session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    org = runtime.organization_id
    subject = repository.subject_by_id(session, org, subject_id)
    if subject is None:
        raise HTTPException(404, "no such person")
    role = runtime.policy.role(staff.user.role)
    actions = set(role.actions if role else [])
    allowed = role_categories(runtime.policy, staff.user.role)
    states = _visible_consents(session, runtime, subject.id, allowed)
    requests = rights.requests_of(session, org, subject.id) \
        if "handle_requests" in actions else []
    contact = contact_of(session, runtime, subject) \
        if _contact_visible(runtime.policy, allowed) else {}
    also = [name for name, shown in (("contact", contact), ("consents", states),
                                     ("requests", requests)) if shown]
    view = view_subject(session, runtime, subject.id, allowed_categories=allowed,
                        actor=staff.actor, also_shown=also)
    trail = events_about(session, org, f"subject:{subject.id}") \
        if "view_audit" in actions else []
    return render_staff(request, staff, "subjects/show.html", {
        "subject": subject, "view": view, "contact": contact, "consents": states,
        "requests": requests, "trail": trail, "lang": runtime.policy.languages.default,
        "all_categories": allowed is None})
