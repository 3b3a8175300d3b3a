"""Where the CLI's settings come from: options, the environment, ``.env``, ``kakaorm.toml``.

Each setting is taken from the first of these that gives it:

1. the command-line option (``--db``, ``--models``, ``--migrations``);
2. the environment (``KAKAORM_DATABASE_URL``, ``KAKAORM_MODELS``, ``KAKAORM_MIGRATIONS``);
3. the ``.env`` file of the current directory (same names; never overrides 2);
4. the ``[kakaorm]`` table of the config file (``database_url``, ``models``,
   ``migrations``); relative paths in it are relative to the file's directory.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from ._errors import CLIError

CONFIG_FILE = "kakaorm.toml"
CONFIG_TABLE = "kakaorm"
CONFIG_KEYS = ("database_url", "models", "migrations")
DEFAULT_MIGRATIONS = "migrations"

ENV_DATABASE_URL = "KAKAORM_DATABASE_URL"
ENV_MODELS = "KAKAORM_MODELS"
ENV_MIGRATIONS = "KAKAORM_MIGRATIONS"
ENV_CONFIG = "KAKAORM_CONFIG"


@dataclass(frozen=True)
class Settings:
    """The settings one command runs with, after precedence is applied."""

    database_url: str | None
    models: str | None
    migrations: Path
    config_path: Path | None

    def require_database_url(self) -> str:
        """The database URL, or a CLIError saying every place it can come from."""
        if not self.database_url:
            raise CLIError(
                "no database URL given: pass --db URL, set KAKAORM_DATABASE_URL (in the "
                f"environment or in .env), or set database_url in {CONFIG_FILE}"
            )
        return self.database_url

    def require_models(self) -> str:
        """The models module, or a CLIError saying every place it can come from."""
        if not self.models:
            raise CLIError(
                "no models module given: pass --models MODULE (e.g. myapp.models), set "
                f"KAKAORM_MODELS, or set models in {CONFIG_FILE}"
            )
        return self.models

    def require_migrations_dir(self) -> Path:
        """The migrations directory, which must exist."""
        if not self.migrations.is_dir():
            what = "is not a directory" if self.migrations.exists() else "does not exist"
            raise CLIError(
                f"the migrations directory '{shown_path(self.migrations)}' {what}: run "
                "'kakaorm init' to create it, or point --migrations at the right directory"
            )
        return self.migrations


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def read_config(path: Path) -> dict[str, str]:
    """The ``[kakaorm]`` table of a config file, checked (CLIError when it is wrong)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise CLIError(f"{shown_path(path)} is not valid TOML ({err}); fix the file") from err
    except OSError as err:
        raise CLIError(f"cannot read {shown_path(path)}: {err.strerror or err}") from err
    table = data.get(CONFIG_TABLE)
    if table is None:
        raise CLIError(
            f"{shown_path(path)} has no [{CONFIG_TABLE}] table; put database_url, models and "
            f"migrations under a [{CONFIG_TABLE}] header (see 'kakaorm init --help')"
        )
    if not isinstance(table, dict):
        raise CLIError(f"{shown_path(path)}: '{CONFIG_TABLE}' must be a table ([{CONFIG_TABLE}])")
    result: dict[str, str] = {}
    for key, value in table.items():
        if key not in CONFIG_KEYS:
            raise CLIError(
                f"{shown_path(path)}: unknown key {key!r} in [{CONFIG_TABLE}]; "
                f"the valid keys are {', '.join(CONFIG_KEYS)}"
            )
        if not isinstance(value, str):
            raise CLIError(
                f"{shown_path(path)}: {key} must be a string in quotes, got {type(value).__name__}"
            )
        if value.strip():
            result[key] = value.strip()
    return result


def find_config(option: Path | None) -> Path | None:
    """The config file to read: ``--config``, else ``KAKAORM_CONFIG``, else ``./kakaorm.toml``."""
    explicit = option if option is not None else (Path(v) if (v := _env(ENV_CONFIG)) else None)
    if explicit is not None:
        path = explicit if explicit.is_absolute() else Path.cwd() / explicit
        if not path.is_file():
            raise CLIError(
                f"the config file {explicit} does not exist: create it with 'kakaorm init', "
                "or fix --config / KAKAORM_CONFIG"
            )
        return path
    default = Path.cwd() / CONFIG_FILE
    return default if default.is_file() else None


def load_settings(
    *,
    database_url: str | None = None,
    models: str | None = None,
    migrations: Path | None = None,
    config: Path | None = None,
) -> Settings:
    """Resolve every setting (options > environment > .env > config file > default)."""
    load_dotenv(Path.cwd() / ".env", override=False)
    config_path = find_config(config)
    file_values = read_config(config_path) if config_path is not None else {}
    base = config_path.parent if config_path is not None else Path.cwd()

    if migrations is not None:
        migrations_dir = migrations
    elif (env_dir := _env(ENV_MIGRATIONS)) is not None:
        migrations_dir = Path(env_dir)
    elif "migrations" in file_values:
        migrations_dir = base / file_values["migrations"]
    else:
        migrations_dir = Path(DEFAULT_MIGRATIONS)
    if not migrations_dir.is_absolute():
        migrations_dir = Path.cwd() / migrations_dir

    return Settings(
        database_url=(database_url or "").strip() or _env(ENV_DATABASE_URL) or file_values.get("database_url"),
        models=(models or "").strip() or _env(ENV_MODELS) or file_values.get("models"),
        migrations=migrations_dir,
        config_path=config_path,
    )


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def render_config(database_url: str | None, models: str | None, migrations: str) -> str:
    """The text of a new ``kakaorm.toml``."""
    lines = [
        "# KakaORM command-line settings (read by the kakaorm command).",
        "# Command-line options win over the environment (KAKAORM_DATABASE_URL,",
        "# KAKAORM_MODELS, KAKAORM_MIGRATIONS, also read from .env), which wins over",
        "# this file. Relative paths here are relative to this file's directory.",
        f"[{CONFIG_TABLE}]",
    ]
    if database_url:
        lines.append(f"database_url = {toml_string(database_url)}")
    else:
        lines.append("# Keep passwords out of this file: prefer KAKAORM_DATABASE_URL in .env.")
        lines.append('# database_url = "sqlite+aiosqlite:///./app.db"')
    if models:
        lines.append(f"models = {toml_string(models)}")
    else:
        lines.append("# The module whose kakaorm.Model classes makemigrations compares with the database.")
        lines.append('# models = "myapp.models"')
    lines.append(f"migrations = {toml_string(migrations)}")
    return "\n".join(lines) + "\n"
