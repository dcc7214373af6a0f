"""Hold screens as the coach would show them, built from the real content (cue words, set-up
steps, rests and count-ins on one clock), for the screen tests: a typical set (three 30 s holds
of one leg) and the longest the content allows (three 60 s holds, every cue)."""

from __future__ import annotations

from skill.core.content import load_content
from skill.core.screens import Caption, FinishScreen, ScreenHold, SetScreen
from skill.core.timeline import build_hold_timeline, count_in, room_for_speech_ms


def hold_set(
    stretch_id: str = "seated",
    leg: str = "right",
    hold_seconds: int = 30,
    reps: int = 3,
    *,
    offset_ms: int = 0,
    with_setup: bool = True,
    finish: FinishScreen | None = None,
) -> SetScreen:
    """The holds of one leg back to back, as one set: set-up lines, then for each hold a
    count-in, the hold's cues, and a rest before the next count-in."""
    content = load_content()
    routine = content.routine
    stretch = content.stretch(stretch_id)
    setup = tuple(step.format(leg=leg) for step in stretch.setup) if with_setup else ()
    captions: list[Caption] = []
    clock = 0
    for step in setup:
        captions.append(Caption(clock, step))
        clock += room_for_speech_ms(step)
    holds: list[ScreenHold] = []
    for rep in range(1, reps + 1):
        for word in count_in(content):
            captions.append(Caption(clock, word))
            clock += 1000
        timeline = build_hold_timeline(content, stretch_id, hold_seconds, rep - 1)
        captions.extend(Caption(clock + cue.offset_ms, cue.text) for cue in timeline.cues)
        holds.append(ScreenHold(stretch_id, leg, rep, reps, clock, clock + timeline.length_ms))
        clock += timeline.length_ms + routine.release_seconds * 1000
        if rep < reps:
            clock += routine.rest_seconds * 1000
    return SetScreen(
        title=stretch.name.capitalize(),
        holds=tuple(holds),
        captions=tuple(captions),
        setup=setup,
        clock_offset_ms=offset_ms,
        length_ms=clock,
        finish=finish,
    )


def typical_set() -> SetScreen:
    """Three 30 s holds of the seated stretch, right leg, set-up first."""
    return hold_set()


def longest_set() -> SetScreen:
    """The most a set's screen can carry: three holds of the longest hold the content allows,
    the longer set-up (supine), and the finish panel."""
    longest = load_content().routine.hold_seconds_max
    return hold_set(
        "supine", "left", longest, finish=FinishScreen("Routine done", 6, 7, 30), offset_ms=4000
    )


def closing_set() -> SetScreen:
    """The routine's last set: three 30 s holds, set-up first, the finish panel after."""
    return hold_set(finish=FinishScreen("Routine done", 6, 2, 2))
