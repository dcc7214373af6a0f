"""The long fuzz run of issue 17: `python -m bench.fuzz --cases 200000 --seed 17`.

The same hostile requests as tests/test_web_fuzz.py (tests/fuzz_inputs.py), as many as asked,
through the real WSGI app in process (production with verification and --dev), plus malformed
HTTP through real gunicorn servers (`--raw N` per server). Prints the status histogram per mode,
per family and per reason, the failures with the case numbers that reproduce them, log line
sizes and timings. Exit status 1 if any rule was broken (see tests/fuzz_harness.py).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests import fuzz_harness
from tests.fuzz_inputs import fuzz_builder


def raw_http(report: fuzz_harness.Report, cases: int, seed: int, tmp: Path) -> Counter[str]:
    """`cases` malformed HTTP requests to each of a --dev and a production gunicorn server."""
    rng = random.Random(seed)
    builder = fuzz_builder()
    launch, help_ = builder.launch(), builder.intent("AMAZON.HelpIntent")
    bodies = [json.dumps(launch).encode(), json.dumps(help_).encode()]
    seen: Counter[str] = Counter()
    for mode in ("dev", "production"):
        with fuzz_harness.gunicorn(tmp, mode) as (port, log_path):
            for number in range(cases):
                kind, data = fuzz_harness.malformed_http(rng, rng.choice(bodies))
                answers = fuzz_harness.send_raw(port, data)
                label = f"raw {mode} case {number} ({kind})"
                if not answers:
                    report.fail("no answer", label)
                for status, head, body in answers:
                    source = "app" if b"application/json" in head.lower() else "gunicorn"
                    seen[f"{mode:10} {status} from {source:8} {kind}"] += 1
                    if source == "app" or status >= 500:
                        fuzz_harness.judge_answer(report, label, status, body)
        fuzz_harness.judge_server_log(report, f"raw {mode}", log_path)
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000, help="in-process cases")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--raw", type=int, default=1_000, help="malformed HTTP per server")
    args = parser.parse_args(argv)
    report = fuzz_harness.Report()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        runner = fuzz_harness.InProcess(Path(tmp))
        runner.run(runner.fuzzer(args.seed).cases(args.cases), report)
        in_process_s = time.perf_counter() - started
        started = time.perf_counter()
        raw = raw_http(report, args.raw, args.seed, Path(tmp)) if args.raw else Counter()
        raw_s = time.perf_counter() - started
    out = sys.stdout.write
    out(f"seed {args.seed}: {args.cases} in-process cases in {in_process_s:.1f} s, ")
    out(f"{2 * args.raw} malformed HTTP requests in {raw_s:.1f} s\n\nstatus by mode\n")
    for (mode, status), count in sorted(report.statuses.items()):
        out(f"  {mode:20} {status}  {count:8}\n")
    out("\nstatus by family\n")
    for (family, status), count in sorted(report.families.items()):
        out(f"  {family:20} {status}  {count:8}\n")
    out("\n4xx reasons\n")
    for reason, count in report.reasons.most_common():
        out(f"  {count:8}  {reason}\n")
    if raw:
        out("\nmalformed HTTP over a socket (mode, status, who answered, kind)\n")
        for line, count in sorted(raw.items()):
            out(f"  {count:6}  {line}\n")
    latencies = sorted(report.latencies)
    if latencies:
        p99 = latencies[int(len(latencies) * 0.99)]
        out(f"\nper in-process request: median {statistics.median(latencies) * 1000:.2f} ms, ")
        out(f"p99 {p99 * 1000:.2f} ms, max {latencies[-1] * 1000:.1f} ms\n")
    out(f"log lines {report.log_lines}, longest {report.longest_log_line} bytes; ")
    out(f"largest 200 answer {report.largest_answer} bytes\n")
    out(f"\nfailures: {sum(report.failure_counts.values())}\n")
    for kind, examples in report.failures.items():
        out(f"  {report.failure_counts[kind]} x {kind}\n")
        for example in examples:
            out(f"      {example}\n")
    return 1 if report.failure_counts else 0


if __name__ == "__main__":
    raise SystemExit(main())
