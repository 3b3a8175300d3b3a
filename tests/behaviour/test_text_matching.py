"""contains/startswith/endswith (and their case-insensitive forms) match user input
literally; like()/ilike() keep patterns, with an optional escape= character."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn


class TmText(Model):
    s = StrColumn()
    n = IntColumn()


TEXTS = [
    "100%", "100 percent", "a_b", "axb", "a\\b", "a\\\\b", "C:\\temp\\x", "it's", "its",
    "50%_off", "%", "_", "\\", "Émile", "émile", "ÉMILE", "emile", "naïve café", "NAÏVE CAFÉ",
    "x!y", "x!!y", "日本語テキスト", "",
]


async def seed(engine):
    await engine.create_table(TmText)
    for i, text in enumerate(TEXTS):
        await TmText.create(s=text, n=i)
    await TmText.create(s=None, n=-1)


async def matched(condition):
    return sorted(r.s for r in await TmText.where(condition))


LITERAL = [
    # method, user input, the rows it must match exactly
    ("contains", "%", ["%", "100%", "50%_off"]),
    ("contains", "_", ["50%_off", "_", "a_b"]),
    ("contains", "\\", ["C:\\temp\\x", "\\", "a\\\\b", "a\\b"]),
    ("contains", "\\\\", ["a\\\\b"]),
    ("contains", "'", ["it's"]),
    ("contains", "a_b", ["a_b"]),
    ("contains", "0%_", ["50%_off"]),
    ("contains", "x!y", ["x!y"]),
    ("contains", "!", ["x!!y", "x!y"]),
    ("contains", "É", ["NAÏVE CAFÉ", "ÉMILE", "Émile"]),
    ("contains", "日本", ["日本語テキスト"]),
    ("contains", "", sorted(TEXTS)),
    ("startswith", "100%", ["100%"]),
    ("startswith", "C:\\", ["C:\\temp\\x"]),
    ("startswith", "_", ["_"]),
    ("startswith", "\\", ["\\"]),
    ("endswith", "%", ["%", "100%"]),
    ("endswith", "\\", ["\\"]),
    ("endswith", "\\b", ["a\\\\b", "a\\b"]),
    ("endswith", "'s", ["it's"]),
    ("icontains", "émile", ["ÉMILE", "Émile", "émile"]),
    ("icontains", "%", ["%", "100%", "50%_off"]),
    ("icontains", "A_B", ["a_b"]),
    ("icontains", "A\\B", ["a\\b"]),
    ("istartswith", "naïve", ["NAÏVE CAFÉ", "naïve café"]),
    ("istartswith", "C:\\TEMP", ["C:\\temp\\x"]),
    ("iendswith", "CAFÉ", ["NAÏVE CAFÉ", "naïve café"]),
    ("iendswith", "%_OFF", ["50%_off"]),
    ("iendswith", "IT'S", ["it's"]),
]


@pytest.mark.parametrize(
    "method, text, expected", LITERAL, ids=[f"{m}({t!r})" for m, t, _ in LITERAL]
)
async def test_text_matching_treats_the_input_literally(engine, method, text, expected):
    await seed(engine)
    assert await matched(getattr(TmText.s, method)(text)) == expected


async def test_text_matching_binds_the_input_and_never_writes_it_into_the_sql(engine, sql_log):
    await seed(engine)
    sql_log.clear()
    hostile = "x' OR '1'='1"
    assert await matched(TmText.s.contains(hostile)) == []
    assert await matched(TmText.s.icontains("'; drop table tm_text; --")) == []
    assert len(sql_log.statements) == 2
    assert all(hostile not in sql and "drop" not in sql for sql in sql_log.statements)
    assert await TmText.count() == len(TEXTS) + 1


PATTERNS = [
    # like()/ilike() keep their patterns: % and _ are wildcards, a backslash is itself
    ("like", "a_b", {}, ["a\\b", "a_b", "axb"]),
    ("like", "100%", {}, ["100 percent", "100%"]),
    ("like", "a\\b", {}, ["a\\b"]),
    ("like", "C:\\%", {}, ["C:\\temp\\x"]),
    ("ilike", "É%", {}, ["ÉMILE", "Émile", "émile"]),
    # escape= makes the next %, _ or escape character literal
    ("like", "100!%", {"escape": "!"}, ["100%"]),
    ("like", "a!_b", {"escape": "!"}, ["a_b"]),
    ("like", "x!!y", {"escape": "!"}, ["x!y"]),
    ("like", "%!%%", {"escape": "!"}, ["%", "100%", "50%_off"]),
    ("like", "C:\\%", {"escape": "!"}, ["C:\\temp\\x"]),
    ("like", "a\\_b", {"escape": "\\"}, ["a_b"]),
    ("like", "a\\\\b", {"escape": "\\"}, ["a\\b"]),
    ("like", "%\\\\", {"escape": "\\"}, ["\\"]),
    ("like", "it's", {"escape": "'"}, ["its"]),
    ("like", "it''s", {"escape": "'"}, ["it's"]),
    ("like", "100#%", {"escape": "#"}, ["100%"]),
    ("ilike", "%!_OFF", {"escape": "!"}, ["50%_off"]),
    ("ilike", "A\\_B", {"escape": "\\"}, ["a_b"]),
    ("ilike", "ÉMILE", {"escape": "!"}, ["ÉMILE", "Émile", "émile"]),
]


@pytest.mark.parametrize(
    "method, pattern, kw, expected", PATTERNS, ids=[f"{m}({p!r}, {kw})" for m, p, kw, _ in PATTERNS]
)
async def test_like_keeps_patterns_and_escape_makes_the_next_character_literal(engine, method, pattern, kw, expected):
    await seed(engine)
    assert await matched(getattr(TmText.s, method)(pattern, **kw)) == expected


MATCHERS = ["contains", "icontains", "startswith", "istartswith", "endswith", "iendswith", "like", "ilike"]


@pytest.mark.parametrize("method", MATCHERS)
async def test_text_matching_on_a_non_text_column_is_a_type_error_before_any_sql(engine, sql_log, method):
    await seed(engine)
    sql_log.clear()
    with pytest.raises(TypeError) as info:
        await TmText.where(getattr(TmText.n, method)("1"))
    assert str(info.value) == (
        f"{method}() matches text, but TmText.n is a IntColumn: compare its values "
        "with ==, <, >, in_() or between()"
    )
    assert sql_log.count == 0


@pytest.mark.parametrize("method", MATCHERS)
async def test_text_matching_takes_a_str(engine, method):
    await seed(engine)
    with pytest.raises(TypeError) as info:
        getattr(TmText.s, method)(5)
    assert str(info.value) == f"{method}() takes a str, not int (5)"
    with pytest.raises(TypeError) as info:
        getattr(TmText.s, method)(None)
    assert str(info.value) == (
        f"{method}() takes a str, not None: to find the rows where TmText.s is NULL "
        "write TmText.s == None or TmText.s.is_null()"
    )


@pytest.mark.parametrize("escape", ["", "ab", "%", "_", "e", "É"])
async def test_escape_is_one_character_that_is_not_a_wildcard_or_a_letter(engine, escape):
    await seed(engine)
    with pytest.raises(ValueError) as info:
        TmText.s.like("x", escape=escape)
    assert str(info.value) == (
        f"escape= takes one character that is not %, _ or a letter, e.g. escape='!'; got {escape!r}"
    )
