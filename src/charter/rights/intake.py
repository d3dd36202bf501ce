"""A request arrives (privacy center, API, or staff logging a letter or a call), is checked
against abuse, and waits until the person proves the address is theirs; staff may ask for
more proof when in reasonable doubt, extend the deadline with a reason, or refuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from ..audit import record_event
from ..dates import local_date
from ..db import CharterSession
from ..errors import Conflict, InvalidInput
from ..i18n import N_, gettext_for
from ..mail.links import one_time_link, resolve, spend_all, use
from ..mail.service import preferences_url, queue_message
from ..models import IdentityDocument, RateEvent, RightsRequest, utcnow
from ..policy.commitments import ALL_RIGHTS
from ..runtime import Runtime
from ..subjects.repository import subject_by_email_index, subject_by_id
from ..subjects.service import valid_email
from ..systems.waiting import stop_waiting
from . import repository
from .clock import due_date, extended_date
from .erasure import FORGET_ON_CLOSE, forget_if_erased
from .lifecycle import DENIAL_REASONS, ERASURE_GROUNDS, UNRESOLVED, UNVERIFIED, close, move

CHANNELS = ("web_form", "api", "email", "post", "phone", "in_person", "account")
VERIFY_VALID = timedelta(days=7)
PROOF_VALID = timedelta(days=14)
UNVERIFIED_EXPIRE = timedelta(days=30)
LIMITS = {"email": (3, timedelta(days=1)), "ip": (10, timedelta(days=1))}
KIND_LABELS = {
    "access": N_("access to your data"),
    "rectification": N_("correction of your data"),
    "erasure": N_("erasure of your data"),
    "portability": N_("a copy of your data to take elsewhere"),
    "restriction": N_("restriction of the use of your data"),
    "objection": N_("objection to the use of your data"),
    "withdrawal": N_("withdrawal of your consent"),
}


def kind_label(kind: str, language: str) -> str:
    return str(gettext_for(language)(KIND_LABELS[kind]))


def _check_rate(session: CharterSession, runtime: Runtime, bucket: str, value: str) -> None:
    """At most a few requests per address and per IP a day: a request form sends mail to
    any address typed into it. Keys are keyed hashes: no address or IP is stored here."""
    limit, window = LIMITS[bucket]
    key = hmac.new(runtime.keyring.index_key, f"rate:{bucket}:{value}".encode(),
                   hashlib.sha256).hexdigest()
    org = runtime.organization_id
    if repository.count_rate_events(session, org, bucket, key, utcnow() - window) >= limit:
        raise InvalidInput(f"too many requests from this {bucket}: try again tomorrow")
    session.add(RateEvent(organization_id=org, bucket=bucket, key=key))


def _reference(session: CharterSession, runtime: Runtime, year: int) -> str:
    count = repository.requests_in_year(session, runtime.organization_id, year)
    return f"R-{year}-{count + 1:04d}"


def open_request(
    session: CharterSession,
    runtime: Runtime,
    *,
    verified_by: str | None = None,
    **asked: Any,
) -> RightsRequest:
    """Record a request (see :func:`record_request`) and take it up at once: unless staff or
    an authenticated client vouch for the person (``verified_by``), a single-use link goes
    to the address to prove it is theirs. In the DRP's words it is ``open`` only until then,
    in this same transaction."""
    request = record_request(session, runtime, vouched=verified_by is not None, **asked)
    if verified_by:
        mark_verified(session, runtime, request, actor=verified_by)
    else:
        _send_verification(session, runtime, request, email_of(runtime, request))
    return request


def record_request(
    session: CharterSession,
    runtime: Runtime,
    *,
    kind: str,
    email: str,
    channel: str,
    language: str | None = None,
    details: str = "",
    extra: dict[str, Any] | None = None,
    received_on: date | None = None,
    ip: str | None = None,
    ground: str | None = None,
    vouched: bool = False,
    actor: str,
) -> RightsRequest:
    """Check and record a request, nothing more: the DRP's ``open``. An erasure may say on
    which ground of Art. 17(1) it is asked (staff confirm it). Requests nobody vouches for
    are limited per address, as each one sends a mail there."""
    if kind not in ALL_RIGHTS:
        raise InvalidInput(f"type: one of {', '.join(ALL_RIGHTS)}")
    if ground is not None and ground not in ERASURE_GROUNDS:
        raise InvalidInput(f"ground: one of {', '.join(ERASURE_GROUNDS)} (Art. 17(1))")
    if ground is not None and kind != "erasure":
        raise InvalidInput("ground: only for an erasure")
    if channel not in CHANNELS:
        raise InvalidInput(f"channel: one of {', '.join(CHANNELS)}")
    address = valid_email(email)
    if len(details) > 5000:
        raise InvalidInput("details: at most 5000 characters")
    policy = runtime.policy
    country = policy.organization.country
    today = local_date(utcnow(), country)
    received = received_on or today
    if received > today:
        raise InvalidInput("received-at: a day in the future")
    if received < today - timedelta(days=366):
        raise InvalidInput("received-at: more than a year ago")
    language = language if language in policy.languages.all else policy.languages.default
    email_index = runtime.blind_index.email(address)
    if ip is not None:
        _check_rate(session, runtime, "ip", ip)
    if not vouched:
        _check_rate(session, runtime, "email", email_index)
    subject = subject_by_email_index(session, runtime.organization_id, email_index)
    request = _insert(session, runtime, kind=kind, channel=channel, language=language,
                      email_index=email_index, subject_id=subject.id if subject else None,
                      received=received, actor=actor)
    request.ground = ground
    runtime.cipher.seal(request, {"email": address, "details": details, **(extra or {})})
    record_event(session, runtime.organization_id, actor=actor, action="request.received",
                 target=f"request:{request.reference}",
                 details={"kind": kind, "channel": channel,
                          "received_on": received.isoformat(),
                          **({"ground": ground} if ground else {})})
    return request


def _insert(session: CharterSession, runtime: Runtime, *, received: date, **fields: Any
            ) -> RightsRequest:
    country = runtime.policy.organization.country
    for _attempt in range(5):  # two requests at once may pick the same reference
        try:
            with session.begin_nested():
                request = RightsRequest(
                    organization_id=runtime.organization_id,
                    reference=_reference(session, runtime, received.year),
                    status="open", stage="received", received_on=received,
                    due_on=due_date(received, runtime.policy.rights, country),
                    email_index=fields["email_index"], kind=fields["kind"],
                    channel=fields["channel"], language=fields["language"],
                    subject_id=fields["subject_id"], created_by=fields["actor"],
                    sealed=b"", key_id="")
                session.add(request)
                session.flush()
            return request
        except IntegrityError:
            continue
    raise Conflict("could not number the request; try again")


def _send_verification(session: CharterSession, runtime: Runtime, request: RightsRequest,
                       address: str) -> None:
    expires = utcnow() + VERIFY_VALID
    move(request, "awaiting_verification")  # DRP: in_progress, need_user_verification
    token = one_time_link(session, runtime, "verify", request.subject_id,
                          request_id=request.id, expires_at=expires)
    queue_message(session, runtime, kind="verification", to=address, language=request.language,
                  subject_id=request.subject_id, context={
                      "request_label": kind_label(request.kind, request.language),
                      "verify_url": f"{runtime.settings.public_url}/requests/verify/{token}",
                      "expires_at": expires, **_footer(session, runtime, request)})


def request_for_link(session: CharterSession, runtime: Runtime, token: str, kind: str
                     ) -> RightsRequest | None:
    link = resolve(session, runtime, token, kind)  # type: ignore[arg-type]
    return repository.request_by_id(session, runtime.organization_id,
                                    link.request_id if link else None)


def verify_by_link(session: CharterSession, runtime: Runtime, token: str) -> RightsRequest | None:
    """The person used the link: the address is theirs."""
    link = resolve(session, runtime, token, "verify")
    request = repository.request_by_id(session, runtime.organization_id,
                                       link.request_id if link else None)
    if link is None or request is None or request.stage != "awaiting_verification":
        return None
    if not use(session, runtime, link):
        return None
    mark_verified(session, runtime, request, actor="subject")
    return request


def remember(runtime: Runtime, request: RightsRequest, **more: Any) -> None:
    """Add to what the request holds (sealed with it)."""
    runtime.cipher.seal(request, {**runtime.cipher.unseal(request), **more})


def email_of(runtime: Runtime, request: RightsRequest) -> str:
    return str(runtime.cipher.unseal(request)["email"])


def tell(session: CharterSession, runtime: Runtime, request: RightsRequest, kind: str,
         **context: Any) -> None:
    """A message about the request, to the address it came from, in its language; about
    an erasure, or to a person erased since, it empties itself once sent."""
    details = runtime.cipher.unseal(request)
    queue_message(session, runtime, kind=kind, to=str(details["email"]),
                  language=request.language, subject_id=request.subject_id,
                  forget_after_sending=request.kind == "erasure"
                  or FORGET_ON_CLOSE in details, context={
                      "request_label": kind_label(request.kind, request.language),
                      "reference": request.reference, **_footer(session, runtime, request),
                      **context})


def _footer(session: CharterSession, runtime: Runtime, request: RightsRequest
            ) -> dict[str, str]:
    """The link to the person's preferences, as in every mail to them — except about an
    erasure, which leaves no preferences behind."""
    subject = subject_by_id(session, runtime.organization_id, request.subject_id)
    if subject is None or request.kind == "erasure":
        return {}
    return {"preferences_url": preferences_url(session, runtime, subject)}


def mark_verified(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                  actor: str) -> None:
    """The person is who they say: the request is handled from now on."""
    if request.status not in UNRESOLVED or request.stage not in UNVERIFIED:
        raise Conflict(f"request {request.reference} is {request.status}: nothing to confirm")
    spend_links(session, runtime, request)
    request.verified_at = utcnow()
    move(request, "processing")
    record_event(session, runtime.organization_id, actor=actor, action="request.verified",
                 target=f"request:{request.reference}")
    tell(session, runtime, request, "acknowledgement", received_at=request.received_on,
         due_at=request.deadline)


def _open_only(request: RightsRequest) -> None:
    if request.status not in UNRESOLVED:
        raise Conflict(f"request {request.reference} is {request.status}")


def ask_for_proof(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                  note: str, actor: str) -> None:
    """Reasonable doubt about who is asking (Art. 12(6)): ask for a document."""
    _open_only(request)
    if not note.strip():
        raise InvalidInput("note: say what raises the doubt")
    spend_links(session, runtime, request)  # the confirmation link no longer proves enough
    request.verified_at = None  # nothing is done for them until the proof is decided
    move(request, "awaiting_proof")  # DRP: in_progress, need_user_verification
    token = one_time_link(session, runtime, "proof", request.subject_id, request_id=request.id,
                          expires_at=utcnow() + PROOF_VALID)
    tell(session, runtime, request, "proof_needed",
         upload_url=f"{runtime.settings.public_url}/requests/proof/{token}")
    record_event(session, runtime.organization_id, actor=actor, action="request.doubt",
                 target=f"request:{request.reference}")


MAX_DOCUMENT = 5_000_000


def receive_proof(session: CharterSession, runtime: Runtime, token: str, *, name: str,
                  media_type: str, content: bytes) -> RightsRequest | None:
    link = resolve(session, runtime, token, "proof")
    request = repository.request_by_id(session, runtime.organization_id,
                                       link.request_id if link else None)
    if link is None or request is None or request.stage != "awaiting_proof":
        return None
    if not content or len(content) > MAX_DOCUMENT:
        raise InvalidInput("document: a file of at most 5 MB")
    document = IdentityDocument(organization_id=runtime.organization_id,
                                request_id=request.id, uid=uuid.uuid4().hex)
    runtime.cipher.seal(document, {"name": name[:200], "media_type": media_type[:100],
                                   "content": base64.b64encode(content).decode()})
    session.add(document)
    use(session, runtime, link)
    move(request, "proof_received")
    record_event(session, runtime.organization_id, actor="subject", action="request.proof",
                 target=f"request:{request.reference}")
    return request


def spend_links(session: CharterSession, runtime: Runtime, request: RightsRequest) -> None:
    """Links of a request that must not be used any more (confirmation, proof)."""
    for kind in ("verify", "proof"):
        spend_all(session, runtime, kind, request.subject_id, request_id=request.id)


def forget_documents(session: CharterSession, runtime: Runtime, request: RightsRequest) -> None:
    """Proof of identity is kept only until the decision, whatever the decision is."""
    for document in repository.documents_of(session, runtime.organization_id, request.id):
        session.delete(document)


def decide_identity(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
                    accepted: bool, actor: str) -> None:
    """The documents are deleted once the decision is taken, either way."""
    _open_only(request)
    forget_documents(session, runtime, request)
    record_event(session, runtime.organization_id, actor=actor,
                 action="request.identity_" + ("accepted" if accepted else "refused"),
                 target=f"request:{request.reference}")
    if accepted:
        mark_verified(session, runtime, request, actor=actor)
    else:
        _ = gettext_for(request.language)
        deny(session, runtime, request, actor=actor, code="insuf_verification",
             reason=_("We could not make sure that the request comes from you."))


def extend(session: CharterSession, runtime: Runtime, request: RightsRequest, *, months: int,
           reason: str, actor: str) -> None:
    """Art. 12(3): up to two further months, with a reason, told within the first month."""
    _open_only(request)
    if not reason.strip():
        raise InvalidInput("reason: the person must be told why")
    if not runtime.policy.rights.extension_allowed:
        raise Conflict("the policy promises no extension (rights.extension_allowed)")
    today = local_date(utcnow(), runtime.policy.organization.country)
    if request.extended_to is not None:
        raise Conflict(f"request {request.reference} was already extended")
    if today > request.due_on:
        raise Conflict("an extension must be decided and told within the first month")
    request.extended_to = extended_date(request.received_on, months,
                                        runtime.policy.organization.country)
    remember(runtime, request, extension_reason=reason)
    tell(session, runtime, request, "extension", reason=reason, due_at=request.extended_to)
    record_event(session, runtime.organization_id, actor=actor, action="request.extended",
                 target=f"request:{request.reference}",
                 details={"until": request.extended_to.isoformat()})


def deny(session: CharterSession, runtime: Runtime, request: RightsRequest, *, reason: str,
         code: str = "other", actor: str) -> None:
    """Refuse, saying why: ``reason`` in words to the person, ``code`` in the DRP's."""
    _open_only(request)
    if not reason.strip():
        raise InvalidInput("reason: a refusal says why")
    if code not in DENIAL_REASONS:
        raise InvalidInput(f"code: one of {', '.join(DENIAL_REASONS)}")
    close(request, "denied", reason=code)
    stop_waiting(session, runtime, request, actor=actor)
    spend_links(session, runtime, request)
    forget_documents(session, runtime, request)
    remember(runtime, request, denial_reason=reason)
    tell(session, runtime, request, "denial", reason=reason)
    record_event(session, runtime.organization_id, actor=actor, action="request.denied",
                 target=f"request:{request.reference}", details={"reason": code})
    forget_if_erased(session, runtime, request)


def revoke(session: CharterSession, runtime: Runtime, request: RightsRequest, *,
           actor: str) -> None:
    """The person withdrew the request."""
    _open_only(request)
    close(request, "revoked")
    stop_waiting(session, runtime, request, actor=actor)
    spend_links(session, runtime, request)
    forget_documents(session, runtime, request)
    record_event(session, runtime.organization_id, actor=actor, action="request.revoked",
                 target=f"request:{request.reference}")
    forget_if_erased(session, runtime, request)


def expire_unverified(session: CharterSession, runtime: Runtime) -> int:
    """Requests whose address was never confirmed lapse after thirty days."""
    expired = repository.unverified_before(session, runtime.organization_id,
                                           utcnow() - UNVERIFIED_EXPIRE)
    for request in expired:
        close(request, "expired")
        spend_links(session, runtime, request)
        forget_documents(session, runtime, request)
        record_event(session, runtime.organization_id, actor="system", action="request.expired",
                     target=f"request:{request.reference}")
        forget_if_erased(session, runtime, request)
    return len(expired)


def forget_rate_events(session: CharterSession, runtime: Runtime) -> int:
    """Rate-limit marks are needed for a day, then deleted."""
    window = max(w for _n, w in LIMITS.values())
    return repository.delete_rate_events_before(session, runtime.organization_id,
                                                utcnow() - window)
