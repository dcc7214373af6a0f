"""In-process time per request by stage, on the same mix, with the same verifier setup as the
served skill: deserialize (JSON parse + model objects), verify, handler, persistence, serialize."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.datastructures import EnvironHeaders

from bench.mix import Pki, read_mix
from tests.builders import APP_ID

STAGES = ("deserialize", "verify", "handler", "persistence", "serialize")
_STORE_METHODS = (  # every ProgressStore method a request can reach
    "load",
    "save",
    "get_profile",
    "summary",
    "delete_user",
)


def _timed(method: Callable[..., Any], bucket: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            bucket[0] += time.perf_counter() - started

    return wrapper


def measure_stages(tmp: Path, pki: Pki, mix_path: Path, passes: int) -> dict[str, list[float]]:
    """Seconds per request for each stage; the first pass over the mix only warms up."""
    from cryptography import x509

    from skill.alexa.verification import RequestVerifier
    from skill.config import Config
    from skill.web.app import parse_envelope

    config = Config(skill_id=APP_ID, database_url=f"sqlite:///{tmp}/stages.db")
    root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
    chain = pki.chain_pem.read_bytes()
    verifier = RequestVerifier(skill_id=APP_ID, trust_roots=[root], fetcher=lambda url: chain)
    from skill.web.app import create_app

    app = create_app(config, verifier=verifier)
    endpoint = app.extensions["alexa_endpoint"]
    store = app.extensions["progress_store"]
    persistence = [0.0]
    for name in _STORE_METHODS:
        if hasattr(store, name):
            setattr(store, name, _timed(getattr(store, name), persistence))
    # Headers as Flask hands them over when served: Werkzeug's view of the WSGI environ.
    mix = [
        (EnvironHeaders({"HTTP_" + k.upper().replace("-", "_"): v for k, v in h.items()}), body)
        for h, body in read_mix(mix_path)
    ]
    samples: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for run in range(passes + 1):
        for headers, body in mix:
            persistence[0] = 0.0
            t0 = time.perf_counter()
            envelope = parse_envelope(body)
            t1 = time.perf_counter()
            verifier.verify(headers, body, envelope)
            t2 = time.perf_counter()
            request_envelope = endpoint.decode(body, envelope)
            t3 = time.perf_counter()
            response_envelope = endpoint.invoke(request_envelope)
            t4 = time.perf_counter()
            endpoint.encode(response_envelope)
            t5 = time.perf_counter()
            if run == 0:
                continue
            samples["deserialize"].append((t1 - t0) + (t3 - t2))
            samples["verify"].append(t2 - t1)
            samples["handler"].append(t4 - t3 - persistence[0])
            samples["persistence"].append(persistence[0])
            samples["serialize"].append(t5 - t4)
    return samples


def stage_lines(samples: dict[str, list[float]]) -> list[str]:
    lines = ["stage          mean_us   p50_us   share"]
    means = {stage: statistics.fmean(values) for stage, values in samples.items()}
    total = sum(means.values())
    for stage, values in samples.items():
        lines.append(
            f"{stage:<13}{means[stage] * 1e6:>9.0f}{statistics.median(values) * 1e6:>9.0f}"
            f"{means[stage] / total:>8.0%}"
        )
    lines.append(f"{'total':<13}{total * 1e6:>9.0f}")
    return lines


HISTORY_DAYS = (1, 30, 365, 1000)


def measure_history(tmp: Path, repeats: int = 200) -> dict[int, float]:
    """Median seconds of a launch's read (`ProgressStore.load`: profile and summary) for people
    who stretched every day for 1, 30, 365 and 1000 days. The benchmark's users are one day old,
    but a clinic's regulars are not: this is the read that grows with them."""
    from datetime import date, timedelta

    from skill.store.progress_store import ProgressStore

    store = ProgressStore(f"sqlite:///{tmp}/history.db")
    today = date(2026, 11, 26)
    medians: dict[int, float] = {}
    try:
        for days in HISTORY_DAYS:
            user = f"amzn1.ask.account.HISTORY{days:05d}{'A' * 160}"
            for back in range(days):
                store.save(user, day=today - timedelta(days=back), holds=6, sessions=1)
            store.load(user, today)
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                store.load(user, today)
                times.append(time.perf_counter() - started)
            medians[days] = statistics.median(times)
    finally:
        store.close()
    return medians


def history_line(medians: dict[int, float]) -> str:
    parts = ", ".join(f"{days} d {seconds * 1e6:.0f} us" for days, seconds in medians.items())
    return f"launch read (store.load) of a person who stretched every day for: {parts}"
