"""``--help`` on every command, and ``python -m kakaorm`` running the same CLI."""

from __future__ import annotations

import pytest

import kakaorm_cli


def test_top_level_help_lists_every_command(project):
    result = project.run("--help")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Usage: kakaorm [OPTIONS] COMMAND [ARGS]...")
    commands = result.out.split("Commands:")[1].split()
    assert [c for c in commands if c in {"init", "makemigrations", "migrate", "showmigrations"}] == [
        "init", "makemigrations", "migrate", "showmigrations",
    ]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("init", ["--db URL", "--models MODULE", "--migrations DIR", "--config FILE"]),
        ("makemigrations", ["--models MODULE", "--db URL", "--name NAME", "--migrations DIR", "--config FILE"]),
        ("migrate", ["--db URL", "--direction up|down", "--steps N", "--migrations DIR", "--config FILE"]),
        ("showmigrations", ["--db URL", "--migrations DIR", "--config FILE"]),
    ],
)
def test_every_command_has_help(project, command, options):
    result = project.run(command, "--help")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith(f"Usage: kakaorm {command} [OPTIONS]")
    for option in options:
        assert option in result.words, option
    assert "KAKAORM_" in result.words or command == "init"
    assert not (project.root / "kakaorm.toml").exists()


def test_python_m_kakaorm_runs_the_cli(project):
    result = project.run("migrate", "--help", module=True)
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("Usage: kakaorm migrate [OPTIONS]")


def test_python_m_kakaorm_passes_the_exit_code_through(project, one_line_error):
    one_line_error(project.run("showmigrations", module=True), "no database URL given")


def test_main_returns_the_exit_code_instead_of_exiting(capsys):
    assert kakaorm_cli.main(["--help"]) == 0
    assert "Usage: kakaorm" in capsys.readouterr().out
    assert kakaorm_cli.main(["migrate", "--direction", "sideways"]) == 2
    assert "'sideways' is not one of 'up', 'down'" in capsys.readouterr().err
