"""Is there a database at the current schema? Asked by operators' commands that change people's
data (`forget-inactive`) before they open the store, because the store itself creates a missing
SQLite file and migrates an older schema on first use (right for `serve`, wrong for them): with
the wrong environment the command would make an empty database beside the real one, and after
`pip install --upgrade` it would migrate the database under the old server still running.
"""

from __future__ import annotations

from pathlib import Path

from skill.store.deadlines import DEADLINES
from skill.store.engines import default_database_url, normalize_url, postgres_engine, sqlite_engine
from skill.store.errors import database_errors, describe
from skill.store.schema import SCHEMA_VERSION, read_version

CHECK_DEADLINE_S = 10.0


def schema_problem(url: str | None) -> str | None:
    """Why the database at `url` is not one to change as it is (None: it exists and has this
    code's schema version). Reads only: never creates a file or a table."""
    parsed = normalize_url(url or default_database_url())
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.is_file():
            return (
                f"no database at {path}: check SKILL_DATABASE_URL and XDG_DATA_HOME (run with "
                "the service's user and environment file)"
            )
        engine = sqlite_engine(parsed, CHECK_DEADLINE_S)
    else:
        engine = postgres_engine(parsed)
    try:
        with DEADLINES.scope(CHECK_DEADLINE_S), engine.connect() as conn:
            version = read_version(conn)
    except database_errors(engine) as err:
        return f"cannot read the database's schema version: {describe(err)}"
    finally:
        engine.dispose()
    if version != SCHEMA_VERSION:
        return (
            f"the database has schema version {version}, this code's is {SCHEMA_VERSION}: "
            "start serve once to migrate it (after a backup), then run this again"
        )
    return None
