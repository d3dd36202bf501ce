"""Where a request stands, in the words of the Data Rights Protocol (DRP 1.0, 3.02).

The stage is Charter's own, finer account; the status is derived from it, in one place, so
that the two never disagree:

- ``open``: recorded, and nothing done about it yet. Charter runs its own request endpoints,
  so, as the DRP asks of such a business (3.03, note 1), a request leaves ``open`` in the
  very transaction that records it: the confirmation link goes out, or the person is
  vouched for.
- ``in_progress``: acknowledged and being handled — waiting for the person to prove who
  they are (the DRP's ``need_user_verification``: awaiting verification, awaiting proof,
  proof received), or being answered (processing, awaiting systems, review).
- ``fulfilled``, ``denied`` (with a DRP reason code, and the words told to the person),
  ``expired`` (never confirmed), ``revoked`` (withdrawn by the person): final.
"""

from __future__ import annotations

from ..i18n import N_
from ..models import RightsRequest, utcnow

STAGE_STATUS = {
    "received": "open",
    "awaiting_verification": "in_progress",
    "awaiting_proof": "in_progress",
    "proof_received": "in_progress",
    "processing": "in_progress",
    "awaiting_systems": "in_progress",
    "review": "in_progress",
}
UNVERIFIED = ("received", "awaiting_verification", "awaiting_proof", "proof_received")
"""Stages before the person is known to be who they say: nothing may be done for them."""
NEED_USER_VERIFICATION = UNVERIFIED[1:]
UNRESOLVED = ("open", "in_progress")
FINAL = ("fulfilled", "denied", "expired", "revoked")

DENIAL_REASONS = {
    "suspected_fraud": "the request is believed not to be made in good faith",
    "insuf_verification": "the person could not be identified (proof refused or missing)",
    "no_match": "no data of the person could be matched",
    "claim_not_covered": "the right does not apply to this data or processing, or the "
                         "organization's grounds override it",
    "outside_jurisdiction": "the law invoked does not cover the person or the organization",
    "too_many_requests": "manifestly unfounded or excessive, e.g. repeated (Art. 12(5))",
    "other": "another reason, told to the person",
}
"""The DRP's reason codes for ``denied`` (its spelling: ``insuf_verification``)."""

ERASURE_GROUNDS = {
    "a": N_("You no longer need my data for the purposes it was collected for "
            "(Art. 17(1)(a))"),
    "b": N_("I withdraw my consent and nothing else allows you to keep my data "
            "(Art. 17(1)(b))"),
    "c": N_("I object to the use of my data (Art. 17(1)(c))"),
    "d": N_("My data is used unlawfully (Art. 17(1)(d))"),
    "e": N_("The law requires you to erase it (Art. 17(1)(e))"),
    "f": N_("It was collected when I was a child, for an online service (Art. 17(1)(f))"),
}
"""The grounds of Art. 17(1) on which a person may have their data erased."""


def move(request: RightsRequest, stage: str) -> None:
    """The request goes on to ``stage`` of its handling; its status follows."""
    request.stage, request.status = stage, STAGE_STATUS[stage]


def close(request: RightsRequest, status: str, *, reason: str | None = None) -> None:
    """The request ends: fulfilled, denied (with its DRP reason code), expired or revoked."""
    if status not in FINAL:
        raise ValueError(f"not a final status: {status}")
    request.status, request.stage, request.closed_at = status, "done", utcnow()
    request.reason = reason if status == "denied" else None


def drp_reason(request: RightsRequest) -> str | None:
    """The DRP ``reason`` of the status: why it was denied, or that it waits for the person
    to prove who they are."""
    if request.status == "denied":
        return request.reason or "other"
    if request.status == "in_progress" and request.stage in NEED_USER_VERIFICATION:
        return "need_user_verification"
    return None
