"""`charter complaint`: the complaints register from the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..complaints import repository
from ..complaints.service import (
    CHANNELS,
    OUTCOMES,
    ComplaintInput,
    add_note,
    answer,
    close,
    find_complaint,
    is_overdue,
    read_complaint,
    record_complaint,
    today,
)
from ..db import CharterSession
from ..models import Complaint
from ..runtime import Runtime, open_runtime
from . import main, settings_from


@main.group()
def complaint() -> None:
    """Complaints from people and supervisory authorities: add, list, show, answer, close."""


@complaint.command("add")
@click.option("--channel", type=click.Choice(CHANNELS), required=True, help="how it arrived")
@click.option("--statement", required=True, help="what the complainant says")
@click.option("--received-on", default="", help="YYYY-MM-DD (default: today)")
@click.option("--name", default="", help="who complains")
@click.option("--contact", default="", help="how to reach them")
@click.option("--authority", "authority_reference", default=None, metavar="REFERENCE",
              help="passed on by a supervisory authority, under its reference")
@click.option("--authority-deadline", default="",
              help="YYYY-MM-DD set by the authority (default: one month from receipt)")
@click.option("--email", default="", help="link to the person Charter knows at this address")
@click.option("--request", "request_reference", default="",
              help="the rights request it is about, e.g. R-2026-0001")
@click.pass_context
def complaint_add(ctx: click.Context, /, authority_reference: str | None, **fields: str) -> None:
    """Record a complaint with its real date of receipt."""
    runtime = open_runtime(settings_from(ctx))
    given = ComplaintInput(from_authority=authority_reference is not None,
                           authority_reference=authority_reference or "", **fields)
    with runtime.transaction() as session:
        created = record_complaint(session, runtime, given, actor="cli")
        click.echo(f"{created.reference}: received {created.received_on}, "
                   f"due {created.due_on}")


@complaint.command("list")
@click.pass_context
def complaint_list(ctx: click.Context) -> None:
    """Unanswered complaints by due date (overdue ones marked), then answered and closed."""
    runtime = open_runtime(settings_from(ctx))
    day = today(runtime)
    table = Table()
    table.add_column("reference", no_wrap=True)
    for column in ("channel", "received", "due", "status"):
        table.add_column(column)
    with runtime.transaction() as session:
        for c in repository.register(session, runtime.organization_id):
            due = f"[bold red]{c.due_on} OVERDUE[/]" if is_overdue(c, day) else str(c.due_on)
            passed_on = c.from_authority and c.channel != "authority"
            table.add_row(c.reference, c.channel + (" (authority)" if passed_on else ""),
                          str(c.received_on), due,
                          c.status + (f" ({c.outcome})" if c.outcome else ""))
    Console().print(table)


@complaint.command("show")
@click.argument("reference")
@click.pass_context
def complaint_show(ctx: click.Context, reference: str) -> None:
    """A complaint with what was said, the notes and the answer (audited)."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = find_complaint(session, runtime, reference)
        held = read_complaint(session, runtime, found, actor="cli")
        click.echo(json.dumps({
            "reference": found.reference, "status": found.status, "channel": found.channel,
            "received_on": found.received_on, "due_on": found.due_on,
            "from_authority": found.from_authority,
            "authority_reference": found.authority_reference,
            "request_reference": found.request_reference, "person_id": found.subject_id,
            "outcome": found.outcome, "answered_at": found.answered_at, **held},
            indent=2, default=str, ensure_ascii=False))


Step = Callable[[CharterSession, Runtime, Complaint], None]


def _act(ctx: click.Context, reference: str, step: Step, done: str) -> None:
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = find_complaint(session, runtime, reference)
        step(session, runtime, found)
        click.echo(f"{reference}: {done} ({found.status})")


@complaint.command("note")
@click.argument("reference")
@click.option("--text", required=True)
@click.pass_context
def complaint_note(ctx: click.Context, reference: str, text: str) -> None:
    """Add a note to the handling of a complaint."""
    _act(ctx, reference, lambda s, r, c: add_note(s, r, c, text=text, actor="cli"), "noted")


@complaint.command("answer")
@click.argument("reference")
@click.option("--outcome", type=click.Choice(OUTCOMES), required=True)
@click.option("--text", required=True, help="the answer given")
@click.pass_context
def complaint_answer(ctx: click.Context, reference: str, outcome: str, text: str) -> None:
    """Record the answer given, with its outcome."""
    def step(session: Any, runtime: Runtime, found: Complaint) -> None:
        answer(session, runtime, found, outcome=outcome, text=text, actor="cli")
    _act(ctx, reference, step, "answered")


@complaint.command("close")
@click.argument("reference")
@click.option("--reason", default="", help="required when closing without an answer")
@click.pass_context
def complaint_close(ctx: click.Context, reference: str, reason: str) -> None:
    """Close a complaint: nothing more to do."""
    _act(ctx, reference, lambda s, r, c: close(s, r, c, reason=reason, actor="cli"), "closed")
