"""The ``kakaorm`` command and its subcommands: init, makemigrations, migrate, showmigrations."""

from __future__ import annotations

import asyncio
import enum
import re
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

import kakaorm
from kakaorm import Engine

from ._errors import CLIError, one_line_errors
from ._models import import_models
from ._settings import (
    CONFIG_FILE,
    DEFAULT_MIGRATIONS,
    Settings,
    load_settings,
    render_config,
    shown_path,
)

if TYPE_CHECKING:
    from kakaorm.migration import VersionedMigrator

T = TypeVar("T")

app = typer.Typer(
    name="kakaorm",
    help=(
        "KakaORM command line: create and apply schema migrations.\n\n"
        "Settings come from the options, else the environment (KAKAORM_DATABASE_URL, "
        "KAKAORM_MODELS, KAKAORM_MIGRATIONS, also read from ./.env), else kakaorm.toml."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help=(
            "Database URL, e.g. sqlite+aiosqlite:///./app.db. "
            "Default: KAKAORM_DATABASE_URL, then database_url in kakaorm.toml."
        ),
        show_default=False,
    ),
]
MigrationsOption = Annotated[
    Path | None,
    typer.Option(
        "--migrations",
        metavar="DIR",
        help="Migrations directory. Default: KAKAORM_MIGRATIONS, then migrations in kakaorm.toml, then ./migrations.",
        show_default=False,
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Config file to read. Default: KAKAORM_CONFIG, then ./kakaorm.toml if it exists.",
        show_default=False,
    ),
]

_NAME = re.compile(r"[A-Za-z0-9_]+")


class Direction(enum.StrEnum):
    """Which way ``migrate`` goes."""

    up = "up"
    down = "down"


def _stem(name: str) -> str:
    return name[:-3] if name.endswith(".py") else name


def _when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return "-" if value is None else str(value)


def _migrator(engine: Engine) -> VersionedMigrator:
    """A VersionedMigrator on ``engine`` (imported late so ``--help`` stays fast)."""
    try:
        from kakaorm.migration import VersionedMigrator
    except ImportError as err:
        raise CLIError(
            f"this kakaorm-core ({kakaorm.__version__}) has no migration engine "
            f"({err}); install the matching version: pip install kakaorm-core==0.4.0"
        ) from err
    return VersionedMigrator(engine)


async def _connect(url: str) -> Engine:
    """``kakaorm.connect(url)``, letting a driver's cleanup threads end when it fails."""
    before = set(threading.enumerate())
    try:
        return await kakaorm.connect(url)
    except Exception:
        # aiosqlite closes a connection that failed to open on its own daemon thread,
        # which then reports back to this loop; if the loop is already closed, that
        # thread prints a traceback. Wait for such threads while the loop still runs.
        for thread in [t for t in threading.enumerate() if t not in before and t.daemon]:
            await asyncio.to_thread(thread.join, 2.0)
        raise


def _with_engine(settings: Settings, work: Callable[[Engine], Awaitable[T]]) -> T:
    """Connect to the settings' database, run ``work``, and always disconnect."""
    url = settings.require_database_url()

    async def run() -> T:
        engine = await _connect(url)
        try:
            return await work(engine)
        finally:
            await engine.disconnect()

    return asyncio.run(run())


@app.command()
@one_line_errors
def init(
    db: DbOption = None,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            metavar="MODULE",
            help="Models module to write into the config, e.g. myapp.models.",
            show_default=False,
        ),
    ] = None,
    migrations: Annotated[
        str,
        typer.Option("--migrations", metavar="DIR", help="Migrations directory to create and record."),
    ] = DEFAULT_MIGRATIONS,
    config: Annotated[
        Path,
        typer.Option("--config", metavar="FILE", help="Config file to create."),
    ] = Path(CONFIG_FILE),
) -> None:
    """Create the migrations directory and a kakaorm.toml config file.

    The config file holds a [kakaorm] table with database_url, models and
    migrations. An existing config file is never overwritten.
    """
    config_path = config if config.is_absolute() else Path.cwd() / config
    if config_path.exists():
        raise CLIError(
            f"{shown_path(config_path)} already exists and was left unchanged; edit it, or "
            "delete it to start over"
        )
    if not config_path.parent.is_dir():
        raise CLIError(f"cannot create {config}: the directory {config_path.parent} does not exist")
    migrations_dir = Path(migrations)
    if not migrations_dir.is_absolute():
        migrations_dir = config_path.parent / migrations_dir
    if migrations_dir.exists() and not migrations_dir.is_dir():
        raise CLIError(
            f"cannot create the migrations directory {shown_path(migrations_dir)}: a file has that "
            "name; choose another with --migrations"
        )
    existed = migrations_dir.is_dir()
    migrations_dir.mkdir(parents=True, exist_ok=True)
    config_path.write_text(render_config(db, models, migrations), encoding="utf-8")
    typer.echo(f"Created {shown_path(config_path)}")
    if existed:
        typer.echo(f"Kept the existing directory {shown_path(migrations_dir)}")
    else:
        typer.echo(f"Created {shown_path(migrations_dir)}/")
    if not load_settings(config=config_path).database_url:
        typer.echo(
            "Next: set the database URL (KAKAORM_DATABASE_URL in .env, or database_url in "
            f"{shown_path(config_path)}), then run 'kakaorm makemigrations'."
        )


@app.command()
@one_line_errors
def makemigrations(
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            metavar="MODULE",
            help=(
                "Module whose Model classes describe the schema, e.g. myapp.models (imported from the current "
                "directory). Default: KAKAORM_MODELS, then models in kakaorm.toml."
            ),
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            metavar="NAME",
            help="Name of the migration, e.g. add_user_bio (letters, digits, _).",
            show_default=False,
        ),
    ] = None,
    migrations: MigrationsOption = None,
    config: ConfigOption = None,
) -> None:
    """Write a migration file from the difference between the models and the database.

    Apply pending migrations first: the models are compared with the database as it is.
    """
    settings = load_settings(database_url=db, models=models, migrations=migrations, config=config)
    if name is not None and not _NAME.fullmatch(name):
        raise CLIError(
            f"--name {name!r} is not a valid migration name: use letters, digits and "
            "underscores only, e.g. add_user_bio"
        )
    settings.require_database_url()
    directory = settings.require_migrations_dir()
    model_classes = import_models(settings.require_models())

    async def work(engine: Engine) -> Path | None:
        migrator = _migrator(engine)
        pending = [_stem(p) for p in await migrator.pending(str(directory))]
        if pending:
            raise CLIError(
                f"{len(pending)} migration(s) not applied yet ({', '.join(pending)}): run "
                "'kakaorm migrate' first, since makemigrations compares the models with the "
                "database as it is"
            )
        if name is None:
            path = await migrator.autogenerate(model_classes, str(directory))
        else:
            path = await migrator.autogenerate(model_classes, str(directory), name=name)
        return None if path is None else Path(path)

    path = _with_engine(settings, work)
    names = ", ".join(m.__name__ for m in model_classes)
    if path is None:
        typer.echo(f"No changes detected: the database already matches the models ({names}).")
    else:
        typer.echo(f"Created {shown_path(path.resolve())} (models: {names})")


@app.command()
@one_line_errors
def migrate(
    db: DbOption = None,
    direction: Annotated[
        Direction,
        typer.Option(
            "--direction", metavar="up|down", help="up: apply every pending migration; down: roll back the latest ones."
        ),
    ] = Direction.up,
    steps: Annotated[
        int | None,
        typer.Option(
            "--steps",
            metavar="N",
            min=1,
            help="With --direction down: how many migrations to roll back (default 1).",
            show_default=False,
        ),
    ] = None,
    migrations: MigrationsOption = None,
    config: ConfigOption = None,
) -> None:
    """Apply the pending migrations, or roll back the latest ones with --direction down."""
    settings = load_settings(database_url=db, migrations=migrations, config=config)
    if direction is Direction.up and steps is not None:
        raise CLIError(
            "--steps only applies to --direction down; 'kakaorm migrate' applies every "
            "pending migration"
        )
    settings.require_database_url()
    directory = settings.require_migrations_dir()

    if direction is Direction.up:

        async def apply(engine: Engine) -> list[str]:
            migrator = _migrator(engine)
            pending = [_stem(p) for p in await migrator.pending(str(directory))]
            count = await migrator.run_files(str(directory))
            return pending[:count]

        applied = _with_engine(settings, apply)
        if not applied:
            typer.echo("No pending migrations: the database is up to date.")
            return
        for item in applied:
            typer.echo(f"Applied {item}")
        typer.echo(f"Applied {len(applied)} migration(s).")
        return

    async def roll_back(engine: Engine) -> list[str]:
        migrator = _migrator(engine)
        if not await migrator.history():
            return []
        return [_stem(item) for item in await migrator.downgrade(steps=steps or 1)]

    rolled_back = _with_engine(settings, roll_back)
    if not rolled_back:
        typer.echo("Nothing to roll back: no migration is applied.")
        return
    for item in rolled_back:
        typer.echo(f"Rolled back {item}")
    typer.echo(f"Rolled back {len(rolled_back)} migration(s).")


@app.command()
@one_line_errors
def showmigrations(
    db: DbOption = None,
    migrations: MigrationsOption = None,
    config: ConfigOption = None,
) -> None:
    """Show applied migrations (with when) and pending ones, as a table."""
    settings = load_settings(database_url=db, migrations=migrations, config=config)
    url = settings.require_database_url()
    directory = settings.require_migrations_dir()

    async def collect(engine: Engine) -> list[tuple[str, str, str]]:
        migrator = _migrator(engine)
        rows: list[tuple[str, str, str]] = []
        for record in await migrator.history():
            item = _stem(record.name)
            status = "applied" if (directory / f"{item}.py").exists() else "applied (no file)"
            rows.append((status, item, _when(record.applied_at)))
        for pending in await migrator.pending(str(directory)):
            rows.append(("pending", _stem(pending), "-"))
        return rows

    rows = _with_engine(settings, collect)
    typer.echo(f"Database:   {kakaorm.parse_url(url)}")
    typer.echo(f"Migrations: {shown_path(directory)}")
    typer.echo("")
    if not rows:
        typer.echo("No migrations yet: run 'kakaorm makemigrations' to create the first one.")
        return
    header = ("Status", "Migration", "Applied at")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    applied = sum(1 for r in rows if r[0].startswith("applied"))
    typer.echo("")
    typer.echo(f"{applied} applied, {len(rows) - applied} pending.")

