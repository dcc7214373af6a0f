"""`hamstring-coach chat`, `say` and `nlu-eval`: the simulator on the command line.

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
    from skill.simulator.exchange import Exchange
    from skill.simulator.nlu.evaluation import Classify

DEFAULT_CORPUS = Path("tests/nlu_corpus/corpus.yaml")  # relative to the current directory


def add_commands(sub: Any) -> None:
    """Register `chat`, `say` and `nlu-eval` on the main parser's subcommands."""
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

    nlu_eval = sub.add_parser(
        "nlu-eval",
        help="score the NLU on a corpus of labelled utterances (docs/nlu-eval.md)",
        description="For each corpus utterance: the intent a strict exact match against the "
        "model reaches (Alexa's lower bound) and the one the simulator's NLU reaches, and "
        "whether the kind of answer is right. Exit status 1 on a missed or false emergency.",
    )
    nlu_eval.add_argument(
        "--corpus",
        action="append",
        type=Path,
        metavar="PATH",
        help=f"corpus YAML (repeatable; default: {DEFAULT_CORPUS})",
    )
    nlu_eval.add_argument(
        "--model", type=Path, metavar="PATH", help="interaction model (default: en-US)"
    )
    nlu_eval.add_argument("--top", type=int, default=10, help="confusion pairs to list")
    nlu_eval.add_argument("--json", action="store_true", help="print one JSON object")
    nlu_eval.set_defaults(func=cmd_nlu_eval)


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
    from skill.simulator.display import DEFAULT_DEVICE, RUNTIME_MAX_VERSION, device_names

    parser.add_argument(
        "--device",
        default=DEFAULT_DEVICE,
        choices=device_names(),
        metavar="DEVICE",
        help="the device to be (default: %(default)s), without a screen, or one with a screen "
        "that reports the skill's APL screens (a touch screen takes typed taps, '[tap pause]'): "
        f"{', '.join(n for n in device_names() if n != DEFAULT_DEVICE)}",
    )
    parser.add_argument(
        "--apl-max-version",
        default=RUNTIME_MAX_VERSION,
        metavar="VERSION",
        help="with a screen: the APL version its runtime reports (an older device's, e.g. 1.1, "
        "gets no screen from the skill if its documents need more)",
    )
    _reminder_options(parser)


def _reminder_options(parser: argparse.ArgumentParser) -> None:
    """The Reminders API stand-in and Alexa's permission prompt (docs/reminders.md)."""
    from skill.simulator.reminder_modes import FAILURES, Permission

    parser.add_argument(
        "--reminders-permission",
        default=Permission.ASK.value,
        choices=[p.value for p in Permission],
        help="the reminders permission the Alexa account holds at the start; ask: never "
        "asked, and 'yes' to Alexa's own prompt grants it (default: %(default)s)",
    )
    parser.add_argument(
        "--no-voice-consent",
        action="store_true",
        help="be a device on which Alexa cannot ask for a permission by voice: she answers "
        "the skill's request at once with a non-200 status",
    )
    parser.add_argument(
        "--reminders-api-fails",
        choices=FAILURES,
        metavar="{" + ",".join(FAILURES) + "}",
        help="the Reminders API stand-in answers every call with this HTTP status, or too late "
        "(timeout); in a chat, '[reminders fail 429]' and '[reminders ok]' change it",
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
        "apl": exchange.screen.record() if exchange.screen is not None else None,
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


def skill_triage() -> Classify:
    """The skill's own triage (skill.core.triage) as the evaluation calls it.

    Imported here, not at start-up: only `nlu-eval` needs it.
    """
    from skill.core.content import load_content
    from skill.core.triage import Frame

    triage = load_content().triage

    def classify(text: str, frame: str) -> tuple[str, str]:
        verdict = triage.classify(text, Frame(frame))
        return verdict.category.value, verdict.answer

    return classify


def _nlu_eval(args: argparse.Namespace) -> int:
    """Score the NLU on the corpus; 1 on a missed or false emergency, 2 on bad input."""
    import yaml

    from skill.resources import interaction_model_path
    from skill.simulator.nlu import Recognizer, load_model
    from skill.simulator.nlu.evaluation import (
        CorpusError,
        evaluate,
        load_kind_table,
        parse_corpus,
        summarize,
    )
    from skill.simulator.nlu.evaluation_report import format_report, summary_json

    table = load_kind_table()
    corpus = []
    for path in args.corpus or [DEFAULT_CORPUS]:
        if not path.is_file():
            hint = "" if args.corpus else " (run from the project's checkout or pass --corpus)"
            print(f"error: no corpus at {path}{hint}", file=sys.stderr)
            return 2
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            corpus.extend(parse_corpus(data, str(path), table.kinds))
        except (yaml.YAMLError, CorpusError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    model_path = args.model or interaction_model_path("en-US")
    try:
        recognizer = Recognizer(load_model(model_path))
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot read the interaction model {model_path}: {exc}", file=sys.stderr)
        return 2
    try:
        classify = skill_triage()
    except (ImportError, AttributeError) as exc:
        print(
            f"error: the skill's triage (skill.core.triage) is not available: {exc}",
            file=sys.stderr,
        )
        return 2
    summary = summarize(evaluate(corpus, recognizer, classify, table), table, top=args.top)
    if args.json:
        print(json.dumps(summary_json(summary), indent=2, ensure_ascii=False))
    else:
        print(format_report(summary))
    return 1 if summary.failed else 0


cmd_say = _quiet_broken_pipe(_say)
cmd_nlu_eval = _quiet_broken_pipe(_nlu_eval)
cmd_chat = _quiet_broken_pipe(_chat)
