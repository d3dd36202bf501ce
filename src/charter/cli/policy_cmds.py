"""Commands about the policy file: check, init."""

from __future__ import annotations

from pathlib import Path

import click

from ..policy import lint, load_policy
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
