"""Commands about the policy file and the data dir: check, init, migrate, import."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import Progress

from ..collect.importer import import_file, read_rows
from ..db import make_engine, upgrade
from ..policy import lint, load_policy
from ..runtime import open_runtime
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


@main.command("import")
@click.option("--source", required=True, help="a collection point of kind `import`")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, source: str, file: Path) -> None:
    """Load existing data from a CSV (with a header) or JSON-lines FILE.

    Columns: the collection point's fields; optional collected_at, last_contact_at,
    contract_end_at (YYYY-MM-DD), language; consent:PURPOSE:CHANNEL (yes, or the date it was
    given) with consent_method and consent_evidence. Bad rows are listed by line number and
    nothing of them is stored (exit 1). Interrupted, run it again: it resumes.
    """
    runtime = open_runtime(settings_from(ctx))
    total = sum(1 for _ in read_rows(file))
    with Progress(transient=True) as progress:
        task = progress.add_task(f"importing {file.name}", total=total)
        report = import_file(runtime, source, file, on_row=lambda: progress.advance(task))
    if report.already_done:
        click.echo(f"{file} was already imported into {source!r}: nothing to do")
    elif report.resumed_at:
        click.echo(f"resumed at row {report.resumed_at + 1}")
    lines = sorted({line for line, _, _ in report.rejected})
    click.echo(f"{report.stored} row(s) stored, {len(lines)} rejected")
    for line, name, problem in report.rejected:
        click.echo(f"{file}:{line}: {name}: {problem}", err=True)
    if lines:
        ctx.exit(1)


@main.group()
def forms() -> None:
    """The declared forms."""


@forms.command("snippet")
@click.argument("point")
@click.option("--lang", "language", type=click.Choice(["en", "fr", "nl"]), default=None,
              help="default: the policy's default language")
@click.pass_context
def forms_snippet(ctx: click.Context, point: str, language: str | None) -> None:
    """Print the HTML of form POINT to paste into your own site (it carries its embed token;
    add the site to CHARTER_EMBED_ORIGINS to frame /forms/POINT instead)."""
    from ..collect.pages import form_snippet

    runtime = open_runtime(settings_from(ctx))
    click.echo(form_snippet(runtime, point, language or runtime.policy.languages.default))
