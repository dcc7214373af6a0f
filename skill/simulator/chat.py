"""The `chat` REPL: utterances in (typed, piped, recorded or from the microphone), answers out.

An answer is shown at once as text, or cue by cue in real time, and/or spoken; the device
keeps the session. Input ends cleanly on EOF, Ctrl-C or "quit", ending an open session as a
person walking away would.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import TextIO

from skill.simulator.clock import PREFIX_HELP
from skill.simulator.consent import COMMAND_HELP
from skill.simulator.device import TAP_HELP, Device
from skill.simulator.exchange import Exchange
from skill.simulator.realtime import play_realtime
from skill.simulator.render import INDENT, Rendered, extras, render_text
from skill.simulator.sound import Speaker
from skill.simulator.terminal import input_paused, terminal_width, wrap
from skill.simulator.transport import TransportError
from skill.simulator.wiring import open_device

HELP = (
    "Type what you'd say to Alexa, e.g. 'open hamstring coach', 'start the seated stretch',\n"
    "'next', 'what's the phone number'. An empty line is silence (Alexa reprompts once, then\n"
    "closes the session). 'quit' to leave.\n" + PREFIX_HELP
)
HELP_REALTIME = (
    "Alexa plays each answer in real time; type at the next 'you>' prompt (what is typed\n"
    "while she plays is not heard, as the simulator does not listen during playback)."
)


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
        width: int | None = None,
        keyboard: TextIO | None = None,
    ) -> None:
        self.device = device
        self.out = out
        self.realtime = realtime
        self.speaker = speaker
        self.sleep = sleep
        self.width = width  # wrap answers to this many columns (None: one line each)
        self.keyboard = keyboard  # a terminal to keep quiet while a turn plays
        self.errors = 0

    def turn(self, text: str) -> bool:
        """Say `text`; False when the person has left."""
        try:
            exchange = self.device.say(text)
        except TransportError as exc:
            self.errors += 1
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return True
        self.show(exchange)
        return not exchange.leave

    def write(self, text: str) -> None:
        """Print `text`, wrapped to the terminal."""
        print(wrap(text, self.width), file=self.out, flush=True)

    def show(self, exchange: Exchange) -> None:
        """The note, the skill's answer, then what Alexa says herself (a permission prompt),
        the reminders the stand-in now holds, and what followed by itself."""
        if exchange.note:
            self.write(f"({exchange.note})")
        if exchange.quiet and exchange.rendered is not None:
            for line in extras(exchange.rendered):  # the card, the session's state
                self.write(line)
        elif exchange.rendered is not None:
            self.play(exchange, exchange.rendered)
        for line in exchange.after_lines():
            self.write(line)
        if exchange.followed is not None:
            self.show(exchange.followed)

    def play(self, exchange: Exchange, rendered: Rendered) -> None:
        """The skill's answer: at once, in real time and/or aloud."""
        screen = f"{INDENT}{exchange.screen.line()}" if exchange.screen is not None else None
        if screen is not None and self.realtime:
            self.write(screen)  # the screen appears as she starts speaking
        if self.speaker is not None:
            path = self.speaker.start(rendered)
            if path is not None:
                self.write(f"  [audio written: {path}]")
        # Playing takes time with --realtime or --speak: typing meanwhile must not land in it.
        takes_time = self.realtime or self.speaker is not None
        with input_paused(self.keyboard if takes_time else None):
            try:
                if self.realtime:
                    self.write("Alexa:")
                    play_realtime(rendered, self.out, self.sleep, self.width)
                else:
                    self.write(render_text(rendered))
                    if screen is not None:
                        self.write(screen)
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


def run_chat(
    args: argparse.Namespace,
    stdin: TextIO,
    out: TextIO,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    missing = [str(p) for p in args.listen_file if not p.is_file()]
    if missing:
        print(f"error: --listen-file: no such file {', '.join(missing)}", file=sys.stderr)
        return 2
    with ExitStack() as stack:
        speaker = None
        if args.speak:
            speaker = Speaker()
        try:
            device = open_device(args, stack, speaker.synth if speaker else None)
        except (TransportError, ValueError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        chat = Chat(
            device,
            out,
            realtime=args.realtime,
            speaker=speaker,
            sleep=sleep,
            width=terminal_width(out),
            keyboard=stdin,
        )
        where = device.transport.description
        screen = ""
        if device.display is not None:
            v = device.display.viewport
            size = f"{v.name}: {v.pixel_width}x{v.pixel_height} px at {v.dpi} dpi"
            screen = f" (device: {device.display.device}, {size})"
        chat.write(f"Hamstring Coach simulator{screen}, talking to {where} ({args.locale}).")
        if speaker is not None and speaker.output.player is None:
            chat.write(
                f"{speaker.output.reason}: each answer is written to {speaker.output.directory}"
            )
        try:
            texts = utterances(args, device, stdin, out)
            help_text = HELP + ("\n" + HELP_REALTIME if args.realtime and stdin.isatty() else "")
            if device.display is not None and device.display.touch:
                help_text += "\n" + TAP_HELP
            if device.reminders is not None:
                help_text += "\n" + COMMAND_HELP
            # On a terminal, one paragraph wrapped to its width; piped, the lines as written.
            chat.write(help_text if chat.width is None else help_text.replace("\n", " "))
            for text in texts:
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


def utterances(
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
