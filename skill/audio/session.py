"""A whole guided session as one MP3, for people without an Echo.

The script is built by walking the routine state machine (`routine.start`, then `next_hold`
until the routine finishes), so the order of stretches, legs and reps is the skill's own.
`session_script` is separate from rendering; its words come from the same content files as
the skill's (phrases.yaml has a `session:` group for what only a recording says).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from skill.audio.clips import (
    CHIMES,
    ClipSpec,
    Voice,
    count_spec,
    expected_length_ms,
    hold_spec,
    render_clip,
)
from skill.audio.mixing import encode_mp3, ms_to_samples, probe_duration_ms, samples_to_ms
from skill.audio.tts import Engine, pick_engine
from skill.core import routine
from skill.core.content import Content
from skill.core.routine import After, Intro
from skill.core.timeline import HoldTimeline, build_hold_timeline

SENTENCE_GAP_MS = 400  # breath between spoken sentences
SECTION_GAP_MS = 1000  # between the instructions and the first hold, etc.

STRETCH_CHOICES = ("seated", "lying", "full")  # what the skill calls them
# The name each choice is known by -> the content's stretch id ("supine" is an accepted alias).
STRETCH_NAMES = {"seated": "seated", "lying": "supine", "supine": "supine", "full": "full"}


@dataclass(frozen=True)
class ScriptItem:
    """One piece of the session: speech, silence, the get-ready count, a hold or a chime."""

    kind: str  # "say" | "silence" | "count_in" | "hold" | "chime"
    text: str = ""
    ms: int = 0
    timeline: HoldTimeline | None = None


def _stretch_ids(content: Content, stretch: str) -> tuple[str, ...]:
    if stretch == "full":
        return tuple(content.stretches)
    stretch_id = STRETCH_NAMES.get(stretch, stretch)
    if stretch_id not in content.stretches:
        raise ValueError(f"unknown stretch {stretch!r}; use one of {', '.join(STRETCH_CHOICES)}")
    return (stretch_id,)


def session_script(
    content: Content, stretch: str, hold_seconds: int | None = None
) -> list[ScriptItem]:
    """The session as items, in playing order."""
    r = content.routine
    p = content.phrases
    seconds = hold_seconds or r.hold_seconds_default
    ids = _stretch_ids(content, stretch)
    fmt = {"relax_seconds": r.relax_seconds, "switch_seconds": r.switch_seconds}
    items: list[ScriptItem] = []

    def say(*texts: str) -> None:
        for text in texts:
            items.extend([ScriptItem("say", text), ScriptItem("silence", ms=SENTENCE_GAP_MS)])

    def silence(ms: int) -> None:
        items.append(ScriptItem("silence", ms=ms))

    def setup(stretch_id: str, leg: str) -> None:
        say(*(line.format(leg=leg, **fmt) for line in content.stretch(stretch_id).setup))

    say(p.get("launch.welcome"), p.get("launch.disclaimer"))
    outcome = routine.start(ids, r.reps_per_leg, seconds)
    while outcome.step is not None:
        step = outcome.step
        hold = step.hold
        st = content.stretch(hold.stretch_id)
        leg_fmt = {"rep": hold.rep, "reps": hold.reps, "leg": hold.leg}
        if step.intro is Intro.START:
            if stretch == "full":
                say(p.get("start.full_intro", reps=hold.reps, seconds=seconds))
                say(p.get("start.next_stretch_intro", name=st.name, where=st.where))
            else:
                say(p.get("start.stretch_intro", name=st.name, seconds=seconds, **leg_fmt))
            setup(hold.stretch_id, hold.leg)
            silence(SECTION_GAP_MS)
        elif step.intro is Intro.NEXT_STRETCH:
            say(p.get("start.next_stretch_intro", name=st.name, where=st.where))
            setup(hold.stretch_id, hold.leg)
            say(p.get("start.setup_leg_note", leg=hold.leg))
            silence(SECTION_GAP_MS)
        elif step.intro is Intro.SWITCH_LEGS:
            items.append(ScriptItem("chime", "chime-switch"))
            say(p.get("hold.switch_legs", leg=hold.leg), st.reminder.format(leg=hold.leg, **fmt))
            say(p.get("session.switch_time", **fmt))
            silence(r.switch_seconds * 1000)
        say(p.get("hold.rep_intro", **leg_fmt))
        say(content.cues.pick("get_ready", hold.variant))
        items.append(ScriptItem("count_in"))
        timeline = build_hold_timeline(content, hold.stretch_id, seconds, hold.variant)
        items.append(ScriptItem("hold", timeline=timeline))
        silence(SENTENCE_GAP_MS)
        say(p.get("hold.done_rep", hold.variant, **leg_fmt))
        if step.after is After.NEXT_REP:
            say(p.get("session.relax", **fmt))
            silence(r.relax_seconds * 1000)
        elif step.after is After.NEXT_LEG:
            say(p.get("session.leg_done", leg=hold.leg))
        elif step.after is After.NEXT_STRETCH:
            say(p.get("session.stretch_done", name=st.name))
            silence(r.relax_seconds * 1000)
        else:
            items.append(ScriptItem("chime", "chime-end"))
            name = p.get("start.full_name") if stretch == "full" else st.name
            say(p.get("finish.done", name=name, holds=outcome.state.total))
            say(p.get("finish.consistency"))
            break
        outcome = routine.next_hold(outcome.state)
    return items


@dataclass
class SessionReport:
    path: Path
    stretch: str
    engine: str
    engine_note: str
    holds: int
    expected_ms: float  # by the script's layout: timelines, silences, measured speech
    real_ms: float  # ffprobe on the written MP3
    hold_ms: int  # the holds alone (timeline length_ms, start cue to release cue)
    render_seconds: float
    bytes: int
    warnings: list[str] = field(default_factory=list)


def _chime_spec(name: str) -> ClipSpec:
    return next(c for c in CHIMES if c.id == name)


def render_session(
    content: Content,
    stretch: str,
    out: Path,
    engine: str | Engine = "auto",
    hold_seconds: int | None = None,
) -> SessionReport:
    """Render the whole guided session for `stretch` ("seated", "lying" or "full") to `out`."""
    started = time.monotonic()
    voice = Voice(pick_engine(engine) if isinstance(engine, str) else engine)
    script = session_script(content, stretch, hold_seconds)
    pieces: list[np.ndarray] = []
    expected = 0.0
    hold_ms = 0
    warnings: list[str] = []
    for item in script:
        if item.kind == "say":
            samples = voice.speak(item.text)
            expected += samples_to_ms(samples.size)
        elif item.kind == "silence":
            samples = np.zeros(ms_to_samples(item.ms), dtype=np.float32)
            expected += item.ms
        else:
            if item.kind == "hold":
                assert item.timeline is not None
                spec = hold_spec(item.timeline)
                hold_ms += item.timeline.length_ms
            elif item.kind == "count_in":
                spec = count_spec(content)
            else:
                spec = _chime_spec(item.text)
            clip = render_clip(spec, voice)
            warnings += clip.warnings
            samples = clip.samples
            expected += expected_length_ms(spec, voice)
        pieces.append(samples)
    out = Path(out)
    encode_mp3(np.concatenate(pieces), out)
    return SessionReport(
        path=out,
        stretch=stretch,
        engine=voice.name,
        engine_note=voice.note,
        holds=sum(1 for i in script if i.kind == "hold"),
        expected_ms=expected,
        real_ms=probe_duration_ms(out),
        hold_ms=hold_ms,
        render_seconds=time.monotonic() - started,
        bytes=out.stat().st_size,
        warnings=sorted(set(warnings)),
    )
