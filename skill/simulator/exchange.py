"""One turn of a simulated conversation (`Exchange`): what was said, what it became, what was
sent and what came back, with what Alexa herself said in between; printed by chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from skill.simulator.nlu import Recognition
from skill.simulator.render import INDENT, NOTHING, Rendered, render_text
from skill.simulator.screen import ScreenReport


@dataclass(frozen=True)
class Exchange:
    """One turn: what was said, what it became, what was sent and what came back."""

    utterance: str
    recognition: Recognition | None = None
    request: dict[str, Any] | None = None  # None: nothing was sent (e.g. a reprompt replay)
    response: dict[str, Any] | None = None
    rendered: Rendered | None = None
    note: str = ""  # how the device read the utterance, when that is not obvious
    leave: bool = False  # the person asked to leave the simulator
    at: datetime | None = None  # device time: the request's, or the reprompt's start
    screen: ScreenReport | None = None  # the APL document this turn put on the screen
    # A permission request: {"asked": {scopes, token}, "prompt": Alexa's, "answer": status}.
    consent: dict[str, Any] | None = None
    alexa: tuple[str, ...] = ()  # what Alexa herself says and does (her permission prompt)
    reminders: tuple[str, ...] | None = None  # what the stand-in holds, when this turn changed it
    followed: Exchange | None = None  # what Alexa sent by herself right after (no voice consent)

    @property
    def plays_ms(self) -> int:
        """How long the device plays for this turn (0 when it plays nothing)."""
        return self.rendered.length_ms if self.rendered is not None else 0

    @property
    def quiet(self) -> bool:
        """The skill said nothing and Alexa speaks instead: no "Alexa: (nothing)" line."""
        return bool(self.alexa) and self.rendered is not None and self.answer == NOTHING

    @property
    def answer(self) -> str:
        return render_text(self.rendered) if self.rendered is not None else ""

    def after_lines(self) -> list[str]:
        """Alexa's own words, then the reminders held: shown after the skill's answer."""
        lines = list(self.alexa)
        if self.reminders is not None:
            held = self.reminders or ("none",)
            lines += [f"{INDENT}[reminders: {r}]" for r in held]
        return lines

    @property
    def text(self) -> str:
        parts = [f"({self.note})"] if self.note else []
        if self.rendered is not None and not self.quiet:
            parts.append(self.answer)
        if self.screen is not None:
            parts.append(INDENT + self.screen.line())
        parts += self.after_lines()
        if self.followed is not None:
            parts.append(self.followed.text)
        return "\n".join(parts)
