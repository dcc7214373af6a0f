"""One fault, start to end: a fresh server, people stretching through a warm-up, the fault
window and a recovery, and the holds in the database read before and after the window."""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

from skill.simulator.settings_api import SettingsApi
from tests import pg
from tests.chaos.faults import Fault, FaultUnavailable
from tests.chaos.person import ALEXA_TIMEOUT_S, Person, Recorder, Sample, Stage, new_builder
from tests.chaos.server import ServerProcess


@dataclass(frozen=True)
class Timing:
    """Seconds of each phase; the people stop sending at each phase's end."""

    warm_up: float = 2.0
    fault: float = 4.0
    recovery: float = 2.0


@dataclass
class FaultResult:
    """What one fault run measured (see table.py for how it is shown)."""

    fault: str
    skipped: str | None = None
    samples: list[Sample] = field(default_factory=list)
    saved_before: dict[str, int] = field(default_factory=dict)  # holds by user, at the fault
    saved_after: dict[str, int] = field(default_factory=dict)  # ... after the recovery
    finished: Counter[str] = field(default_factory=Counter)  # holds people finished, by phase
    worker_threads: dict[str, int] = field(default_factory=dict)  # most seen, by phase
    tracebacks: int = 0
    lifted_at: float = 0.0  # time.monotonic() when the window closed
    saves_blocked: bool = False  # the fault keeps progress from being saved

    def of(self, group: str, phase: str = "fault") -> list[Sample]:
        return [s for s in self.samples if s.group == group and s.phase == phase]

    def held_past_window(self, group: str) -> int:
        """Requests sent in the window that waited more than a second and were still waiting
        when it closed (answered then, or later, or never)."""
        return sum(
            1
            for s in self.of(group)
            if s.latency_s > 1.0 and s.sent_at + s.latency_s > self.lifted_at
        )

    @property
    def holds_lost(self) -> int:
        """Holds saved before the window that are gone after it."""
        return sum(
            max(0, held - self.saved_after.get(user, 0)) for user, held in self.saved_before.items()
        )

    @property
    def holds_unsaved(self) -> int:
        """Holds people finished (and told the skill) that the database does not have."""
        return sum(self.finished.values()) - sum(self.saved_after.values())


def read_holds(database_url: str, prefix: str) -> dict[str, int]:
    """Holds saved per person of this run, read straight from the database."""
    engine = sa.create_engine(pg.with_driver(database_url), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT user_id, SUM(holds) FROM daily_progress "
                    "WHERE user_id LIKE :prefix GROUP BY user_id"
                ),
                {"prefix": f"{prefix}%"},
            )
            return {user: int(total) for user, total in rows}
    finally:
        engine.dispose()


class Probe:
    """/healthz every quarter second, and the worker's thread count, through all phases."""

    def __init__(self, server: ServerProcess, stage: Stage, recorder: Recorder) -> None:
        self.server, self.stage, self.recorder = server, stage, recorder
        self.threads: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthz-probe", daemon=True)

    def __enter__(self) -> Probe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=ALEXA_TIMEOUT_S + 2)

    def _run(self) -> None:
        with requests.Session() as http:
            http.trust_env = False
            while not self._stop.wait(0.25):
                phase = self.stage.phase
                count = self.server.worker_threads()
                self.threads[phase] = max(self.threads[phase], count)
                started, sent = time.perf_counter(), time.monotonic()
                try:
                    status: int | str = http.get(
                        f"{self.server.url}/healthz", timeout=ALEXA_TIMEOUT_S
                    ).status_code
                except requests.Timeout:
                    status = "timeout"
                except requests.RequestException:
                    status = "no answer"
                latency = time.perf_counter() - started
                self.recorder.add(Sample("healthz", phase, latency, status, sent))


def run_phase(
    stage: Stage,
    phase: str,
    seconds: float,
    people: list[Person],
    extra: list[threading.Thread],
    fault: Fault | None = None,
) -> None:
    """People (and any extra load) run for `seconds`; then a fault's window closes, and only
    then are the threads joined, so a request stuck on the fault ends when the fault does."""
    stage.phase = phase
    stage.stop.clear()
    threads = [threading.Thread(target=p.run, name=f"person-{i}") for i, p in enumerate(people)]
    threads += extra
    for thread in threads:
        thread.start()
    try:
        time.sleep(seconds)
    finally:
        stage.stop.set()
        if fault is not None:
            fault.stop()
            stage.lifted_at = time.monotonic()
            stage.phase = "recovery"  # the probe's view; requests keep the phase they were sent in
    for thread in threads:
        thread.join(timeout=ALEXA_TIMEOUT_S + 5)


def run_fault(fault: Fault, timing: Timing | None = None, people: int = 8) -> FaultResult:
    """Stage `fault` against a fresh server; a fault this machine cannot stage is skipped."""
    timing = timing or Timing()
    result = FaultResult(fault.name, saves_blocked=fault.saves_blocked)
    prefix = f"amzn1.ask.account.CHAOS-{uuid.uuid4().hex[:8]}-"
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hc-chaos-")))
        try:
            fault.prepare(workdir, stack)
        except FaultUnavailable as exc:
            result.skipped = str(exc)
            return result
        settings = SettingsApi(time_zone="Europe/Berlin")
        stack.callback(settings.close)
        server = stack.enter_context(ServerProcess(fault.server_spec(pg.free_port()), workdir))
        stage, recorder = Stage(), Recorder()
        persons = [
            Person(
                server.url,
                new_builder(f"{prefix}{n}", settings.url),
                stage,
                recorder,
                fault.signer(),
            )
            for n in range(people)
        ]
        with Probe(server, stage, recorder) as probe:
            run_phase(stage, "warm-up", timing.warm_up, persons, [])
            result.saved_before = read_holds(fault.database_url(), prefix)
            for person in persons:
                person.builder.api_endpoint = fault.api_endpoint() or settings.url
            stage.phase = "fault"
            fault.start()
            load = fault.load(server.url, stage, recorder)
            run_phase(stage, "fault", timing.fault, persons, load, fault)
            for person in persons:
                person.builder.api_endpoint = settings.url
            run_phase(stage, "recovery", timing.recovery, persons, [])
            stage.phase = "end"
        probe.threads["end"] = server.worker_threads()
        result.saved_after = read_holds(fault.database_url(), prefix)
        result.samples = recorder.samples
        result.lifted_at = stage.lifted_at
        result.worker_threads = dict(probe.threads)
        for person in persons:
            result.finished.update(person.finished)
            person.http.close()
        result.tracebacks = server.tracebacks()
    return result
