"""`charter breach`: the breach register without the Portal, with the same rules and the
same audit trail."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..audit import record_event
from ..breaches import repository
from ..breaches.clock import shown, zone_of
from ..breaches.drafts import authority_notification, subject_notice
from ..breaches.facts import EXEMPTIONS, NATURES, RISKS, read_facts, read_moment
from ..breaches.service import (
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
)
from ..errors import InvalidInput, NotFound
from ..models import Breach, utcnow
from ..runtime import Runtime, open_runtime
from . import main, settings_from

WHEN_HELP = "local time, e.g. '2026-03-02 14:05', or ISO 8601 with an offset"


@main.group()
def breach() -> None:
    """The breach register (GDPR Art. 33-34): add, list, show, assess, notify, close."""


def _found(session: Any, runtime: Runtime, reference: str) -> Breach:
    found = repository.breach_by_reference(session, runtime.organization_id, reference)
    if found is None:
        raise NotFound(f"no breach {reference}")
    return found


@breach.command("add")
@click.option("--detected-at", default="", help=f"when you became aware ({WHEN_HELP}); "
              "default: now. The 72 hours start here")
@click.option("--occurred-at", default="", help="when it happened, if known")
@click.option("--nature", multiple=True, help=f"one of {', '.join(NATURES)}; repeat")
@click.option("--category", "categories", multiple=True,
              help="a data category id of the policy; repeat")
@click.option("--people", default="", help="approximate number of people concerned")
@click.option("--records", default="", help="approximate number of records concerned")
@click.option("--description", default="", help="what happened (required)")
@click.option("--consequences", default="", help="likely consequences for the people")
@click.option("--measures-taken", default="")
@click.option("--measures-proposed", default="")
@click.option("--contact", default="", help="contact point (default: the policy's DPO or "
              "privacy e-mail)")
@click.option("--risk", default="", help=f"if already assessed: {', '.join(RISKS)}")
@click.pass_context
def breach_add(ctx: click.Context, detected_at: str, occurred_at: str,
               nature: tuple[str, ...], categories: tuple[str, ...], people: str,
               records: str, description: str, consequences: str, measures_taken: str,
               measures_proposed: str, contact: str, risk: str) -> None:
    """Record a breach; every bad option is named at once and nothing is written."""
    runtime = open_runtime(settings_from(ctx))
    facts = read_facts(runtime.policy, zone=zone_of(runtime.policy.organization.country),
                       now=utcnow(), detected_at=detected_at, occurred_at=occurred_at,
                       nature=nature, categories=categories, people=people, records=records,
                       description=description, consequences=consequences,
                       measures_taken=measures_taken, measures_proposed=measures_proposed,
                       contact=contact, risk=risk)
    with runtime.transaction() as session:
        created = record_breach(session, runtime, facts, actor="cli")
        click.echo(f"{created.reference}: recorded; {clock_of(created).text()}")


@breach.command("list")
@click.option("--all", "show_all", is_flag=True, help="closed breaches too")
@click.pass_context
def breach_list(ctx: click.Context, show_all: bool) -> None:
    """Open breaches with the 72-hour clock, the first detected first; overdue ones marked."""
    runtime = open_runtime(settings_from(ctx))
    zone = zone_of(runtime.policy.organization.country)
    table = Table()
    for column in ("reference", "status", "detected", "risk", "people", "authority"):
        table.add_column(column, no_wrap=column in ("reference", "authority"))
    with runtime.transaction() as session:
        rows = repository.open_breaches(session, runtime.organization_id)
        if show_all:
            rows += repository.closed_breaches(session, runtime.organization_id)
        for b in rows:
            clock = clock_of(b)
            table.add_row(b.reference, b.status, shown(b.detected_at, zone), b.risk,
                          "?" if b.subjects_affected is None else str(b.subjects_affected),
                          f"[bold red]{clock.short()}[/]" if clock.overdue else clock.short())
    Console().print(table)


@breach.command("show")
@click.argument("reference")
@click.option("--draft", type=click.Choice(["authority", "notice"]), default=None,
              help="print the notification to the authority, or the notice to the people")
@click.option("--lang", "language", type=click.Choice(["en", "fr", "nl"]), default=None,
              help="with --draft notice (default: the policy's default language)")
@click.pass_context
def breach_show(ctx: click.Context, reference: str, draft: str | None,
                language: str | None) -> None:
    """A breach with its sealed texts, or one of its drafts (audited: they may name
    people)."""
    runtime = open_runtime(settings_from(ctx))
    policy = runtime.policy
    with runtime.transaction() as session:
        found = _found(session, runtime, reference)
        texts = narrative(runtime, found)
        target = f"breach:{reference}"
        if draft == "authority":
            record_event(session, runtime.organization_id, actor="cli",
                         action="breach.draft_downloaded", target=target,
                         details={"draft": "authority"})
            click.echo(authority_notification(policy, found, texts), nl=False)
            return
        if draft == "notice":
            language = language or policy.languages.default
            if language not in policy.languages.all:
                raise InvalidInput(f"--lang: one of {', '.join(policy.languages.all)}")
            record_event(session, runtime.organization_id, actor="cli",
                         action="breach.draft_downloaded", target=target,
                         details={"draft": "notice", "language": language})
            click.echo(subject_notice(policy, found, texts, language), nl=False)
            return
        record_event(session, runtime.organization_id, actor="cli", action="breach.viewed",
                     target=target)
        clock = clock_of(found)
        click.echo(json.dumps({
            "reference": found.reference, "status": found.status, "risk": found.risk,
            "detected_at": found.detected_at, "occurred_at": found.occurred_at,
            "deadline": clock.deadline, "clock": clock.text(),
            "nature": found.nature.split(), "categories": found.categories.split(),
            "people": found.subjects_affected, "records": found.records_affected,
            "authority": {"decision": found.authority_decision,
                          "notified_at": found.authority_notified_at,
                          "reference": found.authority_reference},
            "people_told": {"decision": found.subjects_decision,
                            "notified_at": found.subjects_notified_at,
                            "decision_needed": people_decision_needed(found)},
            "closed_at": found.closed_at, "texts": texts},
            indent=2, default=str, ensure_ascii=False))


def _act(ctx: click.Context, reference: str, action: Any, done: str) -> None:
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = _found(session, runtime, reference)
        action(session, runtime, found)
        click.echo(f"{reference}: {done} ({found.status}; {clock_of(found).text()})")


@breach.command("assess")
@click.argument("reference")
@click.option("--risk", type=click.Choice(RISKS), required=True,
              help="unlikely to result in a risk, a risk, or a high risk to the people")
@click.option("--note", default="", help="why")
@click.pass_context
def breach_assess(ctx: click.Context, reference: str, risk: str, note: str) -> None:
    """Record the assessed risk to the people concerned."""
    _act(ctx, reference, lambda s, r, f: assess_risk(s, r, f, risk=risk, note=note,
                                                     actor="cli"), f"risk {risk}")


@breach.command("notify")
@click.argument("reference")
@click.option("--to", "to", type=click.Choice(["authority", "people"]), required=True)
@click.option("--at", "at", default="", help=f"when it was done ({WHEN_HELP}); default: now")
@click.option("--authority-reference", default="", help="the authority's reference")
@click.option("--delay-reason", default="", help="required after 72 hours (Art. 33(1))")
@click.option("--not-required", "not_required", default=None, metavar="REASON",
              help="instead: record why no notification is needed, with the facts")
@click.option("--exemption", type=click.Choice(sorted(EXEMPTIONS)), default=None,
              help="with --to people --not-required: the ground of Art. 34(3)")
@click.option("--public-communication", default="",
              help="with --exemption c: where and how the public is told")
@click.pass_context
def breach_notify(ctx: click.Context, reference: str, to: str, at: str,
                  authority_reference: str, delay_reason: str, not_required: str | None,
                  exemption: str | None, public_communication: str) -> None:
    """Record the notification to the authority or to the people, or why none is needed."""
    def act(session: Any, runtime: Runtime, found: Breach) -> None:
        if not_required is not None and to == "authority":
            authority_not_required(session, runtime, found, reason=not_required, actor="cli")
        elif not_required is not None:
            subjects_not_required(session, runtime, found, ground=exemption or "",
                                  reason=not_required,
                                  public_communication=public_communication, actor="cli")
        else:
            moment = read_moment("--at", at, zone=zone_of(runtime.policy.organization.country),
                                 now=utcnow(), detected_at=found.detected_at)
            if to == "authority":
                notify_authority(session, runtime, found, notified_at=moment,
                                 reference=authority_reference, delay_reason=delay_reason,
                                 actor="cli")
            else:
                notify_subjects(session, runtime, found, notified_at=moment, actor="cli")
    _act(ctx, reference, act, f"{to}: " + ("not required" if not_required is not None
                                           else "notified"))


@breach.command("close")
@click.argument("reference")
@click.option("--note", required=True, help="how the breach was resolved")
@click.pass_context
def breach_close(ctx: click.Context, reference: str, note: str) -> None:
    """Close a breach once nothing the law asks is pending."""
    _act(ctx, reference, lambda s, r, f: close_breach(s, r, f, note=note, actor="cli"),
         "closed")
