"""Issue 17 at the HTTP edge: no request can make POST /alexa raise (every kind of unparsable
body, a stream the server cannot read, a log line that cannot be built), the request log line
stays short whatever the client's names, and the application id is checked where verification
finds it. The fuzz tests (tests/test_web_fuzz.py) prove the same in bulk."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from werkzeug.exceptions import ClientDisconnected

from skill.config import Config
from skill.logs import JsonFormatter
from skill.web.app import create_app, http_error_reason
from tests.builders import APP_ID, RequestBuilder
from tests.checks import check_response
from tests.test_web import post, wsgi_post

# --- issue 17: no request can make the endpoint raise, and its log line stays short ----------


@pytest.fixture(scope="module")
def edge_apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Flask]:
    """A --dev app and a production one (verification on, no certificate ever fetched: the
    requests below are unsigned), both with SKILL_ID set."""
    tmp = tmp_path_factory.mktemp("edge")
    return {
        name: create_app(
            Config(skill_id=APP_ID, verify_requests=verify, database_url=f"sqlite:///{tmp}/{name}")
        )
        for name, verify in (("dev", False), ("production", True))
    }


def _lone_surrogate_user() -> bytes:
    envelope = RequestBuilder(user_id="USER").launch()
    return json.dumps(envelope).replace('"USER"', '"\\udfff"').encode()


UNPARSABLE = {
    "1000 [ and 1000 ]": b"[" * 1000 + b"]" * 1000,
    "20,000 {": b'{"a":' * 20_000,
    "5,000 digits": b'{"a":' + b"9" * 5_000 + b"}",
    "4,301 digits in an envelope": json.dumps(RequestBuilder().launch())
    .replace('"1.0"', "1" * 4_301)
    .encode(),
    "lone surrogate user id": _lone_surrogate_user(),
    "lone surrogate key": b'{"\\ud800": 1}',
    "UTF-16 with a lone surrogate": '{"a": "\\udc00"}'.encode("utf-16"),
    "invalid UTF-8": b'{"a": "\xed\xbf\xbf"}',
}


@pytest.mark.parametrize("mode", ["dev", "production"])
@pytest.mark.parametrize("body", UNPARSABLE.values(), ids=UNPARSABLE.keys())
def test_every_kind_of_unparsable_body_is_a_400(
    edge_apps: dict[str, Flask], mode: str, body: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17 finding 1: these were 500s (RecursionError, the int digit limit's ValueError,
    a UnicodeEncodeError hashing the user id for the log line, as gunicorn's HTML page)."""
    caplog.set_level("INFO", logger="skill.web.app")
    result = post(edge_apps[mode].test_client(), body)
    assert (result.status_code, result.get_json()) == (400, {"error": "body is not valid JSON"})
    assert "Traceback" not in caplog.text


class BrokenStream:
    """A server's wsgi.input that fails as gunicorn's does on a broken chunked body."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def read(self, *args: object) -> bytes:
        raise self.error

    readline = read


def _server_errors() -> list[BaseException]:
    from gunicorn.http.errors import ChunkMissingTerminator, InvalidChunkSize, NoMoreData

    return [
        InvalidChunkSize(b"zz"),
        ChunkMissingTerminator(b"xx"),
        NoMoreData(b""),
        TimeoutError("timed out"),
        ConnectionResetError(104, "reset"),
        ValueError("I/O operation on closed file"),
    ]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("error", _server_errors(), ids=lambda e: type(e).__name__)
def test_a_body_the_server_cannot_read_is_a_400_naming_why(
    app, chunked: bool, error: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="skill.web.app")
    chunked_framing = {  # as gunicorn describes a chunked body
        "CONTENT_LENGTH": "",
        "HTTP_TRANSFER_ENCODING": "chunked",
        "wsgi.input_terminated": True,
    }
    framing = chunked_framing if chunked else {}
    result = wsgi_post(app, b"{}", **{"wsgi.input": BrokenStream(error)}, **framing)
    assert result.status_code == 400
    # Werkzeug's chunked reader turns an OSError or ValueError into its ClientDisconnected
    # first; anything else is named
    assert result.get_json()["error"] in (
        f"request body could not be read ({type(error).__name__})",
        http_error_reason(ClientDisconnected(), None),
    )
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize(
    "breaks",
    ["skill.web.app._log_fields", "skill.web.app.short_user_id", "skill.web.app.printable"],
)
def test_a_log_line_that_cannot_be_built_does_not_fail_the_request(
    app, breaks: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> object:
        raise UnicodeEncodeError("utf-8", "\udfff", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(breaks, broken)
    caplog.set_level("INFO", logger="skill.web.app")
    result = post(app.test_client(), json.dumps(RequestBuilder().launch()).encode())
    assert result.status_code == 200
    check_response(result.get_json())
    [line] = [r for r in caplog.records if r.getMessage() == "alexa request"]
    assert line.fields["status"] == 200
    assert line.fields["log_fields"] == "unavailable (UnicodeEncodeError)"


def test_any_exception_in_the_endpoint_is_a_json_500_never_a_raise(
    app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = app.extensions["alexa_endpoint"]
    for error in (RecursionError(), MemoryError(), KeyError("x" * 100_000), UnicodeError()):

        def broken(*args: object, error: BaseException = error) -> bytes:
            raise error

        monkeypatch.setattr(endpoint, "dispatch", broken)
        status, payload = endpoint.handle(wsgi_environ(json.dumps(RequestBuilder().launch())))
        assert (status, json.loads(payload)) == (500, {"error": "internal error"})
    for record in caplog.records:  # the traceback is logged, bounded
        assert len(JsonFormatter().format(record)) < 2048


def wsgi_environ(body: str, **environ: object) -> dict[str, object]:
    from werkzeug.test import EnvironBuilder

    built = EnvironBuilder(path="/alexa", method="POST", data=body, content_type="application/json")
    return {**built.get_environ(), **environ}


@pytest.mark.parametrize("mode", ["dev", "production"])
@pytest.mark.parametrize(
    "name",
    ["T" * 125_000, "\x1b[2J\r\n" * 5_000, "Launch\udfffRequest", "\u202e" * 70, "é" * 64],
    ids=["125 KB", "terminal escapes", "lone surrogate", "bidi", "64 non-ASCII"],
)
def test_the_request_line_keeps_64_printable_characters_of_the_clients_names(
    edge_apps: dict[str, Flask], mode: str, name: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 17 finding 6: one unsigned request made a 125 KB log line. (A name with a lone
    surrogate makes the body unreadable JSON: a 400 whose line has no names at all.)"""
    caplog.set_level("INFO", logger="skill.web.app")
    for key in ("intent", "request_type"):
        envelope = RequestBuilder().intent("AMAZON.HelpIntent")
        if key == "intent":
            envelope["request"]["intent"]["name"] = name
        else:
            envelope["request"]["type"] = name
        body = json.dumps(envelope).encode("utf-8", "surrogatepass")
        caplog.clear()
        result = post(edge_apps[mode].test_client(), body)
        assert result.status_code in (200, 400)
        [record] = [r for r in caplog.records if r.getMessage() == "alexa request"]
        logged = record.fields.get(key)
        if logged is not None:
            assert len(logged) <= 64
            assert logged.isprintable()
            assert logged.rstrip("\u2026") in "".join(ch for ch in name if ch.isprintable())
        if "\udfff" not in name and logged is not None:
            assert len(logged) == min(64, sum(ch.isprintable() for ch in name))
        assert len(JsonFormatter().format(record).encode()) < 2048


# --- issue 17 finding 2: the application id where the skill id check looks for it -----------


def _without_application(where: str) -> dict[str, Any]:
    envelope = RequestBuilder().launch()
    system, session = envelope["context"]["System"], envelope["session"]
    if where == "context":
        del system["application"]
    elif where == "both":
        del system["application"], session["application"]
    elif where == "no id":
        system["application"] = {}
        del session["application"]
    elif where == "id not a string":
        system["application"] = {"applicationId": ["x"]}
    elif where == "other skill in session only":
        del system["application"]
        session["application"]["applicationId"] = "amzn1.ask.skill.other"
    return envelope


@pytest.mark.parametrize(
    ("where", "status"),
    [
        ("context", 200),  # the session's id is ours: as verification, accept it
        ("both", 400),
        ("no id", 400),
        ("id not a string", 400),
        ("other skill in session only", 400),
    ],
)
def test_a_request_without_context_application_is_checked_not_crashed(
    edge_apps: dict[str, Flask], where: str, status: int
) -> None:
    result = post(edge_apps["dev"].test_client(), json.dumps(_without_application(where)).encode())
    assert result.status_code == status, result.get_json()
    if status == 400:
        assert result.get_json() == {"error": "application id does not match this skill"}
    else:
        check_response(result.get_json())
