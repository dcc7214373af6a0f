"""A person's coaching preferences ("less talk", "wait for me between holds") kept across
sessions: a small JSON dict the store keeps without reading it, written on its own like every
profile field, checked before anything is written, forgotten with the person. The same tests run
on both backends (ids ``[sqlite]``/``[postgres]``)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from skill.store.errors import user_tag
from skill.store.progress_store import ProgressStore, UserProfile
from skill.store.validation import MAX_PREFERENCES_CHARS
from tests.stores import WEDNESDAY, raw_engine

STEP_BY_STEP = {"pace": "step"}
BRIEF_AND_KNOWN = {"pace": "continuous", "detail": "brief", "known": ["seated", "standing"]}


def test_nobody_has_preferences_until_they_set_some(store: ProgressStore, user: str) -> None:
    assert store.get_profile(user).preferences is None
    store.save(user, hold_seconds=30)
    assert store.get_profile(user).preferences is None


def test_preferences_come_back_as_they_were_saved(store: ProgressStore, user: str) -> None:
    store.save(user, preferences=BRIEF_AND_KNOWN)
    assert store.get_profile(user).preferences == BRIEF_AND_KNOWN
    profile, _summary = store.load(user, WEDNESDAY)
    assert profile.preferences == BRIEF_AND_KNOWN


def test_the_store_keeps_keys_it_does_not_know(store: ProgressStore, user: str) -> None:
    """What the keys mean is the core's business: a key added later needs no store change."""
    later = {"pace": "step", "voice": {"speed": 1.5, "coach": "ü"}, "count_in": None}
    store.save(user, preferences=later)
    assert store.get_profile(user).preferences == later


def test_each_field_is_written_on_its_own(store: ProgressStore, user: str) -> None:
    """A request that sets the hold length does not touch the preferences, and the other way
    round: the last writer wins per field."""
    store.save(user, hold_seconds=30, disclaimer_heard=True, preferences=STEP_BY_STEP)
    store.save(user, hold_seconds=45, resume_point={"step": 2})
    assert store.get_profile(user) == UserProfile(45, None, True, {"step": 2}, STEP_BY_STEP)
    store.save(user, preferences=BRIEF_AND_KNOWN)
    assert store.get_profile(user) == UserProfile(45, None, True, {"step": 2}, BRIEF_AND_KNOWN)
    store.save(user, preferences=None)  # back to nothing set
    assert store.get_profile(user) == UserProfile(45, None, True, {"step": 2}, None)


def test_preferences_with_counts_in_one_save(store: ProgressStore, user: str) -> None:
    store.save(user, day=WEDNESDAY, holds=3, sessions=1, preferences=STEP_BY_STEP)
    assert store.summary(user, WEDNESDAY).total_holds == 3
    assert store.get_profile(user).preferences == STEP_BY_STEP


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        pytest.param(["pace", "step"], "dict or None", id="a-list"),
        pytest.param("step", "dict or None", id="a-string"),
        pytest.param({"pace": {"step"}}, "JSON-serialisable", id="a-set"),
        pytest.param({"pace": float("nan")}, "JSON-serialisable", id="not-a-number"),
        pytest.param({"known": ("seated",)}, "read back the same", id="a-tuple"),
        pytest.param({1: "step"}, "read back the same", id="an-int-key"),
        pytest.param(
            {"known": ["x" * MAX_PREFERENCES_CHARS]},
            f"larger than {MAX_PREFERENCES_CHARS}",
            id="big",
        ),
    ],
)
def test_bad_preferences_are_refused_before_anything_is_written(
    store: ProgressStore, user: str, bad: object, says: str
) -> None:
    store.save(user, preferences=STEP_BY_STEP)
    with pytest.raises(ValueError, match=says):
        store.save(user, day=WEDNESDAY, holds=1, hold_seconds=20, preferences=bad)
    assert store.get_profile(user) == UserProfile(preferences=STEP_BY_STEP)
    assert store.summary(user, WEDNESDAY).total_holds == 0


def test_preferences_just_under_the_limit_are_kept(store: ProgressStore, user: str) -> None:
    overhead = len('{"known":[""]}')
    largest = {"known": ["x" * (MAX_PREFERENCES_CHARS - overhead)]}
    store.save(user, preferences=largest)
    assert store.get_profile(user).preferences == largest


@pytest.mark.parametrize("stored", ["{not json", "[1, 2]", '"step"', "null", ""])
def test_unreadable_stored_preferences_read_as_none_with_one_warning(
    db_url: str, store: ProgressStore, user: str, caplog: pytest.LogCaptureFixture, stored: str
) -> None:
    """Damaged behind the store's back (by hand, or by a bug): the person loses their
    preferences, never the request, and the rest of their profile is still read."""
    store.save(user, hold_seconds=40, resume_point={"step": 1}, preferences=STEP_BY_STEP)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE profiles SET preferences = :stored"), {"stored": stored})
    engine.dispose()
    with caplog.at_level(logging.WARNING, logger="skill.store"):
        profile = store.get_profile(user)
    assert profile == UserProfile(40, None, False, {"step": 1}, None)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"ignoring unreadable preferences of user {user_tag(user)}"]
    store.save(user, preferences=BRIEF_AND_KNOWN)  # setting them again mends the row
    assert store.get_profile(user).preferences == BRIEF_AND_KNOWN


def test_forgetting_a_person_forgets_their_preferences(store: ProgressStore, user: str) -> None:
    """SkillDisabled (forget_user) deletes the preferences with the profile; other people
    keep theirs."""
    other = user + "-other"
    for who in (user, other):
        store.save(who, disclaimer_heard=True, preferences=BRIEF_AND_KNOWN)
    assert store.forget_user(user) is True
    assert store.get_profile(user) == UserProfile()
    assert store.get_profile(other).preferences == BRIEF_AND_KNOWN
