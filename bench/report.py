"""The benchmark's numbers: rounds per app and concurrency, and the table, floor and target
lines printed at the end of a run."""

from __future__ import annotations

import os
import statistics
import sys
from dataclasses import dataclass, field

from bench.mix import STEPS
from bench.servers import APPS, ImportTimes
from bench.stages import history_line, stage_lines


@dataclass(frozen=True)
class Profile:
    concurrency: tuple[int, ...]
    rounds: int
    seconds: float
    users: int
    stage_passes: int
    warmup_seconds: float  # 0: no warm-up round (--smoke measures nothing)
    import_repeats: int = 3  # fresh interpreters per import timing (best of)


PROFILES = {
    "full": Profile((1, 8, 64), rounds=4, seconds=4, users=300, stage_passes=2, warmup_seconds=3),
    "quick": Profile((1, 8, 64), rounds=2, seconds=3, users=200, stage_passes=1, warmup_seconds=2),
    "smoke": Profile(
        (1, 8, 64), rounds=1, seconds=1, users=5, stage_passes=1, warmup_seconds=0, import_repeats=1
    ),
}


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

    def apps(self) -> set[str]:
        return {app for app, _ in self.rounds}

    def p(self, app: str, conc: int, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.rounds[(app, conc)])


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
    print(f"ratio_skill_over_sdk_c64={results.rps('skill', 64) / results.rps('sdk-plain', 64):.3f}")
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
    if "sdk-plain" in results.apps():
        over_sdk = results.rps("skill", last) / results.rps("sdk-plain", last)
        lines.append(
            f"  skill rps / sdk-plain rps at c={last} >= 1.05: {over_sdk:.2f} "
            f"{verdict(over_sdk >= 1.05)}"
        )
    lines.append(
        f"  import skill.web.app (bytecode cached) < 400 ms: {import_s * 1000:.0f} ms "
        f"{verdict(import_s < 0.4)}"
    )
    lines.append(f"  serve to first 200 < 2 s: {ready_s:.2f} s {verdict(ready_s < 2)}")
    biggest = max(max(rss["skill"]), max(rss["skill-dev"]))
    lines.append(f"  RSS per worker < 80 MB: {biggest:.1f} MB {verdict(biggest < 80)}")
    return lines
