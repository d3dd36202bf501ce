"""Background jobs on Huey: SQLite queue inside `charter serve`, or Redis and `charter worker`.

Each domain keeps its jobs in its own ``tasks.py`` with a ``register(queue)`` function; jobs
find the runtime through :func:`current_runtime`, bound once per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from .errors import EnvironmentProblem
from .runtime import Runtime
from .settings import Settings

_runtime: Runtime | None = None


def bind_runtime(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def current_runtime() -> Runtime:
    if _runtime is None:
        raise EnvironmentProblem("no runtime bound in this process (bind_runtime not called)")
    return _runtime


@dataclass
class JobQueue:
    huey: Huey
    tasks: dict[str, Any] = field(default_factory=dict)
    """Task wrappers by name: calling one enqueues it and returns a huey ``Result``."""


def build_queue(settings: Settings) -> JobQueue:
    if settings.redis_url:
        huey: Huey = RedisHuey("charter", url=settings.redis_url)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("charter", filename=str((settings.data_dir / "jobs.db").resolve()))
    from .accounts import tasks as account_tasks
    from .audit import tasks as audit_tasks

    queue = JobQueue(huey)
    for module in (account_tasks, audit_tasks):
        queue.tasks.update(module.register(huey))
    return queue


class EmbeddedConsumer(Consumer):  # type: ignore[misc]
    """A consumer living inside the web process: it leaves the server's signals alone."""

    def _set_signal_handlers(self) -> None:
        return None


def start_embedded_consumer(queue: JobQueue, **options: Any) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(queue.huey, workers=1, periodic=True, **options)
    consumer.start()
    return consumer


def stop_embedded_consumer(consumer: EmbeddedConsumer) -> None:
    thread = threading.Thread(target=consumer.stop, kwargs={"graceful": True}, daemon=True)
    thread.start()
    thread.join(timeout=10)
