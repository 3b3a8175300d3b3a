"""The ``__init__`` written for each concrete model (kakaorm.orm.instance_init) builds
exactly what the generic ``Model.__init__`` builds, and steps aside where it must."""

from __future__ import annotations

from typing import Any

import pytest

from kakaorm import ForeignKey, IntColumn, Model, StrColumn
from kakaorm.orm.instance_init import GENERATED
from kakaorm.orm.state import PK_KEY

_calls: list[int] = []


def _counted() -> list[str]:
    _calls.append(1)
    return []


class InitAuthor(Model):
    name = StrColumn(nullable=False)
    rank = IntColumn(nullable=False, default=3)
    tags = StrColumn(nullable=True, default="none")

    class Meta:
        table_name = "init_author"


class InitPost(Model):
    title = StrColumn(nullable=False)
    author_id = ForeignKey("InitLateAuthor", nullable=True)

    class Meta:
        table_name = "init_post"


class InitLateAuthor(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "init_late_author"


class InitBase(Model):
    title = StrColumn(nullable=False)

    class Meta:
        abstract = True


class InitChild(InitBase):
    extra = IntColumn(nullable=True)

    class Meta:
        table_name = "init_child"


class InitGrandChild(InitChild):
    more = StrColumn(nullable=True)

    class Meta:
        table_name = "init_grand_child"


class InitAbstractAgain(InitChild):
    class Meta:
        abstract = True


class InitOwnInit(Model):
    name = StrColumn(nullable=False)

    class Meta:
        table_name = "init_own"

    def __init__(self, **values: Any) -> None:
        values.setdefault("name", "from the user's __init__")
        super().__init__(**values)


class InitCallableDefault(Model):
    labels = StrColumn(nullable=True, default=lambda: "fresh")

    class Meta:
        table_name = "init_callable"


def test_concrete_models_get_a_written_init_and_others_keep_theirs() -> None:
    assert getattr(InitAuthor.__init__, GENERATED, False)
    assert getattr(InitChild.__init__, GENERATED, False)
    assert getattr(InitGrandChild.__init__, GENERATED, False)
    assert InitGrandChild.__init__ is not InitChild.__init__
    assert InitOwnInit.__dict__["__init__"] is not Model.__init__
    assert not getattr(InitOwnInit.__init__, GENERATED, False)
    assert InitAbstractAgain.__init__ is Model.__init__
    assert InitAuthor.__init__.__qualname__ == "InitAuthor.__init__"


def test_values_defaults_and_order_match_the_columns() -> None:
    a = InitAuthor(name="ann")
    assert a.__dict__ == {"id": None, "name": "ann", "rank": 3, "tags": "none"}
    assert list(a.__dict__) == ["id", "name", "rank", "tags"]
    assert PK_KEY not in a.__dict__ and not a.is_saved
    b = InitAuthor(tags=None, rank=7, name="bo", id=5)
    assert b.__dict__ == {"id": 5, "name": "bo", "rank": 7, "tags": None}
    g = InitGrandChild(title="t", more="m")
    assert g.__dict__ == {"id": None, "title": "t", "extra": None, "more": "m"}


def test_callable_default_is_called_for_each_instance_not_given_it() -> None:
    assert InitCallableDefault().labels == "fresh"
    assert InitCallableDefault(labels="mine").labels == "mine"


def test_unknown_field_and_wrong_type_messages_are_the_generic_ones() -> None:
    with pytest.raises(TypeError, match=r"^Unknown field 'nmae' for InitAuthor\(\); valid fields: id, name, rank, tags$"):
        InitAuthor(nmae="x")
    with pytest.raises(TypeError, match=r"^Unknown field 'nope' for InitGrandChild\(\); valid fields: extra, id, more, title$"):
        InitGrandChild(title="t", nope=1)
    with pytest.raises(TypeError, match=r"InitAuthor\.rank"):
        InitAuthor(name="a", rank="high")
    with pytest.raises(TypeError):
        InitAuthor("positional")  # type: ignore[misc]


def test_a_subclass_of_an_abstract_model_after_a_concrete_one_is_refused() -> None:
    with pytest.raises(TypeError, match="InitAbstractAgain is abstract"):
        InitAbstractAgain(title="t")


def test_the_users_init_still_runs() -> None:
    assert InitOwnInit().name == "from the user's __init__"


def test_a_foreign_key_resolved_late_still_checks_its_type() -> None:
    p = InitPost(title="t", author_id=4)
    assert p.author_id == 4
    with pytest.raises(TypeError, match=r"InitPost\.author_id"):
        InitPost(title="t", author_id="four")
    # a bool is not an int key: converted or refused exactly as before
    with pytest.raises(TypeError):
        InitPost(title="t", author_id=True)


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"name": "a"},
        {"name": "a", "rank": 2, "tags": "x", "id": 9},
        {"name": "a", "rank": 2.0},
        {"name": "a", "rank": "2"},
        {"name": 5},
        {"name": None, "rank": None},
        {"name": "a", "rank": True},
        {"zzz": 1, "name": "a"},
    ],
)
def test_written_init_matches_the_generic_one(values: dict[str, Any]) -> None:
    def build(init: Any) -> tuple[str, Any]:
        obj = object.__new__(InitAuthor)
        try:
            init(obj, **values)
        except Exception as err:  # noqa: BLE001 - the outcomes are compared
            return type(err).__name__, str(err)
        return "ok", obj.__dict__

    assert build(InitAuthor.__init__) == build(Model.__init__)


class InitSubWithOwnInit(InitAuthor):
    nickname = StrColumn(nullable=True)

    class Meta:
        table_name = "init_sub_own"

    def __init__(self, **values: Any) -> None:
        self.__dict__["seen"] = sorted(values)
        super().__init__(**values)  # InitAuthor's written __init__, for a subclass's columns


def test_a_subclass_init_calling_super_gets_its_own_columns() -> None:
    s = InitSubWithOwnInit(name="n", nickname="nick")
    assert s.__dict__ == {"seen": ["name", "nickname"], "id": None, "name": "n", "rank": 3, "tags": "none", "nickname": "nick"}
    with pytest.raises(TypeError, match=r"^Unknown field 'bad' for InitSubWithOwnInit\(\); valid fields: id, name, nickname, rank, tags$"):
        InitSubWithOwnInit(name="n", bad=1)


_SET: list[str] = []


class InitOwnSetattr(Model):
    """A model with its own __setattr__: the written __init__ updates the dict instead."""

    name = StrColumn(nullable=False)

    class Meta:
        table_name = "init_own_setattr"

    def __setattr__(self, key: str, value: object) -> None:
        _SET.append(key)
        object.__setattr__(self, key, value)


def _names_used(model: type[Model]) -> set[str]:
    """The attribute and global names the model's __init__ uses."""
    return set(model.__init__.__code__.co_names)


def test_values_are_stored_as_attributes_unless_the_model_has_its_own_setattr() -> None:
    assert "__dict__" not in _names_used(InitAuthor)
    assert {"id", "name", "rank", "tags"} <= _names_used(InitAuthor)
    _SET.clear()
    own = InitOwnSetattr(name="x")
    assert own.__dict__ == {"id": None, "name": "x"}
    assert _SET == []  # the dict was updated, no attribute was set through it
    assert "__dict__" in _names_used(InitOwnSetattr)


def test_a_refused_value_leaves_an_instance_as_it_was() -> None:
    a = InitAuthor(name="ann", rank=4)
    with pytest.raises(TypeError, match=r"InitAuthor\.rank"):
        InitAuthor.__init__(a, name="changed", rank="high")  # type: ignore[arg-type]
    assert a.__dict__ == {"id": None, "name": "ann", "rank": 4, "tags": "none"}
