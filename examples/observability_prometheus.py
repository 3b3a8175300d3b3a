"""Prometheus-style statement metrics from KakaORM's statement events, with no
dependency: a counter of statements by operation and outcome, and a latency histogram
with cumulative buckets, kept in plain dicts and printed in the text exposition format.

With ``prometheus_client`` installed, call its ``Counter.labels(...).inc()`` and
``Histogram.labels(...).observe(...)`` in ``record`` instead.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

import kakaorm
from kakaorm import AfterExecute, IntColumn, Model, StrColumn

#: upper bounds of the latency buckets, in seconds
BUCKETS: tuple[float, ...] = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, float("inf"))

statements_total: defaultdict[tuple[str, str], int] = defaultdict(int)
duration_buckets: defaultdict[tuple[str, float], int] = defaultdict(int)
duration_sum: defaultdict[str, float] = defaultdict(float)
duration_count: defaultdict[str, int] = defaultdict(int)


def record(event: AfterExecute) -> None:
    """Count the statement and put its duration in the histogram (an after_execute hook)."""
    operation = event.sql.split(None, 1)[0].upper() if event.sql else "SQL"
    if event.error is not None:
        outcome = type(event.error).__name__
    elif event.cancelled:
        outcome = "cancelled"
    else:
        outcome = "ok"
    statements_total[(operation, outcome)] += 1
    for bound in BUCKETS:
        if event.duration <= bound:
            duration_buckets[(operation, bound)] += 1
    duration_sum[operation] += event.duration
    duration_count[operation] += 1


def exposition() -> str:
    """The metrics in Prometheus' text format."""
    lines = ["# TYPE kakaorm_statements_total counter"]
    for (operation, outcome), count in sorted(statements_total.items()):
        lines.append(f'kakaorm_statements_total{{operation="{operation}",outcome="{outcome}"}} {count}')
    lines.append("# TYPE kakaorm_statement_duration_seconds histogram")
    for operation in sorted(duration_count):
        for bound in BUCKETS:
            le = "+Inf" if bound == float("inf") else repr(bound)
            count = duration_buckets[(operation, bound)]
            lines.append(f'kakaorm_statement_duration_seconds_bucket{{operation="{operation}",le="{le}"}} {count}')
        lines.append(f'kakaorm_statement_duration_seconds_sum{{operation="{operation}"}} {duration_sum[operation]}')
        lines.append(f'kakaorm_statement_duration_seconds_count{{operation="{operation}"}} {duration_count[operation]}')
    return "\n".join(lines)


class Page(Model):
    path = StrColumn(nullable=False, max_length=100)
    hits = IntColumn(nullable=False, default=0)


async def main() -> None:
    engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
    engine.add_listener(after_execute=record)
    await engine.create_table(Page)
    page = await Page.create(path="/")
    await Page.where(Page.id == page.id).update(hits=Page.hits + 1)
    print(exposition())
    await engine.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
