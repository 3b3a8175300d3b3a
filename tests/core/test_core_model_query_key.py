"""``model_query_key``: the compile-cache key of the usual model query, computed from
the QuerySet's clauses without building its SELECT. Where it gives a key, that key
and the parameters it collects must be exactly those of the statement the query
builds (else a cached statement would run with the wrong values); for every other
query it gives None, and the query is built and checked as usual."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kakaorm import BoolColumn, ForeignKey, IntColumn, Model, SoftDeleteModel, StrColumn
from kakaorm.expr import Param
from kakaorm.orm.query_build import model_query_key
from kakaorm.statements import Insert


class KeyAuthor(Model):
    name = StrColumn(nullable=False)


class KeyPost(Model):
    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False, default=0)
    published = BoolColumn(nullable=False, default=False)
    author_id = ForeignKey(KeyAuthor, nullable=True)


class KeyNote(SoftDeleteModel):
    body = StrColumn(nullable=False)


def _both(qs: Any) -> tuple[Any, list[Param], Any, list[Param]]:
    fast: list[Param] = []
    key = model_query_key(qs, fast)
    built: list[Param] = []
    built_key = qs._build_select()._key(built)
    return key, fast, built_key, built


def _same_params(a: list[Param], b: list[Param]) -> bool:
    return [(p.value, p.type) for p in a] == [(p.value, p.type) for p in b]


# one step of a query chain: (what it does to a QuerySet, whether the result stays
# a query the key is computed for)
_SIMPLE_CONDITIONS = st.one_of(
    st.integers(-5, 5).map(lambda v: KeyPost.views > v),
    st.integers(-5, 5).map(lambda v: KeyPost.views <= v),
    st.integers(0, 9).map(lambda v: KeyPost.id == v),
    st.text(max_size=3).map(lambda v: KeyPost.title != v),
    st.booleans().map(lambda v: KeyPost.published == v),
    # a list of plain values of one type (a prefetch's keys)
    st.lists(st.integers(0, 9), min_size=1, max_size=4).map(KeyPost.views.in_),
    st.lists(st.text(max_size=2), min_size=1, max_size=3).map(KeyPost.title.not_in),
)
_OTHER_CONDITIONS = st.one_of(
    st.just(KeyPost.author_id == None),  # noqa: E711 - IS NULL
    st.just(KeyPost.views.in_([])),  # always false: no parameter at all
    st.integers(0, 5).map(lambda v: KeyPost.views.in_([KeyPost.id, v])),  # not only values
    st.integers(0, 5).map(lambda v: (KeyPost.views > v) | (KeyPost.id == v)),
    st.integers(0, 5).map(lambda v: KeyPost.views > KeyPost.id + v),
    st.text(max_size=3).map(lambda v: KeyAuthor.name == v),  # another model's column
)
_OWN_ORDER = st.sampled_from([KeyPost.views, KeyPost.views.desc, KeyPost.id.asc, "-title", "published"])


@st.composite
def chains(draw: st.DrawFn) -> tuple[Any, bool]:
    qs: Any = KeyPost.all()
    eligible = True
    for _ in range(draw(st.integers(0, 4))):
        step = draw(st.sampled_from(["where", "other", "order", "limit", "offset", "lock", "distinct", "select", "join"]))
        if step == "where":
            qs = qs.where(*draw(st.lists(_SIMPLE_CONDITIONS, min_size=1, max_size=3)))
        elif step == "other":
            qs = qs.where(draw(_OTHER_CONDITIONS))
            eligible = False
        elif step == "order":
            qs = qs.order_by(*draw(st.lists(_OWN_ORDER, min_size=1, max_size=2)))
        elif step == "limit":
            qs = qs.limit(draw(st.integers(0, 50)))
        elif step == "offset":
            qs = qs.offset(draw(st.integers(0, 50)))
        elif step == "lock":
            qs = qs.select_for_update(nowait=draw(st.booleans()))
        elif step == "distinct":
            qs = qs.distinct()
            eligible = False
        elif step == "select":
            qs = qs.select(KeyPost.id, KeyPost.views)
            eligible = False
        else:
            qs = qs.join(KeyAuthor, on=KeyAuthor.id == KeyPost.author_id)
            eligible = False
    return qs, eligible


@settings(max_examples=300, deadline=None)
@given(chains())
def test_the_key_is_the_built_statements_key_with_the_same_parameters_or_none(chain):
    qs, eligible = chain
    fast: list[Param] = []
    key = model_query_key(qs, fast)
    if not eligible:
        assert key is None and fast == []
        return
    built: list[Param] = []
    assert key == qs._build_select()._key(built)
    assert _same_params(fast, built)


def test_a_get_shaped_query_has_the_built_key_and_binds_its_value_then_the_limit():
    qs = KeyPost.where(KeyPost.id == 7).limit(2)
    key, fast, built_key, built = _both(qs)
    assert key == built_key
    assert [(p.value, p.type) for p in fast] == [(7, KeyPost.id.type), (2, built[1].type)]
    assert _same_params(fast, built)


def test_queries_that_need_their_statement_built_get_none():
    other_model_order = KeyPost.order_by(KeyAuthor.name)
    assert model_query_key(other_model_order, []) is None
    assert model_query_key(KeyPost.where(KeyPost.views > 1).order_by(KeyPost.views + 1), []) is None
    # a soft-delete model's default scope adds its own condition to the statement
    assert model_query_key(KeyNote.where(KeyNote.id == 1), []) is None
    assert model_query_key(KeyPost.all().group_by(KeyPost.views).select(KeyPost.views), []) is None
    assert model_query_key(KeyPost.where(KeyPost.id == 1).union(KeyPost.where(KeyPost.id == 2)), []) is None


def test_the_same_shape_with_other_values_has_the_same_key():
    a: list[Param] = []
    b: list[Param] = []
    first = model_query_key(KeyPost.where(KeyPost.views > 1, KeyPost.title == "x").order_by(KeyPost.id).limit(5), a)
    second = model_query_key(KeyPost.where(KeyPost.views > 9, KeyPost.title == "y").order_by(KeyPost.id).limit(50), b)
    assert first is not None and first == second
    assert [p.value for p in a] == [1, "x", 5] and [p.value for p in b] == [9, "y", 50]


def test_an_instances_insert_has_the_key_of_its_columns_made_once():
    """Model.save() hands Insert its column list's key made in advance
    (ModelOptions.insert_shape); it must be the key the columns would give."""
    meta = KeyPost._meta
    for generated in (True, False):
        columns, columns_key = meta.insert_shape(generated)
        assert [c.name for c in columns] == (
            ["title", "views", "published", "author_id"] if generated else ["id", "title", "views", "published", "author_id"]
        )
        given: list[Param] = []
        computed: list[Param] = []
        row = [None] * len(columns)
        assert Insert(KeyPost, columns, [row], columns_key=columns_key)._key(given) == Insert(KeyPost, columns, [row])._key(computed)
        assert given == computed == []
