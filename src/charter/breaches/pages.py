"""The breach register in the Portal: open breaches first with the 72-hour clock (overdue
ones loud), the form to record one, and each breach with its decisions and the drafts for the
authority and the people. Opening a breach or its drafts is audited: they may name people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from ..audit import record_event
from ..audit.repository import events_about
from ..db import CharterSession
from ..errors import CharterError, InvalidInput
from ..models import Breach, utcnow
from ..runtime import Runtime
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository
from .clock import shown, zone_of
from .drafts import authority_notification, subject_notice
from .facts import (
    EXEMPTIONS,
    NATURES,
    RISKS,
    BreachInvalid,
    default_contact,
    read_facts,
    read_moment,
)
from .service import (
    add_authority_reference,
    assess_risk,
    authority_not_required,
    clock_of,
    close_breach,
    narrative,
    notify_authority,
    notify_subjects,
    people_decision_needed,
    record_breach,
    subjects_not_required,
    update_facts,
)

router = APIRouter(include_in_schema=False)
MANAGE = Depends(require("manage_breaches"))


def _context(runtime: Runtime) -> dict[str, Any]:
    zone = zone_of(runtime.policy.organization.country)
    return {"natures": NATURES, "risks": RISKS, "exemptions": EXEMPTIONS,
            "when": lambda moment: shown(moment, zone), "clock_of": clock_of}


@router.get("/breaches", response_class=HTMLResponse)
def register(request: Request, staff: Staff = MANAGE,
             session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    org = runtime.organization_id
    now = utcnow()
    opened = repository.open_breaches(session, org)
    clocks = {b.reference: clock_of(b, now) for b in opened}
    return render_staff(request, staff, "breaches/register.html", {
        **_context(runtime), "open": opened, "clocks": clocks,
        "overdue": [b for b in opened if clocks[b.reference].overdue],
        "closed": repository.closed_breaches(session, org)})


def _form(request: Request, staff: Staff, values: dict[str, Any], *,
          problems: list[tuple[str, str]] | None = None, status: int = 200,
          editing: str | None = None) -> Response:
    runtime = runtime_of(request)
    return render_staff(request, staff, "breaches/new.html", {
        **_context(runtime), "values": values, "problems": problems or [], "editing": editing,
        "bad": {field.replace("-", "_") for field, _m in problems or []},
        "default_contact": default_contact(runtime.policy)}, status_code=status)


@router.get("/breaches/new", response_class=HTMLResponse)
def new(request: Request, staff: Staff = MANAGE) -> Response:
    return _form(request, staff, {"nature": [], "categories": []})


@router.post("/breaches/new", response_class=HTMLResponse)
def record(request: Request, detected_at: str = Form(""),
           occurred_at: str = Form(""), nature: list[str] = Form([]),
           categories: list[str] = Form([]), people: str = Form(""), records: str = Form(""),
           description: str = Form(""), consequences: str = Form(""),
           measures_taken: str = Form(""), measures_proposed: str = Form(""),
           contact: str = Form(""), risk: str = Form(""), staff: Staff = MANAGE,
           session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    values: dict[str, Any] = {
        "detected_at": detected_at, "occurred_at": occurred_at, "nature": nature,
        "categories": categories, "people": people, "records": records,
        "description": description, "consequences": consequences,
        "measures_taken": measures_taken, "measures_proposed": measures_proposed,
        "contact": contact, "risk": risk}
    try:
        facts = read_facts(runtime.policy, zone=zone_of(runtime.policy.organization.country),
                           now=utcnow(), **values)
        with session.begin_nested():  # a refused breach leaves no trace
            breach = record_breach(session, runtime, facts, actor=staff.actor)
    except BreachInvalid as exc:
        return _form(request, staff, values, problems=exc.problems, status=422)
    except CharterError as exc:
        return _form(request, staff, values, problems=[("form", str(exc))], status=422)
    return RedirectResponse(f"/breaches/{breach.reference}", status_code=303)


def _values_of(runtime: Runtime, breach: Breach) -> dict[str, Any]:
    """A recorded breach as the form shows it, local times without their zone."""
    zone = zone_of(runtime.policy.organization.country)

    def local(moment: Any) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M") if moment else ""

    texts = narrative(runtime, breach)
    return {"detected_at": local(breach.detected_at), "occurred_at": local(breach.occurred_at),
            "nature": breach.nature.split(), "categories": breach.categories.split(),
            "people": "" if breach.subjects_affected is None else str(breach.subjects_affected),
            "records": "" if breach.records_affected is None else str(breach.records_affected),
            **{k: texts.get(k, "") for k in ("description", "consequences", "measures_taken",
                                             "measures_proposed", "contact")},
            "risk": breach.risk}


@router.get("/breaches/{reference}/edit", response_class=HTMLResponse)
def edit(reference: str, request: Request, staff: Staff = MANAGE,
         session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    breach = _found(session, runtime, reference)
    record_event(session, runtime.organization_id, actor=staff.actor, action="breach.viewed",
                 target=f"breach:{reference}")
    return _form(request, staff, _values_of(runtime, breach), editing=reference)


@router.post("/breaches/{reference}/edit", response_class=HTMLResponse)
def update(reference: str, request: Request,
           detected_at: str = Form(""), occurred_at: str = Form(""),
           nature: list[str] = Form([]), categories: list[str] = Form([]),
           people: str = Form(""), records: str = Form(""), description: str = Form(""),
           consequences: str = Form(""), measures_taken: str = Form(""),
           measures_proposed: str = Form(""), contact: str = Form(""), staff: Staff = MANAGE,
           session: CharterSession = TRANSACTION) -> Response:
    """Art. 33(4): the facts as they become known."""
    runtime = runtime_of(request)
    breach = _found(session, runtime, reference)
    values: dict[str, Any] = {
        "detected_at": detected_at, "occurred_at": occurred_at, "nature": nature,
        "categories": categories, "people": people, "records": records,
        "description": description, "consequences": consequences,
        "measures_taken": measures_taken, "measures_proposed": measures_proposed,
        "contact": contact, "risk": ""}
    try:
        facts = read_facts(runtime.policy, zone=zone_of(runtime.policy.organization.country),
                           now=utcnow(), **values)
        with session.begin_nested():
            update_facts(session, runtime, breach, facts, actor=staff.actor)
    except BreachInvalid as exc:
        return _form(request, staff, values, problems=exc.problems, status=422,
                     editing=reference)
    except CharterError as exc:
        return _form(request, staff, values, problems=[("form", str(exc))], status=422,
                     editing=reference)
    return RedirectResponse(f"/breaches/{reference}", status_code=303)


def _found(session: CharterSession, runtime: Runtime, reference: str) -> Breach:
    found = repository.breach_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise HTTPException(404, "no such breach")
    return found


@router.get("/breaches/{reference}", response_class=HTMLResponse)
def show(reference: str, request: Request, staff: Staff = MANAGE,
         session: CharterSession = TRANSACTION) -> Response:
    return _page(reference, request, staff, session)


def _page(reference: str, request: Request, staff: Staff, session: CharterSession, *,
          error: str | None = None, status: int = 200) -> Response:
    runtime = runtime_of(request)
    policy = runtime.policy
    breach = _found(session, runtime, reference)
    record_event(session, runtime.organization_id, actor=staff.actor, action="breach.viewed",
                 target=f"breach:{reference}")
    texts = narrative(runtime, breach)
    return render_staff(request, staff, "breaches/breach.html", {
        **_context(runtime), "b": breach, "texts": texts, "clock": clock_of(breach),
        "people_decision_needed": people_decision_needed(breach),
        "categories": [c for c in policy.data_categories if c.id in breach.categories.split()],
        "authority_draft": authority_notification(policy, breach, texts),
        "notices": {language: subject_notice(policy, breach, texts, language)
                    for language in policy.languages.all},
        "timeline": events_about(session, runtime.organization_id, f"breach:{reference}"),
        "error": error}, status_code=status)


def _download(session: CharterSession, runtime: Runtime, staff: Staff, breach: Breach,
              name: str, text: str, **details: str) -> Response:
    record_event(session, runtime.organization_id, actor=staff.actor,
                 action="breach.draft_downloaded", target=f"breach:{breach.reference}",
                 details=details)
    return PlainTextResponse(text, headers={
        "Content-Disposition": f'attachment; filename="{breach.reference}-{name}.txt"'})


@router.get("/breaches/{reference}/authority.txt")
def authority_text(reference: str, request: Request, staff: Staff = MANAGE,
                   session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    breach = _found(session, runtime, reference)
    text = authority_notification(runtime.policy, breach, narrative(runtime, breach))
    return _download(session, runtime, staff, breach, "authority", text, draft="authority")


@router.get("/breaches/{reference}/notice-{language}.txt")
def notice_text(reference: str, language: str, request: Request, staff: Staff = MANAGE,
                session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    if language not in runtime.policy.languages.all:
        raise HTTPException(404, "the policy has no such language")
    breach = _found(session, runtime, reference)
    text = subject_notice(runtime.policy, breach, narrative(runtime, breach), language)
    return _download(session, runtime, staff, breach, f"notice-{language}", text,
                     draft="notice", language=language)


Action = Callable[[CharterSession, Runtime, Breach, Staff, dict[str, str]], object]


def _moment(runtime: Runtime, breach: Breach, form: dict[str, str]) -> Any:
    return read_moment("notified-at", form["notified_at"],
                       zone=zone_of(runtime.policy.organization.country), now=utcnow(),
                       detected_at=breach.detected_at)


def _decision(form: dict[str, str]) -> str:
    if form["decision"] not in ("notify", "not_required"):
        raise InvalidInput("decision: notify or not_required")
    return form["decision"]


def _authority(s: CharterSession, r: Runtime, b: Breach, staff: Staff,
               form: dict[str, str]) -> None:
    if _decision(form) == "not_required":
        authority_not_required(s, r, b, reason=form["reason"], actor=staff.actor)
    else:
        notify_authority(s, r, b, notified_at=_moment(r, b, form),
                         reference=form["authority_reference"],
                         delay_reason=form["delay_reason"], actor=staff.actor)


def _people(s: CharterSession, r: Runtime, b: Breach, staff: Staff,
            form: dict[str, str]) -> None:
    if _decision(form) == "not_required":
        subjects_not_required(s, r, b, ground=form["exemption"], reason=form["reason"],
                              public_communication=form["public_communication"],
                              actor=staff.actor)
    else:
        notify_subjects(s, r, b, notified_at=_moment(r, b, form), actor=staff.actor)


ACTIONS: dict[str, Action] = {
    "assess": lambda s, r, b, st, form: assess_risk(s, r, b, risk=form["risk"],
                                                    note=form["note"], actor=st.actor),
    "authority": _authority,
    "people": _people,
    "close": lambda s, r, b, st, form: close_breach(s, r, b, note=form["note"],
                                                    actor=st.actor),
    "reference": lambda s, r, b, st, form: add_authority_reference(
        s, r, b, reference=form["authority_reference"], actor=st.actor),
}


@router.post("/breaches/{reference}/{action}", response_class=HTMLResponse)
def act(reference: str, action: str, request: Request,
        risk: str = Form(""), note: str = Form(""), decision: str = Form(""),
        reason: str = Form(""), notified_at: str = Form(""),
        authority_reference: str = Form(""), delay_reason: str = Form(""),
        exemption: str = Form(""), public_communication: str = Form(""),
        staff: Staff = MANAGE, session: CharterSession = TRANSACTION) -> Response:
    if action not in ACTIONS:
        raise HTTPException(404, "no such action")
    runtime = runtime_of(request)
    breach = _found(session, runtime, reference)
    form = {"risk": risk, "note": note, "decision": decision, "reason": reason,
            "notified_at": notified_at, "authority_reference": authority_reference,
            "delay_reason": delay_reason, "exemption": exemption,
            "public_communication": public_communication}
    try:
        with session.begin_nested():  # a refused action changes nothing
            ACTIONS[action](session, runtime, breach, staff, form)
    except CharterError as exc:
        return _page(reference, request, staff, session, error=str(exc), status=422)
    return RedirectResponse(f"/breaches/{reference}", status_code=303)
