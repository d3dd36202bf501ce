"""Portability (Art. 20): the person takes elsewhere what they gave us on consent or
contract — the package to download and, when they ask for it, a copy posted straight to
another controller."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlparse

import httpx2 as httpx

from ..audit import record_event
from ..db import CharterSession
from ..i18n import gettext_for
from ..models import RightsRequest
from ..policy import Policy
from ..runtime import Runtime
from .connectors import SystemAnswer, portable_categories


def portable_answers(policy: Policy, answers: dict[str, SystemAnswer]
                     ) -> dict[str, SystemAnswer]:
    """Only the portable categories, whichever system gave them: a connector, or a person
    attesting with an extract (invoices kept under a legal obligation are not portable)."""
    portable = portable_categories(policy)
    return {system: replace(answer, data={c: rows for c, rows in answer.data.items()
                                          if c in portable})
            for system, answer in answers.items()}


def send_to_controller(session: CharterSession, runtime: Runtime, request: RightsRequest,
                        answers: dict[str, SystemAnswer], target: str) -> str:
    """Art. 20(2): straight to another controller, when the person asked for it. A failure
    is told to the person (who downloads the package instead) and to staff, in the
    request's timeline: by kind and HTTP status, never the answer's text."""
    _ = gettext_for(request.language)
    body = {"controller": runtime.policy.organization.legal_name,
            "reference": request.reference,
            "data": {s: a.data for s, a in answers.items() if a.data}}
    where = {"host": urlparse(target).hostname or ""}
    try:
        with httpx.Client(transport=runtime.connectors.get("http"), timeout=30) as client:
            client.post(target, json=body).raise_for_status()
    except (httpx.HTTPError, ValueError) as exc:
        response = getattr(exc, "response", None)
        record_event(session, runtime.organization_id, actor="system",
                     action="request.transfer_failed", target=f"request:{request.reference}",
                     details={**where, "error": type(exc).__name__,
                              **({"status": response.status_code} if response else {})})
        return str(_("We could not deliver your data to %(url)s; download it below.")
                   % {"url": target})
    record_event(session, runtime.organization_id, actor="system", action="request.transferred",
                 target=f"request:{request.reference}", details=where)
    return str(_("Your data was also sent to %(url)s.") % {"url": target})
