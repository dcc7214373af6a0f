"""The database: reachable, at the schema this code expects, and writable, within seconds.

It reads the schema version without migrating (a doctor must not change what it examines), and
writes the same probe row /healthz writes (skill.store.health). Every database call runs under
the store's own deadline machinery (skill.store.deadlines): a PostgreSQL host that drops packets
fails by `DATABASE_DEADLINE_S` instead of hanging on TCP retries.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from skill.config import Config
from skill.doctor.report import Check, fail, ok, warn
from skill.store.connections import DriverConnections
from skill.store.deadlines import DEADLINES
from skill.store.engines import default_database_url, normalize_url, postgres_engine, sqlite_engine
from skill.store.errors import database_errors, describe
from skill.store.health import probe_write
from skill.store.schema import SCHEMA_VERSION, read_version
from skill.store.statements import Statements

NAME = "database"
# Long enough for a cold TLS connection to a distant PostgreSQL; short enough that a doctor run
# against a dead host answers in seconds (libpq's connect_timeout alone is 2 s per address).
DATABASE_DEADLINE_S = 5.0
# SQLite's busy wait for the probe's write lock: a running server commits in milliseconds.
SQLITE_BUSY_S = 2.0
ADVICE_PG = (
    "Check that PostgreSQL runs and that the host, port, user, password and database in "
    "SKILL_DATABASE_URL are right and reachable from this host (firewall, pg_hba.conf); "
    "`psql \"$SKILL_DATABASE_URL\" -c 'select 1'` shows the server's own message."
)
ADVICE_SQLITE = (
    "The service user needs read and write access to the database file and to its folder "
    "(SQLite writes -wal and -shm files beside it). Create the folder and `chown` it to that "
    "user, or point SKILL_DATABASE_URL at a writable place (sqlite:////var/lib/...)."
)


def check_database(config: Config | None) -> Check:
    raw = (config.database_url if config else None) or default_database_url()
    try:
        url = normalize_url(raw)
    except (ValueError, sa.exc.ArgumentError) as exc:
        return fail(
            NAME,
            f"SKILL_DATABASE_URL cannot be used: {exc}",
            "Use sqlite:////absolute/path/progress.sqlite3 or "
            "postgresql://user:password@host:5432/dbname.",
        )
    where = url.render_as_string(hide_password=True)
    sqlite_path = Path(url.database or "") if url.get_backend_name() == "sqlite" else None
    if sqlite_path is not None:
        default = not (config.database_url if config else os.environ.get("SKILL_DATABASE_URL"))
        problem = _sqlite_file_problem(sqlite_path, default=default)
        if problem is not None:
            return problem
    return _check_engine(url, where, sqlite_path)


def _sqlite_file_problem(path: Path, *, default: bool = False) -> Check | None:
    """What stops SQLite before it starts (root passes os.access, so also file types), or a
    warning for a database `serve` has yet to create; None: open it and see."""
    if path.exists():
        if not path.is_file():
            return fail(NAME, f"{path} is not a file", ADVICE_SQLITE)
        for what, target, mode in (
            ("the database file", path, os.R_OK | os.W_OK),
            ("its folder", path.parent, os.W_OK | os.X_OK),
        ):
            if not os.access(target, mode):
                return fail(NAME, f"{what} {target} is not writable by this user", ADVICE_SQLITE)
        return None
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return fail(NAME, f"cannot create {path}: {ancestor} is not a folder", ADVICE_SQLITE)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return fail(
            NAME, f"cannot create {path}: {ancestor} is not writable by this user", ADVICE_SQLITE
        )
    if default:
        return warn(
            NAME,
            f"no database yet at {path}, the default SQLite file for this user and "
            f"environment (SKILL_DATABASE_URL unset, {_data_home()}); `serve` creates it "
            f"(schema version {SCHEMA_VERSION}) at start",
            "Nothing, if this is a new install. Otherwise the service looks elsewhere: the "
            "systemd unit sets XDG_DATA_HOME=/var/lib (its database is "
            "/var/lib/hamstring-coach/progress.sqlite3) and reads SKILL_DATABASE_URL from "
            "/etc/hamstring-coach/hamstring-coach.env, which a shell does not. Run doctor the "
            'way docs/doctor.md shows under "Run it as the service sees it".',
        )
    return warn(
        NAME,
        f"no database yet at {path}; `serve` creates it (schema version {SCHEMA_VERSION}) at start",
        "Nothing, if this is a new install. Otherwise SKILL_DATABASE_URL points elsewhere than "
        "the service's: people's progress would start again from nothing.",
    )


def _data_home() -> str:
    """Where the default folder came from (platformdirs follows XDG_DATA_HOME on Linux)."""
    configured = os.environ.get("XDG_DATA_HOME", "").strip()
    return f"XDG_DATA_HOME={configured}" if configured else "XDG_DATA_HOME unset: ~/.local/share"


def _check_engine(url: URL, where: str, sqlite_path: Path | None) -> Check:
    engine = sqlite_engine(url, SQLITE_BUSY_S) if sqlite_path else postgres_engine(url)
    advice = ADVICE_SQLITE if sqlite_path else ADVICE_PG
    scope = DEADLINES.scope(DATABASE_DEADLINE_S)
    try:
        with scope:
            with engine.connect() as conn:
                version = read_version(conn)
            if version > SCHEMA_VERSION:
                return fail(
                    NAME,
                    f"{where}: schema version {version} is newer than this code's "
                    f"{SCHEMA_VERSION}: `serve` refuses it",
                    "A newer release of hamstring-coach wrote this database: install that "
                    "release (or newer) here, or restore a backup made for this one.",
                )
            if version < SCHEMA_VERSION:
                return warn(
                    NAME,
                    f"{where}: schema version {version}, this code's is {SCHEMA_VERSION}; "
                    "serve migrates it at start",
                    "Back the database up before the first start of this release "
                    "(docs/deploy.md, Backups); the migration then runs by itself.",
                )
            problem = _probe(engine, sqlite_path)
    except database_errors(engine) as err:
        reason = describe(err)
        if scope.expired or isinstance(err, TimeoutError):
            reason = f"no answer within {DATABASE_DEADLINE_S:.0f} s ({reason})"
        return fail(NAME, f"{where}: {reason}", advice)
    finally:
        engine.dispose()
    if problem:
        return fail(NAME, f"{where}: {problem}", "Free disk space, or move the database.")
    return ok(NAME, f"{where}: schema version {SCHEMA_VERSION}, write probe ok")


def _probe(engine: Engine, sqlite_path: Path | None) -> str | None:
    """The write /healthz makes (this host's health_probe row): committed, not rolled back."""
    connections = DriverConnections(engine)
    try:
        with connections.transaction() as cursor:
            return probe_write(cursor, Statements(engine.dialect), sqlite_path)
    finally:
        connections.close()
