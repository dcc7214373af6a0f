"""Hamstring Coach vs bare Flask: one command, one run, same gunicorn settings.

    python -m bench.run [--quick | --smoke] [--floor] [--history-days N]

Serves four apps at once (2 gunicorn gthread workers each, as `hamstring-coach serve`):
  skill      the real skill, verification ON (local test CA, signed requests, warm cert cache)
  skill-dev  `hamstring-coach serve --dev` itself (verification off)
  sdk-plain  bench/sdk_app.py: a plain ask-sdk-core skill (fixed answers, DefaultSerializer)
  reference  bench/reference_app.py: parse the same JSON, return a fixed response
With --floor, a fifth: dev-nosqlite, `--dev` with its SQLite calls skipped (bench/nosqlite.py),
and lines that say what verification and the database calls cost a served request, and the
best rps/ref the skill could reach if everything else it does were free. --history-days N gives
every user of the mix N days of stretching before today (default 0: first-timers).
and drives them with wrk (same request mix, concurrency 1, 8, 64), alternating the apps in short
rounds so machine noise hits all of them alike. Needs `wrk` on PATH (apt-get install wrk).
The last line is `ratio_rps_c64=<skill rps / reference rps at 64 connections>`.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import procstat
from bench.mix import (
    capture_conversation,
    make_pki,
    read_mix,
    seed_history,
    start_settings_api,
    write_mix,
)
from bench.report import PROFILES, Profile, Results, Round, report
from bench.servers import APPS, FLOOR_APPS, ROOT, measure_import, run_wrk, servers
from bench.stages import measure_history, measure_stages
from tests.builders import APP_ID

MIX_MAX_AGE_S = 90  # signed requests must be fresher than 150 s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="fewer, shorter rounds (~1.5 min)")
    mode.add_argument("--smoke", action="store_true", help="seconds; proves the harness works")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also serve --dev with its SQLite calls skipped, and say what verification and "
        "the database cost a served request",
    )
    parser.add_argument(
        "--history-days",
        type=int,
        default=0,
        metavar="N",
        help="every user has stretched daily for N days before today (default 0)",
    )
    args = parser.parse_args(argv)
    if args.history_days < 0:
        parser.error("--history-days must be 0 or more")
    profile = PROFILES["smoke" if args.smoke else "quick" if args.quick else "full"]
    if shutil.which("wrk") is None:
        print("error: the benchmark needs wrk on PATH (apt-get install wrk)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)  # in-process timing: no per-request log noise
    env = dict(os.environ) | {"SKILL_ID": APP_ID, "PYTHONPATH": str(ROOT)}
    env.pop("SKILL_AUDIO_BASE_URL", None)
    with tempfile.TemporaryDirectory(prefix="hamstring-bench-") as tmp_name:
        tmp = Path(tmp_name)
        apps = FLOOR_APPS if args.floor else APPS
        return run(profile, args.workers, tmp, env, apps, args.history_days)


def run(
    profile: Profile,
    workers: int,
    tmp: Path,
    env: dict[str, str],
    apps: tuple[str, ...] = APPS,
    history_days: int = 0,
) -> int:
    api = start_settings_api()
    api_url = api.url
    pki = make_pki(tmp)
    env |= {"BENCH_ROOT_PEM": str(pki.root_pem), "BENCH_CHAIN_PEM": str(pki.chain_pem)}
    templates = capture_conversation(tmp, api_url)
    mix = tmp / "mix.txt"
    count = write_mix(mix, templates, profile.users, pki.chain)
    mix_made = time.monotonic()
    imports = measure_import(tmp, profile.import_repeats)
    results = Results()
    rss: dict[str, list[float]] = {}
    headers, body = read_mix(mix)[0]
    if history_days:
        for app in ("skill", "skill-dev"):
            seed_history(tmp / f"{app}.db", profile.users, history_days)
    with servers(tmp, env, workers, (body, headers), apps) as running:
        for server in running.values():  # every worker: cert cache, database, code paths
            if profile.warmup_seconds:
                run_wrk(server.port, 8, profile.warmup_seconds, mix)
        for conc in profile.concurrency:
            for index in range(profile.rounds):
                order = apps if index % 2 == 0 else apps[::-1]
                for app in order:
                    if time.monotonic() - mix_made > MIX_MAX_AGE_S:
                        write_mix(mix, templates, profile.users, pki.chain)
                        mix_made = time.monotonic()
                    master = running[app].proc.pid
                    cpu_before = procstat.server_cpu_seconds(master)
                    out = run_wrk(running[app].port, conc, profile.seconds, mix)
                    cpu = procstat.server_cpu_seconds(master) - cpu_before
                    if out["errors"]:
                        print(f"error: {app} had {out['errors']} failed requests", file=sys.stderr)
                        return 1
                    results.add(
                        app,
                        conc,
                        Round(
                            requests=int(out["requests"]),
                            seconds=out["duration_us"] / 1e6,
                            p50_ms=out["p50_us"] / 1e3,
                            p99_ms=out["p99_us"] / 1e3,
                            cpu_s=cpu,
                        ),
                    )
        for name, server in running.items():
            rss[name] = procstat.worker_rss_mb(server.proc.pid)
        ready_s = running["skill-dev"].ready_s
    write_mix(mix, templates, profile.users, pki.chain)
    stages = measure_stages(tmp, pki, mix, profile.stage_passes)
    history = measure_history(tmp, repeats=20 if profile is PROFILES["smoke"] else 200)
    api.close()
    report(
        profile, workers, count, results, stages, imports, ready_s, rss, apps, history, history_days
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
