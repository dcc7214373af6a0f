"""The HTTP edge: bad input always gets a clear 4xx, a handler crash still gets valid speech."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from skill.config import Config
from skill.web.app import create_app
from tests.builders import RequestBuilder
from tests.checks import check_response


def post(client: FlaskClient, body: bytes, content_type: str = "application/json"):
    return client.post("/alexa", data=body, content_type=content_type)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not valid JSON"),
        (b"[]", "expected an object"),
        (b'"hello"', "expected an object"),
        (b"{}", "'request' is missing"),
        (b'{"version": "1.0", "request": "x"}', "'request' is missing"),
        (b'{"version": "1.0", "request": {"type": "LaunchRequest"}}', "request.requestId"),
        (
            b'{"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r"}}',
            "request.timestamp",
        ),
        (
            b'{"request": {"type": "LaunchRequest", "requestId": "r", "timestamp": "t"}, '
            b'"context": {"System": {}}}',
            "'version' missing",
        ),
        (
            b'{"version": "1.0", "request": {"type": "LaunchRequest", "requestId": "r", '
            b'"timestamp": "t"}}',
            "'context.System' missing",
        ),
        (
            b'{"version": "1.0", "session": [], "request": {"type": "LaunchRequest", '
            b'"requestId": "r", "timestamp": "t"}}',
            "'session' is not an object",
        ),
    ],
)
def test_malformed_bodies_get_400_with_a_reason(
    client: FlaskClient, body: bytes, reason: str
) -> None:
    result = post(client, body)
    assert result.status_code == 400
    assert reason in result.get_json()["error"]


def test_undeserializable_envelope_is_400(client: FlaskClient, builder: RequestBuilder) -> None:
    envelope = builder.launch()
    envelope["request"]["timestamp"] = "not a date"
    result = post(client, json.dumps(envelope).encode())
    assert result.status_code == 400
    assert "deserialize" in result.get_json()["error"]


def test_wrong_content_type_is_415(client: FlaskClient, builder: RequestBuilder) -> None:
    result = post(client, json.dumps(builder.launch()).encode(), "text/plain")
    assert result.status_code == 415
    assert "application/json" in result.get_json()["error"]


def test_oversize_body_is_413(client: FlaskClient) -> None:
    result = post(client, b"{" + b" " * (128 * 1024 + 1) + b"}")
    assert result.status_code == 413
    assert "larger than" in result.get_json()["error"]


def test_wrong_method_and_path_are_json_4xx(client: FlaskClient) -> None:
    assert client.get("/alexa").status_code == 405
    assert client.get("/alexa").get_json()["error"]
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.get_json()["error"]


def test_charset_in_content_type_is_fine(client: FlaskClient, builder: RequestBuilder) -> None:
    body = json.dumps(builder.launch()).encode()
    assert post(client, body, "application/json; charset=utf-8").status_code == 200


def test_wrong_skill_id_is_400() -> None:
    app = create_app(Config(verify_requests=False, skill_id="amzn1.ask.skill.mine"))
    result = post(app.test_client(), json.dumps(RequestBuilder().launch()).encode())
    assert result.status_code == 400
    assert "application id" in result.get_json()["error"]


def test_the_wrong_id_is_told_by_its_type_not_its_message(tmp_path) -> None:
    """A WrongApplicationId is a 400; any other SDK error is a 500, whatever its text says."""
    from ask_sdk_core.exceptions import AskSdkException

    from skill.alexa.lean_skill import WrongApplicationId

    class Failing:
        def __init__(self, exc: Exception) -> None:
            self.exc = exc

        def invoke(self, request_envelope: object, context: object) -> object:
            raise self.exc

    body = json.dumps(RequestBuilder().launch()).encode()
    config = Config(verify_requests=False, database_url=f"sqlite:///{tmp_path}/x.db")
    for exc, status in (
        (WrongApplicationId(), 400),
        (AskSdkException("Skill ID Verification failed!!"), 500),
    ):
        app = create_app(config, skill=Failing(exc))  # type: ignore[arg-type]
        assert post(app.test_client(), body).status_code == status


def test_right_skill_id_is_200() -> None:
    builder = RequestBuilder()
    app = create_app(Config(verify_requests=False, skill_id=builder.application_id))
    assert post(app.test_client(), json.dumps(builder.launch()).encode()).status_code == 200


def test_healthz_reports_dev_mode_and_missing_skill_id(client: FlaskClient) -> None:
    status = client.get("/healthz").get_json()
    assert status["status"] == "ok"
    assert status["verification"].startswith("off")
    assert any("SKILL_ID" in w for w in status["warnings"])


def test_handler_crash_apologises_in_speech(
    client: FlaskClient,
    builder: RequestBuilder,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from skill.alexa.handlers.answers import AnswerIntentHandler

    def boom(self, handler_input):
        raise RuntimeError("content exploded")

    monkeypatch.setattr(AnswerIntentHandler, "handle", boom)
    result = post(client, json.dumps(builder.intent("BouncingIntent")).encode())
    assert result.status_code == 200
    body = result.get_json()
    check_response(body)
    assert "something went wrong" in body["response"]["outputSpeech"]["ssml"]
    assert body["response"]["shouldEndSession"] is False
    assert "content exploded" in caplog.text


def test_one_log_line_per_request_without_the_user_id(
    client: FlaskClient, builder: RequestBuilder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="skill.web.app")
    post(client, json.dumps(builder.intent("AMAZON.HelpIntent")).encode())
    records = [r for r in caplog.records if r.name == "skill.web.app"]
    assert len(records) == 1
    fields = records[0].fields
    assert fields["request_type"] == "IntentRequest"
    assert fields["intent"] == "AMAZON.HelpIntent"
    assert fields["status"] == 200
    assert fields["latency_ms"] >= 0
    assert builder.user_id not in json.dumps(fields)
    assert fields["user"].startswith("u-")


def test_requests_without_session_are_answered(
    client: FlaskClient, builder: RequestBuilder
) -> None:
    result = post(client, json.dumps(builder.skill_event("AlexaSkillEvent.SkillEnabled")).encode())
    assert result.status_code == 200
    check_response(result.get_json())
    ended = builder.session_ended(session_id=None)
    result = post(client, json.dumps(ended).encode())
    assert result.status_code == 200


@pytest.mark.parametrize("verify", [False, True])
@pytest.mark.parametrize(
    "system", [{"user": [None]}, {"user": "u"}, [], "x", {"user": {"userId": 7}}]
)
def test_odd_envelope_shapes_never_break_the_log_line(verify: bool, system: object) -> None:
    """The log line is built for rejected requests too: an unsigned body must get its 400."""
    envelope = RequestBuilder().launch()
    envelope["context"]["System"] = system
    envelope["request"]["intent"] = ["not", "an", "object"]
    app = create_app(Config(verify_requests=verify))
    result = post(app.test_client(), json.dumps(envelope).encode())
    assert result.status_code in ((400,) if verify else (200, 400))


def test_only_our_own_session_attributes_are_echoed(
    client: FlaskClient, builder: RequestBuilder
) -> None:
    attributes = {
        "v": 2,
        "junk": "x" * 100_000,
        "disclaimer_heard": "y" * 100,  # the wrong type, within the size bounds
        "hold_seconds": 45,
        "last": {"speech": "<speak>" + "z" * 100 + "</speak>", "reprompt": None},
    }  # (a state over the size bounds is refused whole: tests/test_hostile_state.py)
    result = post(
        client, json.dumps(builder.intent("AMAZON.RepeatIntent", attributes=attributes)).encode()
    )
    assert result.status_code == 200
    body = result.get_json()
    check_response(body)
    assert "z" * 100 not in body["response"]["outputSpeech"]["ssml"]
    kept = body["sessionAttributes"]
    assert "junk" not in kept
    assert kept.get("disclaimer_heard") in (None, True)  # our own value, not the junk
    assert kept["hold_seconds"] == 45


@pytest.mark.parametrize(
    "resolution",
    [None, {"status": None}, {"status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": None}]}],
)
def test_broken_slot_resolutions_are_treated_as_unresolved(
    client: FlaskClient, builder: RequestBuilder, resolution: object
) -> None:
    envelope = builder.intent("StartStretchIntent", {"Stretch": ("the chair stretch", "seated")})
    slot = envelope["request"]["intent"]["slots"]["Stretch"]
    slot["resolutions"]["resolutionsPerAuthority"] = [resolution]
    result = post(client, json.dumps(envelope).encode())
    assert result.status_code == 200
    check_response(result.get_json())
    assert "something went wrong" not in result.get_json()["response"]["outputSpeech"]["ssml"]


# --- POST /alexa is served as plain WSGI in front of Flask (skill.web.app.AlexaRoute) ----------


def wsgi_post(app_wsgi, body: bytes, **environ: object):
    """A POST /alexa straight to a WSGI callable, with full control of the environ."""
    from werkzeug.test import EnvironBuilder, run_wsgi_app
    from werkzeug.wrappers import Response

    built = EnvironBuilder(path="/alexa", method="POST", data=body, content_type="application/json")
    env = built.get_environ()
    env.update(environ)
    return Response(*run_wsgi_app(app_wsgi, env, buffered=True))


def flask_view(endpoint):
    """The test oracle: the endpoint's handling served as an ordinary Flask view (the app has
    none; AlexaRoute answers every POST /alexa before Flask)."""
    from flask import Response, request

    def view() -> Response:
        status, payload = endpoint.handle(request.environ)
        return Response(payload, status=status, mimetype="application/json")

    return view


def test_a_post_that_reaches_flask_has_no_second_handler(app) -> None:
    """Only AlexaRoute answers POST /alexa: Flask knows the route but has no view for it."""
    assert "alexa" not in app.view_functions
    assert "alexa" in {rule.endpoint for rule in app.url_map.iter_rules()}


def test_the_fast_path_answers_exactly_as_the_flask_view(tmp_path) -> None:
    """Two identical apps, one driven through AlexaRoute, one through Flask's own view."""
    apps = [
        create_app(Config(verify_requests=False, database_url=f"sqlite:///{tmp_path}/{n}.db"))
        for n in ("fast", "flask")
    ]
    apps[1].view_functions["alexa"] = flask_view(apps[1].extensions["alexa_endpoint"])
    routes = [apps[0].wsgi_app, apps[1].wsgi_app.flask_wsgi]
    builder = RequestBuilder()
    sample = [
        builder.launch(),
        builder.intent("StartStretchIntent", {"Stretch": ("seated hamstring stretch", "seated")}),
        builder.intent("AMAZON.NextIntent"),
        builder.intent("BouncingIntent"),
        builder.intent("AMAZON.StopIntent"),
        builder.session_ended(),
        builder.skill_event("AlexaSkillEvent.SkillEnabled"),
    ]
    bodies = [json.dumps(e).encode() for e in sample] + [
        b"{not json",
        b"[]",
        b"{" + b" " * (128 * 1024 + 1) + b"}",
    ]
    for body in bodies:
        fast, flask = (wsgi_post(route, body) for route in routes)
        assert fast.status_code == flask.status_code
        assert fast.headers["Content-Type"] == flask.headers["Content-Type"] == "application/json"
        assert fast.headers["Content-Length"] == flask.headers["Content-Length"]
        assert fast.get_json() == flask.get_json()
    for content_type in ("text/plain", "", "APPLICATION/JSON; charset=utf-8"):
        fast, flask = (wsgi_post(route, bodies[0], CONTENT_TYPE=content_type) for route in routes)
        assert (fast.status_code, fast.get_json()) == (flask.status_code, flask.get_json())


def test_a_chunked_body_is_read_to_its_end_and_limited(app) -> None:
    body = json.dumps(RequestBuilder().launch()).encode()
    chunked = {"CONTENT_LENGTH": "", "wsgi.input_terminated": True}
    assert wsgi_post(app, body, **chunked).status_code == 200
    for size in (128 * 1024 + 1, 128 * 1024 + 2, 300 * 1024):
        result = wsgi_post(app, b"{" + b" " * (size - 2) + b"}", **chunked)
        assert result.status_code == 413, size
        assert "larger than" in result.get_json()["error"]
    at_the_limit = wsgi_post(app, b"{" + b" " * (128 * 1024 - 2) + b"}", **chunked)
    assert at_the_limit.status_code == 400  # read whole: a JSON object, not an Alexa request
    assert "'request' is missing" in at_the_limit.get_json()["error"]


def test_a_body_shorter_than_announced_is_a_400(app) -> None:
    from io import BytesIO

    body = json.dumps(RequestBuilder().launch()).encode()
    result = wsgi_post(
        app, body, CONTENT_LENGTH=str(len(body) + 50), **{"wsgi.input": BytesIO(body)}
    )
    assert result.status_code == 400
    assert result.get_json()["error"]


def test_a_bug_past_the_skill_is_a_logged_json_500(
    app, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = app.extensions["alexa_endpoint"]

    def broken(response_envelope: object) -> bytes:
        raise RuntimeError("encoder exploded")

    monkeypatch.setattr(endpoint, "encode", broken)
    caplog.set_level("INFO", logger="skill.web.app")
    result = post(app.test_client(), json.dumps(RequestBuilder().launch()).encode())
    assert (result.status_code, result.get_json()) == (500, {"error": "internal error"})
    assert "encoder exploded" in caplog.text  # the traceback is logged
    line = [r for r in caplog.records if r.getMessage() == "alexa request"]
    assert [r.fields["status"] for r in line] == [500]


def test_other_methods_on_alexa_are_still_flasks(client: FlaskClient) -> None:
    options = client.options("/alexa")
    assert options.status_code == 200
    assert "POST" in options.headers["Allow"]
    for method in ("GET", "PUT", "DELETE"):
        result = client.open("/alexa", method=method)
        assert result.status_code == 405
        assert result.get_json()["error"]
    assert client.post("/alexa/").status_code == 404


LIMIT = 128 * 1024
BODY = b'{"version": "1.0"}'


@pytest.mark.parametrize(
    "environ",
    [
        {"CONTENT_LENGTH": str(len(BODY))},
        {"CONTENT_LENGTH": str(len(BODY)), "wsgi.input_terminated": True},
        {"CONTENT_LENGTH": "0"},
        {"CONTENT_LENGTH": "0007"},
        {"CONTENT_LENGTH": str(len(BODY) + 9)},  # less than announced
        {"CONTENT_LENGTH": str(LIMIT + 1)},
        {"CONTENT_LENGTH": str(LIMIT + 2)},
        {"CONTENT_LENGTH": "abc"},
        {"CONTENT_LENGTH": "-5"},
        {"CONTENT_LENGTH": "+7"},
        {"CONTENT_LENGTH": "\u00b2"},  # a digit to str.isdigit, not to int()
        {"CONTENT_LENGTH": str(len(BODY)), "HTTP_TRANSFER_ENCODING": "chunked"},
        {"CONTENT_LENGTH": "", "wsgi.input_terminated": True},
        {},
    ],
)
def test_the_body_is_read_as_werkzeug_reads_it(app, environ: dict) -> None:
    """`AlexaEndpoint._body` reads the usual request straight from the stream; whatever the
    headers say, it gets the bytes, or the error, that Werkzeug's guarded stream gives."""
    from io import BytesIO

    from werkzeug.exceptions import HTTPException
    from werkzeug.wsgi import get_input_stream

    from skill.web.app import RequestRejected

    def env() -> dict:
        return {"CONTENT_TYPE": "application/json", "wsgi.input": BytesIO(BODY), **environ}

    try:
        expected: object = get_input_stream(env(), max_content_length=LIMIT).read()
    except HTTPException as exc:
        expected = exc.code
    endpoint = app.extensions["alexa_endpoint"]
    try:
        got: object = endpoint._body(env())
    except RequestRejected as exc:
        got = exc.status
    assert got == expected
