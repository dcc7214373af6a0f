"""AMAZON.DURATION slot values ("a minute" arrives as "PT1M") as whole seconds.

Alexa sends ISO-8601 durations; only the time part matters for a hold. Anything else (a date
part, fractions, Alexa's "?" for a vague amount) is not a hold length, so it reads as None
and the skill asks again.
"""

from __future__ import annotations

import re

_TIME_DURATION = re.compile(r"PT(?:(\d{1,4})H)?(?:(\d{1,4})M)?(?:(\d{1,5})S)?")


def duration_seconds(value: str) -> int | None:
    """ "PT1M" → 60, "PT1M30S" → 90, "PT45S" → 45; None for what is not a time duration."""
    match = _TIME_DURATION.fullmatch(value.strip().upper())
    if match is None or not any(match.groups()):
        return None
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds
