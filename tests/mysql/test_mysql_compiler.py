"""The SQL the MySQL/MariaDB compiler writes, checked without a server."""

from __future__ import annotations

import datetime as dt

import pytest

from kakaorm import (
    BoolColumn,
    DateTimeColumn,
    DecimalColumn,
    FloatColumn,
    ForeignKey,
    IntColumn,
    Model,
    StrColumn,
    TimeColumn,
)
from kakaorm.expr import Param
from kakaorm.statements import Insert
from kakaorm_mysql.compiler import MySQLCompiler


class MyCAuthor(Model):
    email = StrColumn(nullable=False, unique=True)
    handle = StrColumn(index=True)
    city = StrColumn()
    bio = StrColumn(default="n/a")
    code = StrColumn(max_length=12)
    essay = StrColumn(max_length=20000)

    class Meta:
        table_name = "myc_author"
        indexes = [("city",)]


class MyCBook(Model):
    author = ForeignKey(MyCAuthor, nullable=False, on_delete="RESTRICT")
    pages = IntColumn(nullable=False, default=0, check="pages >= 0")
    price = DecimalColumn(max_digits=8, decimal_places=2)
    rating = FloatColumn()
    out = BoolColumn(nullable=False, default=False)
    at = DateTimeColumn(default=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    slot = TimeColumn()

    class Meta:
        table_name = "myc_book"


class MyCTag(Model):
    name = StrColumn(primary_key=True)

    class Meta:
        table_name = "myc_tag"


class MyCTagged(Model):
    tag = ForeignKey(MyCTag, nullable=False)

    class Meta:
        table_name = "myc_tagged"


@pytest.fixture
def compiler() -> MySQLCompiler:
    return MySQLCompiler()


def test_text_column_type_follows_its_options(compiler):
    types = {name: compiler.column_type(col) for name, col in MyCAuthor._meta.columns.items()}
    assert types == {
        "id": "BIGINT",
        "email": "VARCHAR(255)",  # unique
        "handle": "VARCHAR(255)",  # index=True
        "city": "VARCHAR(255)",  # in Meta.indexes
        "bio": "LONGTEXT",  # plain text
        "code": "VARCHAR(12)",
        "essay": "LONGTEXT",  # longer than a utf8mb4 VARCHAR can be
    }


def test_text_primary_key_and_the_foreign_key_to_it_share_varchar_255(compiler):
    assert compiler.column_definition(MyCTag.name) == "`name` VARCHAR(255) NOT NULL PRIMARY KEY"
    assert compiler.column_definition(MyCTagged.tag) == "`tag` VARCHAR(255) NOT NULL"


def test_create_table_is_one_statement_with_indexes_and_innodb_utf8mb4(compiler):
    assert compiler.create_table(MyCAuthor) == [
        "CREATE TABLE IF NOT EXISTS `myc_author` ("
        "`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "`email` VARCHAR(255) NOT NULL UNIQUE, "
        "`handle` VARCHAR(255), "
        "`city` VARCHAR(255), "
        "`bio` LONGTEXT DEFAULT ('n/a'), "
        "`code` VARCHAR(12), "
        "`essay` LONGTEXT, "
        "INDEX `ix_myc_author_city` (`city`), "
        "INDEX `ix_myc_author_handle` (`handle`)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    ]


def test_create_table_declares_foreign_keys_at_table_level(compiler):
    # MySQL parses an inline REFERENCES on a column and ignores it
    assert compiler.create_table(MyCBook) == [
        "CREATE TABLE IF NOT EXISTS `myc_book` ("
        "`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "`author` BIGINT NOT NULL, "
        "`pages` BIGINT NOT NULL DEFAULT 0 CHECK (pages >= 0), "
        "`price` DECIMAL(8, 2), "
        "`rating` DOUBLE, "
        "`out` BOOLEAN NOT NULL DEFAULT FALSE, "
        "`at` DATETIME(6) DEFAULT '2024-05-01 10:00:00', "
        "`slot` TIME(6), "
        "FOREIGN KEY (`author`) REFERENCES `myc_author` (`id`) ON DELETE RESTRICT"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    ]


def test_identifiers_and_literals_escape_quotes_percent_and_backslash(compiler):
    assert compiler.quote("we`ird%name") == "`we``ird%%name`"
    assert compiler.string_literal("it's 100% C:\\path") == "'it''s 100%% C:\\\\path'"


def test_like_compares_bytes_and_ilike_lowercases_both_sides(compiler):
    params: list[Param] = []
    assert compiler.visit(MyCAuthor.city.like("Par%"), params) == (
        "`myc_author`.`city` LIKE REPLACE(%s, '\\\\', '\\\\\\\\') COLLATE utf8mb4_bin"
    )
    assert compiler.visit(MyCAuthor.city.ilike("par%"), params) == (
        "LOWER(`myc_author`.`city`) LIKE LOWER(REPLACE(%s, '\\\\', '\\\\\\\\')) COLLATE utf8mb4_bin"
    )
    assert [p.value for p in params] == ["Par%", "par%"]


def test_integer_division_truncates_with_div(compiler):
    params: list[Param] = []
    assert compiler.visit(MyCBook.pages / 2, params) == "(`myc_book`.`pages` DIV %s)"
    assert compiler.visit(MyCBook.rating / 2, params) == "(`myc_book`.`rating` / %s)"


def test_offset_without_limit_uses_the_largest_limit(compiler):
    sql = compiler.compile(MyCTag.all().offset(5)._build_select()).sql
    assert sql == "SELECT `myc_tag`.`name` FROM `myc_tag` LIMIT 18446744073709551615 OFFSET %s"


def test_in_subquery_with_limit_is_wrapped_in_a_derived_table(compiler):
    inner = MyCAuthor.all().order_by(MyCAuthor.id.desc).limit(3).select(MyCAuthor.id)
    sql = compiler.compile(MyCBook.where(MyCBook.author.in_(inner))._build_select()).sql
    assert sql.endswith(
        "WHERE `myc_book`.`author` IN (SELECT * FROM (SELECT `myc_author`.`id` FROM `myc_author` "
        "ORDER BY `myc_author`.`id` DESC LIMIT %s) AS `_in`)"
    )


def test_insert_of_defaults_only_uses_empty_value_lists(compiler):
    assert compiler.compile(Insert(MyCTag, [], [[], []])).sql == "INSERT INTO `myc_tag` () VALUES (), ()"


def test_create_index_has_if_not_exists_only_where_the_server_supports_it(compiler):
    assert compiler.create_index(MyCAuthor, ["city"]) == (
        "CREATE INDEX `ix_myc_author_city` ON `myc_author` (`city`)"
    )
    compiler.index_if_not_exists = True
    assert compiler.create_index(MyCAuthor, ["city"]) == (
        "CREATE INDEX IF NOT EXISTS `ix_myc_author_city` ON `myc_author` (`city`)"
    )


def test_truncate_uses_truncate_table(compiler):
    assert compiler.truncate(MyCTag) == ["TRUNCATE TABLE `myc_tag`"]
