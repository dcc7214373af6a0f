"""A device keeps showing the last APL document until a new one replaces it, so on an Echo
Show every response carries a screen that matches what is happening: "pause" stops the
countdown (a still, paused screen), any other turn without its own screen shows what Alexa
said as text, goodbye shows no countdown; a device without APL gets what it always got."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.core.content import load_content
from skill.screen.datasources import labels
from skill.screen.inflate import Node, inflate
from skill.screen.schema import validate_directive
from skill.screen.viewports import VIEWPORTS
from tests.builders import ECHO_SHOW
from tests.conversation import Reply
from tests.screen.text_fit import estimated_height
from tests.test_screens_alexa import SEATED, TOKEN, device, screens, touch

CONTENT = load_content()


def shown(reply: Reply) -> dict[str, Any]:
    """The one screen of a response, valid by the document checker."""
    (directive,) = screens(reply)
    assert validate_directive(directive) == []
    data: dict[str, Any] = directive["datasources"]["screen"]
    return data


def test_pausing_mid_hold_by_voice_shows_the_paused_screen_not_the_countdown(
    client: FlaskClient,
) -> None:
    show = device(client, ECHO_SHOW)
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    data = shown(show.say("AMAZON.PauseIntent", at=40))
    assert data["kind"] == "paused"
    assert data["title"] == "Seated hamstring stretch"
    assert data["line"] == "Rep 1 of 3 · right leg"
    assert data["heading"] == labels()["paused"]["heading"]
    assert data["hint"] == labels()["paused"]["hint"]
    assert data["graphic"] == "pose_seated_right"


def test_the_pause_button_shows_the_paused_screen_too(client: FlaskClient) -> None:
    show = device(client, ECHO_SHOW)
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    data = shown(touch(show, ["pause"], TOKEN, at=40))
    assert (data["kind"], data["line"]) == ("paused", "Rep 1 of 3 · right leg")
    # and resuming brings the hold screen back
    assert shown(show.say("AMAZON.ResumeIntent"))["kind"] == "set"


def test_every_response_of_a_conversation_replaces_the_screen(client: FlaskClient) -> None:
    show = device(client, ECHO_SHOW)
    kinds = []
    for reply in [
        show.launch(),
        show.say("AMAZON.HelpIntent"),
        show.say("StartStretchIntent", Stretch=SEATED),
        show.say("TimeLeftIntent", at=20),
        show.say("AMAZON.HelpIntent", at=5),
        show.say("AMAZON.FallbackIntent"),
        show.say("AMAZON.PauseIntent"),
        show.say("AMAZON.ResumeIntent"),
        show.say("AMAZON.StopIntent", at=10),
    ]:
        data = shown(reply)
        kinds.append(data["kind"])
        if data["kind"] == "caption":
            assert data["text"] == reply.text  # what Alexa said, as plain text
    assert kinds == [
        # launch, help, the set, "how long is left" (said, then the hold goes on: a set),
        # help mid-hold, fallback, pause, resume, stop
        "caption", "caption", "set", "set", "caption", "caption", "paused", "set", "caption"
    ]  # fmt: skip


def test_a_caption_during_a_routine_shows_the_stretch_and_goodbye_shows_none(
    client: FlaskClient,
) -> None:
    show = device(client, ECHO_SHOW)
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    helped = shown(show.say("AMAZON.HelpIntent", at=5))
    assert (helped["title"], helped["graphic"]) == ("Seated hamstring stretch", "pose_seated_right")
    bye = show.say("AMAZON.StopIntent")
    data = shown(bye)
    assert bye.ended
    assert (data["kind"], data["graphic"]) == ("caption", "")
    assert data["title"] == CONTENT.phrases.get("screens.goodbye_title")


def _texts(node: Node) -> list[Node]:
    return [n for n in node.walk() if n.type == "Text"]


def test_the_longest_turn_fits_every_viewport_in_its_smaller_type(client: FlaskClient) -> None:
    """The first launch (welcome, disclaimer, choice): set smaller, it fits the space the
    document gives it on every viewport without scrolling (the ScrollView around it is the
    safety net for text longer still)."""
    show = device(client, ECHO_SHOW)
    reply = show.launch()
    assert CONTENT.phrases.get("launch.disclaimer") in reply.text
    (directive,) = screens(reply)
    assert directive["datasources"]["screen"]["long"] is True
    for viewport in VIEWPORTS.values():
        root = inflate(directive, viewport, 0)
        (scroll,) = [n for n in root.walk() if n.type == "ScrollView"]
        body = _texts(root)[-1]
        assert body.props["text"] == reply.text
        outer = next(n for n in root.walk() if n.type == "Container")
        pad, gap = outer.props["paddingLeft"], body.props["paddingTop"]
        width = viewport.width_dp - 2 * pad - 2 * gap
        if viewport.shape == "round":  # the widest line at the text's top edge, inside the circle
            top = outer.props["paddingTop"]
            half = math.sqrt((viewport.width_dp / 2) ** 2 - (viewport.width_dp / 2 - top) ** 2)
            width = min(width, 2 * half)
        room = viewport.height_dp - 2 * outer.props["paddingTop"]
        heading = sum(
            1.25 * n.props["fontSize"] * 2
            for n in _texts(root)[:-1]
            if n.props.get("display") != "none"
        )
        needed = heading + gap + estimated_height(body.props["text"], body.props["fontSize"], width)
        assert needed <= room, (viewport.name, needed, room)
        assert scroll.children  # the text is inside the scroll view


def test_a_failure_mid_hold_apologises_on_screen_too(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A handler that fails while a hold is counting down: the apology replaces the screen."""
    from skill.alexa.handlers.routine import NextIntentHandler

    def boom(self: Any, handler_input: Any) -> None:
        raise RuntimeError("a bug")

    show = device(client, ECHO_SHOW)
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    monkeypatch.setattr(NextIntentHandler, "handle", boom)
    reply = show.say("AMAZON.NextIntent", at=40)
    data = shown(reply)
    assert (data["kind"], data["text"]) == ("caption", CONTENT.phrases.get("errors.generic"))


def test_an_echo_dot_gets_no_screen_on_any_of_these_turns(client: FlaskClient) -> None:
    dot = device(client, None)
    for reply in [
        dot.launch(),
        dot.say("AMAZON.HelpIntent"),
        dot.say("StartStretchIntent", Stretch=SEATED),
        dot.say("AMAZON.PauseIntent", at=40),
        dot.say("AMAZON.FallbackIntent"),
        dot.say("AMAZON.StopIntent"),
    ]:
        assert screens(reply) == []


def test_how_am_i_doing_in_a_new_session_after_a_routine_today_shows_no_zero_holds(
    client: FlaskClient,
) -> None:
    """The routine was done in an earlier session today: this session did no hold, so the
    progress screen shows the week and the streak, never "0 holds today"."""
    show = device(client, ECHO_SHOW)
    show.launch()
    show.say("StartStretchIntent", Stretch=SEATED)
    show.say("AMAZON.NextIntent")  # "ready": the left leg, which ends the routine
    show.say("AMAZON.NoIntent")
    if not show.new:  # "no" to the offer of a reminder (issue 20) ends it
        show.say("AMAZON.NoIntent")
    if not show.new:
        show.end_session()
    show.wait(600)
    show.launch()
    data = shown(show.say("ProgressIntent"))
    words = labels()["finish"]
    assert data["kind"] == "finish"
    labels_shown = [stat["label"] for stat in data["finish"]["stats"]]
    assert labels_shown == [words["days_this_week"]["one"], words["streak"]["one"]]
    assert [stat["value"] for stat in data["finish"]["stats"]] == ["1", "1"]
