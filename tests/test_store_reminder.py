"""A person's stretch reminder kept across sessions (issue 20): Alexa's id for it, its schedule
and the day they last said no to the offer, as a small JSON dict the store keeps without reading
it, written on its own like every profile field, checked before anything is written, forgotten
with the person (SkillDisabled, retention). An older database gains it on first use. The same
tests run on both backends (ids ``[sqlite]``/``[postgres]``)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from skill.store.errors import user_tag
from skill.store.progress_store import ProgressStore, UserProfile
from skill.store.retention import cutoff_day, forget_inactive
from skill.store.schema import SCHEMA_VERSION
from skill.store.unit_of_work import UnitOfWork, commit
from skill.store.validation import MAX_REMINDER_CHARS
from tests.builders import RequestBuilder
from tests.conversation import Conversation
from tests.stores import ALL_VERSIONS, WEDNESDAY, migrate_to, raw_engine, schema_versions

# What the core keeps (skill.core.reminders.ReminderRecord.to_dict()); the store never reads it.
EVERY_EVENING = {"alert_token": "0b1c2d3e-reminder-id", "schedule": "daily@19:00"}
DECLINED = {"declined_on": "2026-11-28"}


def test_nobody_has_a_reminder_until_one_is_set(store: ProgressStore, user: str) -> None:
    assert store.get_profile(user).reminder is None
    store.save(user, hold_seconds=30, preferences={"pace": "step"})
    assert store.get_profile(user).reminder is None


def test_the_reminder_comes_back_as_it_was_saved(store: ProgressStore, user: str) -> None:
    store.save(user, reminder=EVERY_EVENING)
    assert store.get_profile(user).reminder == EVERY_EVENING
    profile, _summary = store.load(user, WEDNESDAY)  # a launch reads it too
    assert profile.reminder == EVERY_EVENING


def test_the_reminder_is_written_on_its_own(store: ProgressStore, user: str) -> None:
    """Setting a reminder does not touch the preferences or the resume point, and the other
    way round: the last writer wins per field. Cancelling it writes None."""
    store.save(user, hold_seconds=30, preferences={"pace": "step"}, reminder=EVERY_EVENING)
    store.save(user, resume_point={"step": 2}, preferences=None)
    assert store.get_profile(user) == UserProfile(30, None, False, {"step": 2}, None, EVERY_EVENING)
    store.save(user, reminder=DECLINED)
    assert store.get_profile(user) == UserProfile(30, None, False, {"step": 2}, None, DECLINED)
    store.save(user, reminder=None)
    assert store.get_profile(user) == UserProfile(30, None, False, {"step": 2}, None, None)


def test_the_reminder_with_counts_in_one_save(store: ProgressStore, user: str) -> None:
    """The request that finishes a routine and sets the reminder offered at its end."""
    store.save(user, day=WEDNESDAY, holds=6, sessions=1, reminder=EVERY_EVENING)
    assert store.summary(user, WEDNESDAY).total_holds == 6
    assert store.get_profile(user).reminder == EVERY_EVENING


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        pytest.param(["daily@19:00"], "dict or None", id="a-list"),
        pytest.param("daily@19:00", "dict or None", id="a-string"),
        pytest.param({"declined_on": datetime(2026, 11, 28)}, "JSON-serialisable", id="a-datetime"),
        pytest.param({"schedule": ("daily", "19:00")}, "read back the same", id="a-tuple"),
        pytest.param({7: "daily@19:00"}, "read back the same", id="an-int-key"),
        pytest.param(
            {"alert_token": "x" * MAX_REMINDER_CHARS},
            f"larger than {MAX_REMINDER_CHARS}",
            id="big",
        ),
    ],
)
def test_a_bad_reminder_is_refused_before_anything_is_written(
    store: ProgressStore, user: str, bad: object, says: str
) -> None:
    store.save(user, reminder=EVERY_EVENING)
    with pytest.raises(ValueError, match=says):
        store.save(user, day=WEDNESDAY, holds=1, hold_seconds=20, reminder=bad)
    assert store.get_profile(user) == UserProfile(reminder=EVERY_EVENING)
    assert store.summary(user, WEDNESDAY).total_holds == 0


def test_a_reminder_just_under_the_limit_is_kept(store: ProgressStore, user: str) -> None:
    overhead = len('{"alert_token":""}')
    largest = {"alert_token": "x" * (MAX_REMINDER_CHARS - overhead)}
    store.save(user, reminder=largest)
    assert store.get_profile(user).reminder == largest


@pytest.mark.parametrize("stored", ["{not json", "[1, 2]", '"daily@19:00"', "null", ""])
def test_an_unreadable_stored_reminder_reads_as_none_with_one_warning(
    db_url: str, store: ProgressStore, user: str, caplog: pytest.LogCaptureFixture, stored: str
) -> None:
    """Damaged behind the store's back: the skill forgets the reminder's id (the person can
    set one again, which mends the row), never the request or the rest of the profile."""
    store.save(user, hold_seconds=40, preferences={"pace": "step"}, reminder=EVERY_EVENING)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE profiles SET reminder = :stored"), {"stored": stored})
    engine.dispose()
    with caplog.at_level(logging.WARNING, logger="skill.store"):
        profile = store.get_profile(user)
    assert profile == UserProfile(40, None, False, None, {"pace": "step"}, None)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [f"ignoring unreadable reminder of user {user_tag(user)}"]
    store.save(user, reminder=EVERY_EVENING)
    assert store.get_profile(user).reminder == EVERY_EVENING


def test_forgetting_a_person_forgets_their_reminder(store: ProgressStore, user: str) -> None:
    """SkillDisabled (forget_user) deletes the reminder's id with the profile; other people
    keep theirs."""
    other = user + "-other"
    for who in (user, other):
        store.save(who, disclaimer_heard=True, reminder=EVERY_EVENING)
    assert store.forget_user(user) is True
    assert store.get_profile(user) == UserProfile()
    assert store.get_profile(other).reminder == EVERY_EVENING


def test_skill_disabled_deletes_the_reminder_through_the_endpoint(
    talk: Conversation, client: FlaskClient, builder: RequestBuilder
) -> None:
    """The real SkillDisabled event, through the app: the profile goes, its reminder with it;
    someone else's stays."""
    talk.launch()
    store: ProgressStore = client.application.extensions["progress_store"]
    someone_else = "amzn1.ask.account.SOMEONE-ELSE"
    store.save(builder.user_id, reminder=EVERY_EVENING)  # what setting one leaves behind
    store.save(someone_else, reminder=EVERY_EVENING)
    result = client.post("/alexa", json=builder.skill_event("AlexaSkillEvent.SkillDisabled"))
    assert result.status_code == 200
    assert store.get_profile(builder.user_id).reminder is None
    assert store.get_profile(someone_else).reminder == EVERY_EVENING


def test_retention_forgets_the_reminder_of_someone_long_gone(db_url: str) -> None:
    """A person not seen for the retention period loses everything, the reminder's id too;
    someone seen last month keeps theirs."""
    today = datetime.now(UTC).date()
    long_ago = cutoff_day(today, 13)
    for day, who in ((long_ago, "gone"), (today - timedelta(days=30), "here")):
        then = ProgressStore(db_url, today=lambda day=day: day)
        try:
            then.save(who, day=day, holds=3, sessions=1, reminder=EVERY_EVENING)
        finally:
            then.close()
    store = ProgressStore(db_url)
    try:
        assert forget_inactive(store, 12, max_share=None).people == 1
        assert store.get_profile("gone") == UserProfile()
        assert store.get_profile("here").reminder == EVERY_EVENING
    finally:
        store.close()


@pytest.mark.parametrize("launch", [False, True], ids=["profile-read", "read-with-summary"])
def test_a_reminder_changed_in_place_is_still_written(
    store: ProgressStore, user: str, launch: bool
) -> None:
    """A handler that edits the reminder it read (a new time on the same alert) must not also
    edit what `commit` compares with: the change would look like none and be lost."""
    store.save(user, reminder=dict(EVERY_EVENING))
    pending: dict[str, Any] = {}
    noon = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)
    work = UnitOfWork(store, user, noon, lambda: ZoneInfo("UTC"), pending)
    if launch:
        assert work.summary() is not None
    reminder = work.profile.reminder
    assert reminder is not None
    reminder["schedule"] = "daily@20:00"
    work.update(reminder=reminder)
    commit(store, user, pending)
    assert store.get_profile(user).reminder == {**EVERY_EVENING, "schedule": "daily@20:00"}


def test_a_version_5_database_gains_the_reminder_with_everything_kept(db_url: str) -> None:
    """The release before issue 20 (schema 5): on first use the profiles table gains
    `reminder`, every person keeps what they had (last_seen included), nobody has a reminder,
    and the new column takes writes at once."""
    if db_url.startswith("sqlite:///"):
        Path(db_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = raw_engine(db_url)
    with engine.begin() as conn:
        migrate_to(conn, 5)
        conn.execute(
            sa.text(
                "INSERT INTO profiles (user_id, hold_seconds, last_stretch, disclaimer_heard,"
                " resume_point, preferences, last_seen) VALUES"
                " ('anna', 45, 'seated', TRUE, '{\"step\": 3}', '{\"pace\":\"step\"}', :seen),"
                " ('ben', NULL, NULL, FALSE, NULL, NULL, :seen)"
            ).bindparams(sa.bindparam("seen", type_=sa.Date)),
            {"seen": WEDNESDAY},
        )
        conn.execute(
            sa.text(
                "INSERT INTO daily_progress (user_id, day, holds, sessions)"
                " VALUES ('anna', :day, 6, 1)"
            ).bindparams(sa.bindparam("day", type_=sa.Date)),
            {"day": WEDNESDAY},
        )
    engine.dispose()
    store = ProgressStore(db_url)
    try:
        anna = store.get_profile("anna")  # the first use migrates
        assert anna == UserProfile(45, "seated", True, {"step": 3}, {"pace": "step"}, None)
        assert store.get_profile("ben") == UserProfile()
        assert store.summary("anna", WEDNESDAY).total_holds == 6
        store.save("ben", reminder=EVERY_EVENING)
        assert store.get_profile("ben").reminder == EVERY_EVENING
        assert store.get_profile("anna").reminder is None
    finally:
        store.close()
    assert schema_versions(db_url) == ALL_VERSIONS
    assert SCHEMA_VERSION == 6
    engine = raw_engine(db_url)
    with engine.connect() as conn:
        seen = dict(conn.exec_driver_sql("SELECT user_id, last_seen FROM profiles").all())
    engine.dispose()
    assert str(seen["anna"]) == str(WEDNESDAY)  # kept, not set again by the migration
