"""`hamstring-coach`: serve the skill, check the content, render audio."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
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


def _banner(text: str) -> None:
    line = "!" * 78
    print(f"{line}\n{text}\n{line}", file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the skill under gunicorn; verification on unless --dev (loopback only)."""
    try:
        config = Config.from_env(verify_requests=not args.dev)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.log_level)
    if args.dev:
        if not is_loopback(args.host):
            print(
                f"error: --dev turns request verification off, so it only listens on a "
                f"loopback address (127.0.0.1, ::1, localhost), not {args.host!r}.",
                file=sys.stderr,
            )
            return 2
        _banner(
            "DEV MODE: Alexa request verification is OFF. Anyone who can reach this port\n"
            "can call the skill. Never expose it; in production run `hamstring-coach serve`\n"
            "without --dev."
        )
    elif not config.skill_id:
        _banner(
            "WARNING: SKILL_ID is not set, so requests for ANY Alexa skill id are accepted.\n"
            "Set SKILL_ID to your skill's application id (amzn1.ask.skill....) in production."
        )
    from skill.web.server import run_server

    return run_server(config, host=args.host, port=args.port, workers=args.workers)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate the content files and the interaction model, as a content owner would."""
    from skill.core.content import ContentError, load_content

    try:
        content = load_content()
    except ContentError as exc:
        print(f"content error: {exc}", file=sys.stderr)
        return 1
    from skill.resources import interaction_model_path

    model = json.loads(interaction_model_path("en-US").read_text(encoding="utf-8"))
    language = model["interactionModel"]["languageModel"]
    samples = sum(len(i.get("samples", [])) for i in language["intents"])
    print(
        f"content ok: {len(content.stretches)} stretches, {len(content.answers)} answers, "
        f"{len(content.phrases.keys())} phrases, {len(content.clinic)} phone numbers"
    )
    print(
        f"interaction model ok: invocation {language['invocationName']!r}, "
        f"{len(language['intents'])} intents, {samples} sample utterances"
    )
    _check_audio_manifest(content)
    return 0


def _check_audio_manifest(content: Any) -> None:
    """The committed manifest should describe the clips of this content (a warning if not)."""
    from collections import Counter

    from skill.audio.clips import clip_specs
    from skill.resources import audio_manifest_path
    from skill.voice.manifest import load_manifest

    manifest = load_manifest(audio_manifest_path().parent)
    specs = clip_specs(content)
    stale = [
        s.id
        for s in specs
        if (entry := manifest.clip(s.id)) is None or entry.key != s.key(entry.engine)
    ]
    engines = Counter(e.engine for e in manifest.clips.values())
    by_engine = ", ".join(f"{n} {engine}" for engine, n in sorted(engines.items()))
    if stale:
        print(
            f"warning: audio manifest: {len(stale)} of {len(specs)} clips missing or out of "
            f"date for this content (first: {stale[0]}); run build-audio and commit "
            f"audio/manifest.json",
            file=sys.stderr,
        )
    else:
        print(f"audio manifest ok: {len(manifest.clips)} clips ({by_engine}), current")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hamstring-coach",
        description="Hamstring Coach: an Alexa skill that guides hamstring stretches.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the skill over HTTP (POST /alexa, GET /healthz)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument(
        "--dev",
        action="store_true",
        help="turn Alexa request verification off (loopback hosts only)",
    )
    serve.set_defaults(func=cmd_serve)

    check = sub.add_parser("check", help="validate content files and the interaction model")
    check.set_defaults(func=cmd_check)

    from skill.audio.cli import add_commands as add_audio_commands

    add_audio_commands(sub)

    from skill.simulator.cli import add_commands  # chat, say: the local simulator

    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], Any] = args.func
    return int(func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
