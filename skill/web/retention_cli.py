"""`hamstring-coach forget-inactive [--dry-run] [--months N]`: the retention run, now, by hand.

The server runs it daily by itself (skill.web.retention_job); an operator runs it to see what
it would forget (--dry-run), or to apply a shorter SKILL_RETENTION_MONTHS at once. It does not
take the day's claim: the server's own run still happens. It prints the count before it
deletes, is not capped (the operator asked for exactly this), refuses when this host's clock
disagrees with the database (as the server's run does), and never creates or migrates a
database: it refuses one that is missing or at another schema version (skill.store.existing).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from skill.config import Config, ConfigError
from skill.store.errors import StoreUnavailable
from skill.store.existing import schema_problem
from skill.store.progress_store import ProgressStore
from skill.store.retention import BATCH_DEADLINE_S, ClockSuspect, forget_inactive


def cmd_forget_inactive(args: argparse.Namespace) -> int:
    try:
        config = Config.from_env()
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    months = config.retention_months if args.months is None else args.months
    if months <= 0:
        if args.months is None:
            print("SKILL_RETENTION_MONTHS is 0: nobody is forgotten for not using the skill")
        else:
            print("--months 0 means never forget: nobody is forgotten")
        return 0
    problem = schema_problem(config.database_url)
    if problem:  # the store would create or migrate it
        print(f"error: {problem}; nothing changed", file=sys.stderr)
        return 2
    store = ProgressStore(config.database_url, call_timeout_s=BATCH_DEADLINE_S)
    try:
        found = forget_inactive(store, months, dry_run=True, claim=False)
        found_line = (
            f"not seen since {found.cutoff.isoformat()} ({months} months; "
            f"{found.progress_rows} days of progress)"
        )
        if args.dry_run:
            print(f"{found.people} people would be forgotten, {found_line}")
            return 0
        print(f"{found.people} people to forget, {found_line}", flush=True)
        if not found.people:
            return 0
        run = forget_inactive(store, months, claim=False, max_share=None)
    except (StoreUnavailable, ClockSuspect) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"{run.people} people forgotten, not seen since {run.cutoff.isoformat()}")
    return 0


def _months(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number of months, not {text!r}")
    return value


def add_commands(sub: Any) -> None:
    """Add forget-inactive to the `hamstring-coach` subcommands."""
    forget = sub.add_parser(
        "forget-inactive",
        help="delete everything about people not seen for SKILL_RETENTION_MONTHS months",
        description="Forget people who have not used the skill for the retention period "
        "(SKILL_RETENTION_MONTHS, default 12), as the server does daily by itself.",
    )
    forget.add_argument(
        "--dry-run", action="store_true", help="count who would be forgotten; delete nothing"
    )
    forget.add_argument(
        "--months",
        type=_months,
        default=None,
        help="this many months instead of SKILL_RETENTION_MONTHS",
    )
    forget.set_defaults(func=cmd_forget_inactive)
