"""get_or_create on a MySQL session set to REPEATABLE READ (InnoDB's own default; KakaORM
sets READ COMMITTED): after losing the INSERT race inside a transaction, a plain read
would still see the transaction's old snapshot, without the winner's row. The locking
read get_or_create uses sees it."""

from __future__ import annotations

import asyncio

import pytest

import kakaorm
from kakaorm import IntColumn, Model, StrColumn

pytestmark = pytest.mark.backends("mysql")


class MyRrItem(Model):
    name = StrColumn(nullable=False, unique=True, max_length=20)
    qty = IntColumn(nullable=False, default=0)

    class Meta:
        table_name = "my_rr_item"


async def test_get_or_create_in_a_repeatable_read_transaction_returns_the_winners_row(engine, connect_url):
    await engine.create_table(MyRrItem)
    # one connection, so the session setting below is the one the transaction uses
    rr = await kakaorm.connect(connect_url(), pool_min_size=1, pool_max_size=1)
    try:
        await rr.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        competitor_done = False

        class Racing(MyRrItem):
            class Meta:
                table_name = "my_rr_item"

            async def before_insert(self) -> None:
                nonlocal competitor_done
                if not competitor_done:
                    competitor_done = True
                    # committed on the fixture's engine, after this transaction's snapshot
                    await asyncio.create_task(
                        engine.execute("INSERT INTO `my_rr_item` (`name`, `qty`) VALUES (%s, %s)", ["pen", 7])
                    )

        async with rr.transaction():
            assert await MyRrItem.count() == 0  # takes the snapshot
            row, created = await Racing.get_or_create(name="pen", defaults={"qty": 1})
            assert (created, row.name, row.qty) == (False, "pen", 7)
            assert await MyRrItem.count() == 0  # plain reads still see the old snapshot
    finally:
        await rr.disconnect()
    assert [(r.name, r.qty) for r in await MyRrItem.all()] == [("pen", 7)]
