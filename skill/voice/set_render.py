"""A set (skill/core/sets.py) as APL for Audio or as SSML.

APL-A plays it exactly: one Mixer, one track per cue (a Silence of the cue's offset, then its
words), the lead-in from offset 0, a bell at each release cue, and a hold's rendered clip in
place of its cues when the operator serves clips. What follows the set (the outro) comes after
the Mixer. SSML, the fallback, says the same cues with breaks in between, by the timing model.
"""

from __future__ import annotations

import itertools
from typing import Any

from skill.core.sets import SetTimeline
from skill.core.speech import Speech, Text
from skill.core.timeline import estimate_speech_ms
from skill.voice import apla
from skill.voice.ssml import set_ssml, to_ssml, voiced_cues

__all__ = ["Clips", "set_document", "set_ssml", "timing_problems"]

Clip = tuple[str, float]  # HTTPS URL, seconds
Clips = tuple[Clip | None, ...]  # per hold of the set: its clip, if one stands in for it


def _timed(at_ms: int, component: dict[str, Any]) -> dict[str, Any]:
    return component if at_ms == 0 else apla.sequencer(apla.silence(at_ms), component)


def set_document(timeline: SetTimeline, outro_ssml: str | None, clips: Clips) -> dict[str, Any]:
    """The RenderDocument directive that plays the set, then the outro."""
    tracks: list[dict[str, Any]] = []
    if timeline.lead:
        tracks.append(apla.speech_ssml(to_ssml(Speech(list(timeline.lead)))))
    tracks += [_timed(c.offset_ms, apla.speech(c.text)) for c in voiced_cues(timeline, clips)]
    for hold, clip in zip(timeline.holds, clips, strict=True):
        if clip is not None:
            tracks.append(_timed(hold.start_ms, apla.audio(clip[0])))
        tracks.append(_timed(hold.end_ms, apla.audio(apla.CHIME_SOURCE)))
    items = [apla.mixer(*tracks)]
    if outro_ssml:
        items.append(apla.speech_ssml(outro_ssml))
    token = f"set-{timeline.holds[0].timeline.clip_id}-{len(timeline.holds)}"
    return apla.render_directive(token, apla.sequencer(*items))


def timing_problems(timeline: SetTimeline, clips: Clips) -> list[str]:
    """Words that would still be spoken when the next cue starts (two voices at once), by the
    timing model; a clip that runs into the words after its hold."""
    problems = []
    lead_ms = sum(estimate_speech_ms(t) for t in _lead_texts(timeline))
    cues = voiced_cues(timeline, clips)
    if cues and lead_ms > cues[0].offset_ms:
        problems.append(f"lead-in of ~{lead_ms} ms runs into the cue at {cues[0].offset_ms} ms")
    for cue, nxt in itertools.pairwise(cues):
        if cue.offset_ms + estimate_speech_ms(cue.text) > nxt.offset_ms:
            problems.append(f"{cue.text!r} at {cue.offset_ms} ms runs into {nxt.text!r}")
    for hold, clip in zip(timeline.holds, clips, strict=True):
        if clip is not None and hold.start_ms + clip[1] * 1000 > hold.end_ms + timeline.release_ms:
            problems.append(f"clip {clip[0]} runs past its hold's release")
    return problems


def _lead_texts(timeline: SetTimeline) -> list[str]:
    return [s.text for s in timeline.lead if isinstance(s, Text)]
