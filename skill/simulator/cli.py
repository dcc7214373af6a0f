"""`hamstring-coach chat` and `hamstring-coach say`: the simulator on the command line.

Registered by `add_commands` so skill/cli.py needs one line for it. Heavy imports (the skill,
the NLU, audio) happen inside the commands, so `hamstring-coach --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from skill.simulator.device import Device, Exchange
    from skill.simulator.playback import Measure
    from skill.simulator.sound import Speaker

MODEL_DIR = Path(__file__).resolve().parents[2] / "interaction_model"
HELP = (
    "Type what you'd say to Alexa, e.g. 'open hamstring coach', 'start the seated stretch',\n"
    "'next', 'what's the phone number'. An empty line is silence (Alexa reprompts once, then\n"
    "closes the session). 'quit' to leave."
)


def add_commands(sub: Any) -> None:
    """Register `chat` and `say` on the main parser's subcommands."""
    chat = sub.add_parser("chat", help="talk to the skill without an Echo, typed or spoken")
    _common_options(chat)
    chat.add_argument(
        "--realtime", action="store_true", help="wait through holds and pauses as a device does"
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
    chat.set_defaults(func=cmd_chat)

    say = sub.add_parser("say", help="send one utterance to the skill and print the answer")
    say.add_argument("text", help='what you\'d say, e.g. "ask hamstring coach for the number"')
    _common_options(say)
    say.add_argument(
        "--json", action="store_true", help="print intent, slots, request and response as JSON"
    )
    say.set_defaults(func=cmd_say)


def _common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        help="a running skill endpoint (e.g. http://127.0.0.1:8000/alexa); default: "
        "the skill in this process",
    )
    parser.add_argument("--locale", default="en-US", help="request locale (default en-US)")


def open_device(
    args: argparse.Namespace, stack: ExitStack, measure: Measure | None = None
) -> Device:
    """Transport, envelopes and NLU for the chosen endpoint and locale (errors: ValueError)."""
    from skill.config import Config
    from skill.nlu import DEFAULT_SKILL_ID
    from skill.simulator.clips import ClipLookup
    from skill.simulator.device import Device, recognizer_for
    from skill.simulator.envelopes import EnvelopeFactory
    from skill.simulator.playback import estimate_measure
    from skill.simulator.settings_api import SettingsApi
    from skill.simulator.transport import HttpTransport, InProcessTransport, Transport

    model_path = MODEL_DIR / f"{args.locale}.json"
    if not model_path.is_file():
        have = ", ".join(sorted(p.stem for p in MODEL_DIR.glob("*.json")))
        raise ValueError(f"no interaction model for locale {args.locale!r} (have: {have})")
    config = Config.from_env(verify_requests=False)
    transport: Transport = HttpTransport(args.url) if args.url else InProcessTransport(config)
    api = stack.enter_context(SettingsApi())
    app_id = config.skill_id or DEFAULT_SKILL_ID
    factory = EnvelopeFactory(application_id=app_id, locale=args.locale, api_endpoint=api.url)
    recognizer = recognizer_for(model_path, app_id)
    return Device(transport, factory, recognizer, measure or estimate_measure(ClipLookup().ms))


# --- say ----------------------------------------------------------------------------------


def exchange_json(exchange: Exchange) -> dict[str, Any]:
    """What `say --json` prints: recognition, request summary, full response, the text."""
    from skill.simulator.envelopes import summary

    rec = exchange.recognition
    request = exchange.request
    return {
        "utterance": exchange.utterance,
        "intent": rec.intent if rec else None,
        "slots": {
            name: {"value": slot.value, "resolution": slot.resolution}
            for name, slot in (rec.slots if rec else {}).items()
        },
        "recognition": (
            {"method": rec.method, "score": round(rec.score, 3), "sample": rec.matched_sample}
            if rec
            else None
        ),
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


# --- chat ---------------------------------------------------------------------------------


class Chat:
    """Shows each exchange: as text at once, in real time, and/or aloud."""

    def __init__(
        self,
        device: Device,
        out: TextIO,
        *,
        realtime: bool = False,
        speaker: Speaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.device = device
        self.out = out
        self.realtime = realtime
        self.speaker = speaker
        self.sleep = sleep
        self.errors = 0

    def turn(self, text: str) -> bool:
        """Say `text`; False when the person has left."""
        from skill.simulator.transport import TransportError

        try:
            exchange = self.device.say(text)
        except TransportError as exc:
            self.errors += 1
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return True
        self.show(exchange)
        return not exchange.leave

    def show(self, exchange: Exchange) -> None:
        from skill.simulator.realtime import play_realtime
        from skill.simulator.render import render_text

        if exchange.note:
            print(f"({exchange.note})", file=self.out, flush=True)
        rendered = exchange.rendered
        if rendered is None:
            return
        if self.speaker is not None:
            path = self.speaker.start(rendered)
            if path is not None:
                print(f"  [audio written: {path}]", file=self.out, flush=True)
        try:
            if self.realtime:
                print("Alexa:", file=self.out, flush=True)
                play_realtime(rendered, self.out, self.sleep)
            else:
                print(render_text(rendered), file=self.out, flush=True)
            if self.speaker is not None:
                self.speaker.wait()
        finally:
            if self.speaker is not None:
                self.speaker.stop()

    def leave(self) -> None:
        """End an open session as a person walking away would (USER_INITIATED)."""
        if self.device.session.open:
            self.turn("quit")


def typed_lines(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """Lines from the keyboard (with a prompt) or a pipe (echoed, so transcripts read well)."""
    interactive = stdin.isatty()
    while True:
        if interactive:
            print("you> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return
        text = line.rstrip("\n")
        if not interactive:
            print(f"you> {text}", file=out, flush=True)
        yield text


def _chat(args: argparse.Namespace) -> int:
    """The REPL on this terminal (or on piped lines)."""
    return run_chat(args, sys.stdin, sys.stdout)


cmd_say = _quiet_broken_pipe(_say)
cmd_chat = _quiet_broken_pipe(_chat)


def run_chat(
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    from skill.simulator.transport import TransportError

    missing = [str(p) for p in args.listen_file if not p.is_file()]
    if missing:
        print(f"error: --listen-file: no such file {', '.join(missing)}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        speaker = None
        if args.speak:
            from skill.simulator.sound import Speaker

            speaker = Speaker()
        try:
            device = open_device(args, stack, speaker.synth if speaker else None)
        except (TransportError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        chat = Chat(device, out, realtime=args.realtime, speaker=speaker, sleep=sleep)
        where = device.transport.description
        print(f"Hamstring Coach simulator, talking to {where} ({args.locale}).", file=out)
        if speaker is not None and speaker.output.player is None:
            print(
                f"{speaker.output.reason}: each answer is written to {speaker.output.directory}",
                file=out,
            )
        try:
            utterances = _utterances(args, device, stdin, out)
            print(HELP, file=out, flush=True)
            for text in utterances:
                if not chat.turn(text):
                    break
            else:
                chat.leave()
        except KeyboardInterrupt:
            print(file=out)
            chat.leave()
        except (FileNotFoundError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            chat.leave()
            return 1
        print("Bye.", file=out, flush=True)
    return 1 if chat.errors else 0


def _utterances(
    args: argparse.Namespace, device: Device, stdin: TextIO, out: TextIO
) -> Iterator[str]:
    """Recorded files first, then the microphone (--listen) or typed lines."""
    if not (args.listen or args.listen_file):
        yield from typed_lines(stdin, out)
        return
    from skill.simulator.listen import Microphone, NoMicrophone, speech_recognizer, transcribe_files

    try:
        recognizer = speech_recognizer(device.recognizer.model)
    except NoMicrophone as exc:
        print(f"{exc}; type instead.", file=out)
        yield from typed_lines(stdin, out)
        return
    for path, heard in zip(
        args.listen_file, transcribe_files(recognizer, args.listen_file), strict=True
    ):
        print(f"you (from {path.name}): {heard or '(nothing recognised)'}", file=out, flush=True)
        yield heard
    if not args.listen:
        yield from typed_lines(stdin, out)
        return
    try:
        microphone = Microphone(recognizer)
    except NoMicrophone as exc:
        print(f"{exc}; type instead.", file=out, flush=True)
        yield from typed_lines(stdin, out)
        return
    print("Listening: speak after each 'listening...'; Ctrl-C to leave.", file=out, flush=True)
    while True:
        print("listening...", file=out, flush=True)
        try:
            heard = microphone.listen()
        except NoMicrophone as exc:
            print(f"{exc}; type instead.", file=out, flush=True)
            yield from typed_lines(stdin, out)
            return
        print(f"you (heard): {heard or '(nothing recognised)'}", file=out, flush=True)
        yield heard
