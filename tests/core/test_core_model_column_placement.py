"""Where a model's columns live (kakaorm.orm.model_meta._place_columns).

No model class keeps a column in its own ``__dict__``: CPython 3.11 specialises an
instance's attribute reads and stores only for names whose class attribute is absent
(or of a built-in type), so a column there would put every ``post.views`` on the
generic path. ``Post.views`` still reads the column: a concrete model is the one
instance of a metaclass of its own that holds its columns, and an abstract model's
are read from its options, through a reader of the column's name on ModelMeta (no
metaclass defines ``__getattr__``, which would slow every read of a model class's
attribute).
"""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, SoftDeleteModel, StrColumn
from kakaorm.orm.columns import Column
from kakaorm.orm.model import ModelMeta
from kakaorm.orm.state import PK_KEY, stores_attributes


class PlaceStamped(Model):
    stamp = IntColumn(nullable=True)

    class Meta:
        abstract = True


class PlacePost(PlaceStamped):
    title = StrColumn(nullable=False)

    class Meta:
        table_name = "place_post"


class PlaceRepost(PlacePost):
    extra = IntColumn(nullable=True)

    class Meta:
        table_name = "place_repost"


class PlaceNote(SoftDeleteModel):
    body = StrColumn(nullable=False)

    class Meta:
        table_name = "place_note"


@pytest.mark.parametrize("model", [PlacePost, PlaceRepost, PlaceNote])
def test_no_class_of_a_concrete_model_holds_a_column(model: type[Model]) -> None:
    for klass in model.__mro__:
        held = [name for name, value in vars(klass).items() if isinstance(value, Column)]
        assert held == [], f"{klass.__name__} holds {held}"
    names = model._meta.names
    assert stores_attributes(model, (*names, PK_KEY))


def test_each_concrete_model_reads_its_own_bound_columns() -> None:
    assert type(PlacePost) is not ModelMeta and isinstance(PlacePost, ModelMeta)
    assert type(PlaceRepost).__mro__[1] is type(PlacePost)
    for model in (PlacePost, PlaceRepost):
        for name in ("id", "stamp", "title"):
            column = getattr(model, name)
            assert column is model._meta.columns[name]
            assert column.model is model
    assert PlaceRepost.extra.model is PlaceRepost
    assert PlaceRepost.title is not PlacePost.title
    assert PlaceNote.deleted_at is PlaceNote._meta.columns["deleted_at"]


def test_an_abstract_models_columns_are_read_from_its_options() -> None:
    assert type(PlaceStamped) is ModelMeta
    assert PlaceStamped.stamp is PlaceStamped._meta.columns["stamp"]
    assert hasattr(PlaceStamped, "stamp")
    with pytest.raises(AttributeError, match=r"^type object 'PlaceStamped' has no attribute 'nope'$"):
        PlaceStamped.nope  # noqa: B018
    with pytest.raises(AttributeError, match=r"^type object 'PlacePost' has no attribute 'nope'$"):
        PlacePost.nope  # noqa: B018


def test_instances_read_and_write_their_values_as_before() -> None:
    post = PlaceRepost(title="t", extra=3)
    assert (post.id, post.stamp, post.title, post.extra) == (None, None, "t", 3)
    post.title = "u"
    assert vars(post) == {"id": None, "stamp": None, "title": "u", "extra": 3}
    del post.extra
    with pytest.raises(AttributeError):
        post.extra  # noqa: B018 - no class attribute stands behind a removed value


def test_a_model_built_by_calling_the_metaclass_gets_a_metaclass_of_its_own() -> None:
    built = ModelMeta("PlaceBuilt", (PlacePost,), {"__module__": __name__, "Meta": type("Meta", (), {"table_name": "place_built"})})
    assert isinstance(built, type(PlacePost)) and type(built) is not type(PlacePost)
    assert built.title.model is built


@pytest.mark.parametrize("model", [PlaceStamped, PlacePost, PlaceRepost, PlaceNote, Model])
def test_no_model_metaclass_defines_getattr(model: type[Model]) -> None:
    assert [k.__name__ for k in type(model).__mro__ if "__getattr__" in vars(k)] == []


class PlaceTitled(Model):
    heading = StrColumn(nullable=True)

    class Meta:
        abstract = True


class PlaceBoth(PlaceStamped, PlaceTitled):
    class Meta:
        table_name = "place_both"


def test_a_model_may_inherit_from_two_abstract_models() -> None:
    assert type(PlaceBoth).__bases__ == (ModelMeta,)
    assert list(PlaceBoth._meta.columns) == ["id", "heading", "stamp"]
    assert PlaceTitled.heading is PlaceTitled._meta.columns["heading"]
    with pytest.raises(AttributeError, match=r"^type object 'PlaceTitled' has no attribute 'stamp'$"):
        PlaceTitled.stamp  # noqa: B018 - the other abstract model's column
    with pytest.raises(AttributeError, match=r"^type object 'Model' has no attribute 'heading'$"):
        Model.heading  # type: ignore[attr-defined]  # noqa: B018
    for name in ("stamp", "heading"):
        column = getattr(PlaceBoth, name)
        assert column is PlaceBoth._meta.columns[name] and column.model is PlaceBoth
    assert PlaceBoth(stamp=1, heading="h").heading == "h"


class PlaceLabelled:
    """A mixin whose attribute a model's column of the same name hides."""

    label = "from the mixin"


class PlaceHiding(PlaceLabelled, Model):
    label = StrColumn(nullable=True)

    class Meta:
        table_name = "place_hiding"


def test_a_column_hides_an_inherited_attribute_of_its_name() -> None:
    assert PlaceHiding.label is PlaceHiding._meta.columns["label"]
    assert not isinstance(vars(PlaceHiding)["label"], Column)
    note = PlaceHiding(label="x")
    assert note.label == "x"
    del note.label
    assert note.label is None  # not the mixin's value
    assert PlaceHiding(label=None).label is None
    assert PlaceLabelled.label == "from the mixin"


def test_a_column_is_read_from_the_metaclass_without_a_descriptor_call() -> None:
    assert not hasattr(type(PlacePost.title), "__get__")
    assert vars(type(PlacePost))["title"] is PlacePost.title


class PlaceStampMixin:
    """Not a model: its column is none of a model's columns."""

    created = IntColumn(nullable=True)


class PlaceMixedIn(PlaceStampMixin, Model):
    name = StrColumn(nullable=True)

    class Meta:
        table_name = "place_mixed_in"


def test_a_column_of_a_plain_mixin_is_no_column_and_reads_none_on_instances() -> None:
    assert list(PlaceMixedIn._meta.columns) == ["id", "name"]
    assert PlaceMixedIn.created is vars(PlaceStampMixin)["created"]
    assert PlaceMixedIn(name="a").created is None
