"""The screens the coach composes with its turns (skill/core/screens.py), from the same data
as the words: a set's screen is read off the set's own timeline, so the countdown on a screen
and the holds the skill counts (Turn.play) are one set of numbers, never two estimates.
"""

from __future__ import annotations

import re
from dataclasses import replace

from skill.core.content import Content
from skill.core.routine import After, Intro, RoutineState, heard_once_played
from skill.core.screens import Caption, FinishScreen, Screen, ScreenHold, SetScreen
from skill.core.sets import SetTimeline, lead_room_ms
from skill.core.speech import Pause, PhoneNumber, Segment, Set, Speech, Text
from skill.core.timeline import estimate_speech_ms

# Intros that open a stretch: the screen shows its set-up steps while the lead-in is said.
OPENS_STRETCH = frozenset({Intro.START, Intro.RESTART, Intro.NEXT_STRETCH})
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def sentences(text: str) -> tuple[str, ...]:
    """`text` cut after each full stop, question or exclamation mark: one caption each, so
    no caption runs longer than a sentence (a screen has two lines for it)."""
    return tuple(part for part in _SENTENCE_END.split(text.strip()) if part)


def _said_ms(segment: Segment) -> int:
    """How long the lead-in's voice takes for `segment` at its typical pace (the estimate the
    audio's own timing check uses, skill/voice/set_render.py), not the slow-side room."""
    if isinstance(segment, Text):
        return estimate_speech_ms(segment.text)
    if isinstance(segment, Pause):
        return segment.ms
    if isinstance(segment, PhoneNumber):
        return estimate_speech_ms(" ".join(segment.digits))
    return 0


def set_captions(timeline: SetTimeline) -> tuple[Caption, ...]:
    """Every word of the set on its clock: each sentence of the lead-in where the voice, at
    its typical pace, begins it (the lead is one stream of speech from 0, so a caption placed
    by the slow-side room would come seconds after its words), then each timed cue
    (count-ins, rests, the holds' own cues) at its exact offset."""
    captions: list[Caption] = []
    at = 0
    for segment in timeline.lead:
        if isinstance(segment, Text):
            said: list[str] = []
            for sentence in sentences(segment.text):
                captions.append(Caption(at + estimate_speech_ms(" ".join(said)), sentence))
                said.append(sentence)
        at += _said_ms(segment)
    captions += [Caption(cue.offset_ms, cue.text) for cue in timeline.all_cues()]
    return tuple(sorted(captions, key=lambda c: c.at_ms))


def screen_holds(timeline: SetTimeline, state: RoutineState) -> tuple[ScreenHold, ...]:
    """The set's holds as the screen counts them down: the same starts and ends as
    SetTimeline.plan gives the skill's playback record."""
    out = []
    for hold in timeline.holds:
        ref = state.holds[hold.index]
        out.append(
            ScreenHold(
                ref.stretch_id,
                ref.leg,
                ref.rep,
                ref.reps,
                hold.start_ms,
                hold.end_ms,
                hold.skip_ms,
            )
        )
    return tuple(out)


def set_screen(
    content: Content,
    timeline: SetTimeline,
    state: RoutineState,
    intro: Intro,
    full_detail: bool,
    after: After,
) -> SetScreen:
    """The hold screen of a set turn; `intro`, `full_detail`: whether the set-up steps show
    (a set that opens a stretch, with full instructions); `after`: what follows its last hold
    (the finish screen when the routine ends)."""
    first = state.holds[timeline.holds[0].index]
    stretch = content.stretch(first.stretch_id)
    setup: tuple[str, ...] = ()
    if intro in OPENS_STRETCH and full_detail:
        setup = tuple(line.format(leg=first.leg) for line in stretch.setup)
    finish = None
    if after is After.FINISHED:
        done = heard_once_played(state, (hold.index for hold in timeline.holds))
        finish = FinishScreen(content.phrases.get("screens.finish_title"), done)
    return SetScreen(
        title=stretch.title,
        holds=screen_holds(timeline, state),
        captions=set_captions(timeline),
        setup=setup,
        length_ms=timeline.length_ms,
        finish=finish,
    )


def retimed(screen: SetScreen, timeline: SetTimeline) -> SetScreen:
    """`screen` for `timeline`, the same set whose clock moved (words said first): holds,
    captions and length are read again from the final timeline."""
    holds = tuple(
        replace(shown, start_ms=hold.start_ms, end_ms=hold.end_ms, skipped_ms=hold.skip_ms)
        for shown, hold in zip(screen.holds, timeline.holds, strict=True)
    )
    return replace(
        screen, holds=holds, captions=set_captions(timeline), length_ms=timeline.length_ms
    )


def placed(screen: Screen | None, speech: Speech) -> Screen | None:
    """`screen` with its clock where the set's audio starts in `speech`: after whatever is
    said before the set (the coach says every word of a set turn inside the set's own lead,
    so this is 0; a turn that put words first would still be counted right)."""
    if not isinstance(screen, SetScreen):
        return screen
    sets = [s for s in speech.segments if isinstance(s, Set)]
    if not sets:
        return screen
    before = tuple(speech.segments[: speech.segments.index(sets[0])])
    offset = lead_room_ms(before)
    return screen if offset == screen.clock_offset_ms else replace(screen, clock_offset_ms=offset)
