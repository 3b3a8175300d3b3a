"""Model definitions: what a class declares, and the ModelError a wrong one raises at
class creation. No database needed."""

from __future__ import annotations

import pytest

from kakaorm import (
    DateTimeColumn,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    Model,
    ModelError,
    StrColumn,
)
from kakaorm.compiler import SQLCompiler


class DefAuthor(Model):
    name = StrColumn(nullable=False)


class DefStamped(Model):
    class Meta:
        abstract = True

    created_at = DateTimeColumn(auto_now_add=True)


class DefPost(DefStamped):
    title = StrColumn(nullable=False, max_length=200)
    author_id = ForeignKey(DefAuthor)


def test_an_id_key_is_added_first_when_no_column_is_a_primary_key():
    assert DefAuthor._meta.names == ("id", "name")
    pk = DefAuthor._meta.pk
    assert (pk.name, pk.primary_key, pk.auto_increment, pk.nullable) == ("id", True, True, False)
    assert isinstance(DefAuthor.id, IntColumn)


def test_column_options_have_their_documented_defaults():
    col = StrColumn()
    assert (col.nullable, col.unique, col.primary_key, col.index, col.check, col.auto_increment) == (
        True, False, False, False, None, False,
    )
    assert not col.has_default and col.get_default() is None
    assert StrColumn(primary_key=True).nullable is False
    assert ForeignKey(DefAuthor).on_delete == "CASCADE"
    assert ForeignKey(DefAuthor, on_delete="set null").on_delete == "SET NULL"


def test_columns_of_an_abstract_base_are_inherited():
    assert DefPost._meta.names == ("id", "created_at", "title", "author_id")
    assert DefPost.created_at.model is DefPost
    assert DefPost._meta.table_name == "def_post"
    with pytest.raises(TypeError, match="DefStamped is abstract and has no table"):
        DefStamped()


def test_two_primary_keys_are_a_model_error():
    with pytest.raises(ModelError, match="DefTwoKeys declares more than one primary key \\(a, b\\)"):
        class DefTwoKeys(Model):
            a = IntColumn(primary_key=True)
            b = StrColumn(primary_key=True)


def test_meta_indexes_naming_an_unknown_column_is_a_model_error():
    with pytest.raises(ModelError) as info:
        class DefBadIndex(Model):
            name = StrColumn()

            class Meta:
                indexes = [("name", "nmae")]
    assert "DefBadIndex.Meta.indexes names 'nmae', which is not a column of DefBadIndex" in str(info.value)
    assert "its columns are: id, name" in str(info.value)


def test_meta_indexes_entries_must_be_tuples():
    with pytest.raises(ModelError, match="entries are tuples of column names"):
        class DefStrIndex(Model):
            name = StrColumn()

            class Meta:
                indexes = ["name"]


@pytest.mark.parametrize("target", [int, 42, DefAuthor(name="x"), "", object], ids=["builtin", "number", "instance", "empty", "object"])
def test_foreign_key_to_something_that_is_not_a_model_is_a_model_error(target):
    with pytest.raises(ModelError, match="ForeignKey\\(\\)"):
        class DefBadFk(Model):
            ref = ForeignKey(target)


def test_unknown_on_delete_is_a_model_error():
    with pytest.raises(ModelError, match="on_delete='EXPLODE' is not supported; use one of 'CASCADE', 'SET NULL'"):
        ForeignKey(DefAuthor, on_delete="EXPLODE")


def test_foreign_key_to_an_undefined_model_name_fails_when_the_table_is_built():
    class DefDangling(Model):
        ref = ForeignKey("DefNeverDefined")

    with pytest.raises(ModelError, match="refers to a model named 'DefNeverDefined', but no such model is defined"):
        SQLCompiler().create_table(DefDangling)


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: StrColumn(auto_increment=True), "auto_increment=True is only valid on an IntColumn"),
        (lambda: StrColumn(max_length=0), "max_length must be a positive integer, got 0"),
        (lambda: DecimalColumn(max_digits=2, decimal_places=3), "DecimalColumn needs 1 <= max_digits"),
    ],
)
def test_invalid_column_options_are_model_errors(make, fragment):
    with pytest.raises(ModelError, match=fragment.replace("(", "\\(").replace(")", "\\)")):
        make()


def test_a_column_named_like_a_model_method_is_a_model_error():
    with pytest.raises(ModelError, match=r"DefShadow\.save: 'save' is the name of a Model method"):
        class DefShadow(Model):
            save = StrColumn()


def test_a_column_called_select_or_group_is_allowed():
    class DefReserved(Model):
        select = StrColumn()
        group = StrColumn()

    assert DefReserved._meta.names == ("id", "select", "group")
    assert DefReserved(select="s").select == "s"


def test_private_column_names_and_a_non_key_id_are_model_errors():
    with pytest.raises(ModelError, match="column names may not start with '_'"):
        class DefPrivate(Model):
            _secret = StrColumn()
    with pytest.raises(ModelError, match="has a column named 'id' that is not its primary key"):
        class DefFakeId(Model):
            id = StrColumn()  # type: ignore[assignment]


def test_table_names_default_to_snake_case():
    class HTTPRequestLog(Model):
        path = StrColumn()

    class Item2Detail(Model):
        path = StrColumn()

    assert HTTPRequestLog._meta.table_name == "http_request_log"
    assert Item2Detail._meta.table_name == "item2_detail"
