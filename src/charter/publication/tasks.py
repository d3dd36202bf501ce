from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .answers import close_windows


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="30", hour="0"), name="publication.close_windows")  # type: ignore[untyped-decorator]
    def close_windows_task() -> int:
        """Every night: change-notice windows that ended count silence as the policy says."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return close_windows(session, runtime)

    return {"publication.close_windows": close_windows_task}
