"""The outbox in the Portal: what was sent, what waits, what failed; a message opened is an
access to personal data, and audited."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ..audit import record_event
from ..db import CharterSession
from ..web.deps import TRANSACTION, Staff, require, runtime_of
from ..web.templating import render_staff
from . import repository

router = APIRouter(include_in_schema=False)
# Links in mail are capabilities: staff reading the outbox see where they lead, not the token.
_CAPABILITY = re.compile(r"(/(?:newsletter/confirm|u|preferences|parental|requests/verify|"
                         r"exports)/)[A-Za-z0-9_-]{16,}|(unsubscribe%20)[A-Za-z0-9_-]{16,}")


def mask_links(text: str) -> str:
    return _CAPABILITY.sub(lambda m: (m.group(1) or m.group(2)) + "…", text)
STATUSES = ("queued", "sending", "sent", "failed", "cancelled")


@router.get("/outbox", response_class=HTMLResponse)
def outbox(request: Request, status: str | None = None,
           staff: Staff = Depends(require("read_outbox")),
           session: CharterSession = TRANSACTION) -> Response:
    org = runtime_of(request).organization_id
    chosen = status if status in STATUSES else None
    return render_staff(request, staff, "mail/outbox.html", {
        "messages": repository.recent_messages(session, org, limit=200, status=chosen),
        "counts": repository.counts_by_status(session, org), "statuses": STATUSES,
        "chosen": chosen, "smtp": bool(runtime_of(request).settings.smtp_host),
        "trouble": repository.server_trouble(session, org)})


@router.get("/outbox/{message_id}", response_class=HTMLResponse)
def outbox_message(message_id: int, request: Request,
                   staff: Staff = Depends(require("read_outbox")),
                   session: CharterSession = TRANSACTION) -> Response:
    runtime = runtime_of(request)
    message = repository.message_by_id(session, runtime.organization_id, message_id)
    if message is None:
        raise HTTPException(404, "no such message")
    envelope = None if message.purged_at else runtime.cipher.unseal(message)
    if envelope:
        envelope["text"] = mask_links(envelope["text"])
        envelope["headers"] = {k: mask_links(v) for k, v in envelope["headers"].items()}
    # the address is contact data; the text may quote more: "which categories" names both
    shown = {"categories": sorted(c.id for c in runtime.policy.data_categories
                                  if "email" in c.field_names()),
             "also": ["mail text"]} if envelope else {"categories": []}
    record_event(session, runtime.organization_id, actor=staff.actor, action="mail.viewed",
                 target=f"subject:{message.subject_id}" if message.subject_id else "",
                 details={"message": message.uid, "kind": message.kind, **shown})
    return render_staff(request, staff, "mail/message.html",
                        {"message": message, "envelope": envelope})
