"""``kakaorm.cli_main`` (kakaorm 0.4's top-level name of the CLI entry point) runs our CLI."""

from __future__ import annotations

import kakaorm


def test_cli_main_runs_the_kakaorm_command_and_returns_its_exit_code(capsys):
    assert kakaorm.cli_main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Usage: kakaorm [OPTIONS] COMMAND [ARGS]...")
    commands = out.split("Commands:")[1].split()
    assert [c for c in commands if c in {"init", "makemigrations", "migrate", "showmigrations"}] == [
        "init", "makemigrations", "migrate", "showmigrations",
    ]
    assert kakaorm.cli_main(["no-such-command"]) == 2
    assert "No such command 'no-such-command'" in capsys.readouterr().err

