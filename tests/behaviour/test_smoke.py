from kakaorm import BoolColumn, Model, StrColumn


class Task(Model):
    title = StrColumn(nullable=False)
    done = BoolColumn(nullable=False, default=False)

    class Meta:
        table_name = "task"


async def test_create_then_get_returns_equal_values(engine):
    await engine.create_table(Task)
    task = await Task.create(title="Try KakaORM")
    fetched = await Task.get(Task.id == task.id)
    assert (fetched.id, fetched.title, fetched.done) == (1, "Try KakaORM", False)
    assert type(fetched.done) is bool
