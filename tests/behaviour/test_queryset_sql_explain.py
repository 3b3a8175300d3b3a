"""QuerySet.sql() shows what the engine sends for its dialect; QuerySet.explain()
returns the database's plan."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, QueryError, StrColumn


class SqlPost(Model):
    title = StrColumn(nullable=False, max_length=50)
    views = IntColumn(nullable=False, default=0)


def query():
    return SqlPost.where(SqlPost.views > 10, SqlPost.title == "x").order_by("-views").limit(5)


COLUMNS = {
    "sqlite": '"sql_post"."id", "sql_post"."title", "sql_post"."views"',
    "postgres": '"sql_post"."id", "sql_post"."title", "sql_post"."views"',
    "mysql": "`sql_post`.`id`, `sql_post`.`title`, `sql_post`.`views`",
}

EXPECTED_SQL = {
    "sqlite": f'SELECT {COLUMNS["sqlite"]} FROM "sql_post" WHERE ("sql_post"."views" > ?) AND '
    '("sql_post"."title" = ?) ORDER BY "sql_post"."views" DESC LIMIT ?',
    "postgres-asyncpg": f'SELECT {COLUMNS["postgres"]} FROM "sql_post" WHERE ("sql_post"."views" > $1::bigint) '
    'AND ("sql_post"."title" = $2::text) ORDER BY "sql_post"."views" DESC LIMIT $3',
    "postgres-psycopg": f'SELECT {COLUMNS["postgres"]} FROM "sql_post" WHERE ("sql_post"."views" > %s) AND '
    '("sql_post"."title" = %s) ORDER BY "sql_post"."views" DESC LIMIT %s',
    "mysql": f"SELECT {COLUMNS['mysql']} FROM `sql_post` WHERE (`sql_post`.`views` > %s) AND "
    "(`sql_post`.`title` = %s) ORDER BY `sql_post`.`views` DESC LIMIT %s",
}


async def test_sql_returns_the_statement_and_values_for_the_dialect(engine, backend):
    assert query().sql() == (EXPECTED_SQL[backend.id], [10, "x", 5])


async def test_sql_is_what_the_engine_sends(engine):
    await engine.create_table(SqlPost)
    sent = []
    with engine.listening(before_execute=lambda event: sent.append((event.sql, list(event.params)))):
        await query()
    assert sent == [query().sql()]


async def test_explain_returns_the_plan_naming_the_table(engine, backend):
    await engine.create_table(SqlPost)
    plan = await query().explain()
    assert isinstance(plan, str)
    if backend.family == "postgres":
        assert plan.startswith("Limit  (cost=")
        assert "Seq Scan on sql_post" in plan
    elif backend.family == "mysql":
        header, row = plan.split("\n")
        assert header == "id\tselect_type\ttable\ttype\tpossible_keys\tkey\tkey_len\tref\trows\tExtra"
        assert row.split("\t")[:4] == ["1", "SIMPLE", "sql_post", "ALL"]
    else:
        assert plan.split("\n")[0] == "id\tparent\tnotused\tdetail"
        assert "SCAN sql_post" in plan


@pytest.mark.backends("postgres", "mysql")
async def test_explain_analyze_runs_the_query_and_reports_measures(engine, backend):
    await engine.create_table(SqlPost)
    await SqlPost.create(title="x", views=11)
    plan = await query().explain(analyze=True)
    if backend.family == "postgres":
        assert "Seq Scan on sql_post" in plan and "actual time=" in plan and "rows=1 loops=1" in plan
        assert plan.split("\n")[-1].startswith("Execution Time: ")
    else:
        header, row = plan.split("\n")
        names, values = header.split("\t"), row.split("\t")
        assert "r_rows" in names
        assert values[names.index("table")] == "sql_post"
        assert values[names.index("r_rows")] == "1.00"


@pytest.mark.backends("sqlite")
async def test_explain_analyze_on_sqlite_is_a_query_error(engine):
    await engine.create_table(SqlPost)
    with pytest.raises(QueryError) as info:
        await query().explain(analyze=True)
    assert str(info.value) == (
        "SQLite has no EXPLAIN ANALYZE: it cannot report measured row counts or times. "
        "Call explain() without analyze=True"
    )
