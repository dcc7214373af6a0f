"""The day each person was last seen, kept current with at most one extra column per person
per day and process.

Retention (skill.store.retention) forgets people whose `profiles.last_seen` is old. Writing it
with every save would touch its index on every hold; so a process remembers whom it has already
marked today (or read as marked today) and adds `last_seen` only to the first save of the day.
A save with counts only then needs one more statement, once per person and day; a save that
changes profile fields carries it in the upsert it runs anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

# People marked today, per process; past this the memory starts afresh (each of them then
# costs one more column in their next save, no more).
MAX_REMEMBERED = 50_000


def utc_today() -> date:
    return datetime.now(UTC).date()


class SeenDays:
    """Whom this process has marked as seen on which (UTC) day."""

    def __init__(self, today: Callable[[], date] = utc_today) -> None:
        self.today = today
        self._marked: dict[str, date] = {}

    def note_row(self, user_id: str, stored: Any) -> None:
        """A profile row read: its `last_seen` (ISO text from SQLite, a date from PostgreSQL)."""
        if stored is None:
            return
        day = stored if isinstance(stored, date) else date.fromisoformat(str(stored))
        if day == self.today():
            self.mark(user_id, day)

    def due(self, user_id: str) -> date | None:
        """Today, if the person's next save must write it; None if already written."""
        today = self.today()
        return None if self._marked.get(user_id) == today else today

    def mark(self, user_id: str, day: date) -> None:
        if len(self._marked) >= MAX_REMEMBERED:
            self._marked.clear()
        self._marked[user_id] = day

    def forget(self, user_id: str) -> None:
        self._marked.pop(user_id, None)
