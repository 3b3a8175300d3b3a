"""The README's idempotent operation (a unique request key + get_or_create in one
transaction) runs once however often it is retried, also concurrently."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from kakaorm import DecimalColumn, IntColumn, Model, OperationalError, StrColumn


class IdemOrder(Model):
    status = StrColumn(nullable=False, max_length=10, default="open")
    payments = IntColumn(nullable=False, default=0)


class IdemPayment(Model):
    request_key = StrColumn(nullable=False, unique=True, max_length=36)
    order_id = IntColumn(nullable=False)
    amount = DecimalColumn(12, 2, nullable=False)


async def pay(engine, request_key: str, order_id: int, amount: Decimal) -> tuple[IdemPayment, bool]:
    async with engine.transaction():
        payment, created = await IdemPayment.get_or_create(
            request_key=request_key, defaults={"order_id": order_id, "amount": amount}
        )
        if created:
            await IdemOrder.where(IdemOrder.id == order_id).update(
                status="paid", payments=IdemOrder.payments + 1
            )
    return payment, created


async def test_a_retried_payment_is_made_once(engine):
    await engine.create_table(IdemOrder, IdemPayment)
    order = await IdemOrder.create()
    first, created = await pay(engine, "k-1", order.id, Decimal("9.90"))
    again, created_again = await pay(engine, "k-1", order.id, Decimal("9.90"))
    assert (created, created_again) == (True, False)
    assert again.id == first.id and str(again.amount) == "9.90"
    assert await IdemPayment.all().count() == 1
    fresh = await IdemOrder.get(IdemOrder.id == order.id)
    assert (fresh.status, fresh.payments) == ("paid", 1)


async def pay_retrying(engine, request_key: str, order_id: int, amount: Decimal) -> tuple[IdemPayment, bool]:
    """``pay`` retried after a failure, as the key makes safe (MariaDB may end
    concurrent calls in a deadlock: OperationalError, "retry it")."""
    for _ in range(20):
        try:
            return await pay(engine, request_key, order_id, amount)
        except OperationalError:
            await asyncio.sleep(0.01)
    raise AssertionError("still failing after 20 attempts")


async def test_concurrent_retries_of_one_payment_make_it_once(engine):
    await engine.create_table(IdemOrder, IdemPayment)
    order = await IdemOrder.create()
    results = await asyncio.gather(*(pay_retrying(engine, "k-2", order.id, Decimal("5.00")) for _ in range(6)))
    assert sorted(created for _, created in results) == [False] * 5 + [True]
    assert len({payment.id for payment, _ in results}) == 1
    assert await IdemPayment.all().count() == 1
    assert (await IdemOrder.get(IdemOrder.id == order.id)).payments == 1
