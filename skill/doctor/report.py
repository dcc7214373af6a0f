"""One check's result, and the report an operator reads: a line per check, then what to do.

Three outcomes only, so a script can act on the exit status: `ok`, `warn` (works, but look at
it), `FAIL` (the skill will not work, or not for everyone). A check that was not run (offline,
or what it needs failed first) is a `skip` and never fails the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK, WARN, FAIL or SKIP
    detail: str
    advice: str = ""  # what to do; shown for warnings and failures

    @property
    def failed(self) -> bool:
        return self.status == FAIL


def ok(name: str, detail: str) -> Check:
    return Check(name, OK, detail)


def warn(name: str, detail: str, advice: str) -> Check:
    return Check(name, WARN, detail, advice)


def fail(name: str, detail: str, advice: str) -> Check:
    return Check(name, FAIL, detail, advice)


def skip(name: str, detail: str) -> Check:
    return Check(name, SKIP, detail)


def exit_status(checks: Iterable[Check]) -> int:
    """0 when nothing failed (warnings included), else 1."""
    return 1 if any(c.failed for c in checks) else 0


def render_text(checks: list[Check]) -> str:
    """A line per check (status, name, detail), then a "What to do" line per warning/failure."""
    width = max((len(c.name) for c in checks), default=0)
    lines = [f"{c.status:<4}  {c.name:<{width}}  {c.detail}" for c in checks]
    todo = [c for c in checks if c.status in (WARN, FAIL) and c.advice]
    if todo:
        lines += ["", "What to do:"]
        lines += [f"- {c.name} ({c.status}): {c.advice}" for c in todo]
    failed = sum(c.failed for c in checks)
    warned = sum(c.status == WARN for c in checks)
    warnings = "warning" if warned == 1 else "warnings"
    lines += ["", f"{failed} failed, {warned} {warnings}, {len(checks)} checks"]
    return "\n".join(lines)


def render_json(checks: list[Check]) -> str:
    """The same as JSON, for monitoring scripts."""
    return json.dumps(
        {"ok": exit_status(checks) == 0, "checks": [asdict(c) for c in checks]}, indent=2
    )
