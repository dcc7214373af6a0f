"""The data source of each screen: the Screen's facts with the words already written out.

The documents (documents/*.json) hold layout and the timing logic only; every word comes from
labels.yaml through here, and every number the document compares against the clock is a plain
millisecond count, so the expressions stay simple enough to check.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from skill.core.screens import (
    AnswerScreen,
    CaptionScreen,
    FinishScreen,
    PausedScreen,
    Screen,
    SetScreen,
    SetupScreen,
)

from .art import graphic_name

# A caption with no next one stays up until long after any set ends (a day, in ms).
CAPTION_FOREVER_MS = 86_400_000
# A caption screen's text from this many characters is set in the smaller type (captionLongSize).
LONG_TEXT_CHARS = 220
# A hold screen's caption from this many characters is set in the smaller type, three lines at
# most: two lines of the round screen's caption type hold about 60 characters, and the longest
# sentence a set says (a set-up step, ~115 characters) must show whole at every viewport.
LONG_CAPTION_CHARS = 61
# An answer's text from this many characters is set in the smaller type: four lines of the
# round screen's body type hold about 130, and answers run to ~200 (every one must show whole).
LONG_ANSWER_CHARS = 120
SHORT_NUMBER_CHARS = 4  # "911" is short; "(904) 858-7045" needs the smaller phone size


@cache
def labels() -> dict[str, Any]:
    """The screen words (skill/screen/labels.yaml)."""
    text = resources.files("skill.screen").joinpath("labels.yaml").read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def kind_of(screen: Screen) -> str:
    """The document a screen is drawn with: "set", "setup", "finish", "answer", "paused" or
    "caption"."""
    if isinstance(screen, SetScreen):
        return "set"
    if isinstance(screen, SetupScreen):
        return "setup"
    if isinstance(screen, FinishScreen):
        return "finish"
    if isinstance(screen, AnswerScreen):
        return "answer"
    if isinstance(screen, PausedScreen):
        return "paused"
    if isinstance(screen, CaptionScreen):
        return "caption"
    raise TypeError(f"not a screen: {screen!r}")


def graphics_needed(screen: Screen) -> list[tuple[str, str]]:
    """The (stretch, leg) drawings a screen shows, each once, in order of appearance."""
    pairs: list[tuple[str, str]] = []
    if isinstance(screen, SetScreen):
        pairs = [(hold.stretch_id, hold.leg) for hold in screen.holds]
    elif isinstance(screen, SetupScreen):
        pairs = [(screen.stretch_id, screen.leg)]
    elif isinstance(screen, AnswerScreen) and screen.stretch_id and not screen.urgent:
        pairs = [(screen.stretch_id, "right")]
    elif isinstance(screen, PausedScreen | CaptionScreen) and screen.stretch_id is not None:
        pairs = [(screen.stretch_id, screen.leg)]
    return list(dict.fromkeys(pairs))


def _plural(counts: dict[str, str], n: int) -> str:
    return counts["one"] if n == 1 else counts["other"]


def _rep_line(rep: int, reps: int, leg: str) -> str:
    words = labels()
    return str(words["rep_line"]).format(rep=rep, reps=reps, leg=words["legs"][leg])


def finish_data(finish: FinishScreen) -> dict[str, Any]:
    """Today's holds, then the week and the streak, each when known, as value/label pairs."""
    words = labels()["finish"]
    stats: list[tuple[int, str]] = []
    if finish.holds_done is not None:
        stats.append((finish.holds_done, "holds_today"))
    if finish.days_this_week is not None:
        stats.append((finish.days_this_week, "days_this_week"))
    if finish.streak_days is not None:
        stats.append((finish.streak_days, "streak"))
    return {
        "title": finish.title,
        "stats": [{"value": str(n), "label": _plural(words[key], n)} for n, key in stats],
    }


def _button_labels() -> dict[str, str]:
    words = labels()
    return {**words["buttons"], "tvHint": words["tv_hint"]}


def set_data(screen: SetScreen) -> dict[str, Any]:
    """The hold screen's data: holds and captions as millisecond windows on the set's clock."""
    words = labels()
    holds: list[dict[str, Any]] = []
    previous_end = -1
    for i, hold in enumerate(screen.holds):
        line = _rep_line(hold.rep, hold.reps, hold.leg)
        holds.append(
            {
                "graphic": graphic_name(hold.stretch_id, hold.leg),
                "line": line,
                "nextLine": str(words["next_up"]).format(line=line),
                "startMs": hold.start_ms,
                "endMs": hold.end_ms,
                "skippedMs": hold.skipped_ms,
                "totalMs": max(1, hold.end_ms - hold.start_ms + hold.skipped_ms),
                # The rest before this hold starts at the previous release (none for the first).
                "restFromMs": previous_end if i else -1,
            }
        )
        previous_end = hold.end_ms
    captions = sorted(screen.captions, key=lambda caption: caption.at_ms)
    ends = [caption.at_ms for caption in captions[1:]] + [CAPTION_FOREVER_MS] * bool(captions)
    first = screen.holds[0] if screen.holds else None
    return {
        "title": screen.title,
        "offsetMs": screen.clock_offset_ms,
        "firstStartMs": first.start_ms if first else 0,
        # While the set-up list is up, captions would repeat it (round screens show no list).
        "listUntilMs": first.start_ms if first and screen.setup else 0,
        "endMs": max([screen.length_ms, previous_end, 0]),
        "firstGraphic": graphic_name(first.stretch_id, first.leg) if first else "",
        "leadHeading": words["setup_heading"] if screen.setup else words["get_ready"],
        "setup": list(screen.setup),
        "holds": holds,
        "captions": [
            {
                "atMs": caption.at_ms,
                "untilMs": end,
                "text": caption.text,
                "long": len(caption.text) >= LONG_CAPTION_CHARS,
            }
            for caption, end in zip(captions, ends, strict=True)
        ],
        "finish": finish_data(screen.finish) if screen.finish else None,
        "labels": {
            **_button_labels(),
            "rest": words["rest"],
            "setDone": words["set_done"],
        },
    }


def paused_data(screen: PausedScreen) -> dict[str, Any]:
    """The still hold: its pose and place, "Paused", and what to say to go on."""
    words = labels()
    return {
        "title": screen.title,
        "graphic": graphic_name(screen.stretch_id, screen.leg),
        "line": _rep_line(screen.rep, screen.reps, screen.leg),
        "heading": words["paused"]["heading"],
        "hint": words["paused"]["hint"],
        "labels": _button_labels(),
    }


def caption_data(screen: CaptionScreen) -> dict[str, Any]:
    """The words said; `long` picks the smaller type (launch with the disclaimer) so the whole
    text fits, and the document scrolls whatever still does not."""
    return {
        "title": screen.title,
        "text": screen.text,
        "long": len(screen.text) >= LONG_TEXT_CHARS,
        "graphic": graphic_name(screen.stretch_id, screen.leg) if screen.stretch_id else "",
    }


def datasource(screen: Screen) -> dict[str, Any]:
    """The `screen` data source object of the RenderDocument directive for any Screen."""
    kind = kind_of(screen)
    if isinstance(screen, SetScreen):
        data = set_data(screen)
    elif isinstance(screen, SetupScreen):
        data = {
            "title": screen.title,
            "graphic": graphic_name(screen.stretch_id, screen.leg),
            "steps": list(screen.steps),
        }
    elif isinstance(screen, FinishScreen):
        data = {"finish": finish_data(screen)}
    elif isinstance(screen, PausedScreen):
        data = paused_data(screen)
    elif isinstance(screen, CaptionScreen):
        data = caption_data(screen)
    else:
        assert isinstance(screen, AnswerScreen)
        pairs = graphics_needed(screen)
        data = {
            "title": screen.title,
            "text": screen.text,
            "number": screen.number or "",
            # a phone number is long: set in smaller type, so it stays on one line
            "phone": len(screen.number or "") > SHORT_NUMBER_CHARS,
            "long": len(screen.text) >= LONG_ANSWER_CHARS,
            "urgent": screen.urgent,
            "graphic": graphic_name(*pairs[0]) if pairs else "",
        }
    return {"kind": kind, **data}
