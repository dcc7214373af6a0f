"""The one versioned session state: what it keeps, how it cleans what the client sends back,
"repeat" composed again from content, and one hold length range (the content's) everywhere."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from skill.alexa import skill_builder
from skill.config import Config
from skill.core import routine
from skill.core.content import Content, load_content
from skill.core.preferences import Preferences
from skill.core.progress import ProgressSummary
from skill.core.routine import RoutineLimits, RoutineState
from skill.core.session_state import (
    SESSION_VERSION,
    Expect,
    HoldLengthReply,
    Replay,
    SessionState,
    TurnKind,
)
from skill.core.turns import Coach
from skill.voice.ssml import to_ssml
from skill.web.app import create_app
from tests.builders import RequestBuilder
from tests.checks import check_response
from tests.conversation import Conversation, Reply

CONTENT = load_content()
COACH = Coach(CONTENT)
SEATED = ("seated hamstring stretch", "seated")
FORGED = "FORGED WORDS"


def running() -> RoutineState:
    return routine.next_hold(routine.start(("seated", "supine"), 3, 45).state).state


def full_state() -> SessionState:
    state = running()
    return SessionState(
        routine=state,
        hold_seconds=45,
        disclaimer_heard=True,
        expects=Expect.START_ROUTINE,
        time_zone="Europe/Paris",
        last=Replay(TurnKind.HOLD, state, ref="next_rep", disclaimer=True),
    )


def test_the_state_round_trips_through_its_dict() -> None:
    state = full_state()
    data = json.loads(json.dumps(state.to_dict()))  # what the client sends back is JSON
    assert data["v"] == SESSION_VERSION
    assert SessionState.from_dict(data, CONTENT) == state
    assert SessionState().to_dict() == {"v": SESSION_VERSION}


def test_a_recipe_that_shares_the_sessions_routine_writes_it_once() -> None:
    state = full_state()
    data = json.loads(json.dumps(state.to_dict()))
    assert data["last"]["routine"] == "session"  # written once, in the session
    assert SessionState.from_dict(data, CONTENT).last == state.last
    # a recipe composed for another state keeps its own copy
    other = routine.start(("seated",), 3, 45).state
    apart = dataclasses.replace(state, last=Replay(TurnKind.HOLD, other, ref="start"))
    data = json.loads(json.dumps(apart.to_dict()))
    assert data["last"]["routine"] == other.to_dict()
    assert SessionState.from_dict(data, CONTENT) == apart
    # "session" with no routine in the session is no recipe at all
    data = state.to_dict()
    del data["routine"]
    assert SessionState.from_dict(data, CONTENT).last is None


def deep(levels: int) -> Any:
    node: Any = "bottom"
    for _ in range(levels):
        node = {"a": [node]}
    return node


def hostile(big: int, depth: int) -> list[Any]:
    """Session attributes no skill wrote; `big` and `depth` size the huge and the deep ones."""
    return [
        None,
        "text",
        [1, 2, 3],
        {},
        {"v": 1, "routine": running().to_dict(), "hold_seconds": 45, "pending": "start_routine"},
        {"v": "2", "hold_seconds": 45},
        {"v": True, "hold_seconds": 45},
        {"v": float("inf"), "hold_seconds": 45},
        {
            "v": SESSION_VERSION,
            "routine": running().to_dict() | {"hold": float("inf")},
            "hold_seconds": float("inf"),
            "disclaimer_heard": "yes",
            "expects": "launch_missiles",
            "tz": "../../etc/passwd",
            "last": {"speech": f"<speak>{FORGED}</speak>", "reprompt": f"<speak>{FORGED}</speak>"},
            "junk": ["x"] * big,
            "deep": deep(depth),
        },
        {
            "v": SESSION_VERSION,
            "routine": running().to_dict() | {"stretches": ["seated"] * big},
            "hold_seconds": True,
            "disclaimer_heard": 1,
            "expects": ["start_routine"],
            "tz": "x" * 10_000,
            "last": deep(depth),
        },
        {
            "v": SESSION_VERSION,
            "routine": {
                "v": 1,
                "stretches": [deep(depth // 10)],
                "reps": {},
                "hold": [],
                "pos": None,
            },
            "hold_seconds": float("nan"),
            "tz": {"name": "UTC"},
            "last": {"kind": "question", "keys": ["start.which"] * big, "reprompt": "x"},
        },
        {
            "v": SESSION_VERSION,
            "routine": running().to_dict() | {"pos": 10**400, "done": -1},
            "hold_seconds": 10**400,
            "last": {"kind": "hold", "routine": running().to_dict(), "ref": deep(10)},
        },
    ]


@pytest.mark.parametrize("data", hostile(100_000, 2000))
def test_hostile_attributes_give_a_clean_fresh_state(data: Any) -> None:
    """Infinite numbers, huge lists, deep nesting, wrong types, an old version: a clean state,
    no exception, and nothing of the input in what it writes back."""
    state = SessionState.from_dict(data, CONTENT)
    assert state == SessionState()
    written = json.dumps(state.to_dict())
    assert written == json.dumps({"v": SESSION_VERSION})


def test_each_field_is_dropped_on_its_own() -> None:
    good = full_state().to_dict()
    bad = good | {"hold_seconds": 45.5, "tz": "Europe/../../x", "last": {"kind": "hold"}}
    state = SessionState.from_dict(bad, CONTENT)
    assert state.routine == full_state().routine
    assert (state.hold_seconds, state.time_zone, state.last) == (None, None, None)
    assert state.expects is Expect.START_ROUTINE
    assert state.disclaimer_heard


def post(client: FlaskClient, attributes: Any, intent: str = "AMAZON.RepeatIntent") -> Reply:
    envelope = RequestBuilder().intent(intent, attributes={}, new=False)
    envelope["session"]["attributes"] = attributes
    result = client.post("/alexa", data=json.dumps(envelope), content_type="application/json")
    assert result.status_code == 200, result.get_data(as_text=True)
    reply = Reply(result.get_json())
    check_response(reply.body)
    return reply


@pytest.mark.parametrize("data", [d for d in hostile(3000, 200) if isinstance(d, dict)])
def test_hostile_attributes_through_the_skill_are_not_echoed(
    client: FlaskClient, data: dict[str, Any]
) -> None:
    for intent in ("AMAZON.RepeatIntent", "AMAZON.NextIntent", "AMAZON.HelpIntent"):
        reply = post(client, data, intent)
        assert "something went wrong" not in reply.text
        kept = reply.attributes
        assert kept["v"] == SESSION_VERSION
        assert set(kept) <= {"v", "routine", "hold_seconds", "disclaimer_heard", "expects", "last"}
        assert kept.get("routine") is None
        assert FORGED not in json.dumps(kept)
        assert FORGED not in reply.ssml


def test_a_hold_length_recipe_keeps_no_seconds_it_did_not_set() -> None:
    forged = {"x": FORGED * 10}  # within the bounds: read, and dropped field by field
    for ref in ("missing", "out_of_range"):
        data = {
            "v": SESSION_VERSION,
            "last": {"kind": "hold_length", "ref": ref, "seconds": forged},
        }
        state = SessionState.from_dict(data, CONTENT)
        assert state.last is not None
        assert state.last.seconds is None
        assert FORGED not in json.dumps(state.to_dict())


def test_a_failed_handler_sends_back_the_state_as_read_and_nothing_else(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skill.alexa.handlers.answers import AnswerIntentHandler
    from skill.alexa.session_attributes import read_session

    def half_done_then_boom(self: Any, handler_input: Any) -> None:
        read_session(handler_input, CONTENT).state = SessionState()  # a change, then a crash
        raise RuntimeError("content exploded")

    monkeypatch.setattr(AnswerIntentHandler, "handle", half_done_then_boom)
    sent = full_state().to_dict() | {"junk": FORGED * 100}
    reply = post(client, sent, "BouncingIntent")
    assert "something went wrong" in reply.text
    assert reply.attributes == full_state().to_dict()  # cleaned, and not the half-done change


@pytest.mark.parametrize(
    "last",
    [
        {"speech": f"<speak>{FORGED}</speak>", "after": f"<speak>{FORGED}</speak>"},
        {"kind": "question", "keys": [f"<speak>{FORGED}</speak>"], "reprompt": "start.which"},
        {"kind": "question", "keys": ["start.which"], "reprompt": f"<speak>{FORGED}</speak>"},
        {"kind": "follow_up", "keys": ["hold.rep_intro"]},  # a phrase that needs parameters
        {"kind": "answer", "ref": f"<speak>{FORGED}</speak>"},
        {"kind": "booking", "ref": "elsewhere"},
        {"kind": "hold_length", "ref": "set_idle", "seconds": 10_000},
        {"kind": "launch", "summary": [99, 1, 1, 1]},
        {"kind": "hold", "ref": "next_rep"},  # a hold needs its routine
    ],
)
def test_forged_markup_or_ids_in_last_are_never_said(
    client: FlaskClient, last: dict[str, Any]
) -> None:
    """Repeat composes from content; a "last" that is not a recipe the coach can compose is
    dropped, so the skill says there is nothing to repeat."""
    reply = post(client, {"v": SESSION_VERSION, "last": last})
    assert FORGED not in reply.ssml
    assert CONTENT.phrases.get("navigation.nothing_to_repeat") in reply.text


def test_markup_next_to_a_valid_recipe_is_ignored(client: FlaskClient) -> None:
    forged = {"kind": "help", "speech": f"<speak>{FORGED}</speak>", "text": FORGED}
    reply = post(client, {"v": SESSION_VERSION, "last": forged})
    assert FORGED not in reply.ssml
    assert reply.text.startswith(COACH.help_turn(None).speech.segments[0].text)  # type: ignore[union-attr]
    assert "speech" not in json.dumps(reply.attributes)


def repeat_matches(talk: Conversation, reply: Reply) -> Reply:
    """ "Repeat" says the last turn again. A set said again at once (0 s into it, so nothing
    of it counted) plays the same holds from the same place; its opening words may differ
    (what has played counts, and a set goes on from there: "going back" is not said twice)."""
    if not reply.playing:
        again = talk.say("AMAZON.RepeatIntent")
        assert again.ssml == reply.ssml
        assert again.directive == reply.directive
        assert again.response.get("reprompt") == reply.response.get("reprompt")
        assert again.attributes == reply.attributes  # repeating changes nothing
        return again
    again = talk.say("AMAZON.RepeatIntent", at=0.0)
    assert again.playing is not None
    assert [h[0] for h in again.playing["holds"]] == [h[0] for h in reply.playing["holds"]]
    assert again.holds == reply.holds
    assert again.response.get("reprompt") == reply.response.get("reprompt")
    assert again.attributes["routine"] == reply.attributes["routine"]  # nothing counted
    return again


def test_repeat_says_every_kind_of_turn_again(talk: Conversation) -> None:
    turns = [
        lambda: talk.launch(),
        lambda: talk.say("ProgressIntent"),
        lambda: talk.say("StartStretchIntent"),  # which stretch?
        lambda: talk.say("SetHoldLengthIntent"),  # missing
        lambda: talk.say("SetHoldLengthIntent", Seconds="5"),
        lambda: talk.say("SetHoldLengthIntent", Seconds="45"),
        lambda: talk.say("AMAZON.NoIntent"),
        lambda: talk.say("BookAppointmentIntent"),
        lambda: talk.say("StartStretchIntent", Stretch=SEATED),
        lambda: talk.say("AMAZON.PreviousIntent", at=0.0),  # at the start
        lambda: talk.say("AMAZON.NextIntent"),  # the right leg played: the left leg's set
        lambda: talk.say("AMAZON.PreviousIntent", at=0.0),  # back to the right leg's rep 3
        lambda: talk.say("SetHoldLengthIntent", Seconds="30"),
        lambda: talk.say("HowManyLeftIntent"),
        lambda: talk.say("AMAZON.NoIntent"),  # take your time
        lambda: talk.say("TimeLeftIntent"),
        lambda: talk.say("HowToIntent"),
        lambda: talk.say("AMAZON.HelpIntent"),
        lambda: talk.say("BouncingIntent"),  # an answer
        lambda: talk.say("AMAZON.FallbackIntent"),
        lambda: talk.say("AMAZON.PauseIntent"),
        lambda: talk.say("AMAZON.YesIntent"),
        lambda: talk.say("ReminderStatusIntent"),  # none set: the offer of one
    ]
    kinds = set()
    for turn in turns:
        reply = turn()
        assert not reply.ended
        kinds.add(reply.attributes["last"]["kind"])
        repeat_matches(talk, reply)
    assert kinds == set(TurnKind)


def test_a_one_shot_start_repeats_with_its_disclaimer(talk: Conversation) -> None:
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    assert reply.text.startswith("A quick note")
    assert reply.attributes["last"]["disclaimer"] is True
    again = repeat_matches(talk, reply)  # said at once: none of it was heard
    assert again.text.startswith("A quick note")
    assert again.attributes["last"]["disclaimer"] is True
    # once the set has played, "repeat" goes on with the left leg, and says no disclaimer
    later = talk.say("AMAZON.RepeatIntent")
    assert not later.text.startswith("A quick note")
    assert later.playing is not None
    assert later.playing["holds"][0][0] == 3


def test_repeat_stores_no_markup(talk: Conversation) -> None:
    talk.launch()
    reply = talk.say("StartStretchIntent", Stretch=SEATED)
    stored = json.dumps(reply.attributes)
    assert "<" not in stored
    assert "speak" not in stored
    assert len(stored) < 600


def test_replay_composes_what_the_coach_composed() -> None:
    state = running()
    summary = ProgressSummary(days_this_week=3, streak_days=2, total_sessions=4, total_holds=9)
    turns = [
        COACH.set_turn(routine.resume(state).step, state, Preferences(), at_start=True),  # type: ignore[arg-type]
        COACH.answer_turn("BouncingIntent", state),
        COACH.booking_turn("injury_care", None),
        COACH.help_turn(state),
        COACH.fallback_turn(None),
        COACH.remaining_turn(state),
        COACH.question("resume.declined", "launch.offer", reprompt="launch.offer_reprompt"),
        COACH.follow_up_turn("yes_no.unexpected", state),
        COACH.hold_length_turn(HoldLengthReply.SET_RUNNING, state, 45),
        COACH.launch_turn(summary, True, state),
        COACH.progress_turn(None, None),
        COACH.with_disclaimer(COACH.help_turn(None)),
    ]
    for turn in turns:
        assert turn.replay is not None
        stored = Replay.from_dict(json.loads(json.dumps(turn.replay.to_dict())), CONTENT)
        assert stored == turn.replay
        again = COACH.replay(stored)
        assert to_ssml(again.speech) == to_ssml(turn.speech)
        assert again.reprompt == turn.reprompt
        assert again.expects == turn.expects


# --- one hold length range: the content's ---------------------------------------------------


def narrowed(low: int, high: int) -> Content:
    settings = dataclasses.replace(
        CONTENT.routine, hold_seconds_min=low, hold_seconds_max=high, hold_seconds_default=low
    )
    return dataclasses.replace(CONTENT, routine=settings, derived={})


def test_every_place_takes_the_hold_range_from_the_content(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """The session state, a stored routine, a stored repeat and the handler all refuse 39 and
    51 and accept 45 when the content says 40 to 50 (stretches.yaml says 30 to 60)."""
    assert (CONTENT.routine.hold_seconds_min, CONTENT.routine.hold_seconds_max) == (30, 60)
    content = narrowed(40, 50)
    limits = RoutineLimits.of(content)
    assert (limits.hold_seconds_min, limits.hold_seconds_max) == (40, 50)
    for seconds, ok in ((39, False), (40, True), (45, True), (50, True), (51, False)):
        state = routine.start(("seated",), 3, seconds).state
        assert (RoutineState.from_dict(state.to_dict(), limits) is not None) is ok
        data = {"v": SESSION_VERSION, "hold_seconds": seconds, "routine": state.to_dict()}
        parsed = SessionState.from_dict(data, content)
        assert (parsed.hold_seconds == seconds) is ok
        assert (parsed.routine is not None) is ok
        last = {"kind": "hold_length", "ref": "set_idle", "seconds": seconds}
        assert (Replay.from_dict(last, content) is not None) is ok
    # 35 and 55 are fine by stretches.yaml itself
    assert SessionState.from_dict({"v": SESSION_VERSION, "hold_seconds": 55}, CONTENT).hold_seconds

    monkeypatch.setattr(skill_builder, "load_content", lambda: content)
    app = create_app(Config(verify_requests=False, database_url=f"sqlite:///{tmp_path}/h.db"))
    talk = Conversation(app.test_client(), RequestBuilder())
    talk.launch()
    refused = talk.say("SetHoldLengthIntent", Seconds="55")
    assert "40" in refused.text
    assert "50" in refused.text
    assert "hold_seconds" not in refused.attributes or refused.attributes["hold_seconds"] == 40
    accepted = talk.say("SetHoldLengthIntent", Seconds="45")
    assert accepted.attributes["hold_seconds"] == 45
    stale = post(app.test_client(), {"v": SESSION_VERSION, "hold_seconds": 55})
    assert stale.attributes.get("hold_seconds") != 55
