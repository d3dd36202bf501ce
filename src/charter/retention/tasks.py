from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .sweep import sweep


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="40", hour="2"), name="retention.sweep")  # type: ignore[untyped-decorator]
    def sweep_task() -> int:
        """Every night: what the policy no longer allows to keep is deleted or anonymised;
        each batch leaves its evidence in the audit log."""
        report = sweep(current_runtime(), actor="system")
        return report.deleted + report.anonymised + sum(report.by_products.values())

    return {"retention.sweep": sweep_task}
