"""What an erasure does beyond the systems' own parts: its Art. 17(1) ground, confirmed by
staff before anything is erased; the address on the suppression list; earlier exports
deleted; and the person's other requests forgotten — they keep their reference, kind,
dates and status (what proves the rights were answered), and lose the address, the details,
what the systems answered and the link to the person."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import or_, select

from ..audit import record_event
from ..consent.service import suppress
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..i18n import gettext_for
from ..models import RightsRequest
from ..runtime import Runtime
from . import repository
from .connectors import SystemAnswer
from .exports import delete_exports_of, delete_exports_of_request
from .lifecycle import ERASURE_GROUNDS, FINAL

FORGET_ON_CLOSE = "forget_on_close"


def ground_label(ground: str, language: str) -> str:
    return str(gettext_for(language)(ERASURE_GROUNDS[ground]))


def settle_ground(request: RightsRequest, ground: str | None) -> str:
    """The ground the erasure is granted on: the one staff give, else the one the person
    chose (staff confirm it by fulfilling); without either nothing is erased."""
    if ground is not None:
        if ground not in ERASURE_GROUNDS:
            raise InvalidInput(f"ground: one of {', '.join(ERASURE_GROUNDS)} (Art. 17(1))")
        request.ground = ground
    if request.ground is None:
        raise Conflict(f"request {request.reference}: an erasure is granted on a ground of "
                       "Art. 17(1); give it (a to f) before fulfilling")
    return request.ground


def _others(session: CharterSession, runtime: Runtime, erasure: RightsRequest
            ) -> list[RightsRequest]:
    """The person's other requests: from the same address, or linked to them."""
    same = [RightsRequest.email_index == erasure.email_index]
    if erasure.subject_id is not None:
        same.append(RightsRequest.subject_id == erasure.subject_id)
    statement = select(RightsRequest).where(
        RightsRequest.organization_id == runtime.organization_id,
        RightsRequest.id != erasure.id, or_(*same))
    return list(session.scalars(statement))


def note_other_requests(session: CharterSession, runtime: Runtime,
                        erasure: RightsRequest) -> None:
    """Before the systems erase the person (and the link to them with it): which requests
    are theirs, to forget once the erasure is done."""
    details = runtime.cipher.unseal(erasure)
    known = set(details.get("others", []))
    known |= {r.id for r in _others(session, runtime, erasure)}
    runtime.cipher.seal(erasure, {**details, "others": sorted(known)})


def after_erasure(session: CharterSession, runtime: Runtime, erasure: RightsRequest) -> None:
    """The erasure is answered: marketing never restarts from an old list, the packages of
    earlier access requests go, and so does what the person's other requests hold."""
    suppress(session, runtime, erasure.email_index, reason="erased",
             actor="request:" + erasure.reference)
    delete_exports_of(session, runtime, erasure.email_index)
    noted = set(runtime.cipher.unseal(erasure).get("others", []))
    others = {r.id: r for r in _others(session, runtime, erasure)}
    for request_id in noted - set(others):
        found = repository.request_by_id(session, runtime.organization_id, request_id)
        if found is not None:
            others[found.id] = found
    for request in others.values():
        if request.stage == "erased":
            continue
        if request.status in FINAL:
            forget(session, runtime, request, after=erasure.reference)
        else:  # still owed an answer, which needs the address: forgotten once answered
            details = runtime.cipher.unseal(request)
            runtime.cipher.seal(request, {**details, FORGET_ON_CLOSE: erasure.reference})


def forget(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
           after: str, keep_export: bool = False) -> None:
    """Keep of a request only what proves it was answered: reference, kind, channel, dates,
    status (and its DRP reason, an erasure's ground). ``keep_export``: the answer just sent
    links to its package, which then goes when its own retention ends."""
    if not keep_export:
        delete_exports_of_request(session, runtime, request.id)
    for part in repository.parts_of(session, runtime.organization_id, request.id):
        runtime.cipher.seal(part, asdict(SystemAnswer(found=False)))
        part.last_error = None
    runtime.cipher.seal(request, {})
    request.subject_id, request.email_index, request.stage = None, "", "erased"
    record_event(session, runtime.organization_id, actor="system", action="request.forgotten",
                 target=f"request:{request.reference}", details={"after_erasure": after})


def forget_if_erased(session: CharterSession, runtime: Runtime, request: RightsRequest) -> None:
    """A request closed after its person was erased: forgotten now that it is answered."""
    details: dict[str, Any] = runtime.cipher.unseal(request)
    if details.get(FORGET_ON_CLOSE):
        forget(session, runtime, request, after=str(details[FORGET_ON_CLOSE]),
               keep_export=True)
