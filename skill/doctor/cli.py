"""`hamstring-coach doctor`: the command line of the install checks."""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlsplit

from skill.doctor.clock import DEFAULT_NTP_SERVER, parse_server
from skill.doctor.report import exit_status, render_json, render_text
from skill.doctor.trust import ca_problem


def ntp_server(text: str) -> str:
    """argparse type: HOST or HOST:PORT."""
    try:
        parse_server(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not HOST or HOST:PORT: {text!r}") from None
    return text


def url(text: str) -> str:
    """argparse type: a URL that parses, with a valid port (whether it is the right URL is
    the checks' business: an http:// endpoint is a FAIL with advice, not a usage error)."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid URL: {exc}") from None
    if not parts.scheme or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL like https://HOST/alexa")
    return text


def ca_file(text: str) -> str:
    """argparse type: a PEM file of CA certificates that loads (tried in a throwaway context)."""
    problem = ca_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(f"{text}: not a readable PEM CA file ({problem})")
    return text


def cmd_doctor(args: argparse.Namespace) -> int:
    # Imported here: building the parser (every `hamstring-coach serve`) must not load the
    # checks' HTTP and NTP clients into the server's workers.
    from skill.doctor.runner import Options, run_checks

    options = Options(
        url=args.url,
        offline=args.offline,
        ntp_server=args.ntp_server,
        ca_file=args.ca_file,
        privacy_url=args.privacy_url,
        terms_url=args.terms_url,
    )
    checks = run_checks(options)
    print(render_json(checks) if args.json else render_text(checks))
    return exit_status(checks)


def add_commands(sub: Any) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check this install: settings, database, content, audio, clock, endpoint",
        description="Check an install from the operator's side and say what to do about "
        "each problem: configuration, SKILL_ID, the database (reachable, current schema, "
        "writable), content and interaction model, audio clips, the clock, and with --url the "
        "public HTTPS endpoint. Exit status 0 when nothing failed, 1 otherwise. "
        "See docs/doctor.md.",
    )
    doctor.add_argument(
        "--url",
        type=url,
        help="the public endpoint as in the developer console (https://HOST/alexa): checks "
        "HTTPS, its certificate, that unsigned requests get 400, /healthz, /privacy and "
        "/terms; without it the endpoint is not checked",
    )
    doctor.add_argument(
        "--offline",
        action="store_true",
        help="no network: skip the NTP query and the endpoint checks",
    )
    doctor.add_argument(
        "--ntp-server",
        type=ntp_server,
        default=DEFAULT_NTP_SERVER,
        help="time server (HOST or HOST:PORT) to measure the clock's offset against",
    )
    doctor.add_argument(
        "--ca-file",
        type=ca_file,
        help="PEM file of extra CA certificates to trust for --url (a self-signed test "
        "certificate); the system's and certifi's are always trusted",
    )
    for page in ("privacy", "terms"):
        doctor.add_argument(
            f"--{page}-url",
            type=url,
            help=f"where the skill package links the {page} page, if not at the endpoint's "
            f"origin (as given to `hamstring-coach package --{page}-url`); without it "
            f"https://HOST/{page}",
        )
    doctor.add_argument("--json", action="store_true", help="print the results as JSON")
    doctor.set_defaults(func=cmd_doctor)
