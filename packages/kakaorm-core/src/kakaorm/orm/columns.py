"""Columns: the Column descriptor (also an expression), foreign keys, and the rule
checking values written to or compared with a column.

``Task.title`` is the :class:`Column` (an expression usable in queries); ``task.title``
is the value, a plain instance attribute: a concrete model's columns sit on its own
metaclass, not in the class (see :mod:`kakaorm.orm.model_meta`), so CPython
specialises the read (no per-attribute Python call on the hot path).
"""

from __future__ import annotations

import builtins
import datetime as _dt
import itertools
import uuid as _uuid
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    overload,
)

from kakaorm.exc import ModelError
from kakaorm.expr.columns import ColumnElement
from kakaorm.expr.elements import Param, coerce_value
from kakaorm.orm.options import is_model_class, resolve_model
from kakaorm.orm.validation import Validator
from kakaorm.schema import NULL_DEFAULT, ColumnSchema, ColumnType, TableSchema
from kakaorm.types import INTEGER, SQLType

if TYPE_CHECKING:
    from kakaorm.expr.conditions import Condition, Subquery
    from kakaorm.expr.elements import Expression
    from kakaorm.expr.tables import SubquerySource
    from kakaorm.orm.model import Model

# the typed column classes (IntColumn, StrColumn, ...) are in kakaorm.orm.column_types
__all__ = ["Column", "ColumnOptions", "ForeignKey", "coerce_value", "utcnow"]

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()

_serial = itertools.count(1)

ON_DELETE_ACTIONS = ("CASCADE", "SET NULL", "RESTRICT", "NO ACTION")


class ColumnOptions(TypedDict, total=False):
    """Options shared by every column type."""

    default: Any
    unique: bool
    index: bool
    check: str | None
    auto_increment: bool
    validators: Sequence[Validator] | None


class Column(ColumnElement[T], Generic[T]):
    """A model column. Subclasses fix the SQL type; see the concrete column classes.

    In the SQL layer it is a :class:`~kakaorm.expr.columns.ColumnElement` whose table
    is its model's ``_meta`` (set when the model class is created).

    Args:
        nullable: allow NULL (default True; a primary key is never nullable).
        default: a value, or a zero-argument callable called for each new instance.
        unique: add a UNIQUE constraint.
        primary_key: make this the primary key (no auto-increment unless asked).
        index: add a single-column index.
        check: a CHECK constraint, as SQL written by the model's author.
        auto_increment: let the database generate the value (integer keys).
        validators: callables run on the value before every INSERT and UPDATE, e.g.
            ``[min_length(2), max_length(50)]`` (see :mod:`kakaorm.validators`).
    """

    sql_type: SQLType

    def __init__(
        self,
        sql_type: SQLType,
        *,
        nullable: bool = True,
        default: Any = MISSING,
        unique: bool = False,
        primary_key: bool = False,
        index: bool = False,
        check: str | None = None,
        auto_increment: bool = False,
        validators: Sequence[Validator] | None = None,
    ) -> None:
        self.sql_type = sql_type
        self.primary_key = primary_key
        self.nullable = nullable and not primary_key
        self.default = default
        self.unique = unique
        self.index = index
        self.check = check
        self.auto_increment = auto_increment
        #: the checks run before the value is written (``validators=``)
        self.validators: tuple[Validator, ...] = _validators(validators)
        self.auto_now = False
        self.auto_now_add = False
        self.name: str = ""
        self.model: type[Model] = None  # type: ignore[assignment]
        self.table = None
        self._uid = next(_serial)
        #: values of exactly this type need no checking or conversion before binding
        self.exact_type: builtins.type = _EXACT.get(sql_type.kind, _Missing)
        #: the same for values written (a bounded text must also have its length checked)
        self.write_exact_type: builtins.type = self.exact_type
        if auto_increment and sql_type.kind != "int":
            raise ModelError("auto_increment=True is only valid on an IntColumn")

    # the value type for bind/result conversions
    @property
    def type(self) -> SQLType:  # type: ignore[override]
        return self.sql_type

    def __column_schema__(self) -> tuple[TableSchema, ColumnSchema]:
        """The model's table and this column in portable terms (for the compiler's
        per-column DDL methods, ``column_type`` and ``column_definition``); a column
        of no model is described alone."""
        column = column_schema(self)
        if self.model is None:
            return TableSchema("", (column,)), column
        return self.model.__table_schema__(), column

    @property
    def has_default(self) -> bool:
        """True when the column has a Python-side default."""
        return self.default is not MISSING

    def get_default(self) -> Any:
        """The default for a new instance (calling a callable default)."""
        default = self.default
        if default is MISSING:
            return None
        return default() if callable(default) else default

    def __set_name__(self, owner: builtins.type, name: str) -> None:
        self.name = name

    if TYPE_CHECKING:
        # Seen by type checkers only: ``Post.views`` is the column, ``post.views`` its
        # value. At run time a column is no descriptor. It sits on its model's own
        # metaclass (kakaorm.orm.model_meta._place_columns), where ``Post.views``
        # reads it as a plain attribute, without a Python call.
        @overload
        def __get__(self, instance: None, owner: Any) -> Self: ...

        @overload
        def __get__(self, instance: object, owner: Any) -> T: ...

        def __get__(self, instance: object | None, owner: Any) -> Any: ...

        # Seen by type checkers only. At run time ``task.title`` is a plain instance
        # attribute, with no column in the class to call; to a checker,
        # ``task.title = value`` takes a T, and a TypedModel's generated ``__init__``
        # takes a T for the column (PEP 681 reads a descriptor field's __set__).
        def __set__(self, instance: object, value: T) -> None: ...

        # A filter value must have the column's type (None is IS NULL for == and !=);
        # another expression, such as a column of a joined model, is always accepted.
        def __eq__(self, other: T | Expression[Any] | None) -> Condition: ...  # type: ignore[override]
        def __ne__(self, other: T | Expression[Any] | None) -> Condition: ...  # type: ignore[override]
        def __lt__(self, other: T | Expression[Any]) -> Condition: ...
        def __le__(self, other: T | Expression[Any]) -> Condition: ...
        def __gt__(self, other: T | Expression[Any]) -> Condition: ...
        def __ge__(self, other: T | Expression[Any]) -> Condition: ...
        def in_(self, values: Iterable[T] | SubquerySource | Subquery) -> Condition: ...
        def not_in(self, values: Iterable[T] | SubquerySource | Subquery) -> Condition: ...
        def between(self, low: T | Expression[Any], high: T | Expression[Any]) -> Condition: ...

    def _key(self, params: list[Param]) -> Hashable:
        # a serial number, not the column: comparing columns with == builds SQL, and
        # an id() could be reused by a later column after this one is collected
        return self._uid

    def __repr__(self) -> str:
        owner = self.model.__name__ if self.model is not None else "?"
        return f"<{type(self).__name__} {owner}.{self.name}>"

    def _check_value(self, value: Any) -> Any:
        # on the compile hot path: a value of exactly the column's type needs no work
        if type(value) is self.exact_type:
            return value
        return coerce_value(self, value, exact=True)

    def value_type(self) -> SQLType:
        """The type values written to or compared with this column are checked against."""
        return self.sql_type

    def _copy_for(self, model: builtins.type[Model]) -> Column[T]:
        clone = object.__new__(builtins.type(self))
        clone.__dict__.update(self.__dict__)
        clone.model = model
        clone._uid = next(_serial)
        return clone


class ForeignKey(Column[T]):
    """A column referencing another model's primary key.

    Args:
        to: the referenced model class, or its class name as a string.
        on_delete: ``"CASCADE"`` (default), ``"SET NULL"``, ``"RESTRICT"`` or ``"NO ACTION"``.
    """

    @overload
    def __init__(
        self: ForeignKey[int], to: type[Model] | str, *, nullable: Literal[False],
        on_delete: str = ..., primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    @overload
    def __init__(
        self: ForeignKey[int | None], to: type[Model] | str, *, nullable: bool = ...,
        on_delete: str = ..., primary_key: bool = ..., **options: Unpack[ColumnOptions],
    ) -> None: ...
    def __init__(self, to: Any, *, on_delete: str = "CASCADE", **options: Any) -> None:
        if isinstance(to, str):
            if not to:
                raise ModelError("ForeignKey() needs a model class or a model class name")
        elif not is_model_class(to):
            raise ModelError(
                f"ForeignKey() must reference a Model subclass or its name, got {to!r}"
            )
        action = on_delete.upper() if isinstance(on_delete, str) else on_delete
        if action not in ON_DELETE_ACTIONS:
            raise ModelError(
                f"on_delete={on_delete!r} is not supported; use one of "
                + ", ".join(repr(a) for a in ON_DELETE_ACTIONS)
            )
        self.to = to
        self.on_delete: str = action
        super().__init__(INTEGER, **options)
        if not isinstance(to, str):
            self._adopt_target_type()
        else:
            # the key's type is unknown until the name is resolved: no value may skip
            # coerce_value(), which resolves it
            self.exact_type = self.write_exact_type = _Missing

    if TYPE_CHECKING:
        # a key is typed int, but the referenced key may be a UUID or a text: a filter
        # value is checked at run time against the referenced key's type instead
        def __eq__(self, other: Any) -> Condition: ...  # type: ignore[override]
        def __ne__(self, other: Any) -> Condition: ...  # type: ignore[override]
        def __lt__(self, other: Any) -> Condition: ...
        def __le__(self, other: Any) -> Condition: ...
        def __gt__(self, other: Any) -> Condition: ...
        def __ge__(self, other: Any) -> Condition: ...
        def in_(self, values: Iterable[Any] | SubquerySource | Subquery) -> Condition: ...
        def not_in(self, values: Iterable[Any] | SubquerySource | Subquery) -> Condition: ...
        def between(self, low: Any, high: Any) -> Condition: ...

    def _adopt_target_type(self) -> None:
        """Hold and check values of the referenced key's type (an int until known)."""
        target = self.target_model._meta.pk.sql_type
        self.sql_type = target
        self.exact_type = _EXACT.get(target.kind, _Missing)
        self.write_exact_type = self.exact_type if target.length is None else _Missing

    @property
    def target_model(self) -> type[Model]:
        """The referenced model class (a string reference is resolved on first use)."""
        if isinstance(self.to, str):
            module = self.model.__module__ if self.model is not None else None
            self.to = resolve_model(self.to, f"ForeignKey {self!r}", module)
            self._adopt_target_type()
        return self.to  # type: ignore[no-any-return]

    def value_type(self) -> SQLType:
        """The referenced key's type (a name given as ``to`` is resolved first)."""
        if isinstance(self.to, str):
            self.target_model  # noqa: B018 - resolves the name and adopts the referenced key's type
        return self.sql_type

    @property
    def target_column(self) -> Column[Any]:
        """The referenced primary-key column."""
        return self.target_model._meta.pk

    @property
    def type(self) -> SQLType:  # type: ignore[override]
        try:
            target: SQLType = self.target_column.sql_type
            return target
        except ModelError:
            return self.sql_type


def _validators(given: Any) -> tuple[Validator, ...]:
    """``validators=`` as a tuple of callables; ModelError for anything else."""
    if given is None:
        return ()
    if callable(given) or isinstance(given, (str, bytes)) or not hasattr(given, "__iter__"):
        raise ModelError(
            f"validators= takes a list of validators, e.g. validators=[min_length(2)], got {given!r}"
        )
    out = tuple(given)
    for item in out:
        if not callable(item):
            raise ModelError(
                f"validators= holds {item!r}, which is not callable; a validator is a "
                "callable taking the value, such as min_length(2) or a function of your own"
            )
    return out


_EXACT: dict[str, builtins.type] = {
    "int": int,
    "str": str,
    "float": float,
    "bool": bool,
    "date": _dt.date,
    "time": _dt.time,
    "bytes": bytes,
    "uuid": _uuid.UUID,
}

#: callables the model layer uses for auto timestamps
utcnow: Callable[[], _dt.datetime] = lambda: _dt.datetime.now(_dt.UTC)  # noqa: E731


def column_schema(column: Column[Any]) -> ColumnSchema:
    """One column in portable terms (see :mod:`kakaorm.orm.table`): its declared default
    as it is written (a callable default is no database default; ``default=None`` is
    ``DEFAULT NULL``), a foreign key typed as the key it references."""
    sql_type = column.target_column.type if isinstance(column, ForeignKey) else column.type
    default = None
    if column.has_default and not callable(column.default):
        default = NULL_DEFAULT if column.default is None else column.default
        if sql_type.converts and default is not NULL_DEFAULT:
            default = sql_type.to_db(default)  # an enum member is written as its value
    return ColumnSchema(
        name=column.name,
        type=ColumnType.of(sql_type),
        nullable=column.nullable and not column.primary_key,
        default=default,
        primary_key=column.primary_key,
        auto_increment=column.auto_increment,
        check=column.check,
    )
