"""Forget people not seen for a number of months: everything the skill keeps about them, as
when they disable the skill (ProgressStore.delete_user).

"Seen" is `profiles.last_seen`, the last UTC day the skill saved anything for the person
(skill.store.last_seen; migration 5 set it to the day of the upgrade). Progress rows with no
profile row (possible only after a deletion raced a save) count as seen on their latest day.
The work goes in batches of `BATCH_USERS` people, one short transaction each, so no lock
is held for long and requests interleave. Each day's run is claimed first with a row in
`retention_runs` (INSERT ... ON CONFLICT DO NOTHING): with many workers and hosts on one
database, only one of them does it; a run cut short (a crash) is finished by the next day's.

Safeguards, as a mistake here deletes people who still use the skill: a NULL `last_seen`
(written by an older server, or after another process deleted the row) is filled in, never
stale; a host whose clock disagrees with the database does nothing (ClockSuspect); a daily run
forgets at most MAX_SHARE_PER_RUN of everyone. docs/privacy.md explains each.
"""

from __future__ import annotations

import logging
import math
import socket
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from skill.store.progress_store import ProgressStore
from skill.store.statements import Statements

log = logging.getLogger(__name__)

# People per transaction. Measured on SQLite (a laptop-class VM): 200 people with a full year of
# days each (73 000 rows) took 95 ms to delete; 100 keeps the write lock, which requests of
# the same database wait for, near 50 ms at worst (people who leave rarely have a full year).
BATCH_USERS = 100
BATCH_DEADLINE_S = 10.0  # one batch's transaction, the claim's, or the dry run's count
HOST = socket.gethostname()[:200] or "unknown"
MAX_SHARE_PER_RUN = 0.25
"""The most one daily run forgets, as a share of everyone the database keeps. Retention in
steady state forgets a few people a day (those who left a year ago that day); even the first
run after an upgrade, or after the setting was shortened, rarely needs more than a quarter.
What does need more is a fault: a clock far ahead that the clock checks missed, a wrong
setting, a bug. The cap turns such a fault into a warning in the log with three quarters of
the people still there; a real backlog still goes within days (the cap is a share of who is
left each day: half the people gone takes three runs). The operator's `forget-inactive` is not
capped: it prints the count first and has --dry-run."""
CLOCK_SLACK_DAYS = 1  # this host's UTC day vs. the database server's: more is a wrong clock


def cutoff_day(today: date, months: int) -> date:
    """The first day that still counts as recent: `months` calendar months before `today`
    (31 March minus one month is 28 or 29 February)."""
    return today - relativedelta(months=months)


@dataclass(frozen=True)
class RetentionRun:
    """What one run did (or, for a dry run, would do)."""

    cutoff: date
    claimed: bool  # False: another worker or host has today's run; nothing was done
    people: int = 0
    progress_rows: int = 0
    seconds: float = 0.0
    capped: bool = False  # stopped at MAX_SHARE_PER_RUN; the rest go on the following days


def _sql(statements: Statements, text: str) -> Any:
    return statements.compile(sa.text(text))


# NULL is never stale: a row written by code from before migration 5 (a rolling upgrade) or an
# upsert after another process deleted the row. Each run first fills it in (_FILL_UNKNOWN).
_STALE = "last_seen < :cutoff"
# One batch of stale profiles, the longest gone first (the cap may stop a run), deleted in one
# statement whose own WHERE re-checks last_seen (a person who came back since the sub-select is
# kept); their ids come back for their progress.
_DELETE_PROFILES = (
    f"DELETE FROM profiles WHERE {_STALE} AND user_id IN "
    f"(SELECT user_id FROM profiles WHERE {_STALE} ORDER BY last_seen LIMIT :batch) "
    "RETURNING user_id"
)
# Unknown counts as seen today, not as the latest day of progress: a profile row that old code
# just wrote is for someone using the skill now, whatever their progress says.
_FILL_UNKNOWN = "UPDATE profiles SET last_seen = :today WHERE last_seen IS NULL"
_NEWEST_SEEN = "SELECT MAX(last_seen) FROM profiles"
_PG_TODAY = "SELECT CAST(timezone('UTC', now()) AS date)"
_COUNT_PEOPLE = (
    "SELECT (SELECT COUNT(*) FROM profiles) + (SELECT COUNT(DISTINCT user_id) FROM"
    " daily_progress d WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.user_id = d.user_id))"
)
_DELETE_PROGRESS = "DELETE FROM daily_progress WHERE user_id = :user_id"
_ORPHANS = (
    "SELECT user_id FROM daily_progress d WHERE NOT EXISTS "
    "(SELECT 1 FROM profiles p WHERE p.user_id = d.user_id) "
    "GROUP BY user_id HAVING MAX(day) < :cutoff"
)
_DELETE_ORPHANS = (
    f"DELETE FROM daily_progress WHERE user_id IN ({_ORPHANS} LIMIT :batch) RETURNING user_id"
)
_COUNT_STALE = f"SELECT COUNT(*) FROM profiles WHERE {_STALE}"
_COUNT_STALE_ROWS = (
    "SELECT COUNT(*) FROM daily_progress WHERE user_id IN "
    f"(SELECT user_id FROM profiles WHERE {_STALE}) OR user_id IN ({_ORPHANS})"
)
_COUNT_ORPHANS = f"SELECT COUNT(*) FROM ({_ORPHANS}) AS orphans"
_CLAIM = (
    "INSERT INTO retention_runs (day, host, started_at) VALUES (:day, :host, :started_at) "
    "ON CONFLICT (day) DO NOTHING"
)
_FINISH = (
    "UPDATE retention_runs SET finished_at = :finished_at, forgotten = :forgotten WHERE day = :day"
)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class ClockSuspect(RuntimeError):
    """This host's clock disagrees with the database: a run now could forget people who are
    still using the skill (a clock two years ahead would forget everyone). Nothing was done."""


def database_today(backend: str, cursor: Any, st: Statements) -> date | None:
    """The database server's own UTC day (PostgreSQL); None for SQLite, whose clock is this
    host's."""
    if backend == "sqlite":
        return None
    found = _sql(st, _PG_TODAY).run(cursor, {}).fetchone()[0]
    return found if isinstance(found, date) else date.fromisoformat(str(found))


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def check_clock(host_today: date, db_today: date | None, newest_seen: date | None) -> str | None:
    """Why a run must not go on with this host's day (None: it may). More than a day off the
    database server's day, or before the latest day someone was seen (a clock set back)."""
    if db_today is not None and abs((host_today - db_today).days) > CLOCK_SLACK_DAYS:
        return (
            f"this host's UTC day is {host_today}, the database server's {db_today}: "
            "fix the clock (timedatectl, NTP)"
        )
    if newest_seen is not None and host_today < newest_seen:
        return (
            f"this host's UTC day is {host_today}, earlier than the latest day someone was "
            f"seen ({newest_seen}): fix the clock (timedatectl, NTP)"
        )
    return None


def forget_inactive(
    store: ProgressStore,
    months: int,
    *,
    today: date | None = None,
    dry_run: bool = False,
    claim: bool = True,
    max_share: float | None = MAX_SHARE_PER_RUN,
) -> RetentionRun:
    """Forget everyone not seen since `cutoff_day(today, months)`. `today`: this host's UTC
    day (default the store's clock); PostgreSQL's own day is used when it has one. `claim`:
    take today's run in `retention_runs` first (the server's daily job); an operator's command
    runs anyway. `max_share`: forget at most this share of everyone (None: no cap). `dry_run`:
    count, change nothing. Raises ClockSuspect (nothing done) when the clocks disagree,
    StoreUnavailable when the database fails."""
    if months <= 0:
        raise ValueError("months must be positive (0 means never forget: nothing to run)")
    host_today = today or store.seen.today()
    started = time.monotonic()
    with store.maintenance("retention clock", BATCH_DEADLINE_S) as (cursor, st):
        db_today = database_today(store.backend, cursor, st)
        newest = _as_date(_sql(st, _NEWEST_SEEN).run(cursor, {}).fetchone()[0])
    problem = check_clock(host_today, db_today, newest)
    if problem:
        raise ClockSuspect(f"retention not run: {problem}")
    today = db_today or host_today
    cutoff = cutoff_day(today, months)
    if dry_run:
        with store.maintenance("retention count", BATCH_DEADLINE_S) as (cursor, st):
            values = {"cutoff": st.day(cutoff)}
            people = _sql(st, _COUNT_STALE).run(cursor, values).fetchone()[0]
            people += _sql(st, _COUNT_ORPHANS).run(cursor, values).fetchone()[0]
            rows = _sql(st, _COUNT_STALE_ROWS).run(cursor, values).fetchone()[0]
        return RetentionRun(cutoff, True, int(people), int(rows), time.monotonic() - started)
    if claim and not _claim(store, today):
        return RetentionRun(cutoff, claimed=False)
    with store.maintenance("retention fill", BATCH_DEADLINE_S) as (cursor, st):
        _sql(st, _FILL_UNKNOWN).run(cursor, {"today": st.day(today)})
        everyone = int(_sql(st, _COUNT_PEOPLE).run(cursor, {}).fetchone()[0])
    cap = everyone if max_share is None else math.ceil(everyone * max_share)
    people = rows = 0
    for statement in (_DELETE_PROFILES, _DELETE_ORPHANS):
        while people < cap:
            size = min(BATCH_USERS, cap - people)
            forgotten, deleted_rows = _batch(store, statement, cutoff, size)
            people += forgotten
            rows += deleted_rows
            if forgotten < size:
                break
    capped = people >= cap and _still_stale(store, cutoff)
    if capped:
        log.warning(
            "retention stopped at %d people (%d%% of %d): the rest are forgotten on the "
            "following days; to forget them at once, run hamstring-coach forget-inactive",
            cap,
            round(100 * (max_share or 1)),
            everyone,
        )
    if claim:
        with store.maintenance("retention finish", BATCH_DEADLINE_S) as (cursor, st):
            values = {"finished_at": _now(), "forgotten": people, "day": st.day(today)}
            _sql(st, _FINISH).run(cursor, values)
    run = RetentionRun(cutoff, True, people, rows, time.monotonic() - started, capped)
    log.info(
        "retention: %d people forgotten, not seen since %s (%d days of progress), in %.2f s",
        run.people,
        cutoff.isoformat(),
        run.progress_rows,
        run.seconds,
        extra={"fields": {"retention_months": months, "forgotten": run.people}},
    )
    return run


def _still_stale(store: ProgressStore, cutoff: date) -> bool:
    with store.maintenance("retention count", BATCH_DEADLINE_S) as (cursor, st):
        values = {"cutoff": st.day(cutoff)}
        left = _sql(st, _COUNT_STALE).run(cursor, values).fetchone()[0]
        left += _sql(st, _COUNT_ORPHANS).run(cursor, values).fetchone()[0]
    return bool(left)


def _claim(store: ProgressStore, today: date) -> bool:
    with store.maintenance("retention claim", BATCH_DEADLINE_S) as (cursor, st):
        values = {"day": st.day(today), "host": HOST, "started_at": _now()}
        return bool(_sql(st, _CLAIM).run(cursor, values).rowcount == 1)


def _batch(store: ProgressStore, statement: str, cutoff: date, size: int) -> tuple[int, int]:
    """One transaction: up to `size` people and all their progress rows; (people, rows)."""
    with store.maintenance("retention batch", BATCH_DEADLINE_S) as (cursor, st):
        values = {"cutoff": st.day(cutoff), "batch": size}
        returned = [row[0] for row in _sql(st, statement).run(cursor, values).fetchall()]
        user_ids = list(dict.fromkeys(returned))
        rows = 0 if statement is _DELETE_PROFILES else len(returned)
        if statement is _DELETE_PROFILES:
            delete = _sql(st, _DELETE_PROGRESS)
            for user_id in user_ids:
                rows += delete.run(cursor, {"user_id": user_id}).rowcount
    for user_id in user_ids:
        store.seen.forget(user_id)
    return len(user_ids), rows
