"""KakaORM in thirty lines: define a model, create its table, insert, update, query.

Runs on an in-memory SQLite database:  python examples/quickstart.py
"""

import asyncio

import kakaorm
from kakaorm import BoolColumn, Column, StrColumn, TypedModel


class Task(TypedModel):  # annotated columns: type checkers check Task(...) and create()
    title: Column[str] = StrColumn(nullable=False)
    done: Column[bool] = BoolColumn(nullable=False, default=False)

    class Meta:
        table_name = "task"


async def main() -> None:
    async with await kakaorm.connect("sqlite+aiosqlite:///:memory:") as engine:
        await engine.create_table(Task)

        task = await Task.create(title="Try KakaORM")
        print(task.id, task.title, task.done)  # 1 Try KakaORM False

        task.done = True
        await task.save()

        finished = await Task.where(Task.done == True)  # noqa: E712 - builds SQL, not a bool
        print(finished)  # [<Task id=1>]


if __name__ == "__main__":
    asyncio.run(main())
