"""Expressions given the string arguments kakaorm 0.4 took (``Sum("views")``,
``over(order_by=["views DESC"])``) fail at once with a TypeError giving the typed
spelling; ``Count("*")`` is ``COUNT(*)`` as in 0.4."""

from __future__ import annotations

import pytest

from kakaorm import Avg, Count, IntColumn, Lag, Lead, Model, RowNumber, Sum


class EaPost(Model):
    views = IntColumn(nullable=False)

    class Meta:
        table_name = "post"


def test_count_of_star_is_count_of_every_row():
    assert repr(Count("*")) == "<Count COUNT(*)>"
    assert Count("*").arg is None


@pytest.mark.parametrize(
    ("build", "call"),
    [
        (lambda: Sum("views"), "Sum()"),
        (lambda: Avg("post.views"), "Avg()"),
        (lambda: Count("id"), "Count()"),
        (lambda: Lag("views"), "Lag()"),
        (lambda: Lead("views", 2), "Lead()"),
    ],
)
def test_a_column_name_string_is_a_type_error_naming_the_typed_spelling(build, call):
    with pytest.raises(TypeError) as info:
        build()
    text = str(info.value)
    assert text.startswith(f"{call} takes a column or expression such as Post.views, not the string '")
    assert text.endswith(
        "': SQL is never read from a string (kakaorm.raw('...') marks a fragment you wrote)"
    )


def test_window_order_and_partition_strings_are_type_errors():
    with pytest.raises(TypeError) as info:
        RowNumber().over(order_by=["views DESC"])
    assert str(info.value) == (
        "over(order_by=...) takes a column or expression such as Post.views or "
        "Post.views.desc, not the string 'views DESC': SQL is never read from a string "
        "(kakaorm.raw('...') marks a fragment you wrote)"
    )
    with pytest.raises(TypeError) as info:
        Sum(EaPost.views).over(partition_by=[3])
    assert str(info.value) == (
        "over(partition_by=...) takes a column or expression such as Post.views, got 3"
    )
