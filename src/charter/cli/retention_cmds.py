"""charter retention: what the policy no longer allows to keep."""

from __future__ import annotations

from . import main


@main.group()
def retention() -> None:
    """Retention: plan and run the sweeps that delete or anonymise what is due."""
