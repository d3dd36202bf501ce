"""Commands about the policy file and the data dir: check, init, migrate."""

from __future__ import annotations

from pathlib import Path

import click

from ..db import make_engine, upgrade
from ..policy import lint, load_policy
from ..setup import example_names, prepare, write_policy_from_example
from . import main, settings_from


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--quiet", is_flag=True, help="print errors only")
@click.pass_context
def check(ctx: click.Context, file: Path | None, quiet: bool) -> None:
    """Validate and lint a policy file (default: the configured policy).

    Exit 0 when Charter can enforce it (warnings are printed), 1 when it has errors,
    2 when it does not load at all.
    """
    path = file or settings_from(ctx).policy
    loaded = load_policy(path)
    findings = lint(loaded)
    errors = [f for f in findings if f.severity == "error"]
    for finding in findings:
        if finding.severity == "error" or not quiet:
            click.echo(finding.format(str(path)))
    warnings = len(findings) - len(errors)
    click.echo(f"{path}: {len(errors)} error(s), {warnings} warning(s)", err=True)
    if errors:
        ctx.exit(1)


@main.command()
@click.option(
    "--example",
    type=click.Choice(example_names()),
    default=None,
    help="write this example policy as the policy file",
)
@click.option("--force", is_flag=True, help="overwrite an existing policy file")
@click.pass_context
def init(ctx: click.Context, example: str | None, force: bool) -> None:
    """Create the data dir, the key file (mode 0600) and the database schema."""
    settings = settings_from(ctx)
    if example:
        write_policy_from_example(example, settings.policy, force=force)
        click.echo(f"wrote {settings.policy} from example {example!r}")
    runtime = prepare(settings)
    click.echo(f"data dir {settings.data_dir} ready for {runtime.policy.organization.legal_name}")
    if settings.key is None:
        click.echo(f"key file {settings.key_file} (keep a copy somewhere safe)")


@main.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Bring the database schema up to date (idempotent)."""
    settings = settings_from(ctx)
    upgrade(make_engine(settings.resolved_database_url))
    click.echo("schema up to date")
