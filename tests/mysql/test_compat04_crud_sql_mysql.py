"""SQL the MySQL/MariaDB compiler writes for 0.4's CRUD helpers, without a server."""

from __future__ import annotations

import pytest

from kakaorm import IntColumn, Model, StrColumn
from kakaorm_mysql.compiler import MySQLCompiler


class McItem(Model):
    name = StrColumn(nullable=False, index=True)
    qty = IntColumn()


@pytest.fixture
def compiler() -> MySQLCompiler:
    return MySQLCompiler()


def test_a_locked_select_ends_with_for_update(compiler):
    sql = compiler.compile(McItem.where(McItem.qty == 1)._for_update().limit(2)._build_select()).sql
    assert sql.endswith("WHERE `mc_item`.`qty` = %s LIMIT %s FOR UPDATE")


def test_create_table_without_if_not_exists_keeps_its_inline_indexes(compiler):
    assert compiler.create_table(McItem, if_not_exists=False) == [
        "CREATE TABLE `mc_item` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        "`name` VARCHAR(255) NOT NULL, `qty` BIGINT, INDEX `ix_mc_item_name` (`name`)) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"
    ]


def test_create_index_if_not_exists_false_never_says_it(compiler):
    compiler.index_if_not_exists = True
    assert compiler.create_index(McItem, ["qty"], if_not_exists=False) == (
        "CREATE INDEX `ix_mc_item_qty` ON `mc_item` (`qty`)"
    )


@pytest.mark.parametrize(
    ("restart", "expected"),
    [(True, ["TRUNCATE TABLE `mc_item`"]), (False, ["DELETE FROM `mc_item`"])],
)
def test_keeping_the_keys_deletes_instead_of_truncating(compiler, restart, expected):
    # TRUNCATE always restarts AUTO_INCREMENT on MySQL
    assert compiler.truncate(McItem, restart) == expected


def test_drop_table_cascade_drops_each_referencing_foreign_key_first(compiler):
    refs = [("mc_box", "mc_box_ibfk_1"), ("odd`name", "fk`2")]
    assert compiler.drop_table(McItem, cascade=True, referenced_by=refs) == [
        "ALTER TABLE `mc_box` DROP FOREIGN KEY `mc_box_ibfk_1`",
        "ALTER TABLE `odd``name` DROP FOREIGN KEY `fk``2`",
        "DROP TABLE IF EXISTS `mc_item`",
    ]
    assert compiler.drop_table(McItem, if_exists=False, referenced_by=refs) == ["DROP TABLE `mc_item`"]


def test_the_referencing_foreign_keys_query_runs_only_for_cascade(compiler):
    assert compiler.referencing_foreign_keys(McItem, cascade=False) is None
    sql, params = compiler.referencing_foreign_keys(McItem, cascade=True)
    assert "information_schema.REFERENTIAL_CONSTRAINTS" in sql and sql.count("%s") == 2
    assert params == ["mc_item", "mc_item"]
