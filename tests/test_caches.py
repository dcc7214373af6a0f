"""Each in-process cache that stays (docs/caches.md) answers exactly what the function it stands
for computes anew. The hold-turn cache is proved in tests/test_turns.py, the codec's plans in
tests/test_codec_*.py, the certificate chains in tests/verification/test_chain_cache.py, the
time zones in tests/test_alexa_api.py and the audio manifest's reload in tests/test_render.py."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from skill.alexa.verification import VerificationError, cert_url, normalise_cert_url
from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.speech import Speech
from skill.core.timeline import VARIANTS, _build_hold_timeline, build_hold_timeline
from skill.core.turns import Coach
from skill.voice import ssml
from skill.voice.render import SpeechRenderer, SpokenTurn
from skill.voice.ssml import SpeechLimitError, to_ssml

CONTENT = load_content()
STRETCHES = tuple(CONTENT.stretches)
ROUTINES = [
    combo for n in range(1, len(STRETCHES) + 1) for combo in itertools.permutations(STRETCHES, n)
]


@pytest.mark.parametrize("stretches", ROUTINES)
def test_a_routine_plan_is_what_planning_anew_gives(stretches: tuple[str, ...]) -> None:
    for reps in range(1, 11):
        shared = routine.plan(stretches, reps)
        assert shared == routine.plan.__wrapped__(stretches, reps)
        assert routine.plan(stretches, reps) is shared
        assert len(shared) == len(stretches) * len(routine.LEGS) * reps


def test_a_kept_hold_timeline_is_what_building_anew_gives() -> None:
    settings = CONTENT.routine
    for stretch in STRETCHES:
        for seconds in range(settings.hold_seconds_min, settings.hold_seconds_max + 1):
            for variant in range(VARIANTS + 1):  # VARIANTS wraps round to variant 0
                kept = build_hold_timeline(CONTENT, stretch, seconds, variant)
                assert kept == _build_hold_timeline(CONTENT, stretch, seconds, variant)
                assert build_hold_timeline(CONTENT, stretch, seconds, variant) is kept


def hold_turns() -> list[SpokenTurn]:
    """A single hold between two lines, for every hold of every routine, at the shortest and
    the longest hold (the renderer's one-hold path; handlers send sets)."""
    settings = CONTENT.routine
    turns = []
    for stretches in ROUTINES:
        for seconds in (settings.hold_seconds_min, settings.hold_seconds_max):
            for hold in routine.start(stretches, settings.reps_per_leg, seconds).state.holds:
                timeline = build_hold_timeline(CONTENT, hold.stretch_id, seconds, hold.variant)
                speech = Speech().say("Get ready.").hold(timeline).say("Relax for a moment.")
                turns.append(SpokenTurn.from_speech(speech))
    return turns


def test_a_kept_apla_document_is_what_building_anew_gives() -> None:
    renderer = SpeechRenderer(CONTENT, mode="apla")
    turns = hold_turns()
    assert len(turns) > 20
    for turn in turns:
        assert turn.hold is not None
        clips = (None, (f"https://example.org/{turn.hold.clip_id}.mp3", turn.hold.hold_seconds))
        for clip in clips:
            kept = renderer._document(turn.hold, turn.after, clip)
            assert kept is not None
            assert kept == renderer._build_document(turn.hold, turn.after, clip)
            assert renderer._document(turn.hold, turn.after, clip) is kept


PREFERENCES = (
    Preferences(),
    Preferences(known=frozenset(STRETCHES)),
    Preferences(pace=Pace.STEP),
    Preferences(detail=Detail.COUNT),
)


def set_turns() -> list[SpokenTurn]:
    """Every set turn of every routine, at the shortest and the longest hold, at each pace and
    detail: each set played through, the next one going on from the hold after it."""
    coach = Coach(CONTENT)
    settings = CONTENT.routine
    turns = []
    for stretches, seconds, prefs in itertools.product(
        ROUTINES, (settings.hold_seconds_min, settings.hold_seconds_max), PREFERENCES
    ):
        outcome = routine.start(stretches, settings.reps_per_leg, seconds)
        while outcome.step is not None:
            turn = SpokenTurn.from_speech(coach.set_turn(outcome.step, outcome.state, prefs).speech)
            turns.append(turn)
            assert turn.set is not None
            position = turn.set.holds[-1].index + 1
            if position >= outcome.state.total:
                break
            outcome = routine.go_on(dataclasses.replace(outcome.state, position=position))
    return turns


def test_a_kept_apla_set_document_is_what_building_anew_gives() -> None:
    renderer = SpeechRenderer(CONTENT, mode="apla")
    turns = set_turns()
    assert len(turns) > 40
    for turn in turns:
        assert turn.set is not None
        served = tuple(
            (f"https://example.org/{h.timeline.clip_id}.mp3", float(h.timeline.hold_seconds))
            if h.whole
            else None
            for h in turn.set.holds
        )
        for clips in ((None,) * len(turn.set.holds), served):
            kept = renderer._set_document(turn.set, turn.after, clips)
            assert kept is not None
            assert kept == renderer._build_set_document(turn.set, turn.after, clips)
            assert renderer._set_document(turn.set, turn.after, clips) is kept


# --- restored after the served benchmark (docs/caches.md, "Kept") ---------------------------


def test_ssml_is_cached_by_value_and_never_stale() -> None:
    speech = Speech().say("Hold it.").pause(2)
    first = to_ssml(speech)
    assert to_ssml(Speech().say("Hold it.").pause(2)) is first  # equal segments: one render
    assert first == ssml._ssml.__wrapped__(tuple(speech.segments), False)
    speech.say("And breathe.")  # the same object, changed: rendered anew
    assert to_ssml(speech) == '<speak>Hold it. <break time="2000ms"/> And breathe.</speak>'
    assert to_ssml(Speech().say("Hold it.").pause(2)) == first


def test_an_ssml_limit_error_is_raised_again_not_cached() -> None:
    too_long = Speech().say("word " * 2000)
    for _ in range(2):
        with pytest.raises(SpeechLimitError, match="characters"):
            to_ssml(too_long)


def test_every_turn_of_a_routine_renders_as_it_would_uncached() -> None:
    coach = Coach(CONTENT)
    for stretches in ROUTINES:
        state = routine.start(stretches, 2, 30).state
        while True:
            outcome = routine.next_hold(state)
            if outcome.step is None:
                break
            turn = coach.set_turn(outcome.step, outcome.state, Preferences(pace=Pace.STEP))
            for part in (turn.outro, turn.speech):
                expected = ssml._ssml.__wrapped__(tuple(part.segments), False)
                assert to_ssml(part) == expected
            state = outcome.state


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert.pem",
    ],
)
def test_an_accepted_certificate_url_is_what_checking_anew_gives(url: str) -> None:
    assert normalise_cert_url(url) == cert_url._normalise_cert_url.__wrapped__(url)
    assert normalise_cert_url(url) is normalise_cert_url(url)


def test_a_refused_certificate_url_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(VerificationError):
            normalise_cert_url("http://s3.amazonaws.com/echo.api/echo-api-cert.pem")
    assert cert_url._normalise_cert_url.cache_info().currsize <= 64


# --- the session state, remembered by value (skill/alexa/session_attributes.py) -------------


def session_attribute_cases() -> list[Any]:
    from tests.test_session_state import full_state

    good = full_state().to_dict()
    return [
        good,
        good | {"hold_seconds": 45.0},  # a float where an int belongs: refused, not confused
        good | {"hold_seconds": True},
        good | {"hold_seconds": float("nan")},
        good | {"hold_seconds": None},
        good | {"tz": "Europe/../../x"},
        good | {"last": {"kind": "hold"}},
        good | {"v": 1},
        {},
        {"v": 2},
        good | {"junk": "x" * 5000},  # over the size remembered: parsed as it is
        good | {"routine": 2**80},  # an int MessagePack cannot hold: parsed as it is
    ]


def test_a_remembered_session_state_is_what_parsing_anew_gives() -> None:
    from skill.alexa.session_attributes import parse_state
    from skill.core.session_state import SessionState

    for attrs in session_attribute_cases():
        for _ in range(2):  # the second time from the cache, where it was remembered
            assert parse_state(attrs, CONTENT) == SessionState.from_dict(attrs, CONTENT)


def test_values_that_compare_equal_but_differ_in_type_are_kept_apart() -> None:
    from skill.alexa.session_attributes import parse_state
    from tests.test_session_state import full_state

    good = full_state().to_dict()
    assert parse_state(good, CONTENT).hold_seconds == 45
    assert parse_state(good | {"hold_seconds": 45.0}, CONTENT).hold_seconds is None
    assert parse_state(good | {"hold_seconds": True}, CONTENT).hold_seconds is None
    assert parse_state(good, CONTENT).hold_seconds == 45
