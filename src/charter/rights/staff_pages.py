"""Requests in the Portal: the queue by deadline (overdue ones loud), and each request with
every action of the rights workflow. Opening a request is an access to personal data, and
audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ..audit import record_event
from ..audit.repository import events_about
from ..dates import local_date
from ..db import CharterSession
from ..errors import CharterError
from ..models import RightsRequest, utcnow
from ..runtime import Runtime
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .connectors import Change
from .erasure import ground_label
from .fulfilment import (
    act_if_immediate,
    approve_changes,
    attest,
    decide_objection,
    fulfil,
    lift_restriction,
)
from .intake import ask_for_proof, decide_identity, deny, extend, kind_label, mark_verified
from .lifecycle import DENIAL_REASONS, ERASURE_GROUNDS, UNVERIFIED

router = APIRouter(include_in_schema=False)


def _today(runtime: Runtime) -> Any:
    return local_date(utcnow(), runtime.policy.organization.country)


@router.get("/requests", response_class=HTMLResponse)
def queue(request: Request, staff: Staff = Depends(require("handle_requests")),
          session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    today = _today(runtime)
    waiting = repository.queue(session, runtime.organization_id)
    return render_staff(request, staff, "rights/queue.html", {
        "requests": waiting, "today": today,
        "overdue": [r for r in waiting if r.deadline < today],
        "closed": repository.recent_closed(session, runtime.organization_id, limit=50),
        "label": lambda kind: kind_label(kind, "en")})


def _found(session: CharterSession, runtime: Runtime, reference: str) -> RightsRequest:
    found = repository.request_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise HTTPException(404, "no such request")
    return found


@router.get("/requests/{reference}", response_class=HTMLResponse)
def show(reference: str, request: Request, staff: Staff = Depends(require("handle_requests")),
         session: CharterSession = TRANSACTION) -> Response:
    return _page(reference, request, staff, session)


def _page(reference: str, request: Request, staff: Staff, session: CharterSession, *,
          error: str | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    found = _found(session, runtime, reference)
    record_event(session, runtime.organization_id, actor=staff.actor, action="request.viewed",
                 target=f"request:{reference}")
    return render_staff(request, staff, "rights/request.html", {
        "r": found, "details": runtime.cipher.unseal(found), "today": _today(runtime),
        "parts": {p.system: p for p in repository.parts_of(session, runtime.organization_id,
                                                            found.id)},
        "documents": repository.documents_of(session, runtime.organization_id, found.id),
        "timeline": events_about(session, runtime.organization_id, f"request:{reference}"),
        "label": kind_label(found.kind, "en"), "error": error,
        "grounds": {g: ground_label(g, "en") for g in ERASURE_GROUNDS},
        "denial_reasons": DENIAL_REASONS, "unverified": UNVERIFIED}, status_code=status)


Action = Callable[[CharterSession, Runtime, RightsRequest, Staff, dict[str, str]], object]


def _verify(s: CharterSession, r: Runtime, f: RightsRequest, staff: Staff,
            form: dict[str, str]) -> None:
    if f.stage in ("awaiting_proof", "proof_received"):
        decide_identity(s, r, f, accepted=form.get("decision") != "refuse", actor=staff.actor)
    else:
        mark_verified(s, r, f, actor=staff.actor)
    act_if_immediate(s, r, f, actor=staff.actor)


ACTIONS: dict[str, Action] = {
    "verify": _verify,
    "doubt": lambda s, r, f, st, form: ask_for_proof(s, r, f, note=form.get("note", ""),
                                                      actor=st.actor),
    "extend": lambda s, r, f, st, form: extend(s, r, f, months=int(form.get("months") or 2),
                                               reason=form.get("reason", ""), actor=st.actor),
    "fulfil": lambda s, r, f, st, form: fulfil(s, r, f, ground=form.get("ground") or None,
                                               actor=st.actor),
    "approve": lambda s, r, f, st, form: approve_changes(
        s, r, f, changes=[Change.parse(line) for line in form.get("changes", "").splitlines()
                          if line.strip()], actor=st.actor),
    "objection": lambda s, r, f, st, form: decide_objection(
        s, r, f, upheld=form.get("decision") == "uphold", reason=form.get("reason", ""),
        actor=st.actor),
    "attest": lambda s, r, f, st, form: attest(s, r, f, system=form.get("system", ""),
                                               note=form.get("note", ""), actor=st.actor),
    "deny": lambda s, r, f, st, form: deny(s, r, f, reason=form.get("reason", ""),
                                           code=form.get("code") or "other", actor=st.actor),
    "lift": lambda s, r, f, st, form: lift_restriction(s, r, f, reason=form.get("reason", ""),
                                                       actor=st.actor),
}


@router.post("/requests/{reference}/{action}", response_class=HTMLResponse)
def act(reference: str, action: str, request: Request,
        note: str = Form(""), reason: str = Form(""), months: str = Form(""),
        decision: str = Form(""), changes: str = Form(""), system: str = Form(""),
        code: str = Form(""), ground: str = Form(""),
        staff: Staff = Depends(require("handle_requests")),
        session: CharterSession = TRANSACTION) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, "no such action")
    runtime = runtime_of(request)
    found = _found(session, runtime, reference)
    form = {"note": note, "reason": reason, "months": months, "decision": decision,
            "changes": changes, "system": system, "code": code, "ground": ground}
    try:
        with session.begin_nested():  # a refused action changes nothing
            ACTIONS[action](session, runtime, found, staff, form)
    except (CharterError, ValueError) as exc:
        return _page(reference, request, staff, session, error=str(exc), status=422)
    return RedirectResponse(f"/requests/{reference}", status_code=303)
