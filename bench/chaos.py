"""Issue 17's chaos table: each fault against the real skill under real gunicorn.

    python -m bench.chaos [--faults NAME ...] [--seconds N] [--people N] [--out FILE]

For each fault (default: all of tests/chaos/catalog.py) a fresh server, eight people stretching
over HTTP through a warm-up, N seconds of the fault (default 8) and a recovery, then one
markdown row: latency and status codes of the requests sent in the window, /healthz in the
window, holds saved before it, lost after it, finished in it, and unsaved at the end. Notes
and the targets each fault missed follow the table. The suite's version is tests/test_chaos.py.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.chaos import table
from tests.chaos.catalog import FAULTS
from tests.chaos.scenario import FaultResult, Timing, run_fault

ROOT = Path(__file__).resolve().parent.parent


TARGETS = (
    "1.5 s per request, no 5xx, people keep stretching, /healthz within 1 s and 503 while "
    "progress cannot be saved, no hold lost"
)


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def describe_run(argv: list[str], load_at_start: str) -> list[str]:
    """Where the numbers came from: command, code, machine, and how busy it was."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return [
        f"command: `python -m bench.chaos {' '.join(argv)}`",
        f"code: {commit or 'unknown'} ({ROOT})",
        f"when: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}; load average "
        f"(1, 5, 15 min) at start {load_at_start}, at end {load_average()}",
    ]


def report(argv: list[str], results: list[FaultResult], load_at_start: str) -> str:
    lines = [*describe_run(argv, load_at_start), "", table.markdown(results), "", "Notes:"]
    lines += [table.notes(result) for result in results]
    lines += ["", f"Targets missed ({TARGETS}):"]
    for result in results:
        missed = table.misses(result)
        lines.append(f"- {result.fault}: " + ("; ".join(missed) if missed else "none"))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--faults", nargs="+", choices=sorted(FAULTS), default=list(FAULTS))
    parser.add_argument("--seconds", type=float, default=8.0, help="the fault window")
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    args = parser.parse_args(argv)
    side = max(2.0, args.seconds / 2)
    timing = Timing(warm_up=side, fault=args.seconds, recovery=side)
    results = []
    load_at_start = load_average()
    for name in args.faults:
        started = time.monotonic()
        results.append(run_fault(FAULTS[name](), timing, args.people))
        print(f"{name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    text = report(argv, results, load_at_start)
    print(text, end="")
    if args.out:
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
