"""charter systems: the systems a policy declares."""

from __future__ import annotations

from . import main


@main.group()
def systems() -> None:
    """The systems that hold personal data (SQL databases, webhooks, manual systems)."""
