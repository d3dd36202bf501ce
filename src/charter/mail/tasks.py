from __future__ import annotations

from typing import Any

from huey import Huey, crontab

from ..jobs import current_runtime
from .service import DELIVER_TASK, deliver_due
from .transport import transport_for


def _deliver() -> int:
    runtime = current_runtime()
    transport = transport_for(runtime.settings)
    if transport is None:  # no SMTP server configured: mail stays readable in the outbox
        return 0
    return deliver_due(runtime, transport).sent


def register(queue: Huey) -> dict[str, Any]:
    @queue.task(name=DELIVER_TASK)  # type: ignore[untyped-decorator]
    def deliver_now() -> int:
        """Queued right after a transaction that wrote mail commits."""
        return _deliver()

    @queue.periodic_task(crontab(minute="*"), name="mail.deliver_due")  # type: ignore[untyped-decorator]
    def deliver_periodically() -> int:
        """Retries and anything a lost enqueue left behind."""
        return _deliver()

    return {DELIVER_TASK: deliver_now, "mail.deliver_due": deliver_periodically}
