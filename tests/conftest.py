"""Shared fixtures: the app (verification off unless a test builds its own), a client, and a
conversation helper that carries session attributes from each response to the next request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from skill.config import Config
from skill.web import create_app
from tests.builders import RequestBuilder
from tests.conversation import Conversation


@pytest.fixture
def config() -> Config:
    return Config(verify_requests=False)


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
