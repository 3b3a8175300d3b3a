"""MySQL fixes from the review: the missing-driver hint and the error-code mapping."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pymysql
import pytest

import kakaorm
from kakaorm_mysql.errors import translate_error

pytestmark = pytest.mark.backends("mysql")


def test_missing_aiomysql_names_the_plugin_in_the_pip_line():
    # a meta-path finder that refuses aiomysql makes it unimportable, as if not installed
    code = textwrap.dedent("""
        import asyncio, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "aiomysql" or name.startswith("aiomysql."):
                    raise ImportError(f"No module named {name!r}")
                return None
        sys.meta_path.insert(0, Block())
        import kakaorm
        try:
            asyncio.run(kakaorm.connect("mysql://root@127.0.0.1:3306/test"))
        except kakaorm.DriverNotInstalledError as err:
            print(err)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "pip install kakaorm-mysql" in proc.stdout
    assert "pip install aiomysql" not in proc.stdout


@pytest.mark.parametrize("code", [1222, 1241, 1242])
def test_statement_shape_mistakes_are_programming_errors(code):
    # PyMySQL files these under OperationalError; they are mistakes in the SQL
    err = translate_error(pymysql.err.OperationalError(code, "server message"), "SELECT 1", None)
    assert type(err) is kakaorm.ProgrammingError
    assert str(err).startswith(f"server message (MySQL error {code})")


def test_an_unlisted_server_error_is_a_programming_error_not_operational():
    err = translate_error(pymysql.err.OperationalError(1999, "some new server error"), None, None)
    assert type(err) is kakaorm.ProgrammingError


def test_a_signal_from_a_trigger_is_the_base_database_error():
    err = translate_error(pymysql.err.OperationalError(1644, "rule broken"), None, None)
    assert type(err) is kakaorm.DatabaseError


def test_an_unlisted_client_error_keeps_the_pymysql_class():
    err = translate_error(pymysql.err.OperationalError(2099, "client trouble"), None, None)
    assert type(err) is kakaorm.OperationalError


async def test_a_raw_fetch_with_too_few_parameters_is_a_kakaorm_error(engine):
    # PyMySQL would raise a bare TypeError from "sql % params"
    with pytest.raises(kakaorm.QueryError, match="2 %s placeholder"):
        await engine.fetch("SELECT %s AS a, %s AS b", [1])
    assert await engine.fetch("SELECT %s AS a, %s AS b", [1, 2]) == [{"a": 1, "b": 2}]
