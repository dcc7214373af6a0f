"""The skill's words and health content: YAML data files beside this module, and their typed loader.

Content owners edit the YAML files, not code. Everything is loaded once and validated at
start-up, so a typo fails loudly with the file and key instead of mid-conversation.
"""

from __future__ import annotations

import dataclasses
import re
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from skill.core.triage import Triage

CONTENT_PACKAGE = __name__
# Amazon's reminder guidelines: after a "no", no other offer of a reminder for at least 7 days.
MIN_OFFER_PAUSE_DAYS = 7


class ContentError(ValueError):
    """A content file is missing, malformed or inconsistent; names the file and key."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem


@dataclass(frozen=True)
class RoutineSettings:
    reps_per_leg: int
    legs: tuple[str, ...]
    hold_seconds_default: int
    hold_seconds_min: int
    hold_seconds_max: int
    hold_seconds_step: int
    relax_seconds: int
    switch_seconds: int
    get_ready_from: int
    rest_seconds: int  # between two holds of one set, before the next count-in
    release_seconds: int  # after a hold's release cue, for the cue and the bell
    audio_budget_seconds: int  # the most one response may play (Alexa allows 240 s)
    playback_lag_seconds: int  # a request's timestamp runs this far ahead of the audio
    offer_pause_days: int  # no offer of a reminder for this long after a no (issue 20)


@dataclass(frozen=True)
class Stretch:
    id: str
    name: str
    short_name: str
    where: str
    setup: tuple[str, ...]
    reminder: str
    form_cues: tuple[str, ...]

    @property
    def title(self) -> str:
        """The name as a screen's heading: "Seated hamstring stretch"."""
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class Phone:
    name: str
    purpose: str
    display: str
    dial: str

    @property
    def dial_pretty(self) -> str:
        """The dialable digits as people write them: (904) 564-2000."""
        d = self.dial
        return f"({d[:3]}) {d[3:6]}-{d[6:]}"


@dataclass(frozen=True)
class Answer:
    """One answer of answers.yaml, keyed by the intent that asks for it (or by the name the
    triage gives it). `ends_routine`: the routine pauses (nerve signs, pain, a statement not
    understood); `emergency`: the session ends with the emergency card; `offer`: a stretch the
    answer offers instead ("can't get down on the floor" offers the seated one)."""

    intent: str
    text: str
    ends_routine: bool = False
    emergency: bool = False
    offer: str | None = None


@dataclass(frozen=True)
class CuePools:
    get_ready: tuple[str, ...]
    count_words: tuple[str, ...]
    start: tuple[str, ...]
    breathe: tuple[str, ...]
    bounce: tuple[str, ...]
    intensity: tuple[str, ...]
    halfway: tuple[str, ...]
    ten_left: tuple[str, ...]
    release: tuple[str, ...]

    def pick(self, pool: str, variant: int) -> str:
        """Rotate through a pool so consecutive reps do not sound identical."""
        items: tuple[str, ...] = getattr(self, pool)
        return items[variant % len(items)]


class Phrases:
    """Phrase templates keyed by dotted path ("hold.rep_intro")."""

    def __init__(self, templates: dict[str, tuple[str, ...]]) -> None:
        self._templates = templates

    def keys(self) -> set[str]:
        return set(self._templates)

    def __contains__(self, key: str) -> bool:
        return key in self._templates

    def get(self, key: str, variant: int = 0, **params: Any) -> str:
        """Render a phrase; a list of variants is rotated by `variant`."""
        try:
            options = self._templates[key]
        except KeyError:
            raise KeyError(f"phrases.yaml has no key {key!r}") from None
        return options[variant % len(options)].format(**params)


@dataclass(frozen=True)
class Content:
    routine: RoutineSettings
    stretches: dict[str, Stretch]
    cues: CuePools
    phrases: Phrases
    answers: dict[str, Answer]
    clinic: dict[str, Phone]
    triage: Triage  # what people say about their body → an answer key (skill/core/triage.py)
    # Derived data built from the fields above on first use (timeline.build_hold_timeline);
    # never part of the content's identity.
    derived: dict[Any, Any] = dataclasses.field(default_factory=dict, compare=False, repr=False)

    def stretch(self, stretch_id: str) -> Stretch:
        return self.stretches[stretch_id]

    @property
    def stretch_ids(self) -> frozenset[str]:
        """The known stretch ids, one shared set (RoutineState.from_dict checks against it)."""
        ids = self.derived.get("stretch_ids")
        if ids is None:
            ids = self.derived.setdefault("stretch_ids", frozenset(self.stretches))
        return ids  # type: ignore[no-any-return]


# --- validation helpers -------------------------------------------------------------------


def _read(file: str) -> dict[str, Any]:
    try:
        text = resources.files(CONTENT_PACKAGE).joinpath(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(file, "-", "file is missing") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContentError(file, "-", f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ContentError(file, "-", "top level must be a mapping")
    return data


def _get(data: dict[str, Any], file: str, key: str, kind: type, path: str = "") -> Any:
    full = f"{path}.{key}" if path else key
    if key not in data:
        raise ContentError(file, full, "is missing")
    value = data[key]
    if kind is str and isinstance(value, str):
        value = " ".join(value.split())
        if not value:
            raise ContentError(file, full, "is empty")
        _check_template(file, full, value)
        return value
    if kind is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if kind is bool and isinstance(value, bool):
        return value
    if kind is list and isinstance(value, list) and value:
        return value
    if kind is dict and isinstance(value, dict):
        return value
    raise ContentError(
        file, full, f"must be a {'non-empty list' if kind is list else kind.__name__}"
    )


def _check_template(file: str, key: str, text: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        raise ContentError(file, key, f"bad template: {exc}") from None
    for field in fields:
        if not re.fullmatch(r"[a-z_]+", field):
            raise ContentError(file, key, f"template field {{{field}}} must be a plain name")


def _strings(data: dict[str, Any], file: str, key: str, path: str = "") -> tuple[str, ...]:
    full = f"{path}.{key}" if path else key
    items = _get(data, file, key, list, path)
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            raise ContentError(file, f"{full}[{i}]", "must be a non-empty string")
        _check_template(file, f"{full}[{i}]", item)
        out.append(" ".join(item.split()))
    return tuple(out)


# --- loaders ------------------------------------------------------------------------------


def _load_routine(data: dict[str, Any]) -> RoutineSettings:
    f = "stretches.yaml"
    r = _get(data, f, "routine", dict)
    settings = RoutineSettings(
        reps_per_leg=_get(r, f, "reps_per_leg", int, "routine"),
        legs=_strings(r, f, "legs", "routine"),
        hold_seconds_default=_get(r, f, "hold_seconds_default", int, "routine"),
        hold_seconds_min=_get(r, f, "hold_seconds_min", int, "routine"),
        hold_seconds_max=_get(r, f, "hold_seconds_max", int, "routine"),
        hold_seconds_step=_get(r, f, "hold_seconds_step", int, "routine"),
        relax_seconds=_get(r, f, "relax_seconds", int, "routine"),
        switch_seconds=_get(r, f, "switch_seconds", int, "routine"),
        get_ready_from=_get(r, f, "get_ready_from", int, "routine"),
        rest_seconds=_get(r, f, "rest_seconds", int, "routine"),
        release_seconds=_get(r, f, "release_seconds", int, "routine"),
        audio_budget_seconds=_get(r, f, "audio_budget_seconds", int, "routine"),
        playback_lag_seconds=_get(r, f, "playback_lag_seconds", int, "routine"),
        offer_pause_days=_get(r, f, "offer_pause_days", int, "routine"),
    )
    if settings.hold_seconds_min < 30:
        raise ContentError(f, "routine.hold_seconds_min", "the article asks for at least 30 s")
    if not settings.hold_seconds_min <= settings.hold_seconds_default <= settings.hold_seconds_max:
        raise ContentError(f, "routine.hold_seconds_default", "must lie between min and max")
    if settings.hold_seconds_step < 1:
        raise ContentError(f, "routine.hold_seconds_step", "must be at least 1")
    if settings.reps_per_leg < 1:
        raise ContentError(f, "routine.reps_per_leg", "must be at least 1")
    if not 1 <= settings.get_ready_from <= 10:
        raise ContentError(f, "routine.get_ready_from", "must be 1 to 10")
    if not 60 <= settings.audio_budget_seconds <= 240:
        raise ContentError(f, "routine.audio_budget_seconds", "must be 60 to 240 (Alexa's limit)")
    if settings.hold_seconds_max + 20 > settings.audio_budget_seconds:
        raise ContentError(f, "routine.audio_budget_seconds", "must leave room for one hold")
    if not MIN_OFFER_PAUSE_DAYS <= settings.offer_pause_days <= 365:
        raise ContentError(f, "routine.offer_pause_days", "must be 7 to 365 (Amazon asks for 7)")
    for name in ("rest_seconds", "release_seconds", "playback_lag_seconds"):
        if not 0 <= getattr(settings, name) <= 30:
            raise ContentError(f, f"routine.{name}", "must be 0 to 30")
    return settings


def _load_stretches(data: dict[str, Any]) -> dict[str, Stretch]:
    f = "stretches.yaml"
    out = {}
    for sid, raw in _get(data, f, "stretches", dict).items():
        p = f"stretches.{sid}"
        if not isinstance(raw, dict):
            raise ContentError(f, p, "must be a mapping")
        out[sid] = Stretch(
            id=sid,
            name=_get(raw, f, "name", str, p),
            short_name=_get(raw, f, "short_name", str, p),
            where=_get(raw, f, "where", str, p),
            setup=_strings(raw, f, "setup", p),
            reminder=_get(raw, f, "reminder", str, p),
            form_cues=_strings(raw, f, "form_cues", p),
        )
    for required in ("seated", "supine"):
        if required not in out:
            raise ContentError(f, f"stretches.{required}", "is missing")
    return out


def _load_cues(data: dict[str, Any]) -> CuePools:
    f = "cues.yaml"
    pools = {name: _strings(data, f, name) for name in CuePools.__dataclass_fields__}
    if len(pools["count_words"]) < 10:
        raise ContentError(f, "count_words", "needs the words for one to ten")
    return CuePools(**pools)


def _flatten(data: dict[str, Any], file: str, prefix: str = "") -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, file, path + "."))
        elif isinstance(value, list):
            out[path] = _strings({key: value}, file, key, prefix.rstrip("."))
        else:
            out[path] = (_get({key: value}, file, key, str, prefix.rstrip(".")),)
    return out


def _load_answers(data: dict[str, Any], stretch_ids: frozenset[str]) -> dict[str, Answer]:
    f = "answers.yaml"
    out = {}
    for intent, raw in data.items():
        if not isinstance(raw, dict):
            raise ContentError(f, intent, "must be a mapping with text")
        emergency = bool(raw.get("emergency", False))
        offer = raw.get("offer")
        if offer is not None and offer not in stretch_ids:
            raise ContentError(f, f"{intent}.offer", f"not a stretch: {offer!r}")
        out[intent] = Answer(
            intent=intent,
            text=_get(raw, f, "text", str, intent),
            ends_routine=bool(raw.get("ends_routine", False)) or emergency,
            emergency=emergency,
            offer=offer,
        )
    return out


def _load_clinic(data: dict[str, Any]) -> dict[str, Phone]:
    f = "clinic.yaml"
    out = {}
    for key in ("rehab", "injury_care"):
        raw = _get(data, f, key, dict)
        phone = Phone(
            name=_get(raw, f, "name", str, key),
            purpose=_get(raw, f, "purpose", str, key),
            display=_get(raw, f, "display", str, key),
            dial=str(_get(raw, f, "dial", str, key)),
        )
        if not re.fullmatch(r"\d{10}", phone.dial):
            raise ContentError(f, f"{key}.dial", "must be ten digits")
        out[key] = phone
    return out


@cache
def load_content() -> Content:
    """Load and validate every content file once per process."""
    from skill.core.triage import load_triage  # it imports ContentError

    stretches_data = _read("stretches.yaml")
    stretches = _load_stretches(stretches_data)
    answers = _load_answers(_read("answers.yaml"), frozenset(stretches))
    return Content(
        routine=_load_routine(stretches_data),
        stretches=stretches,
        cues=_load_cues(_read("cues.yaml")),
        phrases=Phrases(_flatten(_read("phrases.yaml"), "phrases.yaml")),
        answers=answers,
        clinic=_load_clinic(_read("clinic.yaml")),
        triage=load_triage(_read("triage.yaml"), frozenset(answers)),
    )
