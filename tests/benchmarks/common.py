"""Shared parts of the benchmarks: timing, a database per engine, the table."""

from __future__ import annotations

import statistics
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from piccolo.engine.base import Engine

from service.db import apply_migrations, bind_engine, close_engine, open_engine
from service.engines import engine_from_url
from tests.conftest import create_postgres_database, drop_postgres_database


@dataclass
class Row:
    benchmark: str
    case: str
    engine: str
    figures: dict[str, float | int | str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "benchmark": self.benchmark,
            "case": self.case,
            "engine": self.engine,
            **self.figures,
        }


async def timed(work: Callable[[], Awaitable[object]], repeat: int) -> dict[str, float]:
    """Median, p95 and rate of `repeat` sequential calls, after a warm-up call."""
    await work()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await work()
        samples.append(time.perf_counter() - started)
    samples.sort()
    return {
        "n": repeat,
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))] * 1000, 2),
        "per_s": round(repeat / sum(samples), 1),
    }


@asynccontextmanager
async def migrated_engine(kind: str) -> AsyncIterator[tuple[str, Engine]]:
    """A fresh, migrated database of the given engine, bound for Piccolo."""
    if kind == "postgres":
        url = await create_postgres_database()
        try:
            async with _bound(url) as engine:
                yield url, engine
        finally:
            await drop_postgres_database(url)
        return
    with TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        async with _bound(url) as engine:
            yield url, engine


@asynccontextmanager
async def _bound(url: str) -> AsyncIterator[Engine]:
    engine = engine_from_url(url)
    bind_engine(engine)
    await open_engine(engine)
    try:
        await apply_migrations(url, quiet=True)
        yield engine
    finally:
        await close_engine(engine)


def print_table(rows: list[Row]) -> None:
    columns = ["benchmark", "case", "engine"]
    for row in rows:
        for key in row.figures:
            if key not in columns:
                columns.append(key)
    table = [[str(row.as_dict().get(column, "")) for column in columns] for row in rows]
    widths = (
        [max(len(column), *(len(line[i]) for line in table)) for i, column in enumerate(columns)]
        if table
        else [len(c) for c in columns]
    )
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)))
    print("  ".join("-" * width for width in widths))
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
