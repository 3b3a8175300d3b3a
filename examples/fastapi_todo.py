"""A small TODO API: a KakaORM model is the response model, request bodies are derived
from it. Typed throughout: ``mypy --strict`` and pyright check it (a TypedModel's
constructor and ``create()`` take its columns; ``CreateSchema[Todo]`` is a class).

    pip install kakaorm-core kakaorm-sqlite pydantic fastapi uvicorn
    python examples/fastapi_todo.py          # then open http://localhost:8000/docs

Environment: TODO_DATABASE_URL (default ``sqlite+aiosqlite:///./todo.db``), PORT
(default 8000).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Response

import kakaorm
from kakaorm import BoolColumn, Column, CreateSchema, StrColumn, TypedModel, UpdateSchema


class Todo(TypedModel):
    """Something to do."""

    title: Column[str] = StrColumn(nullable=False, max_length=200)
    description: Column[str | None] = StrColumn(nullable=True)
    completed: Column[bool] = BoolColumn(nullable=False, default=False)

    class Meta:
        table_name = "todo"


# Request bodies, derived from the columns: TodoCreate needs a title and may carry a
# description and completed; TodoUpdate makes every field optional. Both refuse
# unknown fields with a 422. Declared as classes so type checkers know them too.
class TodoCreate(CreateSchema[Todo]):
    """A new todo."""


class TodoUpdate(UpdateSchema[Todo]):
    """The fields of a todo to change."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = os.environ.get("TODO_DATABASE_URL", "sqlite+aiosqlite:///./todo.db")
    engine = await kakaorm.connect(url)
    await engine.create_table(Todo)  # CREATE TABLE IF NOT EXISTS
    try:
        yield
    finally:
        await engine.disconnect()


app = FastAPI(title="KakaORM TODO example", lifespan=lifespan)


async def find(todo_id: int) -> Todo:
    todo = await Todo.get_or_none(Todo.id == todo_id)
    if todo is None:
        raise HTTPException(status_code=404, detail=f"no todo with id {todo_id}")
    return todo


@app.get("/todos", response_model=list[Todo])
async def list_todos(completed: bool | None = None) -> list[Todo]:
    query = Todo.all() if completed is None else Todo.where(Todo.completed == completed)
    return await query.order_by(Todo.id)


@app.post("/todos", response_model=Todo, status_code=201)
async def create_todo(body: TodoCreate) -> Todo:
    return await Todo.create(**body.model_dump())


@app.get("/todos/{todo_id}", response_model=Todo)
async def get_todo(todo_id: int) -> Todo:
    return await find(todo_id)


@app.patch("/todos/{todo_id}", response_model=Todo)
async def update_todo(todo_id: int, body: TodoUpdate) -> Todo:
    todo = await find(todo_id)
    # only the fields the client sent; an omitted field keeps its value
    for name, value in body.model_dump(exclude_unset=True).items():
        setattr(todo, name, value)
    await todo.save()
    return todo


@app.delete("/todos/{todo_id}", status_code=204)
async def delete_todo(todo_id: int) -> Response:
    todo = await find(todo_id)
    await todo.delete()
    return Response(status_code=204)


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
