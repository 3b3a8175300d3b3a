"""Text that a column cannot hold as given is refused with DataError before anything is
sent, on every backend: longer than max_length (SQLite would keep it, VARCHAR(n) cuts
trailing spaces past n), or holding a lone surrogate UTF-8 cannot encode."""

from __future__ import annotations

import pytest

from kakaorm import DataError, Model, StrColumn


class TlNote(Model):
    short = StrColumn(max_length=5)
    body = StrColumn()


async def test_text_longer_than_max_length_is_refused_with_its_length(engine, sql_log):
    await engine.create_table(TlNote)
    sql_log.clear()
    with pytest.raises(DataError) as info:
        await TlNote.create(short="abcde ", body="x")
    assert str(info.value) == (
        "TlNote.short is a StrColumn(max_length=5) and 'abcde ' has 6 characters; "
        "nothing was written: shorten the text or raise max_length"
    )
    assert sql_log.statements == []
    await TlNote.create(short="ab😀de", body="x")  # five characters, whatever their bytes
    assert [n.short for n in await TlNote.all()] == ["ab😀de"]
    # a filter value is never stored: a longer one simply matches nothing
    assert await TlNote.where(TlNote.short == "abcdefgh").count() == 0


async def test_a_lone_surrogate_is_a_data_error_and_nothing_is_stored(engine):
    await engine.create_table(TlNote)
    with pytest.raises(DataError) as info:
        await TlNote.create(short="ok", body="a\udfffb")
    # asyncpg reports it itself (SQLSTATE 22000); the other drivers through KakaORM
    message = str(info.value)
    assert "'\\udfff'" in message and ("which UTF-8 cannot encode" in message or "can't encode" in message)
    assert await TlNote.count() == 0
