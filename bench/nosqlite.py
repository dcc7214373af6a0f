"""`serve --dev` with its SQLite calls skipped: an attribution experiment, not a product.

`python -m bench.run --floor` serves this as `dev-nosqlite`, beside `skill-dev`. All of the
store's Python still runs (transactions, the writer lock, statements and their parameters,
summaries); only the driver connection is one that does nothing and finds nothing. The CPU per
request that `skill-dev` spends above it is what the database calls themselves cost a request
served by gunicorn's threads: the calls, their file locks and writes, and the GIL handoffs
around them. It is approximate the other way too: with nothing found, every person looks new
to the launch (the disclaimer instead of the progress line). The summary is an aggregate, which
a real database answers with one row even for nobody; the null cursor answers it the same way,
or the launch would fail and this app would measure the error path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask

from skill.alexa.skill_builder import build_skill
from skill.config import Config
from skill.store.connections import DriverConnections
from skill.store.progress_store import ProgressStore
from skill.voice.manifest import LiveManifest
from skill.web.app import create_app


class NullCursor:
    """A DB-API cursor on which every statement succeeds and finds nothing: no rows, except
    the one row an aggregate gives over no rows (`aggregates`: its SQL -> that row)."""

    def __init__(self, aggregates: dict[str, tuple[Any, ...]]) -> None:
        self._aggregates = aggregates
        self._row: tuple[Any, ...] | None = None

    def execute(self, sql: str, parameters: Any = ()) -> NullCursor:
        self._row = self._aggregates.get(sql)
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._row

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def close(self) -> None:
        pass


class NullConnection:
    """A DB-API connection whose transactions commit nothing."""

    def __init__(self, aggregates: dict[str, tuple[Any, ...]]) -> None:
        self._aggregates = aggregates

    def cursor(self) -> NullCursor:
        return NullCursor(self._aggregates)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class NullDriverConnections(DriverConnections):
    """The store's driver connections, every one of them a NullConnection."""

    def __init__(self, engine: Any, aggregates: dict[str, tuple[Any, ...]]) -> None:
        super().__init__(engine)
        self._aggregates = aggregates

    def checkout(self) -> NullConnection:
        return NullConnection(self._aggregates)

    def checkin(self, connection: Any, *, healthy: bool) -> None:
        pass


class NoSqliteStore(ProgressStore):
    """The progress store with a null driver connection on its per-request path (schema setup
    still runs once on the real engine)."""

    def __init__(self, url: str | None = None) -> None:
        super().__init__(url)
        # The summary of nobody, as SQLite gives it: no holds, no sessions, no days.
        nobody = {self._statements.summary.sql: (0, 0, None)}
        self._connections = NullDriverConnections(self._connections.engine, nobody)


def create_nosqlite_app(config: Config) -> Flask:
    """The `--dev` app (config without verification) on a NoSqliteStore."""
    store = NoSqliteStore(config.database_url)
    return create_app(config, skill=build_skill(config, store, LiveManifest(config.audio_dir)))
