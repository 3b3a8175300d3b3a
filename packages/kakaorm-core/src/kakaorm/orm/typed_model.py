"""TypedModel: a model base whose constructor type checkers know.

``Model`` takes ``**values: Any``, so a type checker cannot tell ``Task(titel="x")``
from ``Task(title="x")``. A ``TypedModel`` subclass declares each column with an
annotation, ``title: Column[str] = StrColumn(nullable=False)``, and is marked with
PEP 681 ``dataclass_transform``: mypy and pyright then build its ``__init__`` (and so
``create()``) from the annotated columns, keyword-only, each taking the column's
value type. Nothing changes at run time: the constructor is ``Model.__init__``.

A separate base rather than ``dataclass_transform`` on ``Model`` itself: a checker
only counts *annotated* attributes as fields, so every existing model declared
without annotations would get an ``__init__`` taking no arguments.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, dataclass_transform

from kakaorm.exc import ModelError
from kakaorm.orm.columns import Column
from kakaorm.orm.model import Model

__all__ = ["TypedModel"]


@dataclass_transform(kw_only_default=True)
class TypedModel(Model):
    """A model whose columns are annotated, so type checkers check its constructor.

    Example::

        class Task(TypedModel):
            title: Column[str] = StrColumn(nullable=False)
            note: Column[str | None] = StrColumn()

        Task(titel="x")               # mypy and pyright: no parameter named "titel"
        await Task.create(title=3)    # mypy and pyright: int is not str
        Task.where(Task.title == "x") # Task.title is still a column for queries

    Raises:
        ModelError: a column of the class is declared without an annotation (a
            checker would leave it out of the constructor).
    """

    if not TYPE_CHECKING:  # a subclass's own Meta is no override of this one

        class Meta:
            abstract = True

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        annotated = inspect.get_annotations(cls)  # this class's own, unevaluated
        for name, value in cls.__dict__.items():
            if isinstance(value, Column) and name not in annotated:
                raise ModelError(
                    f"{cls.__name__}.{name} is a TypedModel column without an annotation, "
                    f"so type checkers leave it out of {cls.__name__}(): declare it as "
                    f"'{name}: Column[<value type>] = {type(value).__name__}(...)'"
                )
