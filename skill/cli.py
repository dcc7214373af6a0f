"""`hamstring-coach`: serve the skill, check the content, render audio."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any

from skill.config import Config, ConfigError
from skill.logs import configure_logging

log = logging.getLogger("skill.cli")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_problem(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on host:port, found by binding as it does; None if it can.

    gunicorn would retry a busy port five times, logging a JSON line each time, then exit 1;
    one sentence before it starts is clearer. (Another process could still take the port in
    between; gunicorn then fails as before.)
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            sock.bind((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"port {port} on {host} is already in use (another `hamstring-coach serve`?); "
                f"stop that process or choose another port with --port."
            )
        if exc.errno == errno.EACCES:
            return f"no permission to listen on port {port} on {host}; use a port above 1023."
        reason = exc.strerror or str(exc)
        return f"cannot listen on {host} port {port}: {reason}."
    return None


def _banner(text: str) -> None:
    line = "!" * 78
    print(f"{line}\n{text}\n{line}", file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the skill under gunicorn; verification on unless --dev (loopback only)."""
    overrides: dict[str, Any] = {"verify_requests": not args.dev}
    if args.accept_any_skill:
        overrides["accept_any_skill"] = True
    try:
        config = Config.from_env(**overrides)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = config.skill_id_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    configure_logging(config.log_level)
    if args.dev and not is_loopback(args.host):
        print(
            f"error: --dev turns request verification off, so it only listens on a "
            f"loopback address (127.0.0.1, ::1, localhost), not {args.host!r}.",
            file=sys.stderr,
        )
        return 2
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args.dev:
        _banner(
            "DEV MODE: Alexa request verification is OFF. Anyone who can reach this port\n"
            "can call the skill. Never expose it; in production run `hamstring-coach serve`\n"
            "without --dev."
        )
    elif not config.skill_id:  # only with SKILL_ACCEPT_ANY_SKILL / --accept-any-skill
        _banner(
            "WARNING: SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on, so requests for\n"
            "ANY Alexa skill id are accepted. Set SKILL_ID to your skill's id\n"
            "(amzn1.ask.skill....) in production."
        )
    from skill.web.server import run_server

    return run_server(config, host=args.host, port=args.port, workers=args.workers)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the content files and the interaction model, as a content owner would.

    The checks are the doctor's (skill.doctor.content), printed as a content owner reads them:
    "... ok: ..." on stdout, errors and warnings on stderr."""
    from skill.doctor.content import content_checks
    from skill.doctor.report import FAIL, OK, WARN

    for check in content_checks():
        if check.status == FAIL:
            print(f"{check.name} error: {check.detail}", file=sys.stderr)
            return 1
        if check.status == WARN:
            print(f"warning: {check.name}: {check.detail}; {check.advice}", file=sys.stderr)
        elif check.status == OK:
            print(f"{check.name} ok: {check.detail}")
    return 0


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, except for flags and options whose help says what
    happens without them (a default of None, False or [])."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, []):
            return action.help
        return super()._get_help_string(action)


def port_number(text: str) -> int:
    """argparse type: a TCP port, 1-65535."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1-65535, not {port}")
    return port


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hamstring-coach",
        description="Hamstring Coach: an Alexa skill that guides hamstring stretches.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser(
        "serve",
        help="serve the skill over HTTP (POST /alexa, GET /healthz)",
        description="Serve the skill over HTTP under gunicorn: POST /alexa for Alexa, "
        "GET /healthz for monitoring. Settings come from the environment (SKILL_ID, "
        "SKILL_DATABASE_URL, ...); see the README.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)"
    )
    serve.add_argument("--port", type=port_number, default=8000, help="TCP port to listen on")
    serve.add_argument(
        "--workers",
        type=positive_int,
        default=2,
        help="gunicorn worker processes (4 threads each)",
    )
    serve.add_argument(
        "--dev",
        action="store_true",
        help="turn Alexa request verification off, for the simulator and local tests "
        "(loopback hosts only); off unless given",
    )
    serve.add_argument(
        "--accept-any-skill",
        action="store_true",
        help="serve without SKILL_ID, answering requests for any Alexa skill id (as "
        "SKILL_ACCEPT_ANY_SKILL=1 does); without it, serve refuses to start without SKILL_ID "
        "unless --dev is given",
    )
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser(
        "check",
        help="validate content files and the interaction model",
        description="Validate the content files and the interaction model, as a content "
        "owner would before a release.",
    )
    check.set_defaults(func=cmd_check)

    from skill.audio.cli import add_commands as add_audio_commands

    add_audio_commands(sub)

    from skill.simulator.cli import add_commands  # chat, say: the local simulator

    add_commands(sub)

    from skill.publish.cli import add_commands as add_publish_commands

    add_publish_commands(sub)
    from skill.doctor.cli import add_commands as add_doctor_commands

    add_doctor_commands(sub)
    from skill.web.retention_cli import add_commands as add_retention_commands

    add_retention_commands(sub)  # forget-inactive
    from skill.preview.images import add_commands as add_image_commands

    add_image_commands(sub)  # build-images
    from skill.preview.cli import add_commands as add_preview_commands

    add_preview_commands(sub)  # preview-screens
    # the audio commands format their own help
    for name in (
        "serve",
        "check",
        "chat",
        "say",
        "package",
        "doctor",
        "forget-inactive",
        "build-images",
    ):
        sub.choices[name].formatter_class = HelpFormatter
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], Any] = args.func
    return int(func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
