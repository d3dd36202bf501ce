"""Answering a verified request across every system declared in the policy. Each system
answers through its connector; a system answered by a person waits for their attestation;
a failing system is retried. The person gets the answer only when every system has given
its part."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from ..audit import record_event
from ..collect.fields import coerce, declared_field
from ..consent.service import (
    object_to_direct_marketing,
    record_consent,
    suppress,
    withdraw_all,
)
from ..dates import local_date
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..i18n import N_, gettext_for, local_text
from ..logs import failure
from ..mail.service import queue_message
from ..models import RequestSystemPart, RightsRequest, utcnow
from ..policy.processing import System
from ..runtime import Runtime
from ..subjects.repository import subject_by_id
from ..subjects.service import contact_of
from ..systems.manual import close_tasks, has_open_task
from ..systems.waiting import wait_for
from . import repository
from .connectors import (
    Awaiting,
    Change,
    Person,
    PersonAnswers,
    SystemAnswer,
    connector_for,
)
from .erasure import after_erasure, forget_if_erased, note_other_requests, settle_ground
from .exports import build_package, store_export
from .intake import deny, email_of, remember, tell
from .lifecycle import UNVERIFIED, close, move
from .portability import portable_answers, send_to_controller

log = logging.getLogger(__name__)
SYSTEM_KINDS = ("access", "portability", "erasure", "restriction", "rectification")
MAX_ATTEMPTS = 8
ACTION_WORDS = {"erasure": N_("erasure"), "restriction": N_("restriction"),
                "rectification": N_("rectification")}


def person_of(session: CharterSession, runtime: Runtime, request: RightsRequest) -> Person:
    """Who the systems look for: the verified address, and the phone number Charter holds
    for the person who gave that address (a system may know them by phone only)."""
    subject = subject_by_id(session, runtime.organization_id, request.subject_id) \
        if request.subject_id else None
    phone = contact_of(session, runtime, subject).get("phone") if subject else None
    return Person(email=email_of(runtime, request), email_index=request.email_index,
                  subject_id=request.subject_id, phone=phone or None, request=request.reference)


def details_of(runtime: Runtime, request: RightsRequest) -> dict[str, Any]:
    return dict(runtime.cipher.unseal(request))


def _verified(request: RightsRequest) -> None:
    """Nothing is done for a person before they are known to be who they say."""
    if request.status != "in_progress" and request.stage not in UNVERIFIED:
        raise Conflict(f"request {request.reference} is {request.status}")
    if request.stage in ("awaiting_proof", "proof_received"):
        raise Conflict(f"request {request.reference} waits for proof of identity")
    if request.stage in UNVERIFIED or request.verified_at is None:
        raise Conflict(f"request {request.reference} is not verified: the address is not "
                       "confirmed yet")


def _part(session: CharterSession, runtime: Runtime, request: RightsRequest,
          system: System) -> RequestSystemPart:
    for part in repository.parts_of(session, runtime.organization_id, request.id):
        if part.system == system.id:
            return part
    part = RequestSystemPart(organization_id=runtime.organization_id, request_id=request.id,
                             system=system.id, status="pending", attempts=0)
    runtime.cipher.seal(part, {})
    session.add(part)
    session.flush()
    return part


def _ask(session: CharterSession, runtime: Runtime, request: RightsRequest, part:
         RequestSystemPart, system: System) -> None:
    """Run one system's part; the savepoint keeps a failing connector's half-work out."""
    connector = connector_for(runtime, system)
    person = person_of(session, runtime, request)
    try:
        with session.begin_nested():
            if request.kind in ("access", "portability"):
                answer = connector.export(session, runtime, person,
                                          provided_only=request.kind == "portability")
            elif request.kind == "erasure":
                answer = connector.erase(session, runtime, person)
                if subject_by_id(session, runtime.organization_id, request.subject_id) is None:
                    request.subject_id = None  # the person is gone; the request remains
            elif request.kind == "restriction":
                answer = connector.restrict(session, runtime, person)
            else:
                changes = [Change(**c) for c in details_of(runtime, request)["approved"]]
                answer = connector.rectify(session, runtime, person, changes,
                                           actor="request:" + request.reference)
    except Awaiting as waiting:
        part.status = "pending"
        wait_for(session, runtime, request, system, waiting, action=request.kind)
        return
    except Exception as exc:  # a system that fails is retried, never dropped
        _failed(session, runtime, request, part, exc)
        return
    runtime.cipher.seal(part, asdict(answer))
    part.status, part.done_at, part.last_error = "done", utcnow(), None


def _failed(session: CharterSession, runtime: Runtime, request: RightsRequest,
            part: RequestSystemPart, exc: Exception) -> None:
    """One more attempt counted, the next one later (2, 4, 8 … minutes, at most 6 hours)."""
    part.attempts += 1
    part.status = "failed"
    part.last_error = type(exc).__name__  # the message may quote personal data
    part.next_attempt_at = utcnow() + timedelta(minutes=min(2 ** part.attempts, 360))
    record_event(session, runtime.organization_id, actor="system",
                 action="request.system_failed", target=f"request:{request.reference}",
                 details={"system": part.system, "attempt": part.attempts})


def fulfil(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
           ground: str | None = None, actor: str) -> None:
    """Act on a verified request; finishes it when every system has answered. An erasure
    is granted on a ground of Art. 17(1) (``ground``, or the one the person chose)."""
    _verified(request)
    details: dict[str, Any] = {}
    if request.kind == "erasure":
        details["ground"] = settle_ground(request, ground)
        note_other_requests(session, runtime, request)
    elif ground is not None:
        raise InvalidInput("ground: only for an erasure")
    if request.kind == "withdrawal":
        _withdraw(session, runtime, request, actor=actor)
        return
    if request.kind == "objection":
        _object(session, runtime, request, actor=actor)
        return
    if request.kind == "rectification" and "approved" not in details_of(runtime, request):
        raise Conflict("review the proposed changes first (approve the ones to apply)")
    move(request, "awaiting_systems")
    for system in runtime.policy.systems:
        part = _part(session, runtime, request, system)
        if part.status != "done":
            _ask(session, runtime, request, part, system)
    record_event(session, runtime.organization_id, actor=actor, action="request.fulfilling",
                 target=f"request:{request.reference}", details=details)
    finish_if_answered(session, runtime, request, actor=actor)


IMMEDIATE = ("withdrawal", "objection")


def act_if_immediate(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                     actor: str) -> None:
    """Withdrawal and objection need no search: they take effect as soon as the person is
    known (Art. 7(3), 21(3))."""
    if request.kind in IMMEDIATE and request.status == "in_progress" \
            and request.stage == "processing":
        fulfil(session, runtime, request, actor=actor)


def attest(session: CharterSession, runtime: Runtime, request: RightsRequest, *, system: str,
           note: str, extract: dict[str, list[dict[str, Any]]] | None = None,
           actor: str) -> None:
    """A person in charge of a system says what they did (and, for access, what they
    found), e.g. the two people who may open the accounting program."""
    _verified(request)
    declared = runtime.policy.system(system)
    if declared is None:
        raise InvalidInput(f"system: {system!r} is not declared in the policy")
    if not note.strip():
        raise InvalidInput("note: say what was done in the system")
    if request.kind == "erasure":
        settle_ground(request, None)  # nothing is erased on no ground, by hand either
    parts = {s.id: _part(session, runtime, request, s) for s in runtime.policy.systems}
    part = parts[declared.id]
    if part.status == "done":
        raise Conflict(f"system {system} has already answered")
    automatic = not isinstance(connector_for(runtime, declared), PersonAnswers)
    asked = has_open_task(session, runtime, request, declared.id)  # the connector asked
    if automatic and not asked and not (part.status == "failed"
                                        and part.attempts >= MAX_ATTEMPTS):
        raise Conflict(f"system {system} answers through its connector, not by attestation")
    answer = SystemAnswer(found=bool(extract) or request.kind != "access", data=extract or {},
                          done=[note.strip()])
    runtime.cipher.seal(part, asdict(answer))
    part.status, part.done_at = "done", utcnow()
    close_tasks(session, runtime, request, declared.id, actor=actor)
    record_event(session, runtime.organization_id, actor=actor, action="request.attested",
                 target=f"request:{request.reference}", details={"system": system})
    finish_if_answered(session, runtime, request, actor=actor)


def retry_failed_parts(session: CharterSession, runtime: Runtime) -> int:
    """The job behind "failures are retried with backoff": each failed part whose time came."""
    retried = 0
    for part in repository.failed_parts_due(session, runtime.organization_id, utcnow()):
        request = repository.request_by_id(session, runtime.organization_id, part.request_id)
        system = runtime.policy.system(part.system)
        if request is None or system is None or request.status != "in_progress" \
                or request.stage in UNVERIFIED:  # a doubt raised since: it waits
            continue
        if part.attempts >= MAX_ATTEMPTS:
            continue  # shown to staff as failed; they attest by hand
        try:
            with session.begin_nested():  # one request failing leaves the others be
                _ask(session, runtime, request, part, system)
                finish_if_answered(session, runtime, request, actor="system")
        except Exception as exc:  # by type and place only: the message may quote data
            log.warning("request %s: could not finish (%s)", request.reference, failure(exc))
            _failed(session, runtime, request, part, exc)  # counted: never retried forever
        retried += 1
    return retried


def finish_if_answered(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                       actor: str) -> bool:
    """Answer the person once every declared system has given its part."""
    parts = repository.parts_of(session, runtime.organization_id, request.id)
    answered = {p.system for p in parts if p.status == "done"}
    if answered < {s.id for s in runtime.policy.systems} or request.status != "in_progress" \
            or request.stage in UNVERIFIED:
        return False
    answers = {p.system: SystemAnswer(**runtime.cipher.unseal(p)) for p in parts}
    summary, held, download = _answer(session, runtime, request, answers)
    categories = sorted({c for a in answers.values() for c in a.categories})
    if request.kind in ACTION_WORDS and categories:
        _tell_recipients(session, runtime, request, categories, answers)
    _close(session, runtime, request, actor=actor, summary=summary, held=held, **download)
    return True


def _answer(session: CharterSession, runtime: Runtime, request: RightsRequest,
            answers: dict[str, SystemAnswer]) -> tuple[list[str], list[str], dict[str, Any]]:
    _ = gettext_for(request.language)
    policy = runtime.policy
    summary = [f"{_system_name(runtime, system, request.language)}: "
               f"{'; '.join(_(d) for d in answer.done) or _('nothing held')}"
               for system, answer in answers.items() if answer.found or answer.done]
    latest: dict[str, str] = {}  # several systems may keep one category: the latest end
    for answer in answers.values():
        for item in answer.held:
            category_id, until = item.split("|")
            latest[category_id] = max(latest.get(category_id, ""), until)
    held = []
    for category_id, until in latest.items():
        category = policy.category(category_id)
        label = category.label.get(request.language, policy.languages.default) \
            if category else category_id
        bases = [h.basis.get(request.language, policy.languages.default)
                 for h in policy.legal_holds if category_id in h.categories]
        held.append(_("%(category)s, kept until %(date)s: %(basis)s") % {
            "category": label, "date": until, "basis": "; ".join(bases)})
    download: dict[str, Any] = {}
    if request.kind == "portability":
        answers = portable_answers(policy, answers)
    if request.kind in ("access", "portability"):
        package = build_package(runtime, request, answers, letter=request.kind == "access")
        token, export = store_export(session, runtime, request, package)
        download = {"download_url": f"{runtime.settings.public_url}/exports/{token}",
                    "download_expires_at": export.expires_at}
        target = details_of(runtime, request).get("target_url")
        if request.kind == "portability" and target:
            summary.append(send_to_controller(session, runtime, request, answers, target))
    if request.kind == "erasure":
        after_erasure(session, runtime, request)
    return summary, held, download


def _system_name(runtime: Runtime, system_id: str, language: str) -> str:
    system = runtime.policy.system(system_id)
    if system is None:
        return system_id
    return local_text(system.label, language, runtime.policy.languages.default)


def _tell_recipients(session: CharterSession, runtime: Runtime, request: RightsRequest,
                     categories: list[str], answers: dict[str, SystemAnswer]) -> None:
    """Art. 19: recipients of the data are told of a rectification, erasure or restriction;
    a recipient without an address becomes a task for staff (in the audit log)."""
    policy = runtime.policy
    changes = [c.label.get(policy.languages.default, policy.languages.default)
               for c in policy.data_categories if c.id in categories]
    for recipient in policy.recipients_of(categories):
        if recipient.notify_email:
            queue_message(session, runtime, kind="recipient_notice", to=str(recipient.notify_email),
                          language=policy.languages.default, context={
                              "reference": request.reference, "changes": changes,
                              "action_label": gettext_for(policy.languages.default)(
                                  ACTION_WORDS[request.kind]),
                              "person_email": email_of(runtime, request)})
            action = "recipient.notified"
        else:
            action = "recipient.to_notify"
        record_event(session, runtime.organization_id, actor="system", action=action,
                     target=f"request:{request.reference}",
                     details={"recipient": recipient.id, "categories": categories})


def _close(session: CharterSession, runtime: Runtime, request: RightsRequest, *, actor: str,
           summary: list[str], held: list[str] | None = None, **context: Any) -> None:
    close(request, "fulfilled")
    remember(runtime, request, answer={"summary": summary, "held": held or []})
    tell(session, runtime, request, "completion", summary=summary, held=held or [],
         download_url=context.get("download_url"),
         download_expires_at=context.get("download_expires_at") or utcnow())
    record_event(session, runtime.organization_id, actor=actor, action="request.fulfilled",
                 target=f"request:{request.reference}",
                 details={"ground": request.ground} if request.kind == "erasure" else None)
    forget_if_erased(session, runtime, request)


def _withdraw(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
              actor: str) -> None:
    purpose = details_of(runtime, request).get("purpose") or None
    if purpose and runtime.policy.purpose(purpose) is None:
        raise InvalidInput(f"purpose: {purpose!r} is not declared in the policy")
    subject = subject_by_id(session, runtime.organization_id, request.subject_id)
    count = withdraw_all(session, runtime, subject, method="request", actor=actor,
                         purpose=purpose) if subject else 0
    _ = gettext_for(request.language)
    _close(session, runtime, request, actor=actor,
           summary=[_("Consents withdrawn: %(count)s.") % {"count": count}])


def _object(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
            actor: str) -> None:
    """Art. 21(2)-(3): against direct marketing, absolute and immediate. Against a legitimate
    interest: it waits for staff to weigh it (decide_objection)."""
    purpose_id = details_of(runtime, request).get("purpose") or "direct_marketing"
    _ = gettext_for(request.language)
    subject = subject_by_id(session, runtime.organization_id, request.subject_id)
    if purpose_id == "direct_marketing" or _is_marketing(runtime, purpose_id):
        if subject is not None:
            object_to_direct_marketing(session, runtime, subject, actor=actor)
        else:
            suppress(session, runtime, request.email_index, reason="objected", actor=actor)
        _close(session, runtime, request, actor=actor, summary=[
            _("All direct marketing to you has stopped.")])
        return
    if runtime.policy.purpose(purpose_id) is None:
        raise InvalidInput(f"purpose: {purpose_id!r} is not declared in the policy")
    move(request, "review")
    record_event(session, runtime.organization_id, actor=actor, action="request.to_review",
                 target=f"request:{request.reference}", details={"purpose": purpose_id})


def _is_marketing(runtime: Runtime, purpose_id: str) -> bool:
    purpose = runtime.policy.purpose(purpose_id)
    return purpose is not None and purpose.marketing


def decide_objection(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                     upheld: bool, reason: str, actor: str) -> None:
    """Staff weigh an objection to a legitimate interest; the decision is recorded."""
    _verified(request)
    if request.kind != "objection" or request.stage != "review":
        raise Conflict(f"request {request.reference} has no objection waiting for a decision")
    if not reason.strip():
        raise InvalidInput("reason: record why")
    purpose_id = details_of(runtime, request)["purpose"]
    remember(runtime, request, decision={"upheld": upheld, "reason": reason})
    if not upheld:  # compelling legitimate grounds override it: the claim is not covered
        deny(session, runtime, request, actor=actor, reason=reason, code="claim_not_covered")
        return
    subject = subject_by_id(session, runtime.organization_id, request.subject_id)
    if subject is not None:
        record_consent(session, runtime, subject, purpose=purpose_id, channel="all",
                       action="object", method="request", actor=actor)
    _ = gettext_for(request.language)
    label = runtime.policy.purpose(purpose_id)
    _close(session, runtime, request, actor=actor, summary=[
        _("We no longer use your data for: %(purpose)s.") % {
            "purpose": label.label.get(request.language, runtime.policy.languages.default)
            if label else purpose_id}])


def approve_changes(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                    changes: list[Change], actor: str) -> None:
    """Art. 16: staff review the changes the person proposed and approve those to apply."""
    _verified(request)
    if request.kind != "rectification":
        raise Conflict(f"request {request.reference} is not a rectification")
    checked = []
    for change in changes:
        category = runtime.policy.category(change.category)
        if category is None or (category.fields and change.field not in category.field_names()):
            raise InvalidInput(f"change: {change.category}.{change.field} is not a declared field")
        declared = declared_field(runtime.policy, change.category, change.field)
        try:
            value = coerce(change.value, declared, region=runtime.policy.organization.country)
        except ValueError as exc:
            raise InvalidInput(f"change: {change.category}.{change.field}: expected {exc}"
                               ) from None
        checked.append(Change(change.category, change.field, value))
    changes = checked
    remember(runtime, request, approved=[asdict(c) for c in changes])
    record_event(session, runtime.organization_id, actor=actor, action="request.approved",
                 target=f"request:{request.reference}", details={"changes": len(changes)})
    fulfil(session, runtime, request, actor=actor)


NOTICE_BEFORE_LIFTING = timedelta(days=3)


def lift_restriction(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                     reason: str, actor: str) -> date:
    """Art. 18(3): the person is told before the restriction is lifted — it is lifted three
    days after the notice. Returns the day it will be lifted."""
    if request.kind != "restriction" or request.status != "fulfilled" or request.stage != "done":
        raise Conflict(f"request {request.reference} is not a restriction in force")
    if not reason.strip():
        raise InvalidInput("reason: the person is told why")
    on = local_date(utcnow() + NOTICE_BEFORE_LIFTING, runtime.policy.organization.country)
    request.stage = "lifting"
    remember(runtime, request, lift_on=on.isoformat(), lift_reason=reason)
    tell(session, runtime, request, "restriction_lifting", reason=reason, lift_on=on)
    record_event(session, runtime.organization_id, actor=actor, action="restriction.lifting",
                 target=f"request:{request.reference}", details={"on": on.isoformat()})
    return on


def lift_due_restrictions(session: CharterSession, runtime: Runtime, *,
                          today: date | None = None) -> int:
    """The job: restrictions whose notice period ended are lifted, system by system, undoing
    exactly what each restricted."""
    day = today or local_date(utcnow(), runtime.policy.organization.country)
    lifted = 0
    for request in repository.lifting(session, runtime.organization_id):
        if date.fromisoformat(details_of(runtime, request)["lift_on"]) > day:
            continue
        person = person_of(session, runtime, request)
        parts = {p.system: p for p in repository.parts_of(session, runtime.organization_id,
                                                          request.id)}
        failed = False
        for system in runtime.policy.systems:
            part = parts.get(system.id)
            restricted = SystemAnswer(**runtime.cipher.unseal(part)) if part else SystemAnswer(
                found=False)
            try:
                with session.begin_nested():
                    connector_for(runtime, system).lift(session, runtime, person, restricted)
            except Awaiting as waiting:
                wait_for(session, runtime, request, system, waiting, action="lift")
            except Exception as exc:  # tried again tomorrow; lifting twice changes nothing
                failed = True
                log.warning("request %s: lifting in %s failed (%s)", request.reference,
                            system.id, failure(exc))
                record_event(session, runtime.organization_id, actor="system",
                             action="request.lift_failed",
                             target=f"request:{request.reference}",
                             details={"system": system.id, "error": type(exc).__name__})
        if failed:
            continue
        request.stage = "lifted"
        record_event(session, runtime.organization_id, actor="system",
                     action="restriction.lifted", target=f"request:{request.reference}")
        lifted += 1
    return lifted

