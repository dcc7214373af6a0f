"""Bench-only launcher: serves the skill with verification ON against a local test CA, the plain
ask-sdk-core skill (bench/sdk_app.py), the reference app, or `--dev` with its SQLite calls
skipped (bench/nosqlite.py), under exactly the gunicorn settings `hamstring-coach serve` uses.

    python -m bench.serve skill|reference|sdk|dev-nosqlite --port P --workers N

Trusting the local CA is done here, by building the app with its own RequestVerifier (trust
roots and certificate fetcher from BENCH_ROOT_PEM / BENCH_CHAIN_PEM); production code paths and
`hamstring-coach serve` are untouched and still trust only the public roots.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cryptography import x509
from flask import Flask

from skill.config import Config
from skill.logs import configure_logging
from skill.web.server import SkillServer, gunicorn_options


def local_ca_skill_app(config: Config) -> Flask:
    from skill.alexa.verification import RequestVerifier
    from skill.web.app import create_app

    root = x509.load_pem_x509_certificate(Path(os.environ["BENCH_ROOT_PEM"]).read_bytes())
    chain = Path(os.environ["BENCH_CHAIN_PEM"]).read_bytes()
    verifier = RequestVerifier(
        skill_id=config.skill_id, trust_roots=[root], fetcher=lambda url: chain
    )
    return create_app(config, verifier=verifier)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.serve")
    parser.add_argument("app", choices=("skill", "reference", "sdk", "dev-nosqlite"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    config = Config.from_env(verify_requests=args.app != "dev-nosqlite")
    configure_logging(config.log_level)
    if args.app == "skill":
        app = local_ca_skill_app(config)
    elif args.app == "dev-nosqlite":
        from bench.nosqlite import create_nosqlite_app

        app = create_nosqlite_app(config)
    elif args.app == "sdk":
        from bench.sdk_app import create_sdk_app

        app = create_sdk_app()
    else:
        from bench.reference_app import create_reference_app

        app = create_reference_app()
    options = gunicorn_options(
        host="127.0.0.1", port=args.port, workers=args.workers, log_level=config.log_level
    )
    SkillServer(app, options).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
