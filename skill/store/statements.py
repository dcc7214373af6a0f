"""The statements a request runs, compiled once per store into the SQL text its driver takes.

Building and compiling a statement with SQLAlchemy costs more than running it on SQLite (an
upsert: ~0.3 ms to build and compile, ~0.05 ms to run), so a store compiles its statements once,
and runs them straight on a driver cursor (see connections.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from skill.store.schema import daily_progress_table, health_probe_table, profiles_table


@dataclass(frozen=True, slots=True)
class DriverStatement:
    """SQL text as the driver takes it, and the order of its positional parameters (None:
    the driver takes them by name)."""

    sql: str
    positions: tuple[str, ...] | None

    @classmethod
    def compile(cls, stmt: sa.Executable, dialect: Dialect) -> DriverStatement:
        compiled = stmt.compile(dialect=dialect)  # type: ignore[attr-defined]
        positions = tuple(compiled.positiontup or ()) if compiled.positional else None
        return cls(compiled.string, positions)

    def run(self, cursor: Any, values: dict[str, Any]) -> Any:
        """Execute on a DB-API cursor; returns the cursor."""
        if self.positions is None:
            return cursor.execute(self.sql, values)
        return cursor.execute(self.sql, tuple(values[name] for name in self.positions))


def summary_sql(backend: str) -> sa.TextClause:
    """One row for a person's summary, however long their history: the totals over every day,
    and the stretched days up to :today as one comma-separated text of ISO dates. (One row per
    day cost a launch about 3 µs per day in Python and a GIL release per row: 1.1 ms for a
    year of daily stretching.) SQLite keeps a Date as ISO text; PostgreSQL's DATE is written
    out the same way."""
    if backend == "postgresql":
        day, fold = "to_char(day, 'YYYY-MM-DD')", "string_agg"
    else:
        day, fold = "day", "group_concat"
    return sa.text(
        "SELECT coalesce(sum(holds), 0), coalesce(sum(sessions), 0), "
        f"{fold}(CASE WHEN (holds > 0 OR sessions > 0) AND day <= :today THEN {day} END, ',') "
        "FROM daily_progress WHERE user_id = :user_id"
    )


class Statements:
    """Every per-request statement of one store, compiled for its dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self._dialect = dialect
        self._sqlite = dialect.name == "sqlite"
        # Each backend's INSERT ... ON CONFLICT; only the one in use is imported (start-up time).
        if dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        self._insert = insert
        user_id = sa.bindparam("user_id", type_=sa.Text)
        self.select_profile = self._compile(
            sa.select(profiles_table).where(profiles_table.c.user_id == user_id)
        )
        self.summary = self._compile(summary_sql(dialect.name))
        self.add_counts = self._compile(self._add_counts())
        self.delete_user = tuple(
            self._compile(sa.delete(table).where(table.c.user_id == user_id))
            for table in (profiles_table, daily_progress_table)
        )
        probe = self._insert(health_probe_table).values(
            host=sa.bindparam("host", type_=sa.Text),
            checked_at=sa.bindparam("checked_at", type_=sa.DateTime),
        )
        self.health_upsert = self._compile(
            probe.on_conflict_do_update(
                index_elements=[health_probe_table.c.host],
                set_={"checked_at": probe.excluded.checked_at},
            )
        )
        # One upsert per set of profile fields a request changes, and last_seen with the first
        # save of a day (at most 63), made on first use.
        self._profile_upserts: dict[tuple[str, ...], DriverStatement] = {}

    def _compile(self, stmt: sa.Executable) -> DriverStatement:
        return DriverStatement.compile(stmt, self._dialect)

    def compile(self, stmt: sa.Executable) -> DriverStatement:
        """A statement of an operator's job (not per request: compiled on each use)."""
        return self._compile(stmt)

    def day(self, day: date) -> Any:
        """A day as this driver stores it (SQLAlchemy keeps SQLite dates as ISO text)."""
        return day.isoformat() if self._sqlite else day

    def _add_counts(self) -> sa.Executable:
        """Add to a person's day: one atomic upsert, so no hold of a concurrent request is lost."""
        table = daily_progress_table
        stmt = self._insert(table).values(
            {
                col: sa.bindparam(col, type_=table.c[col].type)
                for col in ("user_id", "day", "holds", "sessions")
            }
        )
        return stmt.on_conflict_do_update(
            index_elements=[table.c.user_id, table.c.day],
            set_={
                "holds": table.c.holds + stmt.excluded.holds,
                "sessions": table.c.sessions + stmt.excluded.sessions,
            },
        )

    def profile_upsert(self, names: tuple[str, ...]) -> DriverStatement:
        """Set only the profile fields `names` (sorted); the others keep their value."""
        found = self._profile_upserts.get(names)
        if found is not None:
            return found
        table = profiles_table
        stmt = self._insert(table).values(
            {col: sa.bindparam(col, type_=table.c[col].type) for col in ("user_id", *names)}
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.user_id], set_={name: stmt.excluded[name] for name in names}
        )
        # Two threads may both compile it; setdefault keeps one (atomic under the GIL).
        return self._profile_upserts.setdefault(names, self._compile(stmt))
