"""SQLite URLs take no query options: one is an InvalidURLError, not silently ignored."""

from __future__ import annotations

import pytest

import kakaorm


@pytest.mark.parametrize("scheme", ["sqlite", "sqlite+aiosqlite"])
async def test_a_sqlite_url_with_a_query_option_is_refused(scheme, tmp_path):
    path = tmp_path / "app.db"
    with pytest.raises(kakaorm.InvalidURLError) as err:
        await kakaorm.connect(f"{scheme}:///{path}?mode=ro")
    assert str(err.value) == (
        f"the {scheme} URL '{scheme}:///{path}' has the unknown query option(s) mode (it takes "
        "none: pass settings to kakaorm.connect() as keyword arguments); a valid one looks like "
        "'sqlite+aiosqlite:///./app.db'"
    )
    assert not path.exists()  # nothing was opened
