from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .exports import delete_expired_exports
from .fulfilment import retry_failed_parts
from .intake import expire_unverified
from .reminders import remind_staff


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="0", hour="7"), name="rights.remind_staff")  # type: ignore[untyped-decorator]
    def remind_staff_task() -> int:
        """Every morning: requests due within a week, and overdue ones, to staff."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return remind_staff(session, runtime)

    @queue.periodic_task(crontab(minute="*/10"), name="rights.housekeeping")  # type: ignore[untyped-decorator]
    def housekeeping_task() -> int:
        """Retry failed systems, lapse unconfirmed requests, delete expired exports."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return (retry_failed_parts(session, runtime) + expire_unverified(session, runtime)
                    + delete_expired_exports(session, runtime))

    return {"rights.remind_staff": remind_staff_task, "rights.housekeeping": housekeeping_task}
