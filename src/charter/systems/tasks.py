from __future__ import annotations

import logging
from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from ..logs import failure
from .callbacks import expire_silent_deliveries
from .manual import remind_tasks
from .sql_holds import release_ended_holds

log = logging.getLogger(__name__)


def register(queue: Huey) -> dict[str, Any]:
    """Periodic jobs of the connectors. Failed parts are retried by rights.housekeeping."""

    @queue.periodic_task(crontab(minute="30", hour="7"), name="systems.remind_tasks")  # type: ignore[untyped-decorator]
    def remind_tasks_task() -> int:
        """Every morning: tasks of manual systems due within two days, or overdue."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return remind_tasks(session, runtime)

    @queue.periodic_task(crontab(minute="*/10"), name="systems.silent_webhooks")  # type: ignore[untyped-decorator]
    def silent_webhooks_task() -> int:
        """Webhooks that accepted a call but never called back are asked again."""
        runtime = current_runtime()
        try:
            with runtime.transaction() as session:
                return expire_silent_deliveries(session, runtime)
        except Exception as exc:
            log.warning("systems: silent webhooks failed (%s)", failure(exc))
            return 0

    @queue.periodic_task(crontab(minute="20", hour="3"), name="systems.release_holds")  # type: ignore[untyped-decorator]
    def release_holds_task() -> int:
        """Every night: rows of SQL systems whose legal hold has ended get the ``then`` of
        their table (a system that cannot be reached is tried again the next night)."""
        runtime = current_runtime()
        with runtime.transaction() as session:
            return release_ended_holds(session, runtime)

    return {"systems.remind_tasks": remind_tasks_task,
            "systems.silent_webhooks": silent_webhooks_task,
            "systems.release_holds": release_holds_task}
