from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .service import verify_and_record


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="17", hour="3"), name="audit.verify_chain")  # type: ignore[untyped-decorator]
    def verify_chain_task() -> bool:
        """Daily proof that the log is intact, itself written into the log."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return verify_and_record(session, runtime.organization_id, actor="system").intact

    return {"audit.verify_chain": verify_chain_task}
