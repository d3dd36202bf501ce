from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .service import record_event, verify_chain


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="17", hour="3"), name="audit.verify_chain")  # type: ignore[untyped-decorator]
    def verify_chain_task() -> bool:
        """Daily proof that the log is intact, itself written into the log."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            report = verify_chain(session, runtime.organization_id)
            record_event(
                session,
                runtime.organization_id,
                actor="system",
                action="audit.verified",
                details={
                    "checked": report.checked,
                    "intact": report.intact,
                    "broken_at": report.broken_at,
                },
            )
            return report.intact

    return {"audit.verify_chain": verify_chain_task}
