"""A set: several holds in one response, with every word placed at an exact offset.

One response plays the lead-in, a count-in, a hold, a rest with its own count-in, the next
hold, and so on. Everything sits on one clock that starts with the response's audio, so the
skill knows where each hold starts and ends (`SetTimeline.plan`) and APL for Audio can place
every cue exactly (one Mixer, one track per cue). The words are chosen elsewhere
(skill/core/set_turns.py); this module only keeps them on the clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from skill.core.playback import PlayedHold, PlayPlan
from skill.core.speech import Pause, PhoneNumber, Segment, Text
from skill.core.timeline import Cue, HoldTimeline, room_for_speech_ms

# "Just count": a hold keeps only these cues (and its final count).
COUNT_ONLY_KINDS = frozenset({"start", "halfway", "ten_left", "release"})


def lead_room_ms(segments: tuple[Segment, ...]) -> int:
    """Time to leave for the lead-in before the first timed cue (slow side of the voice)."""
    total = 0
    for segment in segments:
        if isinstance(segment, Text):
            total += room_for_speech_ms(segment.text)
        elif isinstance(segment, Pause):
            total += segment.ms
        elif isinstance(segment, PhoneNumber):
            total += room_for_speech_ms(" ".join(segment.digits)) + 500
    return total


@dataclass(frozen=True)
class SetHold:
    """One hold of a set: its place in the plan, where its start cue falls in the set, its
    cues, and how much of it had played already when it is a hold picked up midway."""

    index: int
    start_ms: int
    timeline: HoldTimeline
    skip_ms: int = 0
    count_only: bool = False

    @property
    def end_ms(self) -> int:
        """Where its release cue falls."""
        return self.start_ms + self.timeline.length_ms - self.skip_ms

    @property
    def whole(self) -> bool:
        """Played from its start with every cue: a rendered clip of it may stand in."""
        return self.skip_ms == 0 and not self.count_only

    def cues(self) -> list[Cue]:
        """Its cues on the set's clock."""
        out = []
        for cue in self.timeline.cues:
            if cue.offset_ms < self.skip_ms and cue.kind != "release":
                continue
            if self.count_only and not (
                cue.kind in COUNT_ONLY_KINDS or cue.kind.startswith("count")
            ):
                continue
            at = self.start_ms + max(0, cue.offset_ms - self.skip_ms)
            out.append(Cue(at, cue.text, cue.kind))
        return out


@dataclass(frozen=True)
class SetTimeline:
    """The lead-in (said from offset 0), the words between holds and the holds, on one clock."""

    lead: tuple[Segment, ...]
    cues: tuple[Cue, ...]  # count-ins, rests, switches: everything that is not a hold's own
    holds: tuple[SetHold, ...]
    release_ms: int  # after the last release cue: the cue and the bell

    @property
    def length_ms(self) -> int:
        return self.holds[-1].end_ms + self.release_ms

    def all_cues(self) -> list[Cue]:
        """Every timed cue, the holds' included, in playing order."""
        cues = list(self.cues)
        for hold in self.holds:
            cues.extend(hold.cues())
        return sorted(cues, key=lambda c: c.offset_ms)

    def plan(self, outro_ms: int = 0) -> PlayPlan:
        """Where each hold starts and ends in the response; `outro_ms`: words after the set."""
        return PlayPlan(
            tuple(PlayedHold(h.index, h.start_ms, h.end_ms) for h in self.holds),
            self.length_ms + outro_ms,
        )

    def with_lead_first(self, segments: tuple[Segment, ...]) -> SetTimeline:
        """This set with `segments` said before its own lead-in: every cue moves later by the
        room they take, so the clock stays exact."""
        if not segments:
            return self
        shift = lead_room_ms(segments)
        return replace(
            self,
            lead=(*segments, *self.lead),
            cues=tuple(Cue(c.offset_ms + shift, c.text, c.kind) for c in self.cues),
            holds=tuple(replace(h, start_ms=h.start_ms + shift) for h in self.holds),
        )
