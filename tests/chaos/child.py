"""The server under test, as a child process: `python -m tests.chaos.child SPEC.json`.

It applies the faults that can only live inside the server process (how host names resolve),
builds the real app with `create_app` and serves it with the real gunicorn settings
(`SkillServer` + `gunicorn_options`, one gthread worker) — only interfaces that existed before
issue 17's fixes, so the same harness measures the code before and after them.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: How long a name lookup of an "unresolvable" host takes before it fails: what the audit saw
#: (a resolver that times out after 5 s).
SLOW_LOOKUP_SECONDS = 5.0
#: The verifier's allowed clock skew in the child: the simulated devices' clocks run ahead of the
#: wall clock by what each response plays (minutes a request), so the check against the server's
#: clock is widened; everything else about verification is the production code.
DEVICE_CLOCK_SKEW_SECONDS = 10 * 365 * 86400


@dataclass
class ServerSpec:
    """What the child needs; written as JSON by the harness."""

    port: int
    database_url: str
    #: host name -> loopback port: lookups of it answer 127.0.0.1 and that port
    host_map: dict[str, int] = field(default_factory=dict)
    #: host names whose lookup takes SLOW_LOOKUP_SECONDS and then fails
    slow_hosts: list[str] = field(default_factory=list)
    #: production mode: the skill id and a PEM file of the trust roots; None is `--dev`
    skill_id: str | None = None
    trust_roots_pem: str | None = None
    #: extra environment for the child (e.g. REQUESTS_CA_BUNDLE)
    env: dict[str, str] = field(default_factory=dict)

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def read(cls, path: Path) -> ServerSpec:
        return cls(**json.loads(path.read_text()))


def patch_name_lookups(host_map: dict[str, int], slow_hosts: list[str]) -> None:
    """Route chosen host names to loopback ports, and make others resolve slowly and fail.
    urllib3 (the Settings API client, requests) resolves through socket.getaddrinfo, so this
    reaches the real clients; the worker forked by gunicorn inherits it."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name in slow_hosts:
            time.sleep(SLOW_LOOKUP_SECONDS)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if name in host_map:
            return real("127.0.0.1", host_map[name], *args, **kwargs)
        return real(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def make_verifier(spec: ServerSpec) -> Any:
    """The production RequestVerifier with the real certificate fetcher, trusting the test CA."""
    from cryptography import x509

    from skill.alexa.verification import RequestVerifier

    assert spec.trust_roots_pem is not None
    roots = x509.load_pem_x509_certificates(Path(spec.trust_roots_pem).read_bytes())
    return RequestVerifier(
        skill_id=spec.skill_id,
        trust_roots=roots,
        max_skew_seconds=DEVICE_CLOCK_SKEW_SECONDS,
    )


def serve(spec: ServerSpec) -> None:
    from skill.config import Config
    from skill.web.app import create_app
    from skill.web.server import SkillServer, gunicorn_options

    patch_name_lookups(spec.host_map, spec.slow_hosts)
    production = spec.trust_roots_pem is not None
    config = Config(
        skill_id=spec.skill_id,
        database_url=spec.database_url,
        verify_requests=production,
        log_level="WARNING",
    )
    verifier = make_verifier(spec) if production else None
    app = create_app(config, verifier=verifier)
    app.extensions["progress_store"].health()  # the schema, before the first request (as serve)
    options = gunicorn_options(host="127.0.0.1", port=spec.port, workers=1, log_level="WARNING")
    SkillServer(app, options).run()


if __name__ == "__main__":
    serve(ServerSpec.read(Path(sys.argv[1])))
