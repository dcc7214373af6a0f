"""The request's unit of work against a real store: lazy reads, one write per request with only
the fields the request changed, and a database outage that costs progress, never the request.
(It replaces the ask-sdk persistence adapter's tests: the same properties, on the path the skill
takes.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from skill.store.progress_store import ProgressStore, UserProfile
from skill.store.unit_of_work import UnitOfWork, commit
from tests.stores import WEDNESDAY

NOON = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # WEDNESDAY


def without_budget(kw: dict[str, Any]) -> dict[str, Any]:
    """A save's arguments but the request's database budget (a new object each request)."""
    return {k: v for k, v in kw.items() if k != "budget"}


def unit(store: ProgressStore, user: str | None, pending: dict[str, Any]) -> UnitOfWork:
    return UnitOfWork(store, user, NOON, lambda: ZoneInfo("UTC"), pending)


def test_read_change_commit_and_forget(store: ProgressStore, user: str) -> None:
    pending: dict[str, Any] = {}
    work = unit(store, user, pending)
    assert work.profile == UserProfile()
    work.update(disclaimer_heard=True, hold_seconds=30, resume_point={"step": 2})
    work.record(holds=2, session_finished=True)
    assert store.get_profile(user) == UserProfile()  # nothing written before the commit
    commit(store, user, pending)
    assert pending == {}
    assert store.get_profile(user) == UserProfile(30, None, True, {"step": 2})
    assert store.summary(user, WEDNESDAY).total_holds == 2

    again: dict[str, Any] = {}
    later = unit(store, user, again)
    assert later.profile.hold_seconds == 30
    later.update(hold_seconds=30)  # unchanged from what this request read: not written
    commit(store, user, again)
    later.forget()
    assert store.get_profile(user) == UserProfile()
    assert store.summary(user, WEDNESDAY).total_holds == 0


def test_overlapping_requests_keep_both_changes(
    store: ProgressStore, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SessionEnded saving a resume point must not undo an intent's new hold time: each request
    writes only the fields it changed, though both read the profile before either wrote."""
    store.save(user, hold_seconds=30)
    intent: dict[str, Any] = {}
    ended: dict[str, Any] = {}
    a, b = unit(store, user, intent), unit(store, user, ended)
    assert a.profile.hold_seconds == b.profile.hold_seconds == 30
    a.update(hold_seconds=45)
    b.update(resume_point={"step": 4})
    writes: list[dict[str, Any]] = []
    save = store.save
    monkeypatch.setattr(
        store, "save", lambda *a, **k: writes.append(without_budget(k)) or save(*a, **k)
    )
    commit(store, user, intent)
    commit(store, user, ended)  # b still holds hold_seconds=30, unchanged by b
    assert store.get_profile(user) == UserProfile(45, None, False, {"step": 4})
    assert [
        sorted(k for k in w if k not in ("day", "holds", "sessions", "budget")) for w in writes
    ] == [
        ["hold_seconds"],
        ["resume_point"],
    ]


def test_changes_without_a_read_are_all_written(store: ProgressStore, user: str) -> None:
    pending: dict[str, Any] = {}
    unit(store, user, pending).update(hold_seconds=20)
    commit(store, user, pending)
    assert store.get_profile(user).hold_seconds == 20


def test_without_a_user_id_nothing_is_read_or_written(store: ProgressStore, user: str) -> None:
    pending: dict[str, Any] = {}
    work = unit(store, None, pending)
    assert work.profile == UserProfile()
    work.update(hold_seconds=20)
    work.record(holds=1, session_finished=False)
    assert work.summary() is None
    commit(store, None, pending)
    assert pending == {}


def test_a_database_that_is_down_costs_progress_not_the_request(tmp_path: Path, user: str) -> None:
    (tmp_path / "f").write_text("")
    s = ProgressStore(f"sqlite:///{tmp_path / 'f' / 'db.sqlite3'}")
    try:
        pending: dict[str, Any] = {}
        work = unit(s, user, pending)
        assert work.profile == UserProfile()
        assert work.available is False
        work.update(hold_seconds=20)  # no longer kept: nowhere to write it
        assert work.summary() is None
        commit(s, user, pending)  # nothing raised
        assert pending == {}
    finally:
        s.close()


def test_the_time_zone_is_asked_only_for_a_local_day(store: ProgressStore, user: str) -> None:
    asked: list[int] = []

    def zone() -> ZoneInfo:
        asked.append(1)
        return ZoneInfo("Pacific/Kiritimati")  # UTC+14: already Thursday

    pending: dict[str, Any] = {}
    work = UnitOfWork(store, user, NOON, zone, pending)
    work.update(last_stretch="seated")
    assert work.request_time() == NOON
    assert asked == []
    work.record(holds=1, session_finished=False)
    assert work.today() == WEDNESDAY.replace(day=16)
    commit(store, user, pending)
    assert store.summary(user, WEDNESDAY.replace(day=16)).total_holds == 1


def test_preferences_set_twice_in_a_request_are_written_once(
    store: ProgressStore, user: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked to wait between holds and then to skip the instructions in one request: one write,
    of the preferences only, at the end; a later request that sets them to what they already
    are writes nothing; disabling the skill forgets them."""
    store.save(user, hold_seconds=30)
    writes: list[dict[str, Any]] = []
    save = store.save
    monkeypatch.setattr(
        store, "save", lambda *a, **k: writes.append(without_budget(k)) or save(*a, **k)
    )

    pending: dict[str, Any] = {}
    work = unit(store, user, pending)
    assert work.profile.preferences is None
    work.update(preferences={"pace": "step"})
    work.update(preferences={"pace": "step", "detail": "brief"})
    assert work.profile.preferences == {"pace": "step", "detail": "brief"}  # shows through
    assert writes == []
    commit(store, user, pending)
    assert writes == [
        {"day": None, "holds": 0, "sessions": 0, "preferences": {"pace": "step", "detail": "brief"}}
    ]
    assert store.get_profile(user) == UserProfile(
        30, None, False, None, {"pace": "step", "detail": "brief"}
    )

    again: dict[str, Any] = {}
    later = unit(store, user, again)
    later.update(preferences=dict(later.profile.preferences or {}))  # the same: nothing written
    commit(store, user, again)
    assert len(writes) == 1

    unit(store, user, {}).forget()
    assert store.get_profile(user) == UserProfile()


@pytest.mark.parametrize("launch", [False, True], ids=["profile-read", "read-with-summary"])
def test_preferences_changed_in_place_are_still_written(
    store: ProgressStore, user: str, launch: bool
) -> None:
    """A handler that edits the preferences it read, rather than building new ones, must not
    also edit what `commit` compares with: the change would look like none and be lost."""
    store.save(user, preferences={"pace": "continuous", "known": ["seated"]})
    pending: dict[str, Any] = {}
    work = unit(store, user, pending)
    if launch:
        assert work.summary() is not None  # a launch reads profile and progress together
    preferences = work.profile.preferences
    assert preferences is not None
    preferences["pace"] = "step"
    preferences["known"].append("standing")
    work.update(preferences=preferences)
    commit(store, user, pending)
    assert store.get_profile(user).preferences == {"pace": "step", "known": ["seated", "standing"]}
