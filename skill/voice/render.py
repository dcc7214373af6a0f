"""How a turn's speech reaches the device: APL for Audio, rendered clips, or plain SSML.

One hold timeline, three ways to play it, chosen per response:
1. a rendered clip (our coach's voice) when the operator serves clips over HTTPS
   (`SKILL_AUDIO_BASE_URL`) and the clip is in the manifest: inside APL-A, or SSML `<audio>`;
2. APL-A in Alexa's own voice, every cue at its exact offset (the default);
3. SSML with breaks, the fallback (`SKILL_SPEECH_MODE=ssml`, or a document that fails
   validation).

A turn is split at its hold: what comes before is `outputSpeech` (Alexa says it first, then
plays the document: the two never overlap), the hold and what follows go in the document.
"Repeat" stores no markup: the turn is composed again from the content (Coach.replay) and
rendered here the same way again.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from skill.config import SPEECH_MODES
from skill.core.content import Content
from skill.core.sets import SetTimeline
from skill.core.speech import Hold, Set, Speech
from skill.core.timeline import HoldTimeline
from skill.voice import apla
from skill.voice.apla import JsonReady
from skill.voice.manifest import LiveManifest
from skill.voice.set_render import Clips, set_document, set_ssml, timing_problems
from skill.voice.ssml import MAX_AUDIO_TAGS, SPEAK_CLOSE, SPEAK_OPEN, join_ssml, to_ssml

log = logging.getLogger("skill.voice.render")


@dataclass(frozen=True)
class SpokenTurn:
    """A turn's speech split at its hold: SSML before the hold, the hold, SSML after it.
    Without a hold, `before` is the whole turn."""

    before: str | None
    hold: HoldTimeline | None = None
    after: str | None = None
    set: SetTimeline | None = None  # a set turn: several holds on one clock

    @classmethod
    def from_speech(cls, speech: Speech) -> SpokenTurn:
        """Split at the one set (or the one hold); SSML before and after it."""
        found = [s for s in speech.segments if isinstance(s, Set | Hold)]
        if len(found) != 1:  # the coach never puts two in a turn; SSML copes if it did
            return cls(to_ssml(speech) if speech.segments else None)
        at = speech.segments.index(found[0])
        before, after = speech.segments[:at], speech.segments[at + 1 :]
        head = to_ssml(Speech(list(before))) if before else None
        tail = to_ssml(Speech(list(after))) if after else None
        if isinstance(found[0], Set):
            return cls(head, after=tail, set=found[0].timeline)
        return cls(head, found[0].timeline, tail)

    def ssml(self) -> str:
        """The whole turn as one SSML document (the fallback)."""
        if self.set is not None:
            markup = set_ssml(self.set, (None,) * len(self.set.holds))
            return join_ssml(self.before, SPEAK_OPEN + markup + SPEAK_CLOSE, self.after)
        if self.hold is None:
            return self.before or SPEAK_OPEN + SPEAK_CLOSE
        return join_ssml(self.before, to_ssml(Speech().hold(self.hold)), self.after)


@dataclass(frozen=True)
class Rendered:
    """What goes into the response: outputSpeech SSML and/or one APL-A directive."""

    ssml: str | None
    directive: dict[str, Any] | None = None


class SpeechRenderer:
    """Chooses, per turn, between a rendered clip, APL-A and SSML (see the module doc)."""

    def __init__(
        self,
        content: Content,
        mode: str = "apla",
        audio_base_url: str | None = None,
        manifest: LiveManifest | None = None,
    ) -> None:
        if mode not in SPEECH_MODES:
            raise ValueError(f"speech mode must be one of {SPEECH_MODES}, not {mode!r}")
        self.content = content
        self.mode = mode
        # Alexa fetches clips itself and accepts only HTTPS (docs/alexa-platform.md).
        usable = bool(audio_base_url and audio_base_url.startswith("https://"))
        self.audio_base_url = audio_base_url.rstrip("/") if usable and audio_base_url else None
        self.manifest = manifest
        # Holds repeat across people: build and validate each distinct document once.
        self._document = functools.lru_cache(maxsize=1024)(self._build_document)
        self._set_document = functools.lru_cache(maxsize=1024)(self._build_set_document)

    def clip_for(self, timeline: HoldTimeline) -> tuple[str, float] | None:
        """(HTTPS URL, seconds) of this hold's rendered clip, if it is served and on disk."""
        if self.audio_base_url is None or self.manifest is None:
            return None
        manifest = self.manifest.get()
        entry = manifest.clip(timeline.clip_id)
        if entry is None or not manifest.has_file(timeline.clip_id):
            return None
        return f"{self.audio_base_url}/{entry.file}", entry.seconds

    def render(self, turn: SpokenTurn) -> Rendered:
        if turn.set is not None:
            return self._render_set(turn, turn.set)
        if turn.hold is None:
            return Rendered(turn.before)
        clip = self.clip_for(turn.hold)
        if self.mode == "apla":
            directive = self._document(turn.hold, turn.after, clip)
            if directive is not None:
                return Rendered(turn.before, directive)
        if clip is not None:
            url, seconds = clip
            return Rendered(
                join_ssml(turn.before, to_ssml(Speech().audio(url, seconds)), turn.after)
            )
        return Rendered(turn.ssml())

    def _render_set(self, turn: SpokenTurn, timeline: SetTimeline) -> Rendered:
        """A set in APL-A (exact), else as SSML; rendered clips stand in for whole holds."""
        clips: Clips = tuple(self.clip_for(h.timeline) if h.whole else None for h in timeline.holds)
        if self.mode == "apla":
            directive = self._set_document(timeline, turn.after, clips)
            if directive is not None:
                return Rendered(turn.before, directive)
        if sum(c is not None for c in clips) > MAX_AUDIO_TAGS:
            clips = (None,) * len(clips)
        markup = SPEAK_OPEN + set_ssml(timeline, clips) + SPEAK_CLOSE
        return Rendered(join_ssml(turn.before, markup, turn.after))

    def _build_set_document(
        self, timeline: SetTimeline, after: str | None, clips: Clips
    ) -> dict[str, Any] | None:
        """The set's APL-A directive, or None if it fails validation (cached and shared)."""
        directive = set_document(timeline, after, clips)
        clip_seconds = {c[0]: c[1] for c in clips if c is not None}
        problems = timing_problems(timeline, clips)
        problems += apla.validate_document(directive, clip_seconds=clip_seconds)
        if problems:
            log.warning(
                "APL-A set document rejected, speaking SSML instead",
                extra={"fields": {"token": directive["token"], "problems": problems[:3]}},
            )
            return None
        directive["document"] = JsonReady(directive["document"])
        return directive

    def _build_document(
        self, timeline: HoldTimeline, after: str | None, clip: tuple[str, float] | None
    ) -> dict[str, Any] | None:
        """The hold's APL-A directive, or None if it fails validation. Callers must not
        mutate it: it is cached and shared."""
        if clip is None:
            directive = apla.hold_document(timeline, outro_ssml=after)
            problems = apla.validate_document(directive, timeline)
        else:
            url, seconds = clip
            directive = apla.clip_document(
                url, outro_ssml=after, token=timeline.clip_id, chime=True
            )
            problems = apla.validate_document(directive, clip_seconds={url: seconds})
        if not problems:
            directive["document"] = JsonReady(directive["document"])  # validated as JSON above
        if problems:
            log.warning(
                "APL-A document rejected, speaking SSML instead",
                extra={"fields": {"clip": timeline.clip_id, "problems": problems[:3]}},
            )
            return None
        return directive
