"""Screens, touches and card pictures through the real endpoint, with real envelopes: an Echo
Show gets the APL screen beside the voice, in step with it; an Echo Dot (or a screen whose APL
runtime is too old) gets exactly what it got before; each button does what saying it does;
cards carry the pose picture where the pictures are served."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from ask_sdk_model.interfaces.alexa.presentation.apl import (
    RenderDocumentDirective as AplRenderDocument,
)
from ask_sdk_model.interfaces.alexa.presentation.apl import UserEvent
from flask.testing import FlaskClient

from skill.alexa.codec import ModelCodec
from skill.alexa.screen import Presenter
from skill.config import Config
from skill.core.content import load_content
from skill.core.screens import AnswerScreen
from skill.screen.directive import APL_VERSION, BUTTON_ACTIONS, TOKEN
from skill.screen.schema import validate_directive
from skill.web.app import create_app
from tests.builders import ECHO_SHOW, ECHO_SHOW_ROUND, RequestBuilder, screen_device
from tests.conversation import Conversation, Reply

APL = "Alexa.Presentation.APL.RenderDocument"
APLA = "Alexa.Presentation.APLA.RenderDocument"
CONTENT = load_content()
SEATED = ("seated", "seated")
IMAGES = "https://coach.example.org/images"


def screens(reply: Reply) -> list[dict[str, Any]]:
    return [d for d in reply.response.get("directives") or [] if d["type"] == APL]


def screen_of(reply: Reply) -> dict[str, Any]:
    (directive,) = screens(reply)
    assert validate_directive(directive) == []
    assert directive["token"] == TOKEN
    data: dict[str, Any] = directive["datasources"]["screen"]
    return data


def without_screen(reply: Reply) -> dict[str, Any]:
    """The response as a device without a screen gets it: the APL directive left out."""
    body = json.loads(json.dumps(reply.body))
    kept = [d for d in body["response"].get("directives") or [] if d["type"] != APL]
    if kept:
        body["response"]["directives"] = kept
    else:
        body["response"].pop("directives", None)
    return body


def touch(
    talk: Conversation,
    arguments: list[Any] | None,
    token: str | None = TOKEN,
    at: float | None = None,
) -> Reply:
    """A press on the screen, `at` s into the last response (as Conversation.say does)."""
    talk._stamp(at)
    return talk.post(talk.builder.user_event(arguments, token, **talk._kw()))


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_people = itertools.count(1)


def device(client: FlaskClient, screen: dict[str, Any] | None) -> Conversation:
    """A new person's device, its clock at START (two devices hear the same thing at the same
    moments)."""
    user = f"amzn1.ask.account.PERSON{next(_people)}"
    return Conversation(client, RequestBuilder(screen=screen, user_id=user, now=START))


@pytest.fixture
def show(client: FlaskClient) -> Conversation:
    return device(client, ECHO_SHOW)


def assert_in_step(reply: Reply) -> dict[str, Any]:
    """The screen counts down exactly the holds the skill records as played."""
    data = screen_of(reply)
    assert data["kind"] == "set"
    assert reply.playing is not None
    assert [[h["startMs"], h["endMs"]] for h in data["holds"]] == [
        row[1:] for row in reply.playing["holds"]
    ]
    # Every word of the set is said inside the APL-A document (outputSpeech is empty), so the
    # screen's clock starts with the audio: no offset.
    assert reply.ssml == ""
    assert data["offsetMs"] == 0
    return data


# --- an Echo Show -------------------------------------------------------------------------


def test_the_start_of_a_stretch_shows_the_hold_screen_beside_the_voice(show: Conversation) -> None:
    show.launch()
    reply = show.say("StartStretchIntent", Stretch=SEATED)
    kinds = [d["type"] for d in reply.response["directives"]]
    assert kinds == [APLA, APL]
    data = assert_in_step(reply)
    assert data["setup"] == [line.format(leg="right") for line in CONTENT.stretch("seated").setup]
    said = reply.text
    for caption in data["captions"]:
        assert caption["text"] in said
    # Amazon's own model reads it back as an APL RenderDocument directive.
    envelope = DefaultSerializer().deserialize(json.dumps(reply.body), ResponseEnvelope)
    apl = [d for d in envelope.response.directives if isinstance(d, AplRenderDocument)]
    assert len(apl) == 1
    assert apl[0].document["version"] == APL_VERSION


def test_every_set_of_a_routine_keeps_screen_and_voice_in_step(show: Conversation) -> None:
    """A one-shot start (the disclaimer said first, inside the set's lead), every set of the
    full routine, a pause and resume, a question mid-hold: the screen's holds are always the
    ones the skill counts."""
    first = show.say("StartStretchIntent", Stretch=("full routine", "full"))
    assert CONTENT.phrases.get("launch.disclaimer") in first.text
    assert_in_step(first)
    show.say("AMAZON.PauseIntent", at=40)
    assert_in_step(show.say("AMAZON.ResumeIntent"))
    assert_in_step(show.say("TimeLeftIntent", at=45))
    reply = show.say("AMAZON.NextIntent")
    while assert_in_step(reply)["finish"] is None:
        reply = show.say("AMAZON.YesIntent")
    assert screen_of(reply)["finish"]["stats"][0]["value"] == "12"
    week = show.say("AMAZON.YesIntent")
    assert screen_of(week)["kind"] == "finish"


def test_a_round_echo_spot_gets_the_same_screen(client: FlaskClient) -> None:
    spot = device(client, ECHO_SHOW_ROUND)
    spot.launch()
    assert_in_step(spot.say("StartStretchIntent", Stretch=SEATED))


def test_how_to_and_the_clinic_number_show_their_screens(show: Conversation) -> None:
    show.launch()
    how = screen_of(show.say("HowToIntent", Stretch=("lying stretch", "supine")))
    assert how["kind"] == "setup"
    assert how["steps"] == [line.format(leg="right") for line in CONTENT.stretch("supine").setup]
    phone = screen_of(show.say("BookAppointmentIntent"))
    assert (phone["kind"], phone["number"]) == ("answer", CONTENT.clinic["rehab"].display)


def test_an_emergency_on_an_echo_show_says_call_911_first_and_shows_911(
    show: Conversation,
) -> None:
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    reply = show.say("RedFlagIntent", at=20)
    assert reply.text.startswith("Call 911")
    data = screen_of(reply)
    assert (data["kind"], data["number"], data["urgent"]) == ("answer", "911", True)
    assert reply.ended


def test_repeat_shows_the_same_screen(show: Conversation) -> None:
    show.launch()
    how = show.say("HowToIntent", Stretch=("seated stretch", "seated"))
    again = show.say("AMAZON.RepeatIntent")
    assert screens(again) == screens(how)


# --- devices without a screen ---------------------------------------------------------------


def same_conversation(talk: Conversation) -> list[Reply]:
    talk.launch()
    talk.say("StartStretchIntent", Stretch=SEATED)
    talk.say("HowToIntent", Stretch=("seated stretch", "seated"), at=40)
    talk.say("BookAppointmentIntent")
    talk.say("AMAZON.YesIntent")
    talk.say("AMAZON.PauseIntent", at=20)
    talk.say("ProgressIntent")
    talk.say("AMAZON.StopIntent")
    return talk.replies


@pytest.mark.parametrize(
    "speaker",
    [None, screen_device(max_version="1.3"), screen_device(max_version="not-a-version")],
    ids=["echo-dot", "old-apl-runtime", "unreadable-runtime"],
)
def test_a_device_without_apl_gets_no_screen_and_nothing_else_changes(
    client: FlaskClient, speaker: dict[str, Any] | None
) -> None:
    """The same conversation at the same moments on an Echo Show and on a device that cannot
    draw our documents: the latter's responses are the former's without the APL directive."""
    dot = same_conversation(device(client, speaker))
    shown = same_conversation(device(client, ECHO_SHOW))
    assert all(screens(reply) == [] for reply in dot)
    assert sum(bool(screens(reply)) for reply in shown) >= 5
    for plain, with_screen in zip(dot, shown, strict=True):
        assert plain.body == without_screen(with_screen)


# --- touches ------------------------------------------------------------------------------


def twins(client: FlaskClient) -> tuple[Conversation, Conversation]:
    """Two Echo Shows in the same routine at the same moment: one spoken to, one touched."""
    pair = []
    for _ in range(2):
        talk = device(client, ECHO_SHOW)
        talk.launch()
        talk.say("StartStretchIntent", Stretch=SEATED)
        pair.append(talk)
    return pair[0], pair[1]


@pytest.mark.parametrize(
    ("action", "intent", "at"),
    [
        ("pause", "AMAZON.PauseIntent", 45.0),  # mid-hold
        ("next", "AMAZON.NextIntent", 45.0),
        ("next", "AMAZON.NextIntent", None),  # after the set
        ("stop", "AMAZON.StopIntent", 45.0),
    ],
)
def test_each_button_does_what_saying_it_does(
    client: FlaskClient, action: str, intent: str, at: float | None
) -> None:
    spoken, touched = twins(client)
    said = spoken.say(intent, at=at)
    pressed = touch(touched, [action], at=at)
    assert pressed.body == said.body
    # and the conversation goes on alike
    assert touched.say("AMAZON.ResumeIntent").body == spoken.say("AMAZON.ResumeIntent").body


def test_every_button_of_the_screen_has_its_intent() -> None:
    from skill.alexa.handlers.touch import BUTTON_HANDLERS

    assert set(BUTTON_HANDLERS) == set(BUTTON_ACTIONS)


@pytest.mark.parametrize(
    ("arguments", "token", "key"),
    [
        (None, TOKEN, "touch.unknown"),
        ([], TOKEN, "touch.unknown"),
        (["jump"], TOKEN, "touch.unknown"),
        ([42], TOKEN, "touch.unknown"),
        ([{"action": "pause"}], TOKEN, "touch.unknown"),
        (["pause"], "someone-elses-screen", "touch.stale"),
        (["pause"], None, "touch.stale"),
    ],
)
def test_an_odd_touch_gets_a_short_helpful_answer(
    show: Conversation, arguments: list[Any] | None, token: str | None, key: str
) -> None:
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    playing = show.replies[-1].playing
    reply = touch(show, arguments, token, at=10)
    assert reply.text.startswith(CONTENT.phrases.get(key))
    assert reply.reprompt
    assert not reply.ended
    assert playing is not None
    # The routine is where it was: "next" goes on with it.
    assert show.say("AMAZON.NextIntent").playing is not None


def test_a_touch_after_the_session_ended_is_answered_in_a_new_one(show: Conversation) -> None:
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    show.say("AMAZON.StopIntent", at=10)
    for action, key in (
        ("pause", "pause.not_in_routine"),
        ("next", "navigation.next_not_in_routine"),
    ):
        reply = touch(show, [action])
        assert reply.text.startswith(CONTENT.phrases.get(key))
        assert reply.reprompt
    assert touch(show, ["stop"]).ended


def test_the_request_log_names_a_touch(
    show: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    show.launch()
    caplog.clear()  # the launch's own log line, when INFO was already on
    with caplog.at_level("INFO", logger="skill.web.app"):
        touch(show, ["pause"])
    (line,) = [r for r in caplog.records if r.getMessage() == "alexa request"]
    assert line.fields["request_type"] == "Alexa.Presentation.APL.UserEvent"  # type: ignore[attr-defined]


# --- cards ---------------------------------------------------------------------------------


def app_client(tmp_path: Path, **settings: Any) -> FlaskClient:
    config = Config(
        verify_requests=False, database_url=f"sqlite:///{tmp_path}/progress.sqlite3", **settings
    )
    return create_app(config).test_client()


def a_routine_then_goodbye(client: FlaskClient) -> list[Reply]:
    talk = device(client, None)
    talk.launch()
    talk.say("StartStretchIntent", Stretch=("lying stretch", "supine"))
    talk.say("BookAppointmentIntent", at=45)
    talk.say("AMAZON.StopIntent")
    return talk.replies


def test_cards_carry_the_pose_picture_where_pictures_are_served(tmp_path: Path) -> None:
    replies = a_routine_then_goodbye(app_client(tmp_path, images_base_url_setting=IMAGES))
    phone, goodbye = replies[-2].card, replies[-1].card
    for card in (phone, goodbye):
        assert card is not None
        assert card["type"] == "Standard"
        image = card["image"]
        assert image["smallImageUrl"].startswith(f"{IMAGES}/pose_supine_right_small")
        assert image["largeImageUrl"].startswith(f"{IMAGES}/pose_supine_right_large")
    assert goodbye is not None
    assert goodbye["title"] == CONTENT.phrases.get("stop.card_title")


def test_the_audio_host_serves_the_pictures_too(tmp_path: Path) -> None:
    replies = a_routine_then_goodbye(
        app_client(tmp_path, audio_base_url="https://coach.example.org/audio")
    )
    card = replies[-1].card
    assert card is not None
    assert card["image"]["smallImageUrl"].startswith("https://coach.example.org/images/")


def test_without_a_picture_base_cards_stay_simple(tmp_path: Path) -> None:
    replies = a_routine_then_goodbye(app_client(tmp_path))
    for card in (replies[-2].card, replies[-1].card):
        assert card is not None
        assert card["type"] == "Simple"
        assert "image" not in card


# --- a screen that fails the checks ----------------------------------------------------------


def handler_input(envelope: dict[str, Any]) -> HandlerInput:
    request = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
    return HandlerInput(request_envelope=request)


def test_a_screen_over_the_size_budget_is_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    """The device then shows nothing new (the voice goes on); the log says why."""
    presenter = Presenter()
    on_a_show = handler_input(RequestBuilder(screen=ECHO_SHOW).launch())
    fits = AnswerScreen("Good to know", "Stop if it hurts.")
    too_big = AnswerScreen("Good to know", "Stop if it hurts. " * 2000)
    assert presenter.screen_directive(on_a_show, fits) is not None
    with caplog.at_level("WARNING", logger="skill.alexa.screen"):
        assert presenter.screen_directive(on_a_show, too_big) is None
    assert "APL document rejected" in caplog.text
    on_a_dot = handler_input(RequestBuilder().launch())
    assert presenter.screen_directive(on_a_dot, fits) is None


def test_the_codec_reads_a_touch_as_the_sdk_does() -> None:
    """The skill's own codec (skill/alexa/codec.py) decodes a UserEvent to ask-sdk-model's
    UserEvent, field for field as the SDK's serializer does."""
    envelope = RequestBuilder(screen=ECHO_SHOW).user_event(["next"])
    ours = ModelCodec().decode(envelope, RequestEnvelope)
    sdks = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
    assert isinstance(ours.request, UserEvent)
    assert (ours.request.token, ours.request.arguments) == (TOKEN, ["next"])
    assert ours.request.source == envelope["request"]["source"]
    assert ours.to_dict() == sdks.to_dict()
    apl = ours.context.system.device.supported_interfaces.alexa_presentation_apl
    assert apl.runtime.max_version == "2024.3"
