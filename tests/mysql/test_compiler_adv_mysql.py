"""SQL of advanced queries from the MySQL/MariaDB compiler, without a server."""

from __future__ import annotations

from kakaorm import (
    CTE,
    Avg,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Lag,
    Lead,
    Model,
    StrColumn,
    value,
)
from kakaorm.statements import Update
from kakaorm_mysql.compiler import MySQLCompiler


class MyaAuthor(Model):
    name = StrColumn(nullable=False)


class MyaPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    price = DecimalColumn(max_digits=8, decimal_places=2)
    author_id = ForeignKey(MyaAuthor)


class MyaNode(Model):
    parent_id = ForeignKey("MyaNode", nullable=True)


P, A, N = MyaPost, MyaAuthor, MyaNode


def sql_of(qs) -> tuple[str, list]:
    compiled = MySQLCompiler().compile(qs._build_select())
    return compiled.sql, [p.value for p in compiled.params]


def test_a_recursive_cte_with_backticks_and_offset_only():
    tree = CTE.recursive(
        "tree",
        N.where(N.parent_id == None).select(N.id, value(0).label("depth")),  # noqa: E711
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id, (t.c.depth + 1).label("depth")),
    )
    assert sql_of(tree.query().where(tree.c.depth < 3).offset(5)) == (
        "WITH RECURSIVE `tree`(`id`, `depth`) AS (SELECT `mya_node`.`id`, %s AS `depth` FROM `mya_node` "
        "WHERE `mya_node`.`parent_id` IS NULL UNION ALL SELECT `mya_node`.`id`, (`tree`.`depth` + %s) AS `depth` "
        "FROM `mya_node` INNER JOIN `tree` ON `mya_node`.`parent_id` = `tree`.`id`) "
        "SELECT `tree`.`id`, `tree`.`depth` FROM `tree` WHERE `tree`.`depth` < %s "
        "LIMIT 18446744073709551615 OFFSET %s",
        [0, 1, 3, 5],
    )


def test_only_integer_by_integer_division_uses_div():
    qs = P.all().select(
        (P.views / 2).label("int_int"),
        (P.views / P.author_id).label("columns"),
        (P.price / 2).label("decimal_int"),
        (P.views / 2.0).label("int_float"),
    )
    assert sql_of(qs) == (
        "SELECT (`mya_post`.`views` DIV %s) AS `int_int`, (`mya_post`.`views` DIV `mya_post`.`author_id`) AS `columns`, "
        "(`mya_post`.`price` / %s) AS `decimal_int`, (`mya_post`.`views` / %s) AS `int_float` FROM `mya_post`",
        [2, 2, 2.0],
    )


def test_avg_of_integers_is_computed_as_a_double_and_of_decimals_as_a_decimal():
    qs = P.all().select(Avg(P.views).label("a"), Avg(P.views, distinct=True).label("d"), Avg(P.price).label("p"))
    assert sql_of(qs)[0] == (
        "SELECT AVG(`mya_post`.`views` * 1E0) AS `a`, AVG(DISTINCT `mya_post`.`views` * 1E0) AS `d`, "
        "AVG(`mya_post`.`price`) AS `p` FROM `mya_post`"
    )


def test_lag_and_lead_defaults_apply_only_where_the_offset_row_is_missing():
    qs = P.all().select(
        Lag(P.views, 1, 0).over(partition_by=[P.author_id], order_by=[P.id]).label("prev"),
        Lead(P.views, 2, -1).over(order_by=[P.id]).label("next"),
        Lag(P.views).over(order_by=[P.id]).label("plain"),
    )
    assert sql_of(qs) == (
        "SELECT CASE WHEN COUNT(*) OVER (PARTITION BY `mya_post`.`author_id` ORDER BY `mya_post`.`id` ASC "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) <= %s "
        "THEN %s ELSE LAG(`mya_post`.`views`, %s) OVER (PARTITION BY `mya_post`.`author_id` ORDER BY `mya_post`.`id` ASC) "
        "END AS `prev`, "
        "CASE WHEN COUNT(*) OVER (ORDER BY `mya_post`.`id` ASC ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) <= %s "
        "THEN %s ELSE LEAD(`mya_post`.`views`, %s) OVER (ORDER BY `mya_post`.`id` ASC) END AS `next`, "
        "LAG(`mya_post`.`views`, %s) OVER (ORDER BY `mya_post`.`id` ASC) AS `plain` FROM `mya_post`",
        [1, 0, 1, 2, -1, 2, 1],
    )


def test_an_update_filtered_by_a_subquery_on_its_own_table_reads_a_derived_table():
    stmt = Update(P, [(P.views, P.views / 2)], P.id.in_(P.where(P.views < 3).select(P.id)))
    compiled = MySQLCompiler().compile(stmt)
    assert compiled.sql == (
        "UPDATE `mya_post` SET `views` = (`mya_post`.`views` DIV %s) WHERE `mya_post`.`id` IN "
        "(SELECT * FROM (SELECT `mya_post`.`id` FROM `mya_post` WHERE `mya_post`.`views` < %s) AS `_in`)"
    )
    assert [p.value for p in compiled.params] == [2, 3]


def test_a_union_with_order_and_limit():
    qs = P.where(P.views < 1).select(P.title).union(A.all().select(A.name)).order_by("-title").limit(3)
    assert sql_of(qs) == (
        "SELECT `mya_post`.`title` FROM `mya_post` WHERE `mya_post`.`views` < %s UNION "
        "SELECT `mya_author`.`name` FROM `mya_author` ORDER BY `title` DESC LIMIT %s",
        [1, 3],
    )


def test_a_cte_joined_to_a_model_query():
    rich = CTE("rich", P.where(P.views >= 5).select(P.author_id))
    qs = A.all().join(rich, on=rich.c.author_id == A.id).select(A.name).distinct()
    assert sql_of(qs) == (
        "WITH `rich` AS (SELECT `mya_post`.`author_id` FROM `mya_post` WHERE `mya_post`.`views` >= %s) "
        "SELECT DISTINCT `mya_author`.`name` FROM `mya_author` INNER JOIN `rich` ON `rich`.`author_id` = `mya_author`.`id`",
        [5],
    )
