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
import contextlib
import json
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench import procstat
from bench.mix import (
    STEPS,
    capture_conversation,
    make_pki,
    read_mix,
    seed_history,
    start_settings_api,
    write_mix,
)
from bench.stages import history_line, measure_history, measure_stages, stage_lines
from tests.builders import APP_ID

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).with_name("mix.lua")
APPS = ("skill", "skill-dev", "sdk-plain", "reference")
FLOOR_APPS = ("skill", "skill-dev", "dev-nosqlite", "sdk-plain", "reference")
MIX_MAX_AGE_S = 90  # signed requests must be fresher than 150 s


@dataclass(frozen=True)
class Profile:
    concurrency: tuple[int, ...]
    rounds: int
    seconds: float
    users: int
    stage_passes: int
    warmup_seconds: float


PROFILES = {
    "full": Profile((1, 8, 64), rounds=4, seconds=4, users=300, stage_passes=2, warmup_seconds=3),
    "quick": Profile((1, 8, 64), rounds=2, seconds=3, users=200, stage_passes=1, warmup_seconds=2),
    "smoke": Profile((1, 8, 64), rounds=1, seconds=1, users=5, stage_passes=1, warmup_seconds=1),
}


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    ready_s: float = 0.0


@dataclass
class Round:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_s: float


@dataclass
class Results:
    rounds: dict[tuple[str, int], list[Round]] = field(default_factory=dict)

    def add(self, app: str, conc: int, result: Round) -> None:
        self.rounds.setdefault((app, conc), []).append(result)

    def rps(self, app: str, conc: int) -> float:
        runs = self.rounds[(app, conc)]
        return sum(r.requests for r in runs) / sum(r.seconds for r in runs)

    def cpu_us(self, app: str, conc: int) -> float:
        runs = self.rounds[(app, conc)]
        return sum(r.cpu_s for r in runs) / max(1, sum(r.requests for r in runs)) * 1e6

    def cpu_us_median(self, app: str, conc: int) -> float:
        runs = self.rounds[(app, conc)]
        return statistics.median(r.cpu_s / max(1, r.requests) * 1e6 for r in runs)

    def p(self, app: str, conc: int, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.rounds[(app, conc)])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post(port: int, body: bytes, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/alexa",
        data=body,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def wait_first_200(server: Server, first: tuple[bytes, dict[str, str]], started: float) -> float:
    """Seconds from starting the process to its first 200 on POST /alexa."""
    body, headers = first
    deadline_s = 60
    while time.monotonic() - started < deadline_s:
        if server.proc.poll() is not None:
            raise SystemExit(f"{server.name} exited with {server.proc.returncode}")
        with contextlib.suppress(OSError):
            status = post(server.port, body, headers)
            if status == 200:
                return time.monotonic() - started
            raise SystemExit(f"{server.name} answered {status}")
        time.sleep(0.01)
    raise SystemExit(f"{server.name} did not answer within {deadline_s} s")


@contextlib.contextmanager
def servers(
    tmp: Path,
    env: dict[str, str],
    workers: int,
    first: tuple[bytes, dict[str, str]],
    apps: tuple[str, ...] = APPS,
) -> Iterator[dict[str, Server]]:
    """Starts the apps one after another (so each start is timed alone)."""
    started: dict[str, Server] = {}
    commands = {
        "skill-dev": ["-m", "skill.cli", "serve", "--dev", "--workers", str(workers)],
        "skill": ["-m", "bench.serve", "skill", "--workers", str(workers)],
        "dev-nosqlite": ["-m", "bench.serve", "dev-nosqlite", "--workers", str(workers)],
        "sdk-plain": ["-m", "bench.serve", "sdk", "--workers", str(workers)],
        "reference": ["-m", "bench.serve", "reference", "--workers", str(workers)],
    }
    try:
        for name, args in commands.items():
            if name not in apps:
                continue
            port = free_port()
            log = (tmp / f"{name}.log").open("wb")
            app_env = env | {"SKILL_DATABASE_URL": f"sqlite:///{tmp}/{name}.db"}
            launched = time.monotonic()
            proc = subprocess.Popen(
                [sys.executable, *args, "--port", str(port)],
                cwd=ROOT,
                env=app_env,
                stdout=log,
                stderr=log,
            )
            started[name] = Server(name, port, proc)
            started[name].ready_s = wait_first_200(started[name], first, launched)
        yield started
    finally:
        for server in started.values():
            server.proc.terminate()
        for server in started.values():
            try:
                server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.proc.kill()


def run_wrk(port: int, conc: int, seconds: float, mix: Path) -> dict[str, float]:
    threads = 1 if conc == 1 else 2
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{conc}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(LUA),
            f"http://127.0.0.1:{port}",
            "--",
            str(mix),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    return json.loads(line[6:])


@dataclass
class ImportTimes:
    cached_s: float  # bytecode cached, as after `pip install` (the deployed case)
    from_source_s: float  # the project's own modules compiled on import (an editable checkout)
    create_s: float  # create_app, once imported


def measure_import(tmp: Path) -> ImportTimes:
    """Import of skill.web.app and create_app, each best of 3 in fresh interpreters: once with
    bytecode cached (a primed cache under `tmp`, like an installed package), once as this
    checkout runs when nothing may write bytecode (PYTHONDONTWRITEBYTECODE)."""
    code = (
        "import time; t0 = time.perf_counter(); import skill.web.app; t1 = time.perf_counter(); "
        "from skill.config import Config; import tempfile; d = tempfile.mkdtemp(); "
        "skill.web.app.create_app(Config(verify_requests=False, "
        "database_url=f'sqlite:///{d}/i.db')); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    )

    def best_of_3(env: dict[str, str]) -> tuple[float, float]:
        best = (float("inf"), float("inf"))
        for _ in range(3):
            out = subprocess.run(
                [sys.executable, "-c", code],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            best = (min(best[0], float(out[0])), min(best[1], float(out[1])))
        return best

    from_source = best_of_3(dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    cached_env = dict(os.environ, PYTHONPYCACHEPREFIX=str(tmp / "bytecode"))
    cached_env.pop("PYTHONDONTWRITEBYTECODE", None)
    best_of_3(cached_env)  # primes the cache
    cached = best_of_3(cached_env)
    return ImportTimes(cached[0], from_source[0], cached[1])


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
    imports = measure_import(tmp)
    results = Results()
    rss: dict[str, list[float]] = {}
    headers, body = read_mix(mix)[0]
    if history_days:
        for app in ("skill", "skill-dev"):
            seed_history(tmp / f"{app}.db", profile.users, history_days)
    with servers(tmp, env, workers, (body, headers), apps) as running:
        for server in running.values():  # every worker: cert cache, database, code paths
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


def report(
    profile: Profile,
    workers: int,
    count: int,
    results: Results,
    stages: dict[str, list[float]],
    imports: ImportTimes,
    ready_s: float,
    rss: dict[str, list[float]],
    apps: tuple[str, ...] = APPS,
    history: dict[int, float] | None = None,
    history_days: int = 0,
) -> None:
    print(
        f"Hamstring Coach vs bare Flask: gunicorn {workers} workers x gthread(4) each, wrk, "
        f"{profile.users} users x {len(STEPS)} requests ({', '.join(STEPS)}) = {count} "
        f"distinct requests; {profile.rounds} rounds x {profile.seconds:g} s per app and "
        f"concurrency, apps alternated; python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    if history_days:
        print(f"Every user had stretched daily for {history_days} days before this run.")
    print()
    print("conc  app            rps   p50_ms   p99_ms  cpu_us/req  rps/ref  cpu_over_ref_us")
    for conc in profile.concurrency:
        ref_rps, ref_cpu = results.rps("reference", conc), results.cpu_us("reference", conc)
        for app in apps:
            rps, cpu = results.rps(app, conc), results.cpu_us(app, conc)
            print(
                f"{conc:<5} {app:<12}{rps:>7.0f}{results.p(app, conc, 'p50_ms'):>9.2f}"
                f"{results.p(app, conc, 'p99_ms'):>9.2f}{cpu:>12.0f}{rps / ref_rps:>9.2f}"
                f"{cpu - ref_cpu:>17.0f}"
            )
    print()
    print("in-process time per request by stage (skill, verification on, warm cert cache):")
    for line in stage_lines(stages):
        print("  " + line)
    if history:
        print(history_line(history))
    print()
    print(
        f"import skill.web.app: {imports.cached_s * 1000:.0f} ms with bytecode cached (installed), "
        f"{imports.from_source_s * 1000:.0f} ms compiling the project's modules; "
        f"create_app: {imports.create_s * 1000:.0f} ms"
    )
    print(f"hamstring-coach serve --dev to first 200 on POST /alexa: {ready_s:.2f} s")
    for app in apps:
        sizes = ", ".join(f"{mb:.1f}" for mb in sorted(rss[app]))
        print(f"RSS per worker, {app}: {sizes} MB")
    print()
    for line in target_lines(profile, results, imports.cached_s, ready_s, rss):
        print(line)
    print()
    if "dev-nosqlite" in apps:
        for line in floor_lines(profile, results):
            print(line)
        print()
    for conc in profile.concurrency:
        ref = results.rps("reference", conc)
        print(
            f"ratio_rps_dev_c{conc}={results.rps('skill-dev', conc) / ref:.3f}  "
            f"ratio_rps_c{conc}={results.rps('skill', conc) / ref:.3f}"
        )
    print(f"ratio_rps_sdk_c64={results.rps('sdk-plain', 64) / results.rps('reference', 64):.3f}")
    print(f"ratio_rps_c64={results.rps('skill', 64) / results.rps('reference', 64):.3f}")


def floor_lines(profile: Profile, results: Results) -> list[str]:
    """What two things the skill must do cost a served request, from this run's rows: the
    request check (skill - skill-dev) and the database calls (skill-dev - dev-nosqlite). At 64
    connections every app is CPU-bound, so rps/ref can be at most ref / (ref + both). Each app's
    CPU is its median round: one slow stretch of the machine must not show as a cost."""
    conc = max(profile.concurrency)
    ref = results.cpu_us_median("reference", conc)
    dev = results.cpu_us_median("skill-dev", conc)
    verify = results.cpu_us_median("skill", conc) - dev
    database = dev - results.cpu_us_median("dev-nosqlite", conc)
    return [
        f"floor at c={conc} (median CPU per request served; everything else counted as free):",
        f"  verification {verify:.0f} us, SQLite calls {database:.0f} us, reference {ref:.0f} us: "
        f"rps/ref at most {ref / (ref + verify + database):.2f} (skill), "
        f"{ref / (ref + database):.2f} (--dev)",
    ]


def target_lines(
    profile: Profile,
    results: Results,
    import_s: float,
    ready_s: float,
    rss: dict[str, list[float]],
) -> list[str]:
    """The issue's targets, each with the measured value and met / MISSED."""

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    lines = ["targets:"]
    for conc in (c for c in profile.concurrency if c in (8, 64)):
        ref = results.rps("reference", conc)
        for app in ("skill", "skill-dev"):
            ratio = results.rps(app, conc) / ref
            lines.append(
                f"  {app} rps/ref at c={conc} >= 0.80: {ratio:.2f} {verdict(ratio >= 0.8)}"
            )
    last = max(profile.concurrency)
    ref_cpu = results.cpu_us("reference", last)
    for app, limit in (("skill-dev", 100), ("skill", 150)):
        over = results.cpu_us(app, last) - ref_cpu
        lines.append(
            f"  {app} CPU over reference at c={last} <= {limit} us: {over:.0f} us "
            f"{verdict(over <= limit)}"
        )
    lines.append(
        f"  import skill.web.app (bytecode cached) < 400 ms: {import_s * 1000:.0f} ms "
        f"{verdict(import_s < 0.4)}"
    )
    lines.append(f"  serve to first 200 < 2 s: {ready_s:.2f} s {verdict(ready_s < 2)}")
    biggest = max(max(rss["skill"]), max(rss["skill-dev"]))
    lines.append(f"  RSS per worker < 80 MB: {biggest:.1f} MB {verdict(biggest < 80)}")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
