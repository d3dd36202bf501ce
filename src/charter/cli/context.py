"""Click options generated from :class:`charter.settings.Settings`, so no setting lacks a flag."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def _click_type(annotation: Any) -> Any:
    text = str(annotation)
    if "Literal" in text:
        return click.Choice(list(getattr(annotation, "__args__", ())))
    if "Path" in text:
        return click.Path(path_type=Path)
    if "bool" in text:
        return click.BOOL
    if "int" in text:
        return int
    return str


def settings_options(*, only: Iterable[str] = (), exclude: Iterable[str] = ()) -> Callable[[F], F]:
    names = [n for n in Settings.model_fields if (not only or n in only) and n not in exclude]

    def decorate(func: F) -> F:
        for name in reversed(names):
            field = Settings.model_fields[name]
            flag = "--" + name.replace("_", "-")
            env = f"CHARTER_{name.upper()}"
            help_text = f"{field.description or ''} [env {env}]"
            func = click.option(
                flag, name, type=_click_type(field.annotation), default=None, help=help_text
            )(func)
        return func

    return decorate
