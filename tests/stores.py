"""What the store tests share: a few days, a database of either backend, and a way to look at
the database behind the store's back. The fixtures (`db_url`, `store`, `user`) are in conftest."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from skill.store.schema import MIGRATIONS, SCHEMA_VERSION
from tests import pg

MONDAY = date(2024, 5, 13)
WEDNESDAY = MONDAY + timedelta(days=2)
SUNDAY = MONDAY + timedelta(days=6)

ALL_VERSIONS = list(range(1, SCHEMA_VERSION + 1))  # one row per migration applied
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def raw_engine(url: str) -> sa.Engine:
    """A separate, plain engine to inspect or lock the database behind the store's back."""
    return sa.create_engine(pg.with_driver(url), poolclass=sa.NullPool)


def migrate_to(conn: sa.Connection, version: int) -> None:
    """Bring an empty database to `version` as that release did, with its schema_version rows:
    the starting point of an upgrade test."""
    conn.exec_driver_sql(
        "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY,"
        " applied_at TIMESTAMP NOT NULL)"
    )
    for number, _description, apply in MIGRATIONS[:version]:
        apply(conn)
        conn.exec_driver_sql(f"INSERT INTO schema_version VALUES ({number}, CURRENT_TIMESTAMP)")


def schema_versions(url: str) -> list[int]:
    engine = raw_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.exec_driver_sql("SELECT version FROM schema_version").scalars())
    finally:
        engine.dispose()
