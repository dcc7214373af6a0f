"""`hamstring-coach chat` and `hamstring-coach say`: the simulator on the command line.

Registered by `add_commands` so skill/cli.py needs one line for it. Heavy imports (the skill,
the NLU, audio) happen inside the commands, so `hamstring-coach --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skill.simulator.device import Exchange


def add_commands(sub: Any) -> None:
    """Register `chat` and `say` on the main parser's subcommands."""
    chat = sub.add_parser(
        "chat",
        help="talk to the skill without an Echo, typed or spoken",
        description="Talk to the skill as an Echo would: each line you type (or say) is an "
        "utterance, a blank line is silence, 'quit' leaves. Answers print as text, or in real "
        "time, and/or are spoken.",
    )
    _common_options(chat)
    chat.add_argument(
        "--realtime",
        action="store_true",
        help="print each cue when a device would play it, waiting through holds and pauses",
    )
    chat.add_argument("--speak", action="store_true", help="say the answers aloud (espeak-ng)")
    chat.add_argument(
        "--listen", action="store_true", help="speak instead of typing (microphone, pocketsphinx)"
    )
    chat.add_argument(
        "--listen-file",
        action="append",
        type=Path,
        default=[],
        metavar="WAV",
        help="recorded utterance to use as voice input (repeatable, in order)",
    )
    chat.add_argument(
        "--json",
        action="store_true",
        help="for scripts: one JSON object per input line (JSON Lines) and nothing else on "
        "stdout (the fields: README, chat --json)",
    )
    chat.set_defaults(func=cmd_chat)

    say = sub.add_parser(
        "say",
        help="send one utterance to the skill and print the answer",
        description="Send one utterance to the skill in a new session and print the answer.",
    )
    say.add_argument("text", help='what you\'d say, e.g. "ask hamstring coach for the number"')
    _common_options(say)
    say.add_argument(
        "--json", action="store_true", help="print intent, slots, request and full response as JSON"
    )
    say.set_defaults(func=cmd_say)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help="a running skill endpoint (e.g. http://127.0.0.1:8000/alexa, from "
        "`serve --dev`); without it, the skill runs in this process",
    )
    parser.add_argument(
        "--locale",
        default="en-US",
        help="request locale; interaction_model/<locale>.json must exist",
    )


# --- say ----------------------------------------------------------------------------------


def exchange_json(exchange: Exchange) -> dict[str, Any]:
    """What `say --json` prints: recognition, request summary, full response, the text."""
    from skill.simulator.envelopes import summary
    from skill.simulator.turn_json import nlu_record

    rec = exchange.recognition
    request = exchange.request
    return {
        "utterance": exchange.utterance,
        "intent": rec.intent if rec else None,
        "slots": {
            name: {"value": slot.value, "resolution": slot.resolution}
            for name, slot in (rec.slots if rec else {}).items()
        },
        "nlu": nlu_record(rec),
        "request": summary(request) if request else None,
        "response": exchange.response,
        "text": exchange.text,
    }


def _quiet_broken_pipe(command: Callable[[argparse.Namespace], int]) -> Callable[..., int]:
    """`hamstring-coach chat | head` must not end in a traceback when head stops reading."""

    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except BrokenPipeError:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # Python flushes stdout again at exit
            return 0

    run.__doc__ = command.__doc__
    return run


def _say(args: argparse.Namespace) -> int:
    """Send one utterance in a new session and print the answer (or JSON)."""
    from skill.simulator.transport import TransportError
    from skill.simulator.wiring import open_device

    with ExitStack() as stack:
        try:
            device = open_device(args, stack)
            exchange = device.say(args.text)
        except (TransportError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(exchange_json(exchange), indent=2, ensure_ascii=False))
        else:
            print(exchange.text)
    return 0


def _chat(args: argparse.Namespace) -> int:
    """The REPL on this terminal (or on piped lines)."""
    if args.json:
        from skill.simulator.turn_json import run_json_chat

        return run_json_chat(args, sys.stdin, sys.stdout)
    from skill.simulator.chat import run_chat

    return run_chat(args, sys.stdin, sys.stdout)


cmd_say = _quiet_broken_pipe(_say)
cmd_chat = _quiet_broken_pipe(_chat)
