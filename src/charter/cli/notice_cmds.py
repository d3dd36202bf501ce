"""The notice, its versions, and the record of processing."""

from __future__ import annotations

import getpass
import hashlib
import json
from datetime import datetime
from pathlib import Path

import click
from rich.progress import Progress

from ..errors import InvalidInput, NotFound
from ..policy import Policy, load_policy
from ..policy.diff import diff_policies
from ..policy.notice import build_notice
from ..policy.notice_render import RENDERERS
from ..policy.ropa import RENDERERS as ROPA_RENDERERS
from ..publication import repository
from ..publication.service import publish, published_policy, version_label
from ..runtime import Runtime, open_runtime
from . import main, settings_from


def _published_number(runtime: Runtime) -> int | None:
    """The version number of the policy in force, if it is the one last published."""
    with runtime.transaction() as session:
        latest = repository.latest(session, runtime.organization_id)
    digest = hashlib.sha256(runtime.loaded.source.encode()).hexdigest()
    return latest.number if latest and latest.content_hash == digest else None


@main.command()
@click.option("--lang", "language", type=click.Choice(["en", "fr", "nl"]), default=None,
              help="default: the policy's default language")
@click.option("--format", "fmt", type=click.Choice(sorted(RENDERERS)), default="txt",
              show_default=True)
@click.option("--version", "number", type=int, default=None,
              help="a published version (default: the policy in force)")
@click.pass_context
def notice(ctx: click.Context, language: str | None, fmt: str, number: int | None) -> None:
    """Print the privacy notice, written from the policy."""
    runtime = open_runtime(settings_from(ctx))
    language = language or runtime.policy.languages.default
    if number is not None:
        with runtime.transaction() as session:
            version = repository.by_number(session, runtime.organization_id, number)
            if version is None:
                raise NotFound(f"no published version {number}")
            texts = json.loads(version.notices)
        click.echo((texts.get(language) or texts[runtime.policy.languages.default])[fmt],
                   nl=False)
        return
    current = _published_number(runtime)
    document = build_notice(runtime.policy, language,
                            version=version_label(current, language),
                            effective=runtime.policy.effective_date,
                            privacy_center=f"{runtime.settings.public_url}/requests/new"
                                           f"?lang={language}")
    click.echo(RENDERERS[fmt](document), nl=False)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in the user database
        return "unknown"


@main.command("publish")
@click.option("--effective-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="when the new version applies (default: today; for a material change, "
                   "the end of the objection window, and not earlier)")
@click.option("--by", "publisher", default=None, metavar="NAME",
              help="who publishes, recorded as cli:NAME (default: the system user)")
@click.pass_context
def publish_cmd(ctx: click.Context, effective_date: datetime | None,
                publisher: str | None) -> None:
    """Store the policy in force as the next version of the notice (immutable), and tell the
    people a material change concerns."""
    runtime = open_runtime(settings_from(ctx))
    with Progress(transient=True) as progress, runtime.transaction() as session:
        task = progress.add_task("change notices", total=None)
        done = publish(session, runtime, actor=f"cli:{publisher or _os_user()}",
                       effective_on=effective_date.date() if effective_date else None,
                       on_notice=lambda n, total: progress.update(task, completed=n,
                                                                  total=total))
    version = done.version
    click.echo(f"published version {version.number}, in force from {version.effective_on}")
    for change in done.changes:
        click.echo(f"  {change.line()}")
    if version.material:
        click.echo(f"material change: {done.notified} person(s) told; they may answer until "
                   f"{version.window_ends_on or version.effective_on}")


def _policy(ctx: click.Context, given: str | None) -> tuple[Policy, str]:
    """A version number, a policy file, or (None) the policy in force."""
    if given is not None and not given.isdigit():
        return load_policy(Path(given)).policy, given
    runtime = open_runtime(settings_from(ctx))
    if given is None:
        return runtime.policy, str(runtime.settings.policy)
    with runtime.transaction() as session:
        version = repository.by_number(session, runtime.organization_id, int(given))
    if version is None:
        raise NotFound(f"no published version {given}")
    return published_policy(version), f"version {given}"


@main.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.pass_context
def diff(ctx: click.Context, old: str | None, new: str | None) -> None:
    """List what changed from OLD to NEW (a version number or a policy file; defaults: the
    last published version and the policy in force), material changes marked."""
    if old is None:
        runtime = open_runtime(settings_from(ctx))
        with runtime.transaction() as session:
            latest = repository.latest(session, runtime.organization_id)
        if latest is None:
            raise InvalidInput("nothing published yet: give OLD as a policy file")
        old = str(latest.number)
    before, before_name = _policy(ctx, old)
    after, after_name = _policy(ctx, new)
    changes = diff_policies(before, after)
    for change in changes:
        click.echo(change.line())
    material = sum(c.material for c in changes)
    click.echo(f"{before_name} → {after_name}: {len(changes)} change(s), {material} material",
               err=True)


@main.command()
@click.option("--format", "fmt", type=click.Choice(sorted(ROPA_RENDERERS)), default="csv",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write to this file instead of printing")
@click.pass_context
def ropa(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """The record of processing activities (Art. 30 GDPR): CSV, HTML or JSON-LD (W3C DPV)."""
    policy = load_policy(settings_from(ctx).policy).policy
    text = ROPA_RENDERERS[fmt](policy)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output}")
    else:
        click.echo(text, nl=False)
