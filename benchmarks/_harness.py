"""Shared pieces of the benchmarks: a throwaway Charter on SQLite or PostgreSQL, timing with
percentiles, and a table of figures with ratios to the baseline measured in the same run."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from charter.db import make_engine, upgrade
from charter.runtime import Runtime, open_runtime
from charter.settings import Settings
from charter.setup import ensure_key, write_policy_from_example


@dataclass
class Timing:
    name: str
    seconds: list[float]

    @property
    def per_second(self) -> float:
        return len(self.seconds) / sum(self.seconds)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000


async def measure(
    name: str, action: Callable[[int], Awaitable[None]], count: int, *, warmup: int = 50
) -> Timing:
    """Time ``count`` sequential calls after ``warmup`` untimed ones."""
    for n in range(warmup):
        await action(n)
    seconds = []
    for n in range(warmup, warmup + count):
        started = time.perf_counter()
        await action(n)
        seconds.append(time.perf_counter() - started)
    return Timing(name, seconds)


@contextmanager
def charter_store(
    database_url: str | None, example: str = "call-international"
) -> Iterator[Runtime]:
    """A fresh data dir and schema (on PostgreSQL: a schema of its own, dropped after)."""
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        url = database_url
        schema = None
        if database_url and database_url.startswith("postgresql"):
            from sqlalchemy import text

            schema = f"charter_bench_{int(time.time())}"
            admin = make_engine(Settings(database_url=database_url).resolved_database_url)
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            joiner = "&" if "?" in database_url else "?"
            url = f"{database_url}{joiner}options=-csearch_path%3D{schema}"
        settings = Settings(data_dir=data, database_url=url, policy=data / "charter.yaml")
        write_policy_from_example(example, settings.policy, force=True)
        ensure_key(settings)
        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        try:
            yield open_runtime(settings, engine=engine)
        finally:
            engine.dispose()
            if schema:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()


def report(title: str, pairs: list[tuple[Timing, Timing]], console: Console) -> None:
    table = Table(title=title)
    for column in ("measured", "per second", "p50 ms", "p99 ms", "× baseline time"):
        table.add_column(column, justify="right" if column != "measured" else "left")
    for charter, baseline in pairs:
        for timing in (baseline, charter):
            table.add_row(
                timing.name,
                f"{timing.per_second:,.0f}",
                f"{timing.median_ms:.2f}",
                f"{timing.percentile(99):.2f}",
                f"{timing.median_ms / baseline.median_ms:.1f}",
            )
    console.print(table)
