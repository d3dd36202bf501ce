from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .minors import erase_unconfirmed_minors


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="7"), name="collect.erase_unconfirmed_minors")  # type: ignore[untyped-decorator]
    def erase_unconfirmed_minors_task() -> int:
        """Every hour: children whose parent did not confirm in time are erased."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return erase_unconfirmed_minors(session, runtime)

    return {"collect.erase_unconfirmed_minors": erase_unconfirmed_minors_task}
