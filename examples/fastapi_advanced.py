"""A shop API: several related models, one transaction per request through dependency
injection, and database errors turned into HTTP answers.

    pip install kakaorm-core kakaorm-sqlite pydantic 'fastapi>=0.121' uvicorn
    python examples/fastapi_advanced.py      # then open http://localhost:8000/docs

* ``Tx`` (a dependency) opens ``engine.transaction()`` for the request: everything the
  endpoint writes commits together when it returns (before the response goes out),
  and rolls back together when it raises, HTTPException included.
* ``NotFound`` (from ``Model.get``) becomes 404; ``IntegrityError`` (a duplicate
  unique value, a row still referenced) becomes 409. Neither leaks SQL to the client.
* Responses nest KakaORM models inside a pydantic model (``OrderOut``).

Environment: SHOP_DATABASE_URL (default ``sqlite+aiosqlite:///./shop.db``), PORT.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

import kakaorm
from kakaorm import (
    Column,
    CreateSchema,
    DateTimeColumn,
    DecimalColumn,
    ForeignKey,
    IntColumn,
    StrColumn,
    TypedModel,
    belongs_to,
    has_many,
)

log = logging.getLogger("shop")


class Customer(TypedModel):
    """A customer who places orders."""

    name: Column[str] = StrColumn(nullable=False, max_length=100)
    email: Column[str] = StrColumn(nullable=False, unique=True, max_length=255)
    orders = has_many("Order", foreign_key="customer_id")


class Product(TypedModel):
    """Something for sale, with the quantity in stock."""

    sku: Column[str] = StrColumn(nullable=False, unique=True, max_length=32)
    name: Column[str] = StrColumn(nullable=False, max_length=200)
    price: Column[decimal.Decimal] = DecimalColumn(nullable=False, max_digits=10, decimal_places=2)
    stock: Column[int] = IntColumn(nullable=False, default=0)


class Order(TypedModel):
    """An order of one customer; its lines say what was bought."""

    customer_id: Column[int] = ForeignKey(Customer, nullable=False, on_delete="RESTRICT")
    total: Column[decimal.Decimal] = DecimalColumn(nullable=False, max_digits=12, decimal_places=2, default=0)
    created_at: Column[datetime.datetime] = DateTimeColumn(nullable=False, auto_now_add=True)
    customer = belongs_to(Customer, foreign_key="customer_id")
    lines = has_many("OrderLine", foreign_key="order_id")

    class Meta:
        table_name = "orders"  # the default, "order", is a reserved word in raw SQL


class OrderLine(TypedModel):
    """One product of an order, at the price it had when ordered."""

    order_id: Column[int] = ForeignKey(Order, nullable=False, on_delete="CASCADE")
    product_id: Column[int] = ForeignKey(Product, nullable=False, on_delete="RESTRICT")
    quantity: Column[int] = IntColumn(nullable=False)
    unit_price: Column[decimal.Decimal] = DecimalColumn(nullable=False, max_digits=10, decimal_places=2)


# -- request and response bodies ---------------------------------------------------------

class CustomerCreate(CreateSchema[Customer]):
    """A new customer."""


class ProductCreate(CreateSchema[Product]):
    """A new product."""


class LineIn(BaseModel):
    product_id: int
    quantity: int = Field(gt=0, le=1000)


class OrderIn(BaseModel):
    customer_id: int
    lines: list[LineIn] = Field(min_length=1)


class OrderOut(BaseModel):
    """An order with its customer and lines: KakaORM models nested in a pydantic model."""

    order: Order
    customer: Customer
    lines: list[OrderLine]


# -- the application ---------------------------------------------------------------------


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("SHOP_DATABASE_URL", "sqlite+aiosqlite:///./shop.db")
    engine = await kakaorm.connect(url)
    await engine.create_table(Customer, Product, Order, OrderLine)
    app.state.engine = engine
    try:
        yield
    finally:
        await engine.disconnect()


app = FastAPI(title="KakaORM shop example", lifespan=lifespan)


def get_engine(request: Request) -> kakaorm.Engine:
    """The engine the lifespan connected (a dependency, so tests can override it)."""
    engine: kakaorm.Engine = request.app.state.engine
    return engine


async def transaction(
    engine: Annotated[kakaorm.Engine, Depends(get_engine)],
) -> AsyncIterator[kakaorm.Transaction]:
    """One transaction per request: commit when the endpoint returns, roll back when it
    raises (the exception passes through here before FastAPI answers)."""
    async with engine.transaction() as tx:
        yield tx


# scope="function": the commit happens when the endpoint returns, before the response is
# sent (by default FastAPI would finish the dependency after sending it, so a client
# could read before the commit, and a failed commit would go unreported)
Tx = Annotated[kakaorm.Transaction, Depends(transaction, scope="function")]


@app.exception_handler(kakaorm.NotFound)
async def not_found(request: Request, err: kakaorm.NotFound) -> JSONResponse:
    return JSONResponse(status_code=404, content={"detail": str(err)})


@app.exception_handler(kakaorm.IntegrityError)
async def conflict(request: Request, err: kakaorm.IntegrityError) -> JSONResponse:
    # the message holds the SQL: log it, answer with something a client can act on
    log.info("integrity error on %s %s: %s", request.method, request.url.path, err)
    return JSONResponse(
        status_code=409,
        content={"detail": "conflict: a unique value is taken, or the row is still referenced"},
    )


# An endpoint that writes takes ``tx: Tx``; it never uses the name: asking for it is
# what wraps the endpoint in the transaction.
@app.post("/customers", response_model=Customer, status_code=201)
async def create_customer(body: CustomerCreate, tx: Tx) -> Customer:
    return await Customer.create(**body.model_dump())


@app.get("/customers/{customer_id}", response_model=Customer)
async def get_customer(customer_id: int) -> Customer:
    return await Customer.get(Customer.id == customer_id)  # NotFound -> 404


@app.get("/customers/{customer_id}/orders", response_model=list[OrderOut])
async def customer_orders(customer_id: int) -> list[OrderOut]:
    customer = await Customer.get(Customer.id == customer_id)
    # two queries in all, however many orders: the orders, then every line of them
    orders = await Order.where(Order.customer_id == customer_id).order_by(Order.id).prefetch("lines")
    return [OrderOut(order=o, customer=customer, lines=await o.lines) for o in orders]


@app.post("/products", response_model=Product, status_code=201)
async def create_product(body: ProductCreate, tx: Tx) -> Product:
    return await Product.create(**body.model_dump())


@app.delete("/products/{product_id}", status_code=204)
async def delete_product(product_id: int, tx: Tx) -> Response:
    product = await Product.get(Product.id == product_id)
    await product.delete()  # IntegrityError (-> 409) while an order line refers to it
    return Response(status_code=204)


@app.post("/orders", response_model=OrderOut, status_code=201)
async def place_order(body: OrderIn, tx: Tx) -> OrderOut:
    customer = await Customer.get(Customer.id == body.customer_id)
    order = await Order.create(customer_id=customer.id)
    total = decimal.Decimal(0)
    lines = []
    for item in body.lines:
        product = await Product.get(Product.id == item.product_id)
        if product.stock < item.quantity:
            # raising rolls back the whole request: the order and earlier lines vanish
            raise HTTPException(
                status_code=409,
                detail=f"only {product.stock} of {product.sku} in stock, {item.quantity} ordered",
            )
        await Product.where(Product.id == product.id).update(stock=Product.stock - item.quantity)
        lines.append(
            await OrderLine.create(
                order_id=order.id, product_id=product.id,
                quantity=item.quantity, unit_price=product.price,
            )
        )
        total += product.price * item.quantity
    order.total = total
    await order.save()
    return OrderOut(order=order, customer=customer, lines=lines)


@app.get("/orders/{order_id}", response_model=OrderOut)
async def get_order(order_id: int) -> OrderOut:
    order = await Order.where(Order.id == order_id).prefetch("customer", "lines").get()
    customer = await order.customer
    assert customer is not None  # customer_id is NOT NULL and RESTRICTs deletion
    return OrderOut(order=order, customer=customer, lines=await order.lines)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
