"""The hydrators written per row shape (kakaorm.orm.hydrate): what they build, and that
one written factory serves every model and column list of the same shape."""

from __future__ import annotations

import gc
import sys

import pytest

from kakaorm import ForeignKey, IntColumn, Model, StrColumn, belongs_to
from kakaorm.orm import hydrate
from kakaorm.orm.hydrate import model_hydrator
from kakaorm.orm.relations import _Resolved, resolved
from kakaorm.orm.state import PK_KEY


class HyA(Model):
    name = StrColumn(nullable=True)
    n = IntColumn(nullable=True)

    class Meta:
        table_name = "hy_a"


class HyB(Model):
    title = StrColumn(nullable=True)
    amount = IntColumn(nullable=True)

    class Meta:
        table_name = "hy_b"


def test_rows_become_instances_with_the_loaded_key_and_no_init() -> None:
    build = model_hydrator(HyA, ["id", "name", "n"], None)
    a, b = build([(1, "x", 5), (2, None, None)])
    assert type(a) is HyA and a.__dict__ == {"id": 1, "name": "x", "n": 5, PK_KEY: 1}
    assert b.__dict__ == {"id": 2, "name": None, "n": None, PK_KEY: 2}
    assert build([]) == []


def test_conversions_run_on_their_columns_only_and_never_on_null() -> None:
    seen: list[object] = []

    def upper(v: object) -> object:
        seen.append(v)
        return str(v).upper()

    build = model_hydrator(HyA, ["name", "id", "n"], [upper, None, None])
    rows = build([("x", 1, 2), (None, 2, 3)])
    assert [r.__dict__ for r in rows] == [
        {"name": "X", "id": 1, "n": 2, PK_KEY: 1},
        {"name": None, "id": 2, "n": 3, PK_KEY: 2},
    ]
    assert seen == ["x"]


def test_a_converted_key_is_converted_once_for_the_column_and_the_loaded_key() -> None:
    calls: list[object] = []

    def to_int(v: object) -> int:
        calls.append(v)
        return int(str(v))

    (row,) = model_hydrator(HyA, ["id", "name"], [to_int, None])([("7", "s")])
    assert row.__dict__ == {"id": 7, "name": "s", PK_KEY: 7}
    assert calls == ["7"]


def test_a_row_of_another_width_is_a_value_error() -> None:
    build = model_hydrator(HyA, ["id", "name", "n"], None)
    with pytest.raises(ValueError):
        build([(1, "x")])


def test_one_factory_serves_every_model_with_the_same_columns() -> None:
    before = dict(hydrate._factories)
    a = model_hydrator(HyA, ["id", "name", "n"], [None, None, str])
    b = model_hydrator(HyC, ["id", "name", "n"], [None, None, str])
    assert len(hydrate._factories) <= len(before) + 1
    assert a is not b
    assert b([(1, "t", 4)])[0].__dict__ == {"id": 1, "name": "t", "n": "4", PK_KEY: 1}
    assert type(a([(1, "t", 4)])[0]) is HyA
    # other names are other source text
    model_hydrator(HyB, ["id", "title", "amount"], [None, None, str])
    assert (3, (2,), 0, ("id", "title", "amount")) in hydrate._factories


class HyC(Model):
    name = StrColumn(nullable=True)
    n = IntColumn(nullable=True)

    class Meta:
        table_name = "hy_c"


class HyProperty(Model):
    """A data descriptor under a result name: a store would call its setter."""

    name = StrColumn(nullable=True)

    class Meta:
        table_name = "hy_property"

    @property
    def extra(self) -> str:
        return "from the property"

    @extra.setter
    def extra(self, value: str) -> None:
        raise AssertionError("the hydrator must not call a setter")


SET_THROUGH_SETATTR: list[str] = []


class HySetattr(Model):
    name = StrColumn(nullable=True)

    class Meta:
        table_name = "hy_setattr"

    def __setattr__(self, key: str, value: object) -> None:
        SET_THROUGH_SETATTR.append(key)
        object.__setattr__(self, key, value)


#: what HySetattr's __setattr__ saw while the class was being defined
SET_WHILE_DEFINED = list(SET_THROUGH_SETATTR)

DELETED: list[object] = []


class HyDel(Model):
    name = StrColumn(nullable=True)

    class Meta:
        table_name = "hy_del"

    def __del__(self) -> None:
        DELETED.append(self)


class HyLate(Model):
    """Never built anywhere but in the test below."""

    title = StrColumn(nullable=True)
    a_id = ForeignKey(HyA, nullable=True)
    a = belongs_to(HyA, foreign_key="a_id")

    class Meta:
        table_name = "hy_late"


def holds_a_dict(obj: object) -> bool:
    """Whether CPython built a ``__dict__`` for ``obj`` (see tests/behaviour/test_bulk.py)."""
    return any(type(r) is dict for r in gc.get_referents(obj))


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="instance layout of CPython")
def test_the_loaded_key_and_a_prefetched_relation_stay_inside_instances_made_after_many_others() -> None:
    # CPython's key table shared by a class's instances takes new names only while few
    # instances exist: the names the ORM stores later are put there when the class is made
    made = [HyLate(title=str(i)) for i in range(100)]
    assert not any(holds_a_dict(m) for m in made)
    rows = model_hydrator(HyLate, ["id", "title", "a_id"], None)([(1, "x", None), (2, "y", None)])
    assert [holds_a_dict(r) for r in rows] == [False, False]
    HyLate.a.keep(rows, [resolved(None), resolved(None)])
    assert [holds_a_dict(r) for r in rows] == [False, False]
    assert [(r.id, r.title, r.a_id, r.__dict__[PK_KEY]) for r in rows] == [(1, "x", None, 1), (2, "y", None, 2)]
    assert [type(r.__dict__["a"]) for r in rows] == [_Resolved, _Resolved]


def test_defining_a_model_runs_none_of_its_code() -> None:
    # no __setattr__, property setter (HyProperty's raises) or __del__ of a model runs
    # when its class is made; a model with __del__ gets no throwaway instance
    assert SET_WHILE_DEFINED == []
    gc.collect()
    assert DELETED == []
    (h,) = model_hydrator(HyDel, ["id", "name"], None)([(1, "x")])
    assert (h.id, h.name) == (1, "x")


def test_instances_are_built_by_attribute_stores_written_into_the_source() -> None:
    build = model_hydrator(HyA, ["id", "name", "n"], None)
    (a,) = build([(3, "x", 5)])
    assert (a.id, a.name, a.n) == (3, "x", 5)
    assert list(vars(a).items()) == [("id", 3), ("name", "x"), ("n", 5), (PK_KEY, 3)]
    assert (3, (), 0, ("id", "name", "n")) in hydrate._factories


@pytest.mark.parametrize(
    "names",
    [
        ("id", "na me"),  # not an identifier
        ("id", "class"),  # a keyword
        ("id", "__class__"),  # a dunder
        ("id", "\ufb01eld"),  # "ﬁeld": Python would read it as "field"
    ],
)
def test_names_that_are_not_plain_identifiers_go_into_a_dict_display(names: tuple[str, str]) -> None:
    (a,) = model_hydrator(HyA, list(names), None)([(4, "v")])
    assert type(a) is HyA
    assert a.__dict__ == {"id": 4, names[1]: "v", PK_KEY: 4}
    assert (2, (), 0, None) in hydrate._factories


def test_a_data_descriptor_or_setattr_of_the_model_is_not_called() -> None:
    (p,) = model_hydrator(HyProperty, ["id", "extra"], None)([(1, "stored")])
    assert p.__dict__ == {"id": 1, "extra": "stored", PK_KEY: 1}
    assert p.extra == "from the property"
    # a model's own __setattr__ sees the instance dict set whole, never a column
    SET_THROUGH_SETATTR.clear()
    (s,) = model_hydrator(HySetattr, ["id", "name"], None)([(2, "kept")])
    assert s.__dict__ == {"id": 2, "name": "kept", PK_KEY: 2}
    assert SET_THROUGH_SETATTR == ["__dict__"]
