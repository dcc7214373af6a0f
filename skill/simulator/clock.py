"""The simulated device's clock: the moment each request is sent, as an Echo would send it.

The skill counts holds from request timestamps, so a typed chat must carry the times a device
would. Without `--realtime` nobody waits: time on the device starts at the wall clock and moves
by what the device plays. A reply comes once the answer has played and the person has spoken
(SPEAK_MS); silence moves it by the listening windows (LISTEN_MS); a typed prefix says when
the utterance comes instead: `@45s` (that far into what Alexa last played: an interruption)
or `+1d` (that long after it ended). With `--realtime` the answer really plays, so the clock
is the wall clock and prefixes are ignored.

Timestamps go out as Alexa sends them: ISO 8601, UTC, whole seconds, a trailing Z. The clock
keeps milliseconds and the timestamp drops the fraction, so a reply sent SPEAK_MS after an
answer ends is never seen by the skill as coming before that end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# docs/alexa-platform.md, "Sessions and reprompts": after an answer that keeps the session
# open, the microphone waits about 8 s; then the reprompt, and about 8 s more.
LISTEN_MS = 8_000
# How long a person takes to say a short reply ("next") once the microphone opens. It also
# keeps a reply's whole-second timestamp after the end of the answer it follows.
SPEAK_MS = 1_000

Wall = Callable[[], datetime]

PREFIX_HELP = (
    "Start a line with a time to say when you speak: '@12s pause' comes 12 s into Alexa's\n"
    "last answer (@45, @1m30s, @90.5s); '+1d open hamstring coach' comes a day after it ended\n"
    "(+10m, +2h, +1h30m). Without one, you answer 1 s after she finishes."
)
_UNIT_MS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000}
_NUMBER = r"\d+(?:\.\d+)?"
_AMOUNT = re.compile(
    rf"(?P<bare>{_NUMBER})|" + "".join(f"(?:(?P<{u}>{_NUMBER}){u})?" for u in "dhms")
)
_PREFIX = re.compile(r"\s*([@+])(\S*)\s*")


def wall_now() -> datetime:
    return datetime.now(UTC)


def timestamp(at: datetime) -> str:
    """A request timestamp as Alexa writes it: 2026-11-27T18:54:17Z (the fraction dropped)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_label(ms: int) -> str:
    """90500 -> "1m30.5s", 86400000 -> "1d": the prefix syntax, read back."""
    parts, rest = [], ms
    for unit, size in _UNIT_MS.items():
        if unit == "s":
            seconds = f"{rest / 1000:.1f}".removesuffix(".0")
            if seconds != "0" or not parts:
                parts.append(f"{seconds}s")
        elif rest >= size:
            count, rest = divmod(rest, size)
            parts.append(f"{count}{unit}")
    return "".join(parts)


@dataclass(frozen=True)
class When:
    """A typed time prefix: `@` that far into what Alexa last played, `+` that long after."""

    into: bool  # True for @, False for +
    ms: int
    text: str  # as typed, e.g. "@45s"


def split_when(line: str) -> tuple[When | None, str]:
    """(the time prefix, the rest) of a typed line; ValueError for a prefix that cannot be read."""
    m = _PREFIX.match(line)
    if m is None:
        return None, line
    sign, amount = m.groups()
    parsed = _AMOUNT.fullmatch(amount)
    if parsed is None or not any(parsed.groupdict().values()):
        raise ValueError(
            f"cannot read the time '{sign}{amount}': write e.g. @12s, @1m30s, +10m or +1d"
        )
    groups = parsed.groupdict()
    if groups["bare"] is not None:
        seconds = float(groups["bare"])
    else:
        seconds = sum(float(v) * _UNIT_MS[u] / 1000 for u, v in groups.items() if u != "bare" and v)
    return When(sign == "@", round(seconds * 1000), f"{sign}{amount}"), line[m.end() :]


class DeviceClock:
    """Device time: starts at the wall clock (whole seconds), moves by what plays."""

    def __init__(self, *, realtime: bool = False, wall: Wall = wall_now) -> None:
        self.realtime = realtime
        self.wall = wall
        self._from = wall().astimezone(UTC).replace(microsecond=0)  # the last thing played began
        self._ms = 0  # ... and played this long
        self._played = False

    @property
    def playing_ms(self) -> int:
        """The length of what the device last played (an answer or a reprompt)."""
        return self._ms

    @property
    def ended(self) -> datetime:
        """When what the device last played ended (or would have, had nobody interrupted)."""
        return self._from + timedelta(milliseconds=self._ms)

    def reply(self) -> datetime:
        """When an utterance without a prefix is sent: SPEAK_MS after the last answer ends."""
        if self.realtime:
            return self.wall()
        return self.ended + timedelta(milliseconds=SPEAK_MS) if self._played else self._from

    def timeout(self) -> datetime:
        """When a device that heard nothing stops listening (then reprompts or ends the session)."""
        if self.realtime:
            return self.wall()
        return self.ended + timedelta(milliseconds=LISTEN_MS)

    def when(self, when: When) -> tuple[datetime, str]:
        """The moment a prefix names, and a note saying how it was read."""
        if self.realtime:
            return self.wall(), f"{when.text} ignored: with --realtime the clock is the wall clock"
        if not when.into:
            at = self.ended + timedelta(milliseconds=when.ms)
            return at, f"said {duration_label(when.ms)} after Alexa finished, at {timestamp(at)}"
        if not self._played:
            return self._from, f"{when.text} ignored: Alexa has not played anything yet"
        if when.ms > self._ms:
            return self.ended, (
                f"{when.text} is past the end of what Alexa played "
                f"({duration_label(self._ms)}): said as it ended, at {timestamp(self.ended)}"
            )
        at = self._from + timedelta(milliseconds=when.ms)
        return at, f"said {duration_label(when.ms)} into what Alexa played, at {timestamp(at)}"

    def played(self, start: datetime, length_ms: int) -> None:
        """The device began playing something `length_ms` long at `start` (0: nothing)."""
        self._from, self._ms, self._played = start, max(0, length_ms), True
