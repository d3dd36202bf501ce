from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .service import purge_idle_sessions


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="*/15"), name="accounts.purge_idle_sessions")  # type: ignore[untyped-decorator]
    def purge_idle_sessions_task() -> int:
        runtime = current_runtime()
        with runtime.transaction() as session:
            return purge_idle_sessions(session, runtime)

    return {"accounts.purge_idle_sessions": purge_idle_sessions_task}
