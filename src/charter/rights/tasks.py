from __future__ import annotations

import logging
from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from ..logs import failure
from .exports import delete_expired_exports
from .fulfilment import lift_due_restrictions, retry_failed_parts
from .intake import expire_unverified, forget_rate_events
from .reminders import remind_staff

log = logging.getLogger(__name__)


def register(queue: Huey) -> dict[str, Any]:
    @queue.periodic_task(crontab(minute="0", hour="7"), name="rights.remind_staff")  # type: ignore[untyped-decorator]
    def remind_staff_task() -> int:
        """Every morning: requests due within a week, and overdue ones, to staff."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return remind_staff(session, runtime)

    @queue.periodic_task(crontab(minute="*/10"), name="rights.housekeeping")  # type: ignore[untyped-decorator]
    def housekeeping_task() -> int:
        """Retry failed systems, lapse unconfirmed requests, lift restrictions whose notice
        ran out, delete expired exports and old rate-limit marks: each in its own
        transaction, so one failing does not stop the others."""
        runtime = current_runtime()
        done = 0
        for step in (retry_failed_parts, expire_unverified, lift_due_restrictions,
                     delete_expired_exports, forget_rate_events):
            try:
                with runtime.transaction() as session:
                    done += step(session, runtime)
            except Exception as exc:
                log.warning("rights housekeeping: %s failed (%s)", step.__name__,
                            failure(exc))
        return done

    return {"rights.remind_staff": remind_staff_task, "rights.housekeeping": housekeeping_task}
