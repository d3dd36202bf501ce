"""Staff, API keys, encryption keys and the audit log."""

from __future__ import annotations

import secrets

import click
from rich.progress import Progress

from ..accounts.repository import user_by_email
from ..accounts.service import API_SCOPES, add_api_key, add_staff_user
from ..accounts.totp import turn_off
from ..audit import ChainHead, chain_head, verify_chain
from ..errors import NotFound
from ..keys.service import check_rotatable, rotate_keys
from ..runtime import open_runtime
from . import main, settings_from


@main.group()
def user() -> None:
    """Staff accounts."""


@user.command("add")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    help="a role declared in the policy (default roles: admin, dpo, support, billing, viewer)",
)
@click.option("--password", default=None, help="default: a random one, printed once")
@click.pass_context
def user_add(ctx: click.Context, email: str, role: str, password: str | None) -> None:
    """Add a staff user who can log in to the Portal."""
    runtime = open_runtime(settings_from(ctx))
    chosen = password or secrets.token_urlsafe(12)
    with runtime.transaction() as session:
        add_staff_user(session, runtime, email=email, role=role, password=chosen, actor="cli")
    click.echo(f"added {email.lower()} as {role}")
    if password is None:
        click.echo(f"password: {chosen}")


@user.command("totp-off")
@click.argument("email")
@click.pass_context
def user_totp_off(ctx: click.Context, email: str) -> None:
    """Turn off two-step login for a user who lost their authenticator (they set it up again
    from their account page)."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        found = user_by_email(session, runtime.organization_id, email.strip().lower())
        if found is None:
            raise NotFound(f"no staff user {email}")
        turn_off(session, runtime, found, code=None, actor="cli")
    click.echo(f"two-step login is off for {email.lower()}")


@main.group()
def apikey() -> None:
    """API keys for machine clients."""


@apikey.command("add")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    required=True,
    type=click.Choice(API_SCOPES),
    help="repeat for several scopes",
)
@click.pass_context
def apikey_add(ctx: click.Context, name: str, scopes: tuple[str, ...]) -> None:
    """Create an API key; it is printed once. Clients send 'Authorization: Bearer KEY'."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        secret = add_api_key(session, runtime, name=name, scopes=list(scopes), actor="cli")
    click.echo(secret)


@main.group()
def keys() -> None:
    """Encryption keys."""


@keys.command("rotate")
@click.pass_context
def keys_rotate(ctx: click.Context) -> None:
    """Make a new data key active and re-encrypt everything under it (resumable)."""
    runtime = open_runtime(settings_from(ctx))
    check_rotatable(runtime)
    with Progress(transient=False) as progress:
        task = progress.add_task("re-encrypting", total=None)
        report = rotate_keys(
            runtime,
            on_start=lambda total: progress.update(task, total=total),
            on_batch=lambda count: progress.advance(task, count),
        )
    resumed = " (resumed an interrupted rotation)" if report.resumed else ""
    click.echo(
        f"active key {report.active_key}; {report.reencrypted} value(s) re-encrypted"
        f"{resumed}; retired {', '.join(report.retired) or 'none'}"
    )


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@click.option("--expect", "expected", metavar="SEQ:HASH", default=None,
              help="a head printed earlier by `charter audit head` and kept outside the "
              "database: the chain must still pass through it")
@click.pass_context
def audit_verify(ctx: click.Context, expected: str | None) -> None:
    """Check the hash chain; exit 1 naming the first event edited, deleted or reordered, or
    the newest events missing."""
    expect = ChainHead.parse(expected) if expected else None
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        report = verify_chain(session, runtime.organization_id, expect=expect)
    if report.intact:
        kept = f"; passes through the head you kept (#{expect.seq})" if expect else ""
        click.echo(f"audit chain intact: {report.checked} event(s) verified; "
                   f"head {report.head}{kept}")
        return
    click.echo(f"audit chain BROKEN: {report.problem}", err=True)
    ctx.exit(1)


@audit.command("head")
@click.pass_context
def audit_head(ctx: click.Context) -> None:
    """Print the chain's head as SEQ:HASH, to keep outside the database and pass back to
    `charter audit verify --expect`."""
    runtime = open_runtime(settings_from(ctx))
    with runtime.transaction() as session:
        click.echo(str(chain_head(session, runtime.organization_id)))
