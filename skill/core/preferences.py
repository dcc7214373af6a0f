"""How a person likes to be coached, remembered across sessions (the profile's `preferences`).

Two choices and one fact: the pace (a whole set per response, or one hold and wait), how much
the coach says (short set-up, just the count, or full instructions every time; by default full
the first time and short once the person has done that stretch), and which stretches the person
has done. Stored as a small dict; anything unreadable in it is dropped, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Pace(StrEnum):
    CONTINUOUS = "continuous"  # every hold of a leg in one response (the default)
    STEP = "step"  # one hold per response; the person says "next" ("wait for me between holds")


class Detail(StrEnum):
    AUTO = "auto"  # full set-up for a stretch the person has not done yet, short after that
    BRIEF = "brief"  # a one-line set-up ("skip the instructions")
    COUNT = "count"  # a one-line set-up, and holds with only the count ("just count")
    FULL = "full"  # the full set-up every time ("more detail")


@dataclass(frozen=True)
class Preferences:
    pace: Pace = Pace.CONTINUOUS
    detail: Detail = Detail.AUTO
    known: frozenset[str] = frozenset()  # stretches the person has finished a hold of

    def detail_for(self, stretch_id: str) -> Detail:
        """The detail to use for `stretch_id`: AUTO resolved by whether it is known."""
        if self.detail is not Detail.AUTO:
            return self.detail
        return Detail.BRIEF if stretch_id in self.known else Detail.FULL

    def knowing(self, stretch_ids: set[str] | frozenset[str]) -> Preferences:
        """These preferences with `stretch_ids` known too."""
        if stretch_ids <= self.known:
            return self
        return replace(self, known=self.known | stretch_ids)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.pace is not Pace.CONTINUOUS:
            data["pace"] = self.pace.value
        if self.detail is not Detail.AUTO:
            data["detail"] = self.detail.value
        if self.known:
            data["known"] = sorted(self.known)
        return data

    @classmethod
    def from_dict(cls, data: Any, stretch_ids: frozenset[str]) -> Preferences:
        """Read back from the profile or the session; each unreadable part is dropped."""
        if not isinstance(data, dict):
            return cls()
        known = data.get("known")
        known_ids = (  # no more ids than there are stretches: a longer list is not ours
            frozenset(k for k in known if isinstance(k, str) and k in stretch_ids)
            if isinstance(known, list) and len(known) <= len(stretch_ids)
            else frozenset()
        )
        return cls(
            pace=_member(Pace, data.get("pace"), Pace.CONTINUOUS),
            detail=_member(Detail, data.get("detail"), Detail.AUTO),
            known=known_ids,
        )


def _member(enum: Any, value: Any, default: Any) -> Any:
    try:
        return enum(value) if isinstance(value, str) else default
    except ValueError:
        return default
