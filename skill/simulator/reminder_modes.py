"""What the Reminders API stand-in can be told to do (chat's options and typed commands), apart
from the stand-in itself: building chat's parser must not import the skill's HTTP clients."""

from __future__ import annotations

from enum import StrEnum

FAILURES = ("401", "403", "429", "500", "503", "timeout")


class Permission(StrEnum):
    """The reminders scope as the person's Alexa account holds it."""

    ASK = "ask"  # never asked: requests carry no status for the scope
    GRANTED = "granted"
    DENIED = "denied"
