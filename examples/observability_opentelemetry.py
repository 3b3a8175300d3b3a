"""A span per SQL statement with OpenTelemetry, through KakaORM's statement events.

Needs ``pip install opentelemetry-api`` (and an SDK + exporter to see the spans; without
an SDK the API's tracer does nothing, which is also how it behaves in this example).

The span starts in ``before_execute`` and ends in ``after_execute``; the two events
share ``statement_id``. The hooks run in the task that sends the statement, so the span
is a child of whatever span is current there (the request's, for a web handler).
"""

from __future__ import annotations

import asyncio

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

import kakaorm
from kakaorm import AfterExecute, BeforeExecute, IntColumn, Model, StrColumn

tracer = trace.get_tracer("kakaorm.example")

#: open spans by the statement they trace
_spans: dict[int, Span] = {}


def start_span(event: BeforeExecute) -> None:
    """Open a client span named after the statement's first word (SELECT, INSERT, ...)."""
    operation = event.sql.split(None, 1)[0].upper() if event.sql else "SQL"
    span = tracer.start_span(
        operation,
        kind=trace.SpanKind.CLIENT,
        attributes={
            "db.system": event.dialect,
            "db.statement": event.sql,
            "db.operation": operation,
            "kakaorm.driver": event.driver,
        },
    )
    _spans[event.statement_id] = span


def end_span(event: AfterExecute) -> None:
    """Record the outcome of the statement and close its span."""
    span = _spans.pop(event.statement_id, None)
    if span is None:
        return
    if event.rows is not None:
        span.set_attribute("db.rows", event.rows)
    if event.error is not None:
        span.record_exception(event.error)
        span.set_status(Status(StatusCode.ERROR, type(event.error).__name__))
    elif event.cancelled:
        span.set_status(Status(StatusCode.ERROR, "cancelled"))
    span.end()


class Note(Model):
    text = StrColumn(nullable=False, max_length=100)
    stars = IntColumn(nullable=False, default=0)


async def main() -> None:
    engine = await kakaorm.connect("sqlite+aiosqlite:///:memory:")
    engine.add_listener(before_execute=start_span, after_execute=end_span)
    await engine.create_table(Note)
    with tracer.start_as_current_span("handle-request"):
        note = await Note.create(text="traced")
        await Note.where(Note.id == note.id).update(stars=5)
    assert _spans == {}  # every span was ended
    await engine.disconnect()


if __name__ == "__main__":
    asyncio.run(main())
