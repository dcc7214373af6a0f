"""The one exception every verification failure becomes."""

from __future__ import annotations


class VerificationError(Exception):
    """A request failed verification; the web layer must answer HTTP 400.

    ``reason`` is short, human-readable and safe to log and to return to the client: it never
    contains the body or user identifiers.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason: str = reason
