"""`serve --dev` with its SQLite calls skipped: an attribution experiment, not a product.

`python -m bench.run --floor` serves this as `dev-nosqlite`, beside `skill-dev`. All of the
store's Python still runs (transactions, the writer lock, statements and their parameters,
summaries); only the driver connection is one that does nothing and finds nothing. The CPU per
request that `skill-dev` spends above it is what the database calls themselves cost a request
served by gunicorn's threads: the calls, their file locks and writes, and the GIL handoffs
around them. It is approximate the other way too: with nothing found, every person looks new
to the launch (the disclaimer instead of the progress line).
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
    """A DB-API cursor on which every statement succeeds and returns no rows."""

    def execute(self, sql: str, parameters: Any = ()) -> NullCursor:
        return self

    def fetchone(self) -> None:
        return None

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def close(self) -> None:
        pass


class NullConnection:
    """A DB-API connection whose transactions commit nothing."""

    def cursor(self) -> NullCursor:
        return NullCursor()

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


class NullDriverConnections(DriverConnections):
    """The store's driver connections, every one of them a NullConnection."""

    def checkout(self) -> NullConnection:
        return NullConnection()

    def checkin(self, connection: Any, *, healthy: bool) -> None:
        pass


class NoSqliteStore(ProgressStore):
    """The progress store with a null driver connection on its per-request path (schema setup
    still runs once on the real engine)."""

    def __init__(self, url: str | None = None) -> None:
        super().__init__(url)
        self._connections = NullDriverConnections(self._connections.engine)


def create_nosqlite_app(config: Config) -> Flask:
    """The `--dev` app (config without verification) on a NoSqliteStore."""
    store = NoSqliteStore(config.database_url)
    return create_app(config, skill=build_skill(config, store, LiveManifest(config.audio_dir)))
