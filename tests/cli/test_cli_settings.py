"""init, the config file, and the precedence options > environment > .env > kakaorm.toml."""

from __future__ import annotations

import tomllib

import kakaorm


def test_init_creates_the_migrations_directory_and_a_config_file(project):
    result = project.run("init", "--db", "sqlite+aiosqlite:///./dev.db", "--models", "shop.models")
    assert (result.code, result.err) == (0, "")
    assert result.out == "Created kakaorm.toml\nCreated migrations/\n"
    assert (project.root / "migrations").is_dir()
    assert list((project.root / "migrations").iterdir()) == []
    config = tomllib.loads((project.root / "kakaorm.toml").read_text())
    assert config == {
        "kakaorm": {
            "database_url": "sqlite+aiosqlite:///./dev.db",
            "models": "shop.models",
            "migrations": "migrations",
        }
    }


def test_init_without_options_leaves_url_and_models_as_comments(project):
    result = project.run("init", "--migrations", "db/versions")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[:2] == ["Created kakaorm.toml", "Created db/versions/"]
    assert "Next: set the database URL" in result.out
    text = (project.root / "kakaorm.toml").read_text()
    assert tomllib.loads(text) == {"kakaorm": {"migrations": "db/versions"}}
    assert '# database_url = "sqlite+aiosqlite:///./app.db"' in text
    assert '# models = "myapp.models"' in text
    assert (project.root / "db" / "versions").is_dir()


def test_init_does_not_ask_for_a_url_that_dotenv_already_gives(project):
    (project.root / ".env").write_text("KAKAORM_DATABASE_URL=sqlite+aiosqlite:///./dev.db\n")
    result = project.run("init", "--models", "shop.models")
    assert (result.code, result.out, result.err) == (0, "Created kakaorm.toml\nCreated migrations/\n", "")
    assert tomllib.loads((project.root / "kakaorm.toml").read_text()) == {
        "kakaorm": {"models": "shop.models", "migrations": "migrations"}
    }


def test_init_keeps_an_existing_migrations_directory(project):
    (project.root / "migrations").mkdir()
    (project.root / "migrations" / "0001_old.py").write_text("up = []\ndown = []\n")
    result = project.run("init", "--db", "sqlite+aiosqlite:///./dev.db")
    assert (result.code, result.err) == (0, "")
    assert result.out == "Created kakaorm.toml\nKept the existing directory migrations\n"
    assert project.migration_files() == ["0001_old.py"]


def test_init_refuses_to_overwrite_a_config_file(project, one_line_error):
    (project.root / "kakaorm.toml").write_text('[kakaorm]\nmodels = "mine"\n')
    result = project.run("init", "--db", "sqlite+aiosqlite:///./dev.db")
    one_line_error(result, "kakaorm.toml already exists and was left unchanged", "delete it to start over")
    assert (project.root / "kakaorm.toml").read_text() == '[kakaorm]\nmodels = "mine"\n'
    assert not (project.root / "migrations").exists()


def test_init_escapes_values_so_the_toml_reads_back(project):
    url = 'postgresql://u@h/db?application_name=a"b\\c'
    assert project.run("init", "--db", url).code == 0
    config = tomllib.loads((project.root / "kakaorm.toml").read_text())
    assert config["kakaorm"]["database_url"] == url


# -- precedence, observed through which (unknown) scheme the error names -------------------


def scheme_used(project, one_line_error, *args, env=None):
    """Run showmigrations; every candidate URL has its own unknown scheme; say which was used."""
    result = project.run("showmigrations", *args, env=env)
    line = one_line_error(result, "no dialect is installed for the URL scheme")
    return line.split("URL scheme '")[1].split("'")[0]


def test_database_url_precedence_is_option_env_dotenv_config(project, one_line_error):
    (project.root / "migrations").mkdir()
    (project.root / "kakaorm.toml").write_text('[kakaorm]\ndatabase_url = "fromconfig://h/db"\n')
    (project.root / ".env").write_text("KAKAORM_DATABASE_URL=fromdotenv://h/db\n")
    env = {"KAKAORM_DATABASE_URL": "fromenv://h/db"}
    assert scheme_used(project, one_line_error, "--db", "fromoption://h/db", env=env) == "fromoption"
    assert scheme_used(project, one_line_error, env=env) == "fromenv"
    assert scheme_used(project, one_line_error) == "fromdotenv"
    (project.root / ".env").unlink()
    assert scheme_used(project, one_line_error) == "fromconfig"


def test_models_precedence_is_option_env_config(project, one_line_error):
    (project.root / "migrations").mkdir()
    (project.root / "kakaorm.toml").write_text(
        '[kakaorm]\ndatabase_url = "sqlite+aiosqlite:///./dev.db"\nmodels = "from_config"\n'
    )
    env = {"KAKAORM_MODELS": "from_env"}
    for args, expected in ((("--models", "from_option"), "from_option"), ((), "from_env")):
        result = project.run("makemigrations", *args, env=env)
        one_line_error(result, f"cannot import the models module '{expected}'")
    one_line_error(project.run("makemigrations"), "cannot import the models module 'from_config'")
    (project.root / ".env").write_text("KAKAORM_MODELS=from_dotenv\n")
    one_line_error(project.run("makemigrations"), "cannot import the models module 'from_dotenv'")


def test_migrations_directory_precedence_is_option_env_config(project, one_line_error):
    (project.root / "conf").mkdir()
    (project.root / "conf" / "kakaorm.toml").write_text(
        '[kakaorm]\ndatabase_url = "sqlite+aiosqlite:///./dev.db"\nmigrations = "from_config"\n'
    )
    env = {"KAKAORM_MIGRATIONS": "from_env", "KAKAORM_CONFIG": "conf/kakaorm.toml"}
    one_line_error(project.run("migrate", "--migrations", "from_option", env=env), "directory 'from_option' does not exist")
    one_line_error(project.run("migrate", env=env), "the migrations directory 'from_env' does not exist")
    # a relative path in the config file is relative to the file's directory
    one_line_error(
        project.run("migrate", "--config", "conf/kakaorm.toml"),
        "the migrations directory 'conf/from_config' does not exist",
    )


async def test_config_file_and_dotenv_reach_the_real_database(engine, project, db_url):
    # the config names a database that cannot be served; .env's real URL must win
    (project.root / "migrations").mkdir()
    (project.root / "kakaorm.toml").write_text('[kakaorm]\ndatabase_url = "fromconfig://h/db"\n')
    (project.root / ".env").write_text(f"KAKAORM_DATABASE_URL={db_url}\n")
    result = project.run("showmigrations")
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == f"Database:   {kakaorm.parse_url(db_url)}"
    # and the option beats a broken environment variable
    result = project.run("showmigrations", "--db", db_url, env={"KAKAORM_DATABASE_URL": "fromenv://h/db"})
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[0] == f"Database:   {kakaorm.parse_url(db_url)}"


def test_a_config_file_with_an_unknown_key_is_refused(project, one_line_error):
    (project.root / "kakaorm.toml").write_text('[kakaorm]\ndatabse_url = "sqlite+aiosqlite:///./x.db"\n')
    one_line_error(
        project.run("migrate"),
        "kakaorm.toml: unknown key 'databse_url' in [kakaorm]",
        "the valid keys are database_url, models, migrations",
    )


def test_a_config_file_that_is_not_toml_is_refused(project, one_line_error):
    (project.root / "kakaorm.toml").write_text("[kakaorm\ndatabase_url = \n")
    one_line_error(project.run("showmigrations"), "kakaorm.toml is not valid TOML", "fix the file")


def test_a_config_file_without_the_kakaorm_table_is_refused(project, one_line_error):
    (project.root / "kakaorm.toml").write_text('database_url = "sqlite+aiosqlite:///./x.db"\n')
    one_line_error(project.run("migrate"), "kakaorm.toml has no [kakaorm] table")


def test_a_missing_explicit_config_file_is_refused(project, one_line_error):
    one_line_error(project.run("migrate", "--config", "nope.toml"), "the config file nope.toml does not exist")
