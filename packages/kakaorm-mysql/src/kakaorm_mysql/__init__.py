"""MySQL and MariaDB dialect for KakaORM (aiomysql).

Installed, it serves the URL schemes ``mysql``, ``mysql+aiomysql``, ``mariadb`` and
``mariadb+aiomysql``; users never import it. Importing it does not import aiomysql.
"""

from __future__ import annotations

from .dialect import MySQLDialect

__all__ = ["MySQLDialect"]
