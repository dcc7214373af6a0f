"""Shared fixtures: the app (verification off unless a test builds its own), a client, and a
conversation helper that carries session attributes from each response to the next request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.config import Config
from skill.store.progress_store import ProgressStore
from skill.web.app import create_app
from tests import pg, stores
from tests.builders import RequestBuilder
from tests.conversation import Conversation


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(verify_requests=False, database_url=f"sqlite:///{tmp_path}/progress.sqlite3")


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A PostgreSQL server for the whole run (SKILL_TEST_POSTGRES_URL, or a throwaway one)."""
    with pg.postgres_server_url() as url:
        yield url


@pytest.fixture
def app(config: Config) -> Iterator[Flask]:
    return create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def builder() -> RequestBuilder:
    return RequestBuilder()


@pytest.fixture
def talk(client: FlaskClient, builder: RequestBuilder) -> Conversation:
    return Conversation(client, builder)


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "conversation: end-to-end conversation through Flask")


@pytest.fixture(scope="session")
def _data_dirs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where each test's data dir goes: one numbered temp dir for the whole run."""
    return tmp_path_factory.mktemp("xdg-data")


@pytest.fixture(autouse=True)
def _isolated_data_dir(_data_dirs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default SQLite file lives in the user's data dir: never the real one in tests.
    Each test gets a fresh path, created only if the test writes there (the store makes its
    folder), so 25 000 tests do not each create and list a temp dir."""
    monkeypatch.setenv("XDG_DATA_HOME", str(_data_dirs / uuid.uuid4().hex))
    monkeypatch.delenv("SKILL_DATABASE_URL", raising=False)


# --- the progress store's tests (tests/stores.py) -----------------------------------------


@pytest.fixture(params=stores.BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend (PostgreSQL: a fresh schema)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'progress.sqlite3'}"
        return
    server_url = request.getfixturevalue("postgres_server_url")
    with pg.fresh_schema(server_url) as url:
        yield url


@pytest.fixture
def store(db_url: str) -> Iterator[ProgressStore]:
    s = ProgressStore(db_url)
    yield s
    s.close()


@pytest.fixture
def user() -> str:
    """Alexa-like id, unique per test, long enough to notice in logs."""
    return f"amzn1.ask.account.{uuid.uuid4().hex.upper()}{'X' * 120}"
