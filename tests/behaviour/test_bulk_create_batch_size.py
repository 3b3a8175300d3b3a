"""bulk_create(batch_size=...) takes a positive int on every backend, as bulk_update()
does: anything else is a ValueError before any statement, never rows silently left
unwritten (a negative size) or a driver-dependent outcome."""

from __future__ import annotations

import pytest

from kakaorm import Model, StrColumn


class BbsNote(Model):
    text = StrColumn(nullable=False)


@pytest.mark.parametrize("size", [0, -1, 2.5, True])
async def test_bulk_create_batch_size_must_be_a_positive_int(engine, sql_log, size):
    await engine.create_table(BbsNote)
    notes = [BbsNote(text="a"), BbsNote(text="b")]
    sql_log.clear()
    with pytest.raises(ValueError) as info:
        await BbsNote.bulk_create(notes, batch_size=size)
    assert str(info.value) == f"bulk_create(batch_size=...) must be a positive int, got {size!r}"
    assert sql_log.statements == []
    assert [n.is_saved for n in notes] == [False, False]
    assert await BbsNote.count() == 0


async def test_bulk_create_batch_size_one_writes_every_row(engine):
    await engine.create_table(BbsNote)
    notes = await BbsNote.bulk_create([BbsNote(text="a"), BbsNote(text="b")], batch_size=1)
    assert [(n.id, n.text, n.is_saved) for n in notes] == [(1, "a", True), (2, "b", True)]
    assert [n.text for n in await BbsNote.all().order_by(BbsNote.id)] == ["a", "b"]
