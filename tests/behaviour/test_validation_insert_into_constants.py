"""QuerySet.insert_into() checks its constant values with the target's column validators,
as QuerySet.update() does, on every backend: a refused constant sends no INSERT; values
computed from the query's rows are the database's to compute and are not checked."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn, ValidationError
from kakaorm.i18n import use_locale
from kakaorm.validators import max_value, one_of


class ViSource(Model):
    title = StrColumn(nullable=False)
    score = IntColumn(nullable=False)


class ViCopy(Model):
    title = StrColumn(nullable=False)
    score = IntColumn(nullable=False, validators=[max_value(10)])
    origin = StrColumn(validators=[one_of("import", "manual")])


async def test_a_refused_constant_sends_no_insert_and_names_every_field(engine, sql_log):
    await engine.create_table(ViSource, ViCopy)
    await ViSource.create(title="a", score=50)
    sql_log.clear()
    with use_locale("en"), pytest.raises(ValidationError) as info:
        await ViSource.all().insert_into(ViCopy, title=ViSource.title, score=11, origin="robot")
    assert info.value.errors == {
        "score": ["Too large: the value must be 10 or less (got 11)."],
        "origin": ["Not allowed: the value must be one of 'import', 'manual' (got 'robot')."],
    }
    assert info.value.instance is None
    assert sql_log.statements == []
    assert await ViCopy.count() == 0


async def test_accepted_constants_and_unchecked_expressions_are_written(engine):
    await engine.create_table(ViSource, ViCopy)
    await ViSource.create(title="a", score=50)
    inserted = await ViSource.all().insert_into(ViCopy, title=ViSource.title, score=ViSource.score, origin="import")
    assert inserted == 1
    assert [(c.title, c.score, c.origin) for c in await ViCopy.all()] == [("a", 50, "import")]
