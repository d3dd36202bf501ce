"""Background jobs on Huey: SQLite queue inside `charter serve`, or Redis and `charter worker`.

Each domain keeps its jobs in its own ``tasks.py`` with a ``register(queue)`` function; jobs
find the runtime through :func:`current_runtime`, bound once per process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.consumer import Consumer
from sqlalchemy import event
from sqlalchemy.orm import Session

from .db import CharterSession
from .errors import EnvironmentProblem
from .runtime import Runtime
from .settings import Settings

log = logging.getLogger(__name__)
_runtime: Runtime | None = None
_queue: JobQueue | None = None


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


def bind_queue(queue: JobQueue | None) -> None:
    """The queue this process enqueues into (the server's and the workers'; none in tests)."""
    global _queue
    _queue = queue


def enqueue_after_commit(session: Session, task: str) -> None:
    """Run ``task`` soon, once the current transaction has committed — never for work that
    was rolled back (an e-mail about an erasure that did not happen is never sent)."""
    session.info.setdefault("charter_jobs", set()).add(task)


@event.listens_for(CharterSession, "after_commit")
def _enqueue_committed(session: Session) -> None:
    names = session.info.pop("charter_jobs", set())
    if _queue is None:
        return  # no queue in this process: the periodic run picks the work up
    for name in sorted(names):
        try:
            _queue.tasks[name]()
        except Exception:  # the queue being down must not fail a committed request
            log.warning("could not enqueue %s; its periodic run will catch up", name)


@event.listens_for(CharterSession, "after_rollback")
def _drop_rolled_back(session: Session) -> None:
    session.info.pop("charter_jobs", None)


def build_queue(settings: Settings) -> JobQueue:
    if settings.redis_url:
        huey: Huey = RedisHuey("charter", url=settings.redis_url)
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("charter", filename=str((settings.data_dir / "jobs.db").resolve()))
    from .accounts import tasks as account_tasks
    from .audit import tasks as audit_tasks
    from .collect import tasks as collect_tasks
    from .mail import tasks as mail_tasks
    from .publication import tasks as publication_tasks
    from .retention import tasks as retention_tasks
    from .rights import tasks as rights_tasks
    from .systems import tasks as systems_tasks

    queue = JobQueue(huey)
    for module in (account_tasks, audit_tasks, collect_tasks, mail_tasks, publication_tasks,
                   retention_tasks, rights_tasks, systems_tasks):
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
