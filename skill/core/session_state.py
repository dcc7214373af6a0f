"""The conversation's state between two requests: one pure, versioned value.

Alexa keeps it for us as session attributes, and every request brings it back from the client:
so `SessionState.from_dict` trusts nothing. It reads only the keys it writes, checks each value
against the content (known stretches, the hold length range of stretches.yaml, known phrases,
answers and clinic numbers), and drops what does not fit. An unknown version is a fresh start.
Nothing here raises on any input, and nothing it was not built from is ever written back.

What "repeat" replays is stored as the way the last turn was composed (`Replay`: which kind of
turn, for which routine state, with which phrase keys and ids), never as markup: repeat composes
the turn again from the content, so a client can at worst make the skill say its own phrases.

No Alexa types here: skill/alexa/session_attributes.py reads and writes it once per request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from skill.core.content import Content
from skill.core.json_bounds import JsonBounds
from skill.core.playback import Playback
from skill.core.preferences import Preferences
from skill.core.progress import ProgressSummary
from skill.core.reminders import ReminderSchedule, recipe_schedule
from skill.core.routine import Intro, RoutineLimits, RoutineState

SHARED_ROUTINE = "session"  # a recipe's routine that is the session's own, written once
SESSION_VERSION = 2  # 1 was the loose attributes (routine, last SSML, pending) before this
TIME_ZONE_KEY = "tz"
MAX_QUESTION_KEYS = 3  # the coach's longest question is two phrases
_TIME_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,30}(/[A-Za-z0-9_+\-]{1,30}){0,2}")
_MAX_COUNT = 2**31 - 1  # progress figures are database integers
# What a state the skill writes can be: about 100 values, containers 4 deep (the session, the
# recipe for repeat, its routine, the routine's stretches), no string over 93 characters (a
# time zone). Anything bigger was not written by us and is refused before it is read: reading
# it costs at most STATE_BOUNDS.nodes steps, whatever its size (docs: issue 17, finding 3).
STATE_BOUNDS = JsonBounds(nodes=256, depth=4, string=128)
STATE_KEYS = (  # every key `SessionState.to_dict` writes
    "v",
    "routine",
    "hold_seconds",
    "disclaimer_heard",
    "expects",
    TIME_ZONE_KEY,
    "last",
    "playing",
    "prefs",
    "reminder_offer",
)


E = TypeVar("E", bound=StrEnum)


class Expect(StrEnum):
    """What a "yes" would mean next."""

    START_ROUTINE = "start_routine"
    RESUME_SAVED = "resume_saved"
    START_SEATED = "start_seated"  # offered instead of the floor ("I can't get down …")
    START_SUPINE = "start_supine"  # offered instead of the chair
    CLINIC_NUMBER = "clinic_number"  # offered after a pain answer stopped the stretch
    HEAR_WEEK = "hear_week"  # offered at the end of a finished routine
    SET_REMINDER = "set_reminder"  # a reminder offered (SessionState.reminder_offer)


class TurnKind(StrEnum):
    """The coach's ways of composing an open turn (skill/core/turns.py, Coach.replay)."""

    HOLD = "hold"  # ref: the Intro; routine: the state after the step; at_start
    ANSWER = "answer"  # ref: the answer's intent
    BOOKING = "booking"  # ref: the clinic number's key
    HELP = "help"
    FALLBACK = "fallback"
    REMAINING = "remaining"
    QUESTION = "question"  # keys, then the reprompt key
    FOLLOW_UP = "follow_up"  # keys (one), then the question that leads back
    HOLD_LENGTH = "hold_length"  # ref: a HoldLengthReply; seconds for the "set" replies
    LAUNCH = "launch"  # summary; routine: the saved routine offered, if any
    PROGRESS = "progress"  # summary, or none when progress could not be read
    TIME_LEFT = "time_left"  # routine: the time left in it
    HOW_TO = "how_to"  # routine: the stretch whose instructions were given, if any
    REMINDER = "reminder"  # ref: a ReminderReply; schedule; today (a one-day schedule's)


class HoldLengthReply(StrEnum):
    MISSING = "missing"
    OUT_OF_RANGE = "out_of_range"
    SET_IDLE = "set_idle"
    SET_RUNNING = "set_running"
    AT_MAX = "at_max"  # "longer" when holds are already the longest
    AT_MIN = "at_min"  # "shorter" when holds are already the shortest


Figures = tuple[int, int, int, int]  # days this week, streak days, sessions, holds


def figures(summary: ProgressSummary | None) -> Figures | None:
    if summary is None:
        return None
    return (
        summary.days_this_week,
        summary.streak_days,
        summary.total_sessions,
        summary.total_holds,
    )


def summary_of(values: Figures | None) -> ProgressSummary | None:
    if values is None:
        return None
    days, streak, sessions, holds = values
    return ProgressSummary(
        days_this_week=days, streak_days=streak, total_sessions=sessions, total_holds=holds
    )


@dataclass(frozen=True)
class Replay:
    """How the last turn was composed: enough to compose it again, and no markup or text."""

    kind: TurnKind
    routine: RoutineState | None = None  # the routine state the turn was composed for
    ref: str | None = None
    keys: tuple[str, ...] = ()
    reprompt: str | None = None
    seconds: int | None = None
    summary: Figures | None = None
    at_start: bool = False  # a hold: "previous" at the first hold
    disclaimer: bool = False  # the disclaimer was said first
    schedule: str | None = None  # a reminder's schedule token (REMINDER; PROGRESS: the offer)
    today: date | None = None  # the local day a one-day schedule was said on ("tomorrow")

    def to_dict(self, session_routine: RoutineState | None = None) -> dict[str, Any]:
        """`session_routine`: the session's own routine; when the recipe's is the same state,
        it is written once, in the session, and the recipe says so ("routine": "session")."""
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.routine is not None:
            same = self.routine == session_routine
            data["routine"] = SHARED_ROUTINE if same else self.routine.to_dict()
        if self.ref is not None:
            data["ref"] = self.ref
        if self.keys:
            data["keys"] = list(self.keys)
        if self.reprompt is not None:
            data["reprompt"] = self.reprompt
        if self.seconds is not None:
            data["seconds"] = self.seconds
        if self.summary is not None:
            data["summary"] = list(self.summary)
        if self.at_start:
            data["at_start"] = True
        if self.disclaimer:
            data["disclaimer"] = True
        if self.schedule is not None:
            data["schedule"] = self.schedule
        if self.today is not None:
            data["today"] = self.today.isoformat()
        return data

    @classmethod
    def from_dict(
        cls, data: Any, content: Content, session_routine: RoutineState | None = None
    ) -> Replay | None:
        """The stored recipe, or None unless every part of it is one the coach can compose.
        `session_routine` is the session's own (cleaned) routine, for a recipe that shares it."""
        if not isinstance(data, dict):
            return None
        kind = _member(TurnKind, data.get("kind"))
        if kind is None:
            return None
        limits = RoutineLimits.of(content)
        routine = None
        if data.get("routine") == SHARED_ROUTINE:
            routine = session_routine
            if routine is None:
                return None
        elif "routine" in data:
            routine = RoutineState.from_dict(data["routine"], limits)
            if routine is None:
                return None
        ref, seconds = data.get("ref"), data.get("seconds")
        keys: tuple[str, ...] = ()
        reprompt = summary = None
        setting = False
        if kind is TurnKind.HOLD:
            if routine is None or _member(Intro, ref) is None:
                return None
        elif kind is TurnKind.ANSWER:
            if not (isinstance(ref, str) and ref in content.answers):
                return None
        elif kind is TurnKind.BOOKING:
            if not (isinstance(ref, str) and ref in content.clinic):
                return None
        elif kind in (TurnKind.QUESTION, TurnKind.FOLLOW_UP):
            most = MAX_QUESTION_KEYS if kind is TurnKind.QUESTION else 1
            keys = _plain_keys(data.get("keys"), content, most)
            if not keys:
                return None
            if kind is TurnKind.QUESTION:
                reprompt = data.get("reprompt")
                if not _plain_phrase(reprompt, content):
                    return None
        elif kind is TurnKind.HOLD_LENGTH:
            which = _member(HoldLengthReply, ref)
            if which is None:
                return None
            setting = which not in (HoldLengthReply.MISSING, HoldLengthReply.OUT_OF_RANGE)
            if setting != limits.hold_ok(seconds):
                return None
        elif kind in (TurnKind.LAUNCH, TurnKind.PROGRESS):
            summary = _figures(data.get("summary"))
            if "summary" in data and summary is None:
                return None
        elif kind is TurnKind.HOW_TO and ref is not None and ref not in content.stretch_ids:
            return None
        reminder, progress = kind is TurnKind.REMINDER, kind is TurnKind.PROGRESS
        fits, schedule, today = recipe_schedule(data, reminder, progress)
        if not fits:
            return None
        uses_ref = kind in (
            TurnKind.HOLD,
            TurnKind.ANSWER,
            TurnKind.BOOKING,
            TurnKind.HOW_TO,
            TurnKind.REMINDER,
        )
        return cls(
            kind,
            routine,
            ref=ref if uses_ref or kind is TurnKind.HOLD_LENGTH else None,
            keys=keys,
            reprompt=reprompt,
            seconds=seconds if setting else None,  # only a valid length that was set
            summary=summary,
            at_start=kind is TurnKind.HOLD and data.get("at_start") is True,
            disclaimer=data.get("disclaimer") is True,
            schedule=schedule,
            today=today,
        )


@dataclass(frozen=True)
class SessionState:
    """Everything the skill keeps between two requests of one conversation."""

    routine: RoutineState | None = None
    hold_seconds: int | None = None  # this conversation's hold length (chosen, or carried in)
    disclaimer_heard: bool = False
    expects: Expect | None = None
    time_zone: str | None = None  # the device's, asked once per conversation
    last: Replay | None = None  # what "repeat" composes again
    playing: Playback | None = None  # the last response's holds, until a request settles them
    prefs: Preferences | None = None  # the person's, carried from the profile once
    reminder_offer: str | None = None  # the schedule token of the reminder just offered

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"v": SESSION_VERSION}
        if self.routine is not None:
            data["routine"] = self.routine.to_dict()
        if self.hold_seconds is not None:
            data["hold_seconds"] = self.hold_seconds
        if self.disclaimer_heard:
            data["disclaimer_heard"] = True
        if self.expects is not None:
            data["expects"] = self.expects.value
        if self.time_zone is not None:
            data[TIME_ZONE_KEY] = self.time_zone
        if self.last is not None:
            data["last"] = self.last.to_dict(self.routine)
        if self.playing is not None:
            data["playing"] = self.playing.to_dict()
        if self.prefs is not None:
            data["prefs"] = self.prefs.to_dict()
        if self.reminder_offer is not None:
            data["reminder_offer"] = self.reminder_offer
        return data

    @classmethod
    def from_dict(cls, data: Any, content: Content) -> SessionState:
        """The state in `data` (session attributes from the client), cleaned: each field that
        is not exactly what `to_dict` writes for this content is dropped, and a missing, old
        or unknown version gives a fresh state, and so does a state over STATE_BOUNDS (refused
        unread). Never raises, and its work is bounded whatever `data` is."""
        return cls.from_known(known_part(data), content)

    @classmethod
    def from_known(cls, data: dict[str, Any] | None, content: Content) -> SessionState:
        """`from_dict` for what `known_part` gave (None: a fresh state)."""
        if data is None or data.get("v") != SESSION_VERSION:
            return cls()
        limits = RoutineLimits.of(content)
        hold = data.get("hold_seconds")
        routine = RoutineState.from_dict(data.get("routine"), limits)
        return cls(
            routine=routine,
            hold_seconds=hold if limits.hold_ok(hold) else None,
            disclaimer_heard=data.get("disclaimer_heard") is True,
            expects=_member(Expect, data.get("expects")),
            time_zone=clean_time_zone(data.get(TIME_ZONE_KEY)),
            last=Replay.from_dict(data.get("last"), content, routine),
            playing=Playback.from_dict(data.get("playing"), routine),
            prefs=(
                Preferences.from_dict(data["prefs"], content.stretch_ids)
                if isinstance(data.get("prefs"), dict)
                else None
            ),
            reminder_offer=_token(data.get("reminder_offer")),
        )


def known_part(data: Any) -> dict[str, Any] | None:
    """The keys of STATE_KEYS that `data` has, when `data` is a dict and they are within
    STATE_BOUNDS; else None. Other keys are never looked at, so their size costs nothing."""
    if not isinstance(data, dict):
        return None
    known = {key: data[key] for key in STATE_KEYS if key in data}
    return known if STATE_BOUNDS.admit(known) else None


def clean_time_zone(value: Any) -> str | None:
    """A value shaped like an IANA zone name ("Europe/Paris", "UTC"), else None."""
    if isinstance(value, str) and _TIME_ZONE.fullmatch(value):
        return value
    return None


def _member(enum: type[E], value: Any) -> E | None:
    if not isinstance(value, str):
        return None
    try:
        return enum(value)
    except ValueError:
        return None


def plain_phrases(content: Content) -> frozenset[str]:
    """The phrase keys that are said as they are (no parameters): the only keys a stored
    question may name. Built once per content."""
    keys = content.derived.get("plain_phrases")
    if keys is None:
        plain = set()
        for key in content.phrases.keys():  # noqa: SIM118 - Phrases is not iterable
            try:
                content.phrases.get(key)
            except (KeyError, IndexError, ValueError):
                continue
            plain.add(key)
        keys = content.derived.setdefault("plain_phrases", frozenset(plain))
    return keys  # type: ignore[no-any-return]


def _plain_phrase(key: Any, content: Content) -> bool:
    return isinstance(key, str) and key in plain_phrases(content)


def _plain_keys(value: Any, content: Content, most: int) -> tuple[str, ...]:
    if not isinstance(value, list) or not 0 < len(value) <= most:
        return ()
    if not all(_plain_phrase(key, content) for key in value):
        return ()
    return tuple(value)


def _token(value: Any) -> str | None:
    """A schedule token as `ReminderSchedule.token` writes it, else None."""
    schedule = ReminderSchedule.from_token(value)
    return schedule.token() if schedule is not None else None


def _figures(value: Any) -> Figures | None:
    if not isinstance(value, list) or len(value) != 4:
        return None
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        return None
    if not all(0 <= n <= _MAX_COUNT for n in value) or value[0] > 7:  # days in a week
        return None
    days, streak, sessions, holds = value
    return days, streak, sessions, holds
