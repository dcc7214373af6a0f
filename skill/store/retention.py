"""Forget people not seen for a number of months: everything the skill keeps about them, as
when they disable the skill (ProgressStore.delete_user).

"Seen" is `profiles.last_seen`, the last UTC day the skill saved anything for the person
(skill.store.last_seen; migration 5 backfilled it). Progress rows with no profile row (possible
only from before migration 5, or after a deletion raced a save) count as seen on their latest
day. The work goes in batches of `BATCH_USERS` people, one short transaction each, so no lock
is held for long and requests interleave. Each day's run is claimed first with a row in
`retention_runs` (INSERT ... ON CONFLICT DO NOTHING): with many workers and hosts on one
database, only one of them does it; a run cut short (a crash) is finished by the next day's.
"""

from __future__ import annotations

import logging
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


def _sql(statements: Statements, text: str) -> Any:
    return statements.compile(sa.text(text))


_STALE = "(last_seen IS NULL OR last_seen < :cutoff)"
# One batch of stale profiles, deleted in one statement whose own WHERE re-checks last_seen (a
# person who came back since the sub-select is kept); their ids come back for their progress.
_DELETE_PROFILES = (
    f"DELETE FROM profiles WHERE {_STALE} AND user_id IN "
    f"(SELECT user_id FROM profiles WHERE {_STALE} LIMIT :batch) RETURNING user_id"
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


def forget_inactive(
    store: ProgressStore,
    months: int,
    *,
    today: date | None = None,
    dry_run: bool = False,
    claim: bool = True,
) -> RetentionRun:
    """Forget everyone not seen since `cutoff_day(today, months)`. `claim`: take today's run
    in `retention_runs` first (the server's daily job); an operator's command runs anyway.
    `dry_run`: count, delete nothing. Raises StoreUnavailable when the database fails."""
    if months <= 0:
        raise ValueError("months must be positive (0 means never forget: nothing to run)")
    today = today or store.seen.today()
    cutoff = cutoff_day(today, months)
    started = time.monotonic()
    if dry_run:
        with store.maintenance("retention count", BATCH_DEADLINE_S) as (cursor, st):
            values = {"cutoff": st.day(cutoff)}
            people = _sql(st, _COUNT_STALE).run(cursor, values).fetchone()[0]
            people += _sql(st, _COUNT_ORPHANS).run(cursor, values).fetchone()[0]
            rows = _sql(st, _COUNT_STALE_ROWS).run(cursor, values).fetchone()[0]
        return RetentionRun(cutoff, True, int(people), int(rows), time.monotonic() - started)
    if claim and not _claim(store, today):
        return RetentionRun(cutoff, claimed=False)
    people = rows = 0
    for statement in (_DELETE_PROFILES, _DELETE_ORPHANS):
        while True:
            forgotten, deleted_rows = _batch(store, statement, cutoff)
            people += forgotten
            rows += deleted_rows
            if forgotten < BATCH_USERS:
                break
    if claim:
        with store.maintenance("retention finish", BATCH_DEADLINE_S) as (cursor, st):
            values = {"finished_at": _now(), "forgotten": people, "day": st.day(today)}
            _sql(st, _FINISH).run(cursor, values)
    run = RetentionRun(cutoff, True, people, rows, time.monotonic() - started)
    log.info(
        "retention: %d people forgotten, not seen since %s (%d days of progress), in %.2f s",
        run.people,
        cutoff.isoformat(),
        run.progress_rows,
        run.seconds,
        extra={"fields": {"retention_months": months, "forgotten": run.people}},
    )
    return run


def _claim(store: ProgressStore, today: date) -> bool:
    with store.maintenance("retention claim", BATCH_DEADLINE_S) as (cursor, st):
        values = {"day": st.day(today), "host": HOST, "started_at": _now()}
        return bool(_sql(st, _CLAIM).run(cursor, values).rowcount == 1)


def _batch(store: ProgressStore, statement: str, cutoff: date) -> tuple[int, int]:
    """One transaction: up to BATCH_USERS people and all their progress rows; (people, rows)."""
    with store.maintenance("retention batch", BATCH_DEADLINE_S) as (cursor, st):
        values = {"cutoff": st.day(cutoff), "batch": BATCH_USERS}
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
