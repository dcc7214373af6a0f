"""What a turn shows on a screen, as plain data: the coach composes it with the words, and the
screen layer (skill/screen/) turns it into an APL document. No APL here, no markup, no URLs.

Times are on the set's clock (skill/core/sets.py): 0 is where the set's audio starts.
`clock_offset_ms` is how long after the screen appears that audio starts (speech said before
the set, when there is any), so the screen's countdown runs in step with the voice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScreenHold:
    """One hold of a set as the screen counts it down."""

    stretch_id: str
    leg: str  # "right" / "left"
    rep: int  # 1-based
    reps: int
    start_ms: int  # the start cue, on the set's clock
    end_ms: int  # the release cue
    skipped_ms: int = 0  # a hold picked up midway: how much of it had played before


@dataclass(frozen=True)
class Caption:
    """A cue as it is spoken, shown from `at_ms` until the next caption."""

    at_ms: int
    text: str


@dataclass(frozen=True)
class SetScreen:
    """The hold screen of a set turn; `setup` is shown during the lead-in when the set opens a
    stretch (empty otherwise), `finish` after the last release when the set ends the routine."""

    title: str  # "Seated hamstring stretch"
    holds: tuple[ScreenHold, ...]
    captions: tuple[Caption, ...]
    setup: tuple[str, ...] = ()
    clock_offset_ms: int = 0
    length_ms: int = 0  # the set's whole audio, its last release included
    finish: FinishScreen | None = None


@dataclass(frozen=True)
class SetupScreen:
    """How to get into a stretch: its steps as a short list, and the picture."""

    stretch_id: str
    leg: str
    title: str
    steps: tuple[str, ...]


@dataclass(frozen=True)
class FinishScreen:
    """The end of a routine: today's holds, the week and the streak (None: not known, or not
    this turn's to say: "how am I doing" in a session that did no holds leaves holds out, as
    it cannot tell the holds of an earlier session today without another database read)."""

    title: str
    holds_done: int | None
    days_this_week: int | None = None
    streak_days: int | None = None


@dataclass(frozen=True)
class AnswerScreen:
    """A safety answer or a clinic's number: the number in large type. `urgent`: an emergency
    (call 911), drawn so that nothing else competes with the number."""

    title: str
    text: str
    number: str | None = None  # as displayed: "911", "(904) 858-7045"
    urgent: bool = False
    stretch_id: str | None = None  # the picture beside it, when there is one


@dataclass(frozen=True)
class PausedScreen:
    """A routine on hold: the hold it stopped in stays in view, still, so the screen never
    counts down a hold whose audio has stopped."""

    title: str  # the stretch's name
    stretch_id: str
    leg: str
    rep: int
    reps: int


@dataclass(frozen=True)
class CaptionScreen:
    """What Alexa just said, as text, for a turn with nothing else to show: a device keeps the
    last document up until a new one comes, so every turn replaces it (a hold screen would
    otherwise go on counting after help, a question or goodbye). `stretch_id`: the pose of the
    stretch under way, when a routine is."""

    title: str
    text: str
    stretch_id: str | None = None
    leg: str = "right"


Screen = SetScreen | SetupScreen | FinishScreen | AnswerScreen | PausedScreen | CaptionScreen
