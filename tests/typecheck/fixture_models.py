"""Models for the type-checker cases (tests/test_typing_checkers.py): a TypedModel in the
documented style, and a model written as for kakaorm 0.4 (no annotations)."""

from __future__ import annotations

import datetime
import decimal
import enum
from typing import Any, ClassVar

from kakaorm import (
    ArrayColumn,
    BoolColumn,
    Column,
    DateTimeColumn,
    DecimalColumn,
    EnumColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    JSONColumn,
    Model,
    SoftDeleteModel,
    StrColumn,
    TypedModel,
    many_to_many,
)


class Author(TypedModel):
    name: Column[str] = StrColumn(nullable=False)


class Post(TypedModel):
    title: Column[str] = StrColumn(nullable=False, max_length=200)
    body: Column[str | None] = StrColumn()
    views: Column[int] = IntColumn(nullable=False, default=0)
    rating: Column[float | None] = FloatColumn()
    price: Column[decimal.Decimal | None] = DecimalColumn(10, 2)
    draft: Column[bool] = BoolColumn(nullable=False, default=True)
    created: Column[datetime.datetime] = DateTimeColumn(nullable=False, auto_now_add=True)
    author_id: Column[int] = ForeignKey(Author, nullable=False)


class Task(Model):
    """Declared as for kakaorm 0.4: still typed as before, constructor unchecked."""

    title = StrColumn(nullable=False)
    views = IntColumn(nullable=False)
    note = StrColumn()


class Note(SoftDeleteModel, TypedModel):
    """A typed model with a deletion strategy."""

    text: Column[str] = StrColumn(nullable=False)


class Comment(Model):
    """0.4 style, with a foreign key (typed int; its values are checked at run time)."""

    post_id = ForeignKey(Post, nullable=False)


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Label(TypedModel):
    name: Column[str] = StrColumn(nullable=False)


class Doc(TypedModel):
    """The column types with methods of their own are annotated with their class
    (JSON paths, array filters); a many_to_many is a ClassVar, not a field."""

    data: JSONColumn[dict[str, Any] | list[Any] | None] = JSONColumn()
    color: Column[Color] = EnumColumn(Color, nullable=False)
    nums: ArrayColumn[list[int] | None] = ArrayColumn(int)
    labels: ClassVar[many_to_many[Label]] = many_to_many(Label)
