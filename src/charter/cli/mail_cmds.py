"""Mail, newsletter and campaigns from the command line."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

import click
from rich.progress import Progress

from ..errors import EnvironmentProblem, InvalidInput
from ..mail.service import deliver_due
from ..mail.transport import transport_for
from ..newsletter.campaigns import Letter, audience_size, send_campaign
from ..newsletter.service import handle_inbound, subscribe_manually
from ..runtime import Runtime, open_runtime
from . import main, settings_from


def _by_language(runtime: Runtime, given: tuple[str, ...], what: str) -> dict[str, str]:
    """``LANG=FILE`` or a bare ``FILE`` (the policy's default language) → texts by language."""
    texts: dict[str, str] = {}
    for item in given:
        language, _, name = item.rpartition("=") if "=" in item else ("", "", item)
        language = language or runtime.policy.languages.default
        if language in texts:
            raise InvalidInput(f"{what}: {language} given twice")
        try:
            texts[language] = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"{what}: cannot read {name}: {exc}") from None
    return texts


@main.group()
def campaign() -> None:
    """Newsletter campaigns."""


@campaign.command("send")
@click.option("--purpose", required=True, help="a consent-based purpose of the policy")
@click.option("--subject-file", "subject_files", multiple=True, required=True,
              help="the subject line: FILE for the default language, or LANG=FILE; repeat")
@click.option("--body-file", "body_files", multiple=True, required=True,
              help="the text: FILE for the default language, or LANG=FILE; repeat")
@click.option("--dry-run", is_flag=True, help="say how many people it would reach, send nothing")
@click.pass_context
def campaign_send(ctx: click.Context, purpose: str, subject_files: tuple[str, ...],
                  body_files: tuple[str, ...], dry_run: bool) -> None:
    """Queue a campaign for everyone with current consent for PURPOSE by e-mail."""
    runtime = open_runtime(settings_from(ctx))
    subjects = _by_language(runtime, subject_files, "subject-file")
    bodies = _by_language(runtime, body_files, "body-file")
    if set(subjects) != set(bodies):
        raise InvalidInput("give a subject and a body for the same languages")
    letters = {lang: Letter(subject=subjects[lang].strip(), body=bodies[lang])
               for lang in subjects}
    with runtime.transaction() as session:
        size = audience_size(session, runtime, purpose)
    if dry_run:
        click.echo(f"would reach {size} recipient(s)")
        return
    with Progress(transient=True) as progress, runtime.transaction() as session:
        task = progress.add_task("queueing", total=size)
        sent = send_campaign(session, runtime, purpose=purpose, letters=letters, actor="cli",
                             on_recipient=lambda: progress.advance(task))
    where = "delivered by the running server or workers" if runtime.settings.smtp_host else (
        "kept in the outbox: no SMTP server is configured")
    click.echo(f"campaign {sent.id} queued for {sent.recipients} recipient(s); {where}")


@main.group()
def mail() -> None:
    """The outbox and incoming unsubscribe mail."""


@mail.command("deliver")
@click.pass_context
def mail_deliver(ctx: click.Context) -> None:
    """Send what is due now (the server and workers also do it every minute)."""
    runtime = open_runtime(settings_from(ctx))
    transport = transport_for(runtime.settings)
    if transport is None:
        raise EnvironmentProblem("no CHARTER_SMTP_HOST: mail stays in the outbox")
    total = sent = 0
    with Progress(transient=True) as progress:
        task = progress.add_task("sending", total=None)
        while (report := deliver_due(runtime, transport)).handled:
            total += report.handled
            sent += report.sent
            progress.advance(task, report.handled)
            if not (report.sent or report.cancelled):
                break  # only failures and retries left: their time has not come yet
    click.echo(f"{sent} sent of {total} handled")


@mail.command("inbound")
@click.argument("file", type=click.File("rb"), default="-")
@click.pass_context
def mail_inbound(ctx: click.Context, file: BinaryIO) -> None:
    """Process one mail sent to the unsubscribe address (a file, or stdin from the MTA)."""
    raw = file.read()
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        done = handle_inbound(session, runtime, raw)
    click.echo("unsubscribed" if done else "no unsubscribe link found")
    if done is None:
        ctx.exit(4)


@main.group()
def newsletter() -> None:
    """Newsletter subscriptions."""


@newsletter.command("add")
@click.argument("email")
@click.option("--method", type=click.Choice(["written", "verbal"]), required=True)
@click.option("--evidence", "evidence_file", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="the signed agreement (scan, PDF)")
@click.option("--note", default=None, help="who took it, when, how")
@click.option("--obtained-at", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
              default=None, help="when it was given (UTC)")
@click.option("--language", type=click.Choice(["en", "fr", "nl"]), default=None)
@click.pass_context
def newsletter_add(ctx: click.Context, email: str, method: Literal["written", "verbal"],
                   evidence_file: Path | None,
                   note: str | None, obtained_at: datetime | None, language: str | None) -> None:
    """Record a subscription given in writing or by phone, with its evidence."""
    runtime = open_runtime(settings_from(ctx))
    evidence: dict[str, str] = {}
    if note:
        evidence["note"] = note
    if evidence_file:
        evidence["document"] = base64.b64encode(evidence_file.read_bytes()).decode()
        evidence["document_name"] = evidence_file.name
    with runtime.transaction() as session:
        subscribe_manually(session, runtime, email=email, language=language,
                           method=method, evidence=evidence, actor="cli",
                           obtained_at=obtained_at.replace(tzinfo=UTC) if obtained_at else None)
    click.echo(f"subscribed {email.strip().lower()} ({method})")

