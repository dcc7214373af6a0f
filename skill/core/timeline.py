"""The hold timeline: which cue is spoken at which offset during one hold.

One timeline feeds every renderer (SSML breaks, APL for Audio, rendered MP3 clips), so the
cues and their timing are decided once, here, and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from skill.core.content import Content

# Speech-rate model for estimates. Deliberately on the fast side of Alexa's voice: if speech
# is really slower, a hold only gets longer, never shorter than asked.
WORDS_PER_SECOND = 3.0
MIN_CUE_SECONDS = 0.35
# The slow side of Alexa's voice: room left for words before the next timed cue, so two cues
# never overlap even when speech runs slower than the estimate above.
SLOW_WORDS_PER_SECOND = 2.5


def estimate_speech_seconds(text: str) -> float:
    """Estimated speaking time of `text` in Alexa's voice (fast side, see WORDS_PER_SECOND)."""
    words = len(text.split())
    if words == 0:
        return 0.0
    # Sentence ends add a short natural pause.
    stops = sum(text.count(p) for p in ".?!")
    return max(MIN_CUE_SECONDS, words / WORDS_PER_SECOND + 0.15 * stops)


def estimate_speech_ms(text: str) -> int:
    """`estimate_speech_seconds` in whole milliseconds, so timing sums are exact."""
    return int(estimate_speech_seconds(text) * 1000)


def room_for_speech_ms(text: str) -> int:
    """Time to leave for `text` before the next cue: its length on the slow side of Alexa's
    voice, so a timed cue never starts while these words are still being said."""
    words = len(text.split())
    if words == 0:
        return 0
    stops = sum(text.count(p) for p in ".?!")
    return int(max(MIN_CUE_SECONDS, words / SLOW_WORDS_PER_SECOND + 0.3 * stops) * 1000)


@dataclass(frozen=True)
class Cue:
    offset_ms: int
    text: str
    kind: str


@dataclass(frozen=True)
class HoldTimeline:
    stretch_id: str
    hold_seconds: int
    variant: int
    cues: tuple[Cue, ...]

    @property
    def length_ms(self) -> int:
        """The hold itself: from the start cue to the release cue."""
        return self.hold_seconds * 1000

    @property
    def clip_id(self) -> str:
        """Stable name of the rendered clip of this exact hold."""
        return f"hold-{self.stretch_id}-{self.hold_seconds}s-v{self.variant}"


VARIANTS = 3  # the cue pools hold three or more phrasings; three variants cover a leg


def _schedule(hold_seconds: int, variant: int) -> list[tuple[float, str]]:
    """Cue kinds at offsets (seconds) for a hold of `hold_seconds` (30..60).

    A 30 s hold has room for one of the intensity / bouncing cues (alternating by rep) and
    leaves the final count to mark the end; longer holds get every cue plus more breathing.
    """
    half = hold_seconds / 2
    slots: list[tuple[float, str]] = [(0, "start"), (3, "form"), (9, "breathe")]
    if hold_seconds < 45:
        slots += [(half, "halfway"), (half + 3, "intensity" if variant % 2 else "bounce")]
    else:
        slots += [(15, "intensity"), (half, "halfway"), (half + 3, "bounce")]
        if hold_seconds >= 55:
            slots.append(((15 + half) / 2, "form2"))
        slots.append((hold_seconds - 16, "breathe2"))
        slots.append((hold_seconds - 10, "ten_left"))
    slots += [(hold_seconds - n, f"count{n}") for n in range(5, 0, -1)]
    slots.append((hold_seconds, "release"))
    return sorted(slots)


def build_hold_timeline(
    content: Content, stretch_id: str, hold_seconds: int, variant: int
) -> HoldTimeline:
    """The cues of one hold; `variant` rotates the phrasing from rep to rep.

    Built once per (stretch, length, variant) and kept with the content: every hold turn and
    every "repeat" check asks for one."""
    key = ("hold_timeline", stretch_id, hold_seconds, variant % VARIANTS)
    found = content.derived.get(key)
    if found is None:
        found = content.derived[key] = _build_hold_timeline(
            content, stretch_id, hold_seconds, variant
        )
    return found


def _build_hold_timeline(
    content: Content, stretch_id: str, hold_seconds: int, variant: int
) -> HoldTimeline:
    stretch = content.stretch(stretch_id)
    cues = content.cues
    variant %= VARIANTS
    cues_out = []
    for at, kind in _schedule(hold_seconds, variant):
        if kind == "form":
            text = stretch.form_cues[variant % len(stretch.form_cues)]
        elif kind == "form2":
            text = stretch.form_cues[(variant + 1) % len(stretch.form_cues)]
        elif kind == "breathe2":
            text = cues.pick("breathe", variant + 1)
        elif kind.startswith("count"):
            text = cues.count_words[int(kind[5:]) - 1].capitalize() + "."
        else:
            text = cues.pick(kind, variant)
        cues_out.append(Cue(offset_ms=round(at * 1000), text=text, kind=kind))
    return HoldTimeline(stretch_id, hold_seconds, variant, tuple(cues_out))


def count_in(content: Content) -> list[str]:
    """The get-ready count words, e.g. ["Three.", "Two.", "One."], one per second."""
    n = content.routine.get_ready_from
    return [content.cues.count_words[i - 1].capitalize() + "." for i in range(n, 0, -1)]
