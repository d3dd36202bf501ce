"""`charter requests`: data-subject requests from the command line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..audit import record_event
from ..dates import local_date
from ..errors import InvalidInput, NotFound
from ..models import RightsRequest, utcnow
from ..policy.commitments import ALL_RIGHTS
from ..rights import repository
from ..rights.connectors import Change
from ..rights.fulfilment import (
    act_if_immediate,
    approve_changes,
    attest,
    decide_objection,
    fulfil,
    lift_restriction,
)
from ..rights.intake import (
    CHANNELS,
    ask_for_proof,
    decide_identity,
    deny,
    extend,
    mark_verified,
    open_request,
)
from ..rights.lifecycle import DENIAL_REASONS, ERASURE_GROUNDS, UNRESOLVED, drp_reason
from ..runtime import Runtime, open_runtime
from . import main, settings_from


@main.group()
def requests() -> None:
    """Data-subject requests: log, list, show, verify, extend, fulfil, deny."""


def _found(session: Any, runtime: Runtime, reference: str) -> RightsRequest:
    found = repository.request_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise NotFound(f"no request {reference}")
    return found


@requests.command("add")
@click.option("--type", "kind", type=click.Choice(ALL_RIGHTS), required=True)
@click.option("--email", required=True)
@click.option("--received-at", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="the day the letter, call or mail arrived (default: today)")
@click.option("--channel", type=click.Choice([c for c in CHANNELS if c != "api"]),
              required=True, help="how it arrived")
@click.option("--details", default="", help="what the person asks, in their words")
@click.option("--language", type=click.Choice(["en", "fr", "nl"]), default=None)
@click.option("--verified", is_flag=True,
              help="identity already checked (e.g. in person): no confirmation mail")
@click.option("--ground", type=click.Choice(list(ERASURE_GROUNDS)), default=None,
              help="erasure: the ground of Art. 17(1) the person invokes, a to f")
@click.pass_context
def requests_add(ctx: click.Context, kind: str, email: str, received_at: datetime | None,
                 channel: str, details: str, language: str | None, verified: bool,
                 ground: str | None) -> None:
    """Log a request received by letter, phone, e-mail or in person, with its real date."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        created = open_request(session, runtime, kind=kind, email=email, channel=channel,
                               language=language, details=details,
                               received_on=received_at.date() if received_at else None,
                               verified_by="cli" if verified else None, ground=ground,
                               actor="cli")
        act_if_immediate(session, runtime, created, actor="cli")
        click.echo(f"{created.reference}: {kind}, received {created.received_on}, "
                   f"due {created.deadline}" + ("" if verified else
                                                "; a confirmation link was mailed"))


@requests.command("list")
@click.option("--all", "show_all", is_flag=True, help="closed requests too")
@click.pass_context
def requests_list(ctx: click.Context, show_all: bool) -> None:
    """Open requests by deadline, nearest first; overdue ones marked."""
    runtime = open_runtime(settings_from(ctx))
    today = local_date(utcnow(), runtime.policy.organization.country)
    table = Table()
    for column in ("reference", "type", "status", "stage", "received", "due"):
        table.add_column(column)
    with runtime.transaction() as session:
        rows = repository.queue(session, runtime.organization_id)
        if show_all:
            rows += repository.recent_closed(session, runtime.organization_id, limit=200)
        for r in rows:
            late = r.status in UNRESOLVED and r.deadline < today
            table.add_row(r.reference, r.kind, r.status, r.stage, str(r.received_on),
                          f"[bold red]{r.deadline} OVERDUE[/]" if late else str(r.deadline))
    Console().print(table)


@requests.command("show")
@click.argument("reference")
@click.pass_context
def requests_show(ctx: click.Context, reference: str) -> None:
    """A request with its details and every system's part (an access to personal data:
    audited)."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = _found(session, runtime, reference)
        details = runtime.cipher.unseal(found)
        parts = {p.system: p.status for p in repository.parts_of(
            session, runtime.organization_id, found.id)}
        record_event(session, runtime.organization_id, actor="cli", action="request.viewed",
                     target=f"request:{reference}")
        click.echo(json.dumps({
            "reference": found.reference, "type": found.kind, "status": found.status,
            "reason": drp_reason(found), "stage": found.stage, "ground": found.ground,
            "channel": found.channel, "received_on": found.received_on,
            "due_on": found.deadline, "details": details, "systems": parts},
            indent=2, default=str, ensure_ascii=False))


def _act(ctx: click.Context, reference: str, action: Any, done: str) -> None:
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = _found(session, runtime, reference)
        action(session, runtime, found)
        click.echo(f"{reference}: {done} ({found.status}, {found.stage})")


@requests.command("verify")
@click.argument("reference")
@click.option("--doubt", default=None, help="instead: ask for proof of identity, saying why")
@click.option("--refuse", is_flag=True, help="the proof received does not convince")
@click.pass_context
def requests_verify(ctx: click.Context, reference: str, doubt: str | None,
                    refuse: bool) -> None:
    """Confirm the person's identity (or ask for proof, or refuse it)."""
    def act(session: Any, runtime: Runtime, found: RightsRequest) -> None:
        if doubt:
            ask_for_proof(session, runtime, found, note=doubt, actor="cli")
        elif found.stage in ("awaiting_proof", "proof_received"):
            decide_identity(session, runtime, found, accepted=not refuse, actor="cli")
        elif refuse:
            raise InvalidInput("--refuse decides on proof received; use deny otherwise")
        else:
            mark_verified(session, runtime, found, actor="cli")
        act_if_immediate(session, runtime, found, actor="cli")
    _act(ctx, reference, act, "identity " + ("questioned" if doubt else "decided"))


@requests.command("extend")
@click.argument("reference")
@click.option("--months", type=click.IntRange(1, 2), default=2, show_default=True)
@click.option("--reason", required=True, help="told to the person")
@click.pass_context
def requests_extend(ctx: click.Context, reference: str, months: int, reason: str) -> None:
    """Take up to two more months (only within the first month, with a reason)."""
    _act(ctx, reference, lambda s, r, f: extend(s, r, f, months=months, reason=reason,
                                                actor="cli"), "extended")


@requests.command("fulfil")
@click.argument("reference")
@click.option("--change", "changes", multiple=True,
              help="rectification: CATEGORY.FIELD=VALUE approved; repeat")
@click.option("--uphold/--reject", default=None, help="objection to a legitimate interest")
@click.option("--reason", default="", help="objection: the reason of the decision")
@click.option("--system", default=None, help="attest the part of a system answered by hand")
@click.option("--note", default="", help="with --system: what was done")
@click.option("--extract", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="with --system, for access: JSON {category: [rows]} found")
@click.option("--ground", type=click.Choice(list(ERASURE_GROUNDS)), default=None,
              help="erasure: the ground of Art. 17(1) it is granted on, a to f (needed unless "
              "the person gave one, which fulfilling confirms)")
@click.pass_context
def requests_fulfil(ctx: click.Context, reference: str, changes: tuple[str, ...],
                    uphold: bool | None, reason: str, system: str | None, note: str,
                    extract: Path | None, ground: str | None) -> None:
    """Act on a verified request in every system; the answer goes out when all answered."""
    def act(session: Any, runtime: Runtime, found: RightsRequest) -> None:
        if system:
            rows = json.loads(extract.read_text()) if extract else None
            attest(session, runtime, found, system=system, note=note, extract=rows,
                   actor="cli")
        elif changes:
            approve_changes(session, runtime, found, changes=[Change.parse(c) for c in changes],
                            actor="cli")
        elif uphold is not None:
            decide_objection(session, runtime, found, upheld=uphold, reason=reason,
                             actor="cli")
        else:
            fulfil(session, runtime, found, ground=ground, actor="cli")
    _act(ctx, reference, act, "acted on")


@requests.command("deny")
@click.argument("reference")
@click.option("--reason", required=True, help="told to the person, with their remedies")
@click.option("--code", type=click.Choice(list(DENIAL_REASONS)), default="other",
              show_default=True, help="the reason in the Data Rights Protocol's words")
@click.pass_context
def requests_deny(ctx: click.Context, reference: str, reason: str, code: str) -> None:
    """Refuse a request, saying why."""
    _act(ctx, reference, lambda s, r, f: deny(s, r, f, reason=reason, code=code, actor="cli"),
         "denied")


@requests.command("lift")
@click.argument("reference")
@click.option("--reason", required=True, help="told to the person before it is lifted")
@click.pass_context
def requests_lift(ctx: click.Context, reference: str, reason: str) -> None:
    """Lift a restriction in force (the person is told first)."""
    _act(ctx, reference, lambda s, r, f: lift_restriction(s, r, f, reason=reason, actor="cli"),
         "restriction lifted")

