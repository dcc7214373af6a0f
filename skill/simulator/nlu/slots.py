"""Slot values as Alexa sends them, and entity resolution against the model's slot types."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from skill.simulator.nlu.durations import parse_duration
from skill.simulator.nlu.model import Intent, InteractionModel, SlotTypeValue
from skill.simulator.nlu.normalize import normalize
from skill.simulator.nlu.numbers import parse_number
from skill.simulator.nlu.times import parse_date, parse_time

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NUMBER_TYPE = "AMAZON.NUMBER"
DURATION_TYPE = "AMAZON.DURATION"
TIME_TYPE = "AMAZON.TIME"
DATE_TYPE = "AMAZON.DATE"
# Phrase slots: any words after the sample's carrier phrase; the value is those words.
PHRASE_TYPES = frozenset({"AMAZON.SearchQuery"})


@dataclass(frozen=True)
class SlotValue:
    """A slot as Alexa sends it: the words heard and, for custom types, the resolution."""

    name: str
    value: str | None = None
    resolution: dict[str, Any] | None = None

    @property
    def resolved_id(self) -> str | None:
        """The matched value id, or None for no match, no value or a built-in type."""
        if not self.resolution:
            return None
        values = self.resolution["resolutionsPerAuthority"][0].get("values") or []
        return values[0]["value"]["id"] if values else None

    def to_alexa(self) -> dict[str, Any]:
        """The slot object of an IntentRequest (`request.intent.slots[name]`)."""
        slot: dict[str, Any] = {"name": self.name, "confirmationStatus": "NONE"}
        if self.value is not None:
            slot["value"] = self.value
            slot["source"] = "USER"
        if self.resolution is not None:
            slot["resolutions"] = self.resolution
        return slot


Today = date | Callable[[], date]
FORMATTED_TYPES = frozenset({NUMBER_TYPE, DURATION_TYPE, TIME_TYPE, DATE_TYPE})


def parse_value(slot_type: str | None, words: str, today: date) -> str | None:
    """What Alexa sends for `words` in a slot of a built-in type with a value format of its
    own ("forty five": "45", "a minute": "PT1M", "7 pm": "19:00", "tomorrow": the ISO date
    after `today`), None when the type cannot take them; `words` themselves for other types."""
    if slot_type == NUMBER_TYPE:
        number = parse_number(words)
        return str(number) if number is not None else None
    if slot_type == DURATION_TYPE:
        return parse_duration(words)
    if slot_type == TIME_TYPE:
        return parse_time(words)
    if slot_type == DATE_TYPE:
        return parse_date(words, today)
    return words


class SlotResolver:
    """Fills slots as Alexa does for one model: numbers as digits, custom slot types resolved.

    A custom type's value is found by its name or any synonym (normalised); the resolution
    names `skill_id` in its authority, as Alexa's does. Built-in types carry no resolution.
    `today` is the day "tomorrow" counts from (a date, or a function giving it, so a
    long-running device moves on at midnight in its own time zone); the machine's by default.
    """

    def __init__(
        self,
        model: InteractionModel,
        skill_id: str = DEFAULT_SKILL_ID,
        today: Today = date.today,
    ) -> None:
        self.skill_id = skill_id
        self._today = today
        self._types = {i.name: {s.name: s.type for s in i.slots} for i in model.intents}
        # normalised synonym -> value, per custom slot type
        self._values: dict[str, dict[str, SlotTypeValue]] = {}
        for t in model.types.values():
            table: dict[str, SlotTypeValue] = {}
            for v in t.values:
                for phrase in (v.value, *v.synonyms):
                    table.setdefault(normalize(phrase), v)
            self._values[t.name] = table

    def slot_type(self, intent: str, slot: str) -> str | None:
        """The type of `intent`'s slot called `slot`, None if it declares none."""
        return self._types[intent].get(slot)

    def is_custom(self, slot_type: str | None) -> bool:
        """A type the model defines (so entity resolution applies), not an AMAZON.* one."""
        return slot_type in self._values

    def phrases(self, slot_type: str) -> list[str]:
        """Every normalised value and synonym of a custom slot type."""
        return list(self._values[slot_type])

    def knows(self, slot_type: str, words: str) -> bool:
        """`words` (normalised) are a value or synonym of the custom slot type."""
        return words in self._values[slot_type]

    def resolution(self, slot_type: str, heard: str) -> dict[str, Any] | None:
        """The `resolutions` object Alexa sends for `heard` in a slot of `slot_type`."""
        if slot_type not in self._values:
            return None  # AMAZON.* types carry no entity resolution
        authority = f"amzn1.er-authority.echo-sdk.{self.skill_id}.{slot_type}"
        value = self._values[slot_type].get(normalize(heard))
        if value is None:
            entry: dict[str, Any] = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_NO_MATCH"},
            }
        else:
            entry = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": value.value, "id": value.id}}],
            }
        return {"resolutionsPerAuthority": [entry]}

    def today(self) -> date:
        """The day dates are said relative to."""
        return self._today if isinstance(self._today, date) else self._today()

    def parse(self, slot_type: str | None, words: str) -> str | None:
        """The value a built-in slot type with a fixed format gives `words` (None: it cannot
        take them); `words` themselves for any other type."""
        return parse_value(slot_type, words, self.today())

    def slot(self, intent: str, name: str, heard: str | None) -> SlotValue:
        """The slot as sent: empty if nothing was heard, a number as digits ("?" if none),
        a duration as ISO-8601 ("PT1M"), a time as "19:30" or "EV", a date as "2026-11-29",
        a phrase as the words heard; no resolutions for these.
        """
        slot_type = self._types[intent][name]
        if heard is None:
            return SlotValue(name)
        if slot_type in FORMATTED_TYPES:
            return SlotValue(name, self.parse(slot_type, heard) or "?")
        return SlotValue(name, heard, self.resolution(slot_type, heard))

    def slots(self, intent: Intent, heard: dict[str, str]) -> dict[str, SlotValue]:
        """Every declared slot, filled or not, as Alexa lists them in the request."""
        return {s.name: self.slot(intent.name, s.name, heard.get(s.name)) for s in intent.slots}
