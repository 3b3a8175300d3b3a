"""The compiled-statement cache entry: what the engine hands the ORM with a query's rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from kakaorm import exc
from kakaorm.engine import cache
from kakaorm.engine.cache import CompiledEntry


def _entry() -> CompiledEntry:
    entry = CompiledEntry(
        "SELECT t.id, t.n FROM t", None, None, ["id", "n"], [None, lambda v: int(v)]
    )
    entry.result_sources = [("t", "id"), ("t", "n")]
    entry.result_kinds = ["int", "int"]
    return entry


def test_build_rows_makes_one_builder_per_key_and_reuses_it() -> None:
    entry = _entry()
    made: list[tuple[Any, tuple[str, ...]]] = []

    def make(key: Any, names: Sequence[str], procs: Any) -> Any:
        made.append((key, tuple(names)))
        return lambda rows: [(key, *row) for row in rows]

    assert entry.build_rows("a", make, [(1, 2)]) == [("a", 1, 2)]
    assert entry.build_rows("a", make, [(3, 4)]) == [("a", 3, 4)]
    assert entry.build_rows("b", make, [(5, 6)]) == [("b", 5, 6)]
    assert made == [("a", ("id", "n")), ("b", ("id", "n"))]


@pytest.fixture
def gc_enabled() -> Iterator[None]:
    """The cyclic collector on for the test, and back as it was after."""
    was = gc.isenabled()
    gc.enable()
    yield
    # a test may have turned it off: the tests after it get it as it was before
    if was:
        gc.enable()
    else:
        gc.disable()


def _gc_state_builder(seen: list[bool], fail: bool = False) -> Any:
    def make(key: Any, names: Sequence[str], procs: Any) -> Any:
        def build(rows: Sequence[Sequence[Any]]) -> list[Any]:
            seen.append(gc.isenabled())
            if fail:
                raise RuntimeError("builder failed")
            return list(rows)

        return build

    return make


@pytest.mark.usefixtures("gc_enabled")
@pytest.mark.parametrize(("n_rows", "enabled_inside"), [(1, True), (699, True), (700, False), (20_000, False)])
def test_a_large_build_runs_with_the_cyclic_collector_paused(n_rows: int, enabled_inside: bool) -> None:
    seen: list[bool] = []
    rows = [(i, i) for i in range(n_rows)]
    assert _entry().build_rows("k", _gc_state_builder(seen), rows) == rows
    assert seen == [enabled_inside]
    assert gc.isenabled() is True


@pytest.mark.usefixtures("gc_enabled")
def test_a_failing_large_build_turns_the_collector_back_on() -> None:
    seen: list[bool] = []
    with pytest.raises(RuntimeError, match=r"^builder failed$"):
        _entry().build_rows("k", _gc_state_builder(seen, fail=True), [(i, i) for i in range(1000)])
    assert seen == [False]
    assert gc.isenabled() is True


@pytest.mark.usefixtures("gc_enabled")
def test_gc_pause_rows_none_never_pauses_and_a_lower_value_pauses_sooner(monkeypatch) -> None:
    seen: list[bool] = []
    monkeypatch.setattr(cache, "GC_PAUSE_ROWS", None)
    _entry().build_rows("k", _gc_state_builder(seen), [(i, i) for i in range(20_000)])
    monkeypatch.setattr(cache, "GC_PAUSE_ROWS", 10)
    _entry().build_rows("k", _gc_state_builder(seen), [(i, i) for i in range(9)])
    _entry().build_rows("k", _gc_state_builder(seen), [(i, i) for i in range(10)])
    assert seen == [True, True, False]
    assert gc.isenabled() is True


@pytest.mark.usefixtures("gc_enabled")
def test_a_large_build_leaves_a_collector_the_application_turned_off_off() -> None:
    seen: list[bool] = []
    gc.disable()
    _entry().build_rows("k", _gc_state_builder(seen), [(i, i) for i in range(1000)])
    assert seen == [False]
    assert gc.isenabled() is False


def test_build_rows_reports_a_stored_value_its_conversion_refuses() -> None:
    entry = _entry()

    def make(key: Any, names: Sequence[str], procs: Any) -> Any:
        return lambda rows: [[f(v) if f else v for v, f in zip(row, procs, strict=True)] for row in rows]

    with pytest.raises(exc.DataError) as info:
        entry.build_rows("k", make, [(1, "2"), (2, "two")])
    assert str(info.value) == (
        "cannot read column 'n' of table 't': the stored value 'two' is not a int (invalid "
        "literal for int() with base 10: 'two'). It was not written by KakaORM in a form it "
        "reads; correct the stored value (e.g. with engine.execute('UPDATE ...'))\n"
        "[SQL: SELECT t.id, t.n FROM t]"
    )
    assert isinstance(info.value.__cause__, ValueError)


def test_hydrate_dicts_keys_rows_by_result_name_after_conversion() -> None:
    assert _entry().hydrate_dicts([(1, "2")]) == [{"id": 1, "n": 2}]
