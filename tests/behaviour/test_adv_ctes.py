"""Common table expressions on every backend: with_cte(), the kakaorm.CTE object
(joined, queried, used in IN), and recursive CTEs walking a parent/child tree."""

from __future__ import annotations

import datetime as dt

import pytest

import kakaorm
from kakaorm import (
    CTE,
    BoolColumn,
    Count,
    DateTimeColumn,
    ForeignKey,
    IntColumn,
    Model,
    QueryError,
    StrColumn,
)
from kakaorm.expr import Condition, Expression

UTC = dt.UTC
HIRED = dt.datetime(2020, 6, 1, 8, 30, 15, 123000, tzinfo=UTC)


class AdvCDept(Model):
    name = StrColumn(nullable=False, max_length=20)


class AdvCEmployee(Model):
    name = StrColumn(nullable=False, max_length=20)
    salary = IntColumn(nullable=False)
    active = BoolColumn(nullable=False, default=True)
    hired = DateTimeColumn(nullable=False)
    dept_id = ForeignKey(AdvCDept, nullable=False)


class AdvCNode(Model):
    name = StrColumn(nullable=False, max_length=20)
    parent_id = ForeignKey("AdvCNode", nullable=True)


E, D, N = AdvCEmployee, AdvCDept, AdvCNode


async def seed_staff(engine):
    await engine.create_table(AdvCDept, AdvCEmployee)
    ids = {}
    for name in ("eng", "ops", "art"):
        ids[name] = (await D.create(name=name)).id
    for name, salary, active, dept in [
        ("ann", 1500, True, "eng"), ("bob", 900, True, "eng"), ("cy", 1200, False, "ops"),
        ("dan", 800, True, "art"), ("eve", 2000, True, "ops"),
    ]:
        await E.create(name=name, salary=salary, active=active, hired=HIRED, dept_id=ids[dept])
    return ids


async def seed_tree(engine):
    """root -> a -> a1; a -> a2 -> a2x; root -> b -> b1."""
    await engine.create_table(AdvCNode)
    ids: dict[str, int] = {}
    for name, parent in [
        ("root", None), ("a", "root"), ("b", "root"), ("a1", "a"), ("a2", "a"), ("b1", "b"), ("a2x", "a2"),
    ]:
        node = await N.create(name=name, parent_id=None if parent is None else ids[parent])
        ids[name] = node.id
    return ids


def tree_from(start):
    return CTE.recursive(
        "tree",
        N.where(start).select(N.id, N.name, kakaorm.value(0).label("depth")),
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id, N.name, (t.c.depth + 1).label("depth")),
        union_all=True,
    )


# -- with_cte and the CTE object ---------------------------------------------------


async def test_with_cte_adds_the_with_clause_of_the_reference_example(engine, sql_log):
    await seed_staff(engine)
    high_earners = E.where(E.salary >= 1000).select(E.dept_id)
    sql_log.clear()
    rows = await (
        D.all()
        .with_cte("rich_depts", high_earners)
        .join(E, on=E.dept_id == D.id)
        .select(D.name, E.name)
        .where(E.salary >= 1000)
        .order_by(E.salary)
    )
    assert rows == [
        {"name": "ops", "adv_c_employee.name": "cy"},
        {"name": "eng", "adv_c_employee.name": "ann"},
        {"name": "ops", "adv_c_employee.name": "eve"},
    ]
    assert len(sql_log.statements) == 1
    assert sql_log.statements[0].startswith("WITH ") and "rich_depts" in sql_log.statements[0]


async def test_joining_a_cte_adds_its_with_clause(engine):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1000).select(E.dept_id))
    rows = await D.all().join(rich, on=rich.c.dept_id == D.id).select(D.name).distinct().order_by(D.name)
    assert rows == [{"name": "eng"}, {"name": "ops"}]


async def test_with_cte_takes_a_cte_object_and_joining_it_again_adds_it_once(engine, sql_log):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1000).select(E.dept_id, E.name))
    sql_log.clear()
    rows = await (
        D.all().with_cte(rich).join(rich, on=rich.c.dept_id == D.id)
        .select(D.name, rich.c.name.label("who")).order_by(rich.c.name)
    )
    assert rows == [{"name": "eng", "who": "ann"}, {"name": "ops", "who": "cy"}, {"name": "ops", "who": "eve"}]
    assert sql_log.statements[0].count("AS (SELECT") == 1


def test_a_cte_column_is_an_expression_and_unknown_columns_are_named():
    rich = CTE("rich", E.where(E.salary >= 1000).select(E.dept_id, E.salary.label("pay")))
    assert isinstance(rich.c.pay, Expression) and not isinstance(rich.c.pay, kakaorm.Column)
    assert isinstance(rich.c.pay > 1, Condition)
    assert rich.column_names == ["dept_id", "pay"]
    with pytest.raises(AttributeError, match=r"the CTE 'rich' has no column 'salary'; its columns are: dept_id, pay"):
        rich.c.salary  # noqa: B018


async def test_query_over_a_cte_filters_orders_limits_and_counts(engine):
    await seed_staff(engine)
    staff = CTE("staff", E.where(E.salary > 850).select(E.name, E.salary, E.active, E.hired))
    q = staff.query()
    assert await q.order_by("-salary") == [
        {"name": "eve", "salary": 2000, "active": True, "hired": HIRED},
        {"name": "ann", "salary": 1500, "active": True, "hired": HIRED},
        {"name": "cy", "salary": 1200, "active": False, "hired": HIRED},
        {"name": "bob", "salary": 900, "active": True, "hired": HIRED},
    ]
    top = await q.where(staff.c.active == True).order_by("salary DESC").limit(2)  # noqa: E712
    assert [r["name"] for r in top] == ["eve", "ann"]
    assert [type(top[0][k]) for k in ("name", "salary", "active", "hired")] == [str, int, bool, dt.datetime]
    assert top[0]["hired"].utcoffset() == dt.timedelta(0)
    assert await q.count() == 4
    assert await q.where(staff.c.salary < 1600).count() == 3
    assert await q.order_by("salary").limit(2).offset(1).count() == 2
    assert [r["name"] for r in await q.order_by(staff.c.name).offset(3)] == ["eve"]


async def test_parameters_of_a_cte_and_of_the_outer_query_bind_in_order(engine):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1000, E.active == True).select(E.dept_id))  # noqa: E712
    rows = await (
        D.where(D.name != "eng")
        .join(rich, on=rich.c.dept_id == D.id)
        .select(D.name, Count().label("n"))
        .group_by(D.name)
        .having(Count() >= 1)
        .order_by(D.name)
        .limit(5)
    )
    # cy (ops) is inactive; eve (ops) counts; eng is filtered out by the outer query
    assert rows == [{"name": "ops", "n": 1}]


async def test_two_ctes_in_one_query(engine):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1000).select(E.dept_id.label("rich_dept")))
    idle = CTE("idle", E.where(E.active == False).select(E.dept_id.label("idle_dept")))  # noqa: E712
    rows = await (
        D.all()
        .join(rich, on=rich.c.rich_dept == D.id)
        .join(idle, on=idle.c.idle_dept == D.id)
        .select(D.name)
        .distinct()
    )
    assert rows == [{"name": "ops"}]


async def test_a_cte_as_the_subquery_of_in(engine):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1500).select(E.dept_id))
    names = await D.where(D.id.in_(rich)).order_by(D.name)
    assert [d.name for d in names] == ["eng", "ops"]


async def test_a_cte_column_without_joining_the_cte_is_a_query_error(engine, sql_log):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1000).select(E.dept_id))
    sql_log.clear()
    with pytest.raises(QueryError, match=r"the CTE 'rich' is used but not joined: add \.join\(cte, on=\.\.\.\)"):
        await D.where(rich.c.dept_id == D.id)
    assert sql_log.statements == []


def test_a_cte_with_two_columns_named_alike_is_a_query_error():
    with pytest.raises(QueryError, match=r"two columns named alike \(name, name\).*\.label\(\)"):
        CTE("dup", E.all().join(D, on=E.dept_id == D.id).select(E.name, E.name))


def test_a_cte_name_must_be_an_identifier():
    with pytest.raises(ValueError, match=r"a CTE name is an identifier"):
        CTE("rich depts", E.all().select(E.id))


# -- recursive CTEs ------------------------------------------------------------------


async def test_recursive_cte_walks_the_whole_tree_with_depths(engine):
    await seed_tree(engine)
    tree = tree_from(N.parent_id == None)  # noqa: E711
    rows = await tree.query().order_by("depth", "name")
    assert [(r["name"], r["depth"]) for r in rows] == [
        ("root", 0), ("a", 1), ("b", 1), ("a1", 2), ("a2", 2), ("b1", 2), ("a2x", 3),
    ]
    assert all(type(r["depth"]) is int and type(r["id"]) is int for r in rows)
    assert await tree.query().count() == 7
    assert await tree.query().where(tree.c.depth >= 2).count() == 4


async def test_recursive_cte_walks_a_subtree(engine):
    ids = await seed_tree(engine)
    tree = tree_from(N.id == ids["a"])
    rows = await tree.query().order_by("depth", "name")
    assert rows == [
        {"id": ids["a"], "name": "a", "depth": 0},
        {"id": ids["a1"], "name": "a1", "depth": 1},
        {"id": ids["a2"], "name": "a2", "depth": 1},
        {"id": ids["a2x"], "name": "a2x", "depth": 2},
    ]


async def test_recursive_cte_follows_parents_up_to_the_root_as_a_path(engine):
    ids = await seed_tree(engine)
    up = CTE.recursive(
        "up",
        N.where(N.id == ids["a2x"]).select(N.id, N.parent_id, N.name, kakaorm.value(0).label("steps")),
        lambda t: N.all().join(t, on=N.id == t.c.parent_id).select(
            N.id, N.parent_id, N.name, (t.c.steps + 1).label("steps")
        ),
    )
    rows = await up.query().order_by("steps")
    assert [r["name"] for r in rows] == ["a2x", "a2", "a", "root"]
    assert [r["steps"] for r in rows] == [0, 1, 2, 3]
    assert rows[-1]["parent_id"] is None


async def test_the_recursive_step_can_stop_at_a_depth(engine):
    await seed_tree(engine)
    tree = CTE.recursive(
        "tree",
        N.where(N.parent_id == None).select(N.id, kakaorm.value(0).label("depth")),  # noqa: E711
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).where(t.c.depth < 1).select(
            N.id, (t.c.depth + 1).label("depth")
        ),
    )
    rows = await tree.query().order_by("depth", "id")
    assert [r["depth"] for r in rows] == [0, 1, 1]


async def test_a_recursive_cte_joined_to_a_model_query(engine):
    ids = await seed_tree(engine)
    tree = tree_from(N.id == ids["b"])
    rows = await (
        N.all().join(tree, on=tree.c.id == N.parent_id)
        .select(N.name, tree.c.name.label("parent"), tree.c.depth.label("parent_depth"))
        .order_by(N.name)
    )
    assert rows == [{"name": "b1", "parent": "b", "parent_depth": 0}]


async def test_recursive_union_without_all_stops_on_a_cycle(engine):
    await engine.create_table(AdvCNode)
    c1 = await N.create(name="c1")
    c2 = await N.create(name="c2", parent_id=c1.id)
    c3 = await N.create(name="c3", parent_id=c2.id)
    await N.where(N.id == c1.id).update(parent_id=c3.id)  # c1 -> c2 -> c3 -> c1
    reach = CTE.recursive(
        "reach",
        N.where(N.id == c1.id).select(N.id),
        lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id),
        union_all=False,
    )
    rows = await reach.query().order_by("id")
    assert rows == [{"id": c1.id}, {"id": c2.id}, {"id": c3.id}]


def test_a_recursive_step_with_another_column_count_is_a_query_error():
    with pytest.raises(QueryError, match=r"recursive step of 'tree' selects 1 columns but the base selects 2 \(id, depth\)"):
        CTE.recursive(
            "tree",
            N.all().select(N.id, kakaorm.value(0).label("depth")),
            lambda t: N.all().join(t, on=N.parent_id == t.c.id).select(N.id),
        )


# -- CTEs and unions -----------------------------------------------------------------


async def test_a_union_of_queries_joining_ctes_puts_every_cte_in_one_with_clause(engine, sql_log):
    await seed_staff(engine)
    rich = CTE("rich", E.where(E.salary >= 1500).select(E.dept_id))
    poor = CTE("poor", E.where(E.salary < 850).select(E.dept_id))
    sql_log.clear()
    rows = await (
        D.all().join(rich, on=rich.c.dept_id == D.id).select(D.name)
        .union(D.all().join(poor, on=poor.c.dept_id == D.id).select(D.name))
        .order_by("name")
    )
    assert rows == [{"name": "art"}, {"name": "eng"}, {"name": "ops"}]
    assert sql_log.statements[0].startswith("WITH ") and sql_log.statements[0].count("WITH ") == 1


async def test_a_union_of_two_queries_over_one_recursive_cte(engine):
    ids = await seed_tree(engine)
    tree = tree_from(N.id == ids["b"])
    both = tree.query().where(tree.c.depth == 0).union_all(tree.query().where(tree.c.depth == 1))
    assert await both.order_by("depth") == [
        {"id": ids["b"], "name": "b", "depth": 0}, {"id": ids["b1"], "name": "b1", "depth": 1},
    ]
    assert await both.count() == 2


async def test_two_different_ctes_with_one_name_in_a_query_are_a_query_error(engine, sql_log):
    await seed_staff(engine)
    sql_log.clear()
    first = CTE("x", E.where(E.salary > 1).select(E.dept_id))
    second = CTE("x", E.where(E.salary > 2).select(E.dept_id))
    joined = D.all().join(first, on=first.c.dept_id == D.id)
    with pytest.raises(QueryError, match=r"two different CTEs named 'x'.*give one of them another name"):
        joined.join(second, on=second.c.dept_id == D.id)
    with pytest.raises(QueryError, match=r"two different CTEs named 'x'"):
        D.all().with_cte("x", E.all().select(E.id)).with_cte(second)
    other = D.all().join(second, on=second.c.dept_id == D.id).select(D.name)
    with pytest.raises(QueryError, match=r"two different CTEs named 'x'"):
        await joined.select(D.name).union(other)
    assert sql_log.statements == []
