"""`build-audio` and `render-session`: the audio commands of `hamstring-coach`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from skill.config import audio_dir_from_env

ENGINES = ("auto", "gtts", "espeak")


def cmd_build_audio(args: argparse.Namespace) -> int:
    """Render every clip the content needs; clips that did not change are not rendered again."""
    from skill.audio.build import WouldReplace, build_audio
    from skill.audio.tts import TTSUnavailable

    out = Path(args.out) if args.out else audio_dir_from_env()
    try:
        report = build_audio(out, engine=args.engine, force=args.force)
    except WouldReplace as exc:
        print(f"error: {exc}", file=sys.stderr)
        print(
            "hint: build again when gTTS is reachable; or --engine espeak to replace them; "
            "or --out DIR to build into another folder",
            file=sys.stderr,
        )
        return 1
    except TTSUnavailable as exc:
        print(f"error: {args.engine} cannot speak here: {exc}", file=sys.stderr)
        print("hint: --engine espeak works offline (apt install espeak-ng)", file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"error: could not render audio: {exc}", file=sys.stderr)
        return 1
    print(report.summary())
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def cmd_render_session(args: argparse.Namespace) -> int:
    """One MP3 of a whole guided session, for people without a smart speaker."""
    from skill.audio.session import render_session
    from skill.audio.tts import TTSUnavailable
    from skill.core.content import load_content

    out = Path(args.out)
    if out.is_dir():
        print(f"error: --out {out} is a directory; name the MP3 file to write", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"error: no such directory: {out.parent} (create it first)", file=sys.stderr)
        return 2
    content = load_content()
    settings = content.routine
    if args.hold is not None and not (
        settings.hold_seconds_min <= args.hold <= settings.hold_seconds_max
    ):
        print(
            f"error: --hold must be {settings.hold_seconds_min} to "
            f"{settings.hold_seconds_max} seconds",
            file=sys.stderr,
        )
        return 2
    try:
        report = render_session(content, args.stretch, out, args.engine, args.hold)
    except TTSUnavailable as exc:
        print(f"error: {args.engine} cannot speak here: {exc}", file=sys.stderr)
        return 1
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"error: could not render the session: {exc}", file=sys.stderr)
        return 1
    note = f" ({report.engine_note})" if report.engine_note else ""
    print(
        f"{report.path}: {report.stretch}, {report.holds} holds, "
        f"{report.real_ms / 60000:.1f} min ({report.real_ms / 1000:.1f} s; layout says "
        f"{report.expected_ms / 1000:.1f} s), {report.bytes / 1e6:.1f} MB, "
        f"engine {report.engine}{note}, {report.render_seconds:.1f} s"
    )
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def stretch_name(value: str) -> str:
    """A --stretch value: a name the skill uses, or `supine` (the lying stretch's id)."""
    from skill.audio.session import STRETCH_CHOICES, STRETCH_NAMES

    name = value.strip().lower()
    if name not in STRETCH_NAMES:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {value!r} (choose from {', '.join(STRETCH_CHOICES)})"
        )
    return "lying" if name == "supine" else name


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    build = sub.add_parser(
        "build-audio",
        help="render the hold clips, the get-ready count and chimes (MP3 + manifest.json)",
    )
    build.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="gtts (Google), espeak (offline), or auto: gTTS, else espeak-ng with a note",
    )
    build.add_argument(
        "--out",
        default=None,
        help="output directory (default: SKILL_AUDIO_DIR, else audio/ in a checkout or the "
        "user data directory for an installed package)",
    )
    build.add_argument("--force", action="store_true", help="render every clip again")
    build.set_defaults(func=cmd_build_audio)

    session = sub.add_parser(
        "render-session", help="write a whole guided session as one MP3 (no Echo needed)"
    )
    session.add_argument(
        "--stretch",
        type=stretch_name,
        metavar="{seated,lying,full}",
        required=True,
        help="seated (on a chair), lying (on your back with a strap) or full (both)",
    )
    session.add_argument("--out", required=True, help="the MP3 file to write")
    session.add_argument("--engine", choices=ENGINES, default="auto")
    session.add_argument("--hold", type=int, default=None, help="hold length in seconds")
    session.set_defaults(func=cmd_render_session)
