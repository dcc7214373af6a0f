"""What the coach shows with each turn (skill/core/screens.py), composed with the words: a set's
screen counts down the very holds the skill counts (Turn.play), on every path that makes a set
turn, the disclaimer said first included; the other turns carry their set-up, answer and
finish screens; the end-of-session card carries the pose picture."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from skill.core import routine
from skill.core.content import load_content
from skill.core.preferences import Detail, Pace, Preferences
from skill.core.progress import ProgressSummary
from skill.core.routine import After, Intro, Step
from skill.core.screens import AnswerScreen, FinishScreen, SetScreen, SetupScreen
from skill.core.set_screens import placed, set_screen
from skill.core.sets import SetTimeline
from skill.core.speech import Pause, PhoneNumber, Set, Speech, Text
from skill.core.timeline import estimate_speech_ms
from skill.core.turns import Coach, Turn

CONTENT = load_content()
COACH = Coach(CONTENT)
FULL_ROUTINE = routine.start(("seated", "supine"), 3, 30).state


def assert_in_step(turn: Turn) -> None:
    """The screen's holds are the holds the skill records as played, to the millisecond, and
    its captions are every word of the set where it is said."""
    screen = turn.screen
    assert isinstance(screen, SetScreen)
    assert turn.play is not None
    shown = [(h.start_ms, h.end_ms) for h in screen.holds]
    assert shown == [(h.start_ms, h.end_ms) for h in turn.play.holds]
    (set_segment,) = [s for s in turn.speech.segments if isinstance(s, Set)]
    timeline = set_segment.timeline
    assert screen.length_ms == timeline.length_ms
    assert [h.skipped_ms for h in screen.holds] == [h.skip_ms for h in timeline.holds]
    said = [(c.offset_ms, c.text) for c in timeline.all_cues()]
    captions = [(c.at_ms, c.text) for c in screen.captions]
    assert set(said) <= set(captions)
    assert captions == sorted(captions, key=lambda c: c[0])
    lead_words = " ".join(s.text for s in timeline.lead if hasattr(s, "text"))
    lead = [(at, text) for at, text in captions if (at, text) not in said]
    assert lead_words == " ".join(text for at, text in lead)
    # One sentence a caption, up when the voice begins it at its typical pace (never after).
    starts = voice_starts(timeline)
    assert [text for _, text in lead] == [sentence for _, sentence in starts]
    for (at, text), (start, _) in zip(lead, starts, strict=True):
        assert start - 5 * len(timeline.lead) <= at <= start, text
    for shown_hold, played in zip(screen.holds, timeline.holds, strict=True):
        ref = FULL_ROUTINE.holds[played.index]
        assert (shown_hold.stretch_id, shown_hold.leg, shown_hold.rep, shown_hold.reps) == (
            ref.stretch_id,
            ref.leg,
            ref.rep,
            ref.reps,
        )
    assert placed(screen, turn.speech) == screen  # nothing said before the set: offset 0


def voice_starts(timeline: SetTimeline) -> list[tuple[int, str]]:
    """Each sentence of the lead-in, and when the voice begins it at its typical pace
    (skill/core/timeline.py estimate_speech_ms, the audio's own timing check): the lead is
    one stream of speech from 0, so that is the estimate of all its words before the
    sentence, plus its pauses."""
    words: list[str] = []
    paused = 0
    out = []
    for segment in timeline.lead:
        if isinstance(segment, Pause):
            paused += segment.ms
        elif isinstance(segment, PhoneNumber):
            words.append(" ".join(segment.digits))
        elif isinstance(segment, Text):
            for sentence in re.split(r"(?<=[.?!]) +", segment.text.strip()):
                out.append((estimate_speech_ms(" ".join(words)) + paused, sentence))
                words.append(sentence)
    return out


PREFS = [
    Preferences(),
    Preferences(pace=Pace.STEP),
    Preferences(detail=Detail.FULL),
    Preferences(detail=Detail.COUNT),
    Preferences(detail=Detail.BRIEF, pace=Pace.STEP),
]


def set_turn_args() -> list[tuple[str, Step, routine.RoutineState, Preferences, str, int]]:
    """Every hold, with every intro, preference, lead and pick-up: (name, step, state, prefs,
    lead, skip_ms) for Coach.set_turn."""
    found = []
    for position in range(FULL_ROUTINE.total):
        state = replace(FULL_ROUTINE, position=position)
        hold = state.holds[position]
        for intro in Intro:
            step = Step(hold, intro, state.after(hold))
            for n, prefs in enumerate(PREFS):
                skip = 12_000 if intro is Intro.CONTINUE else 0
                lead = "You can feel it in the back of the thigh." if n % 2 else ""
                found.append((f"{position}-{intro.value}-{n}", step, state, prefs, lead, skip))
    return found


def every_set_turn() -> list[tuple[str, Turn]]:
    """A set turn from every hold, with every intro, preference, lead and pick-up; each again
    at the first hold ("previous" there) and with the disclaimer said first."""
    turns = []
    for name, step, state, prefs, lead, skip in set_turn_args():
        turns.append((name, COACH.set_turn(step, state, prefs, lead, skip)))
        turns.append((f"{name}-at-start", COACH.set_turn(step, state, prefs, lead, at_start=True)))
        turn = COACH.set_turn(step, state, prefs, lead, skip)
        turns.append((f"{name}-disclaimer", COACH.with_disclaimer(turn)))
    return turns


def test_every_set_turn_shows_the_holds_it_plays() -> None:
    turns = every_set_turn()
    assert len(turns) > 500
    for name, turn in turns:
        try:
            assert_in_step(turn)
        except AssertionError as exc:
            raise AssertionError(name) from exc


def test_the_cached_set_screen_equals_one_composed_afresh() -> None:
    # The coach keeps each set's screen (the benchmark showed composing it cost more than the
    # rest of the set turn): what it hands out must be what composing it now gives, for every
    # hold, intro, preference, lead and pick-up, asked twice over.
    fresh = Coach(load_content())
    for _ in range(2):
        for _name, step, state, prefs, lead, skip in set_turn_args():
            parts = fresh.sets.compose(step, state, prefs, lead, skip)
            full = prefs.detail_for(step.hold.stretch_id) is Detail.FULL
            afresh = set_screen(fresh.content, parts.timeline, state, step.intro, full, parts.after)
            assert COACH.set_turn(step, state, prefs, lead, skip).screen == afresh


def test_the_disclaimer_said_first_moves_the_screen_with_the_set() -> None:
    step = routine.start(("seated",), 3, 30).step
    state = routine.start(("seated",), 3, 30).state
    assert step is not None
    plain = COACH.set_turn(step, state, Preferences())
    first = COACH.with_disclaimer(COACH.set_turn(step, state, Preferences()))
    assert isinstance(plain.screen, SetScreen)
    assert isinstance(first.screen, SetScreen)
    moved = first.screen.holds[0].start_ms - plain.screen.holds[0].start_ms
    assert moved > 0
    disclaimer = CONTENT.phrases.get("launch.disclaimer")
    said_first = [c.text for c in first.screen.captions[:2]]
    assert " ".join(said_first) == disclaimer
    # The emergency instruction is a caption of its own, never cut off after another sentence.
    assert "911" not in said_first[0]
    assert said_first[1].endswith("call 911.")
    assert first.screen.length_ms - plain.screen.length_ms == moved
    assert first.screen.setup == plain.screen.setup
    assert first.screen.title == plain.screen.title


def test_a_set_that_opens_a_stretch_shows_its_steps_with_full_detail_only() -> None:
    outcome = routine.start(("seated",), 3, 30)
    assert outcome.step is not None
    full = COACH.set_turn(outcome.step, outcome.state, Preferences()).screen
    brief = COACH.set_turn(outcome.step, outcome.state, Preferences(detail=Detail.BRIEF)).screen
    assert isinstance(full, SetScreen)
    assert isinstance(brief, SetScreen)
    assert full.setup == tuple(line.format(leg="right") for line in CONTENT.stretch("seated").setup)
    assert brief.setup == ()
    assert full.title == "Seated hamstring stretch"
    later = replace(outcome.state, position=1)
    rep2 = Step(later.holds[1], Intro.NEXT_REP, later.after(later.holds[1]))
    screen = COACH.set_turn(rep2, later, Preferences(detail=Detail.FULL)).screen
    assert isinstance(screen, SetScreen)
    assert screen.setup == ()


def test_the_set_that_ends_the_routine_carries_the_finish() -> None:
    """The finish counts the holds done, as the goodbye card does: here the first hold was
    skipped, every other one before the last played, and the last set plays the last hold."""
    total = FULL_ROUTINE.total
    every_but_first_and_last = (1 << (total - 1)) - 2
    state = replace(FULL_ROUTINE, position=total - 1, done_mask=every_but_first_and_last)
    last = state.holds[-1]
    assert state.after(last) is After.FINISHED
    turn = COACH.set_turn(Step(last, Intro.NEXT_REP, After.FINISHED), state, Preferences())
    assert isinstance(turn.screen, SetScreen)
    assert turn.screen.finish == FinishScreen(
        CONTENT.phrases.get("screens.finish_title"), total - 1
    )
    # The closing words say the same count.
    name = COACH.routine_name(state)
    said = CONTENT.phrases.get("finish.done", name=name, holds=total - 1)
    assert said in [s.text for s in turn.outro.segments if isinstance(s, Text)]
    first = COACH.set_turn(
        Step(FULL_ROUTINE.holds[0], Intro.START, After.NEXT_REP), FULL_ROUTINE, Preferences()
    )
    assert isinstance(first.screen, SetScreen)
    assert first.screen.finish is None


def test_repeat_composes_the_same_screen() -> None:
    outcome = routine.start(("seated", "supine"), 3, 30)
    assert outcome.step is not None
    for turn in (
        COACH.set_turn(outcome.step, outcome.state, Preferences()),
        COACH.with_disclaimer(COACH.set_turn(outcome.step, outcome.state, Preferences())),
        COACH.how_to_turn(outcome.state),
        COACH.answer_turn("RedFlagIntent", outcome.state),
        COACH.booking_turn("injury_care", None),
        COACH.progress_turn(ProgressSummary(3, 2, 5, 30), outcome.state),
    ):
        if turn.replay is not None:
            assert COACH.replay(turn.replay).screen == turn.screen


def test_how_to_shows_the_steps_of_the_stretch_asked_about() -> None:
    screen = COACH.how_to_turn(None, "supine").screen
    assert screen == SetupScreen(
        "supine",
        "right",
        "Supine hamstring stretch",
        tuple(line.format(leg="right") for line in CONTENT.stretch("supine").setup),
    )
    on_left = replace(FULL_ROUTINE, position=3)  # seated, left leg
    screen = COACH.how_to_turn(on_left).screen
    assert isinstance(screen, SetupScreen)
    assert (screen.stretch_id, screen.leg) == ("seated", "left")
    assert "left" in " ".join(screen.steps)


def test_an_emergency_shows_911_and_nothing_else_competes() -> None:
    turn = COACH.answer_turn("RedFlagIntent", None)
    assert turn.screen == AnswerScreen(
        CONTENT.phrases.get("cards.emergency_title"),
        CONTENT.phrases.get("cards.emergency_text"),
        number="911",
        urgent=True,
    )


@pytest.mark.parametrize("key", sorted(k for k, a in CONTENT.answers.items() if not a.emergency))
def test_an_answer_shows_its_words_without_a_number(key: str) -> None:
    screen = COACH.answer_turn(key, FULL_ROUTINE).screen
    assert isinstance(screen, AnswerScreen)
    assert screen.text == CONTENT.answers[key].text
    assert screen.number is None
    assert not screen.urgent


@pytest.mark.parametrize("key", ["rehab", "injury_care"])
def test_a_phone_answer_shows_the_number_as_displayed(key: str) -> None:
    turn = COACH.booking_turn(key, None)
    assert isinstance(turn.screen, AnswerScreen)
    assert turn.screen.number == CONTENT.clinic[key].display
    assert turn.card is not None
    assert turn.card.picture == "seated"
    mid_supine = replace(FULL_ROUTINE, position=7)
    booked = COACH.booking_turn(key, mid_supine)
    assert booked.card is not None
    assert booked.card.picture == "supine"


def test_progress_shows_the_week_and_the_streak() -> None:
    done_two = replace(FULL_ROUTINE, done_mask=0b11, position=2)
    screen = COACH.progress_turn(ProgressSummary(4, 6, 9, 50), done_two).screen
    assert screen == FinishScreen(CONTENT.phrases.get("screens.progress_title"), 2, 4, 6)
    unknown = COACH.progress_turn(None, None).screen
    assert unknown == FinishScreen(CONTENT.phrases.get("screens.progress_title"), None)
    # No hold in this session (a routine done earlier today, in another one): no "0 holds
    # today", only the week and the streak.
    fresh = COACH.progress_turn(ProgressSummary(1, 1, 1, 6, stretched_today=True), None).screen
    assert fresh == FinishScreen(CONTENT.phrases.get("screens.progress_title"), None, 1, 1)


def test_the_goodbye_after_a_routine_has_a_card_with_the_last_stretch_done() -> None:
    assert COACH.stop_turn(None).card is None  # no routine: nothing to sum up
    nothing_done = COACH.stop_turn(FULL_ROUTINE).card
    assert nothing_done is not None
    assert nothing_done.picture == "seated"
    supine_only = routine.start(("supine",), 3, 30).state
    started = COACH.stop_turn(supine_only).card
    assert started is not None
    assert started.picture == "supine"  # none done yet: the stretch under way
    into_supine = replace(FULL_ROUTINE, done_mask=(1 << 8) - 1, position=8)
    card = COACH.stop_turn(into_supine).card
    assert card is not None
    assert card.picture == "supine"
    assert card.title == CONTENT.phrases.get("stop.card_title")
    assert "8 of 12 holds" in card.text


def test_words_said_before_a_set_move_its_clock() -> None:
    """A turn that put words before the set (the coach does not: it says them inside the
    set's lead) would start the set's audio later; the screen's offset says by how much."""
    outcome = routine.start(("seated",), 3, 30)
    assert outcome.step is not None
    turn = COACH.set_turn(outcome.step, outcome.state, Preferences())
    assert isinstance(turn.screen, SetScreen)
    words = Speech().say("One sentence first.")
    moved = placed(turn.screen, Speech([*words.segments, *turn.speech.segments]))
    assert isinstance(moved, SetScreen)
    assert moved.clock_offset_ms > 0
    assert moved.holds == turn.screen.holds
