"""The HTTP edge: bad input always gets a clear 4xx, a handler crash still gets valid speech."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from skill.config import Config
from skill.web import create_app
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
    from skill.handlers.answers import AnswerIntentHandler

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
    caplog.set_level("INFO", logger="skill.web")
    post(client, json.dumps(builder.intent("AMAZON.HelpIntent")).encode())
    records = [r for r in caplog.records if r.name == "skill.web"]
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
        "junk": "x" * 100_000,
        "disclaimer_heard": "y" * 1000,
        "hold_seconds": 45,
        "last": {"speech": "<speak>" + "z" * 9000 + "</speak>", "reprompt": None},
    }
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
