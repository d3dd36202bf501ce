"""The ``charter`` command.

Exit codes: 0 success; 1 the thing checked failed (policy errors, broken audit chain);
2 bad input; 3 environment problem (key, database); 4 not found; 5 conflict.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import CharterError
from ..settings import SERVER_SETTINGS, Settings
from .context import settings_options


class CharterGroup(click.Group):
    """Turns Charter's own errors into one clear line and their documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CharterError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=CharterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@settings_options(exclude=SERVER_SETTINGS)
@click.pass_context
def main(ctx: click.Context, /, **overrides: Any) -> None:
    """Charter keeps the promises of your privacy policy.

    Every flag below can also be set as an environment variable CHARTER_<NAME>.
    """
    ctx.obj = {key: value for key, value in overrides.items() if value is not None}


def settings_from(ctx: click.Context, **more: Any) -> Settings:
    given = {**ctx.find_root().obj, **{k: v for k, v in more.items() if v is not None}}
    return Settings(**given)


from . import (  # noqa: E402  (commands register on main)
    admin_cmds,
    breach_cmds,
    complaint_cmds,
    mail_cmds,
    notice_cmds,
    policy_cmds,
    requests_cmds,
    retention_cmds,
    server_cmds,
    systems_cmds,
)

__all__ = [
    "admin_cmds",
    "breach_cmds",
    "complaint_cmds",
    "mail_cmds",
    "main",
    "notice_cmds",
    "policy_cmds",
    "requests_cmds",
    "retention_cmds",
    "server_cmds",
    "settings_from",
    "systems_cmds",
]
