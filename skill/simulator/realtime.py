"""`--realtime`: print each cue when a device would play it, and wait through the silences.

A person stretching along needs the 30 s hold to take 30 s on the simulator too. The waits
come from the same timeline the text view prints (or the real audio lengths when speaking);
`sleep` is injected so tests can count the seconds instead of spending them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from skill.simulator.playback import format_offset
from skill.simulator.render import INDENT, Rendered, describe, extras
from skill.simulator.terminal import wrap

Sleep = Callable[[float], None]


def cue_lines(rendered: Rendered) -> list[tuple[int, str]]:
    """(offset ms, line) for every speech and audio cue: outputSpeech, then each document."""
    out: list[tuple[int, str]] = []
    start = 0
    for playback in ([rendered.speech] if rendered.speech else []) + list(rendered.documents):
        for cue in playback.cues:
            if cue.sound.kind != "pause":
                at = start + cue.at_ms
                out.append((at, f"{INDENT}{format_offset(at):>6}  {describe(cue.sound)}"))
        start += playback.length_ms
    return out


def play_realtime(
    rendered: Rendered, out: TextIO, sleep: Sleep = time.sleep, width: int | None = None
) -> float:
    """Print the cues at their offsets, wait until the end; returns the seconds waited.

    `width`: wrap each line at word boundaries to that many columns (a terminal's width).
    """
    waited = 0.0
    for at_ms, line in cue_lines(rendered):
        waited += _wait_until(at_ms / 1000, waited, sleep)
        print(wrap(line, width), file=out, flush=True)
    waited += _wait_until(rendered.length_ms / 1000, waited, sleep)
    for line in extras(rendered):
        print(wrap(line, width), file=out, flush=True)
    return waited


def _wait_until(target_s: float, elapsed_s: float, sleep: Sleep) -> float:
    delay = target_s - elapsed_s
    if delay > 0:
        sleep(delay)
        return delay
    return 0.0
