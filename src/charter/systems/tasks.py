from __future__ import annotations

from typing import Any

from huey import Huey


def register(queue: Huey) -> dict[str, Any]:
    """Periodic jobs of the connectors (none yet)."""
    return {}
