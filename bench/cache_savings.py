"""What each in-process cache saves per request on the benchmark's mix (docs/caches.md).

    python -m bench.cache_savings [--users 100] [--rounds 7]

The app is built as the benchmark builds it (verification on against the local test CA, SQLite,
APL-A, the Settings API stand-in) and logs at INFO to /dev/null, as served. Two measurements per
cache site, every other cache left as it is:

* calls: one pass over the mix records each call to the cached function with its arguments; the
  calls are then replayed through the cache (hits) and through the function it wraps (no cache),
  several rounds, medians. Saving per request = (uncached - cached) / requests in the pass. Tight
  loops of real arguments, so precise on a busy machine.
* end to end: `AlexaEndpoint.handle` (body, verify, decode, handlers, persistence, encode, log
  line) over the whole mix with the cache and without it, the two passes interleaved and their
  order alternated; the median over rounds of the paired difference per request. This catches
  what the replay cannot (e.g. an uncached value that later makes an equality check slower), but
  is noisy: differences of a few µs are within its noise. Two columns: the median over rounds
  of the paired difference, and the difference of each arm's fastest pass (interference from
  other work only ever adds time, so the minimum is the steadier estimate).

Times are CPU seconds of this process (`time.process_time`, every thread: the certificate
download thread and the Settings API stand-in count too), not wall time: on a machine shared
with other work, time spent waiting for a core is not the cache's doing.

Sites that no longer exist (a cache removed) are skipped. `--baseline N` prints only the
request's cost over N passes: run it in two checkouts, alternately, to see what removing caches
cost in total.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import io
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.mix import capture_conversation, make_pki, read_mix, start_settings_api, write_mix
from tests.builders import APP_ID


@dataclass
class Hook:
    """One attribute through which the code reaches a cached callable."""

    owner: Any
    name: str
    cached: Callable[..., Any]
    uncached: Callable[..., Any]
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)

    def off(self) -> None:
        setattr(self.owner, self.name, self.uncached)

    def on(self) -> None:
        setattr(self.owner, self.name, self.cached)

    def record(self) -> None:
        cached, calls = self.cached, self.calls

        def recording(*args: Any, **kwargs: Any) -> Any:
            calls.append((args, kwargs))
            return cached(*args, **kwargs)

        setattr(self.owner, self.name, recording)


@dataclass
class Site:
    name: str
    hooks: list[Hook]
    replay: bool = True  # False: end to end only (the cache is not a function call)


def _lru(owner: Any, name: str) -> Hook | None:
    cached = getattr(owner, name, None)
    uncached = getattr(cached, "__wrapped__", None)
    if cached is None or uncached is None:
        return None
    return Hook(owner, name, cached, uncached)


def _instance_lru(obj: Any, name: str, method: str) -> Hook | None:
    cached = getattr(obj, name, None)
    if cached is None or not hasattr(cached, "cache_info"):
        return None
    return Hook(obj, name, cached, getattr(obj, method))


def _kinds() -> tuple[type, ...]:
    from skill.alexa.api_client import TimeoutApiClient
    from skill.core.turns import Coach
    from skill.voice.render import SpeechRenderer

    return Coach, SpeechRenderer, TimeoutApiClient


def _instances() -> set[int]:
    kinds = _kinds()
    return {id(o) for o in gc.get_objects() if isinstance(o, kinds)}


def find_sites(app: Any, before: set[int]) -> list[Site]:
    """The cache sites of `app`, whose objects are the ones not in `before` (the conversation
    capture built an app of its own)."""
    from skill.alexa import api_client
    from skill.alexa.codec import ModelCodec
    from skill.core import routine, speech, timeline, turns
    from skill.core.turns import Coach
    from skill.voice import render
    from skill.voice.render import SpeechRenderer

    endpoint = app.extensions["alexa_endpoint"]
    objects = [o for o in gc.get_objects() if id(o) not in before]
    coach = next(o for o in objects if isinstance(o, Coach))
    renderer = next(o for o in objects if isinstance(o, SpeechRenderer))
    client = next(o for o in objects if isinstance(o, api_client.TimeoutApiClient))
    verifier = endpoint.verifier
    sites: list[Site] = []

    def add(name: str, *hooks: Hook | None, replay: bool = True) -> None:
        found = [h for h in hooks if h is not None]
        if found:
            sites.append(Site(name, found, replay))

    add("routine plan", _lru(routine, "plan"))
    add("parsed states", _lru(routine, "_parse_state"))
    transitions = (
        "start",
        "next_hold",
        "previous_hold",
        "pause",
        "resume",
        "start_over",
        "switch_legs",
    )
    add("seven transitions", *(_lru(routine, n) for n in transitions))
    add("hold parts", _instance_lru(coach, "_hold_parts", "_compose_hold"))
    add("SSML", _lru(speech, "_ssml"))
    add("APL-A documents", _instance_lru(renderer, "_document", "_build_document"))
    if "derived" in timeline.build_hold_timeline.__code__.co_names:  # kept with the content

        def timeline_uncached(content: Any, stretch: str, seconds: int, variant: int) -> Any:
            return timeline._build_hold_timeline(content, stretch, seconds, variant)

        add(
            "hold timelines",
            *(
                Hook(m, "build_hold_timeline", timeline.build_hold_timeline, timeline_uncached)
                for m in (turns, render)
            ),
        )
    from skill import logs

    add("user tags", _lru(logs, "_user_tag"))
    formatter = logging.getLogger().handlers[0].formatter
    if isinstance(getattr(type(formatter), "_second", None), tuple):

        def stamp_uncached(record: logging.LogRecord) -> str:
            second = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(record.created)))
            return f"{second}.{int(record.msecs):03d}Z"

        add(
            "log formatter's second",
            Hook(formatter, "_timestamp", formatter._timestamp, stamp_uncached),
        )
    try:  # before the split into skill.alexa.verification (docs/caches.md)
        verify = importlib.import_module("skill.alexa.verify")
    except ImportError:
        verify = importlib.import_module("skill.alexa.verification.cert_url")
    add("certificate URLs", _lru(verify, "_normalise_cert_url"))

    codec = endpoint.codec

    class PlanlessCodec(ModelCodec):
        """The codec with its plans thrown away before every request's decode and encode."""

        def decode(self, *args: Any, **kwargs: Any) -> Any:
            self._decoders.clear()
            self._builders.clear()
            return super().decode(*args, **kwargs)

        def encode(self, *args: Any, **kwargs: Any) -> Any:
            self._encoders.clear()
            return super().encode(*args, **kwargs)

    planless = PlanlessCodec()
    add("codec plans", Hook(endpoint, "codec", codec, planless), replay=False)
    add(
        "time zones (Settings API)",
        Hook(client, "time_zones", client.time_zones, api_client.SettingsCache(0, 1)),
        replay=False,
    )
    if verifier is not None:
        chains = getattr(verifier, "chains", verifier)  # the verifier itself before the split
        entries = "entries" if chains is not verifier else "_cache"
        cache = getattr(chains, entries)

        class NoChainCache(dict[str, Any]):
            """Forgets every chain: each request downloads (local fetcher), parses, validates."""

            def __setitem__(self, key: str, value: Any) -> None:
                pass

            def move_to_end(self, key: str) -> None:
                pass

        add(
            "certificate chains",
            Hook(chains, entries, cache, NoChainCache()),
            replay=False,
        )
    return sites


def environs(mix: list[tuple[dict[str, str], bytes]]) -> list[dict[str, Any]]:
    out = []
    for headers, body in mix:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/alexa",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        for key, value in headers.items():
            environ["HTTP_" + key.upper().replace("-", "_")] = value
        out.append(environ)
    return out


def one_pass(endpoint: Any, mix: list[tuple[dict[str, str], bytes]]) -> float:
    """CPU seconds per request, mean over one pass of the whole mix."""
    batch = environs(mix)
    statuses = []
    started = time.process_time()
    for environ in batch:
        statuses.append(endpoint.handle(environ))
    seconds = time.process_time() - started
    for status, payload in statuses:
        if status != 200:
            raise SystemExit(f"request failed: {status} {payload[:200]!r}")
    return seconds / len(batch)


def replay_seconds(hook: Hook, use_cache: bool, repeat: int = 5) -> float:
    """CPU seconds of one replay of the recorded calls (mean of `repeat` replays)."""
    fn = hook.cached if use_cache else hook.uncached
    started = time.process_time()
    for _ in range(repeat):
        for args, kwargs in hook.calls:
            fn(*args, **kwargs)
    return (time.process_time() - started) / repeat


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cache_savings")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--only", default="", help="comma-separated site names")
    parser.add_argument(
        "--baseline",
        type=int,
        default=0,
        help="only the request's cost, over this many passes (compare two checkouts)",
    )
    parser.add_argument(
        "--group",
        action="append",
        default=[],
        help="comma-separated site names also measured together, end to end (repeatable)",
    )
    args = parser.parse_args(argv)
    from cryptography import x509

    try:
        from skill.alexa.verification import RequestVerifier
    except ImportError:  # before the split
        from skill.alexa.verify import RequestVerifier  # type: ignore[no-redef]
    from skill.config import Config
    from skill.logs import configure_logging
    from skill.web.app import create_app

    configure_logging("INFO")
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the life of the process
    with tempfile.TemporaryDirectory(prefix="hamstring-caches-") as tmp_name:
        tmp = Path(tmp_name)
        api = start_settings_api()
        pki = make_pki(tmp)
        templates = capture_conversation(tmp, api.url)
        stamped = datetime.now(UTC)
        mix_path = tmp / "mix.txt"
        count = write_mix(mix_path, templates, args.users, pki.chain)
        mix = read_mix(mix_path)
        root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
        chain = pki.chain_pem.read_bytes()
        verifier = RequestVerifier(
            skill_id=APP_ID,
            trust_roots=[root],
            fetcher=lambda url: chain,
            clock=lambda: stamped,  # the mix stays fresh however long this runs
        )
        config = Config(skill_id=APP_ID, database_url=f"sqlite:///{tmp}/caches.db")
        before = _instances()
        app = create_app(config, verifier=verifier)
        endpoint = app.extensions["alexa_endpoint"]
        for _ in range(2):
            one_pass(endpoint, mix)  # warm: every cache, the database, the code paths
        sites = find_sites(app, before)
        by_name = {s.name: s for s in sites}
        for group in args.group:
            names = [n.strip() for n in group.split(",")]
            hooks = [h for n in names if n in by_name for h in by_name[n].hooks]
            sites.append(Site(" + ".join(names), hooks, replay=False))
        if args.only:
            wanted = {n.strip() for n in args.only.split(",")}
            sites = [s for s in sites if s.name in wanted or " + " in s.name]
        baseline = [one_pass(endpoint, mix) for _ in range(args.baseline or 3)]
        print(
            f"{count} requests ({args.users} users x 5), {args.rounds} rounds; in-process "
            f"request (AlexaEndpoint.handle, every cache on), CPU us: median "
            f"{statistics.median(baseline) * 1e6:.0f}, min {min(baseline) * 1e6:.0f}",
            flush=True,
        )
        if args.baseline:
            api.close()
            return 0
        print(
            f"{'site':<28}{'calls/req':>10}{'hit_us':>9}{'miss_us':>9}"
            f"{'saved_us/req':>13}{'e2e_saved_us/req':>18}{'e2e_min_diff':>14}"
        )
        for site in sites:
            line = f"{site.name:<28}"
            if site.replay:
                for hook in site.hooks:
                    hook.calls.clear()
                    hook.record()
                try:
                    one_pass(endpoint, mix)
                finally:
                    for hook in site.hooks:
                        hook.on()
                calls = sum(len(h.calls) for h in site.hooks)
                hits, misses = [], []
                for _ in range(args.rounds):
                    hits.append(sum(replay_seconds(h, True) for h in site.hooks))
                    misses.append(sum(replay_seconds(h, False) for h in site.hooks))
                hit, miss = statistics.median(hits), statistics.median(misses)
                per_call = max(calls, 1)
                line += (
                    f"{calls / count:>10.2f}{hit / per_call * 1e6:>9.2f}"
                    f"{miss / per_call * 1e6:>9.2f}{(miss - hit) / count * 1e6:>13.2f}"
                )
            else:
                line += f"{'':>10}{'':>9}{'':>9}{'':>13}"
            timings: dict[str, list[float]] = {"on": [], "off": []}
            for index in range(args.rounds):
                for arm in ("on", "off") if index % 2 == 0 else ("off", "on"):
                    for hook in site.hooks:
                        getattr(hook, arm)()
                    try:
                        timings[arm].append(one_pass(endpoint, mix))
                    finally:
                        for hook in site.hooks:
                            hook.on()
            diffs = [off - on for on, off in zip(timings["on"], timings["off"], strict=True)]
            least = min(timings["off"]) - min(timings["on"])
            line += f"{statistics.median(diffs) * 1e6:>18.1f}{least * 1e6:>14.1f}"
            print(line, flush=True)
        api.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
