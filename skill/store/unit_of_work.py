"""The person's lasting record, as one request sees it: profile and progress counters, read from
the store only when a handler needs them and written once, at the end of the request, in one
transaction (`commit`).

It knows nothing of Alexa: it is given the user id, the request's time, a way to learn the
person's time zone (asked only when a local day is needed: it may cost an API call), and the
dict in which the request keeps its pending changes until `commit` (the request attributes),
so the changes live exactly as long as the request.

Nothing here may stop the person from stretching: every database failure is swallowed here,
already logged (once per interval) by the store, and turns into "no progress this time". And
nothing here may make the person wait: all the request's store calls together get one
`Budget` of database time (skill.store.deadlines), kept with the pending changes; reads leave
part of it (WRITE_RESERVE_S) for `commit`, the write that records finished holds.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, tzinfo
from typing import Any

from skill.core.progress import ProgressSummary
from skill.store.errors import StoreUnavailable
from skill.store.profile import UserProfile
from skill.store.progress_store import Budget, ProgressStore

# Keys of the pending dict.
PROFILE_CHANGES = "profile_changes"  # {field: new value}
PROFILE_BASELINE = "profile_read"  # the profile as this request read it
PROGRESS = "progress_counts"  # (local day, holds, sessions) to add
BUDGET = "database_budget"  # the request's Budget: what is left of its database time

# Profile fields read back as dicts that a handler may edit in place (resume_point is not:
# handlers only ever replace it whole).
_DICT_FIELDS = ("preferences", "reminder")


def budget_of(pending: dict[str, Any]) -> Budget:
    """The request's database budget, made on first use."""
    found = pending.get(BUDGET)
    if not isinstance(found, Budget):
        found = pending[BUDGET] = Budget()
    return found


class UnitOfWork:
    """Lazy reads and pending writes of one request for one person."""

    def __init__(
        self,
        store: ProgressStore | None,
        user_id: str | None,
        now: datetime,
        time_zone: Callable[[], tzinfo],
        pending: dict[str, Any],
    ) -> None:
        self.store = store
        self.user_id = user_id
        self.now = now
        self._time_zone = time_zone
        self._pending = pending
        self.available = store is not None
        self._profile: UserProfile | None = None

    def request_time(self) -> datetime:
        """The request's own timestamp: replayed or simulated days count correctly."""
        return self.now

    def today(self) -> date:
        """The person's local day at the request's time."""
        return self.now.astimezone(self._time_zone()).date()

    # --- profile ----------------------------------------------------------------------

    @property
    def profile(self) -> UserProfile:
        """Read at most once per request, and only by a handler that asks for it; a default
        profile when the database cannot be reached. Changes made by `update` show through."""
        if self._profile is None:
            loaded = UserProfile()
            if self.available and self.store is not None and self.user_id is not None:
                try:
                    loaded = self.store.get_profile(self.user_id, budget=budget_of(self._pending))
                except StoreUnavailable:
                    self.available = False
                else:
                    self._pending[PROFILE_BASELINE] = loaded
            self._profile = self._handed_out(loaded)
        return self._profile

    def _handed_out(self, loaded: UserProfile) -> UserProfile:
        """What handlers see: the pending changes over what was read, the dict fields (the
        preferences, the reminder) copies, so a handler that edits one in place does not also
        edit the baseline `commit` compares with (the change would look like none and be
        lost). ~6 µs each, only when set."""
        copies = {
            name: copy.deepcopy(value)
            for name in _DICT_FIELDS
            if (value := getattr(loaded, name)) is not None
        }
        if copies:
            loaded = replace(loaded, **copies)
        return replace(loaded, **self._pending.get(PROFILE_CHANGES, {}))

    def update(self, **fields: Any) -> None:
        """Change profile fields without reading the profile first; `commit` writes the ones
        that differ from what this request read (all of them if it read nothing), once, at the
        end of the request (the store writes each field on its own: no lost update)."""
        if not self.available:
            return
        self._pending.setdefault(PROFILE_CHANGES, {}).update(fields)
        if self._profile is not None:
            self._profile = replace(self._profile, **fields)

    # --- progress ---------------------------------------------------------------------

    def record(self, holds: int, session_finished: bool) -> None:
        """Count finished holds and sessions; written with the profile changes, in one
        transaction, at the end of the request (`commit`). Counted even after a read failed:
        an increment depends on nothing read, the write keeps its own reserve of the budget,
        and a database that is really down is skipped by the breaker at no cost."""
        if not (holds or session_finished) or self.store is None:
            return
        if self.user_id is None:
            return
        day = self.today()
        pending = self._pending.get(PROGRESS)
        if pending is not None and pending[0] == day:
            holds, session_finished = holds + pending[1], session_finished + pending[2]
        self._pending[PROGRESS] = (day, holds, int(session_finished))

    def summary(self) -> ProgressSummary | None:
        """Week, streak and totals, this request's own holds included."""
        if not self.available or self.store is None or self.user_id is None:
            return None
        budget = budget_of(self._pending)
        try:
            pending = self._pending.pop(PROGRESS, None)
            if pending is not None:  # this request's own holds count too
                day, holds, sessions = pending
                self.store.save(
                    self.user_id, day=day, holds=holds, sessions=sessions, budget=budget
                )
            if self._profile is not None:
                return self.store.summary(self.user_id, self.today(), budget=budget)
            # A launch wants both: read them in one transaction.
            loaded, summary = self.store.load(self.user_id, self.today(), budget=budget)
            self._pending[PROFILE_BASELINE] = loaded
            self._profile = self._handed_out(loaded)
            return summary
        except StoreUnavailable:
            self.available = False
            return None

    def forget(self) -> None:
        """SkillDisabled: delete everything about this person, now or once the database is
        back."""
        if self.store is not None and self.user_id is not None:
            # or later, if the database is down now; its one store call has the call deadline
            self.store.forget_user(self.user_id)


def commit(store: ProgressStore | None, user_id: str | None, pending: dict[str, Any]) -> None:
    """One write per request at most: the progress counted and the profile fields that
    really changed, in one transaction. Takes the pending changes out of `pending`."""
    changes = pending.pop(PROFILE_CHANGES, None) or {}
    baseline = pending.pop(PROFILE_BASELINE, None)
    progress = pending.pop(PROGRESS, None)
    budget = pending.pop(BUDGET, None)
    if store is None or not (changes or progress):
        return
    if isinstance(baseline, UserProfile):
        changes = {k: v for k, v in changes.items() if getattr(baseline, k) != v}
    if not user_id or not (changes or progress):
        return
    day, holds, sessions = progress if progress else (None, 0, 0)
    # A failure is logged by the store; the person carries on without progress this time.
    with contextlib.suppress(StoreUnavailable):
        store.save(
            user_id,
            day=day,
            holds=holds,
            sessions=sessions,
            budget=budget if isinstance(budget, Budget) else None,
            **changes,
        )
