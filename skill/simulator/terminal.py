"""The chat's terminal manners: answers wrapped at word boundaries, no typing into playback.

Both only apply to a terminal. Piped output keeps one line per answer (transcripts stay easy
to grep and compare), and piped input has nobody typing.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

# What a continuation line lines up with: the text after "Alexa: ", after a cue's offset
# ("    0:15.0  "), after "[card] " or inside "(".
_HANGING = re.compile(r"^( *)(Alexa: |you> |\d+:\d\d\.\d  |\[card\] |\()?")
# Kept on one line: "[pause 0.5 s]", "[audio: chime]", a phone number "(904) 858-7045".
_UNBREAKABLE = re.compile(r"\[[^\]\n]{1,40}\]|\(\d{3}\) \d{3}-\d{4}")
_GLUE = "\u00a0"  # no-break space: textwrap only breaks at ASCII whitespace
MIN_WIDTH = 20  # narrower than this, wrapping does more harm than good


def terminal_width(out: TextIO) -> int | None:
    """Columns to wrap answers to: the terminal's width, or None when `out` is no terminal."""
    try:
        if not out.isatty():
            return None
    except (AttributeError, ValueError):  # a closed or unusual stream
        return None
    return shutil.get_terminal_size().columns


def wrap(text: str, width: int | None) -> str:
    """Each line of `text` wrapped at word boundaries to `width` columns, never mid-word.

    Continuation lines are indented to the line's text; a word longer than the line (a URL)
    overflows rather than being cut; a phone number's hyphens are not break points.
    """
    if width is None or width < MIN_WIDTH:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width:
            out.append(line)
            continue
        m = _HANGING.match(line)
        hang = " " * (len(m.group(0)) if m else 0)
        if len(hang) > width // 2:
            hang = " " * len(m.group(1) if m else "")
        glued = _UNBREAKABLE.sub(lambda m: m.group(0).replace(" ", _GLUE), line)
        wrapped = textwrap.wrap(
            glued,
            width=width,
            subsequent_indent=hang,
            break_long_words=False,
            break_on_hyphens=False,
        )
        out += [w.replace(_GLUE, " ") for w in wrapped] or [line]
    return "\n".join(out)


@contextmanager
def input_paused(stdin: TextIO | None) -> Iterator[None]:
    """While the device plays: what is typed is not echoed, and is dropped at the end.

    The simulator does not listen while it plays a turn (a typed "next" during a 30 s hold
    would otherwise show up in the middle of the cues, and be sent the moment it ends).
    Ctrl-C still works. Does nothing unless `stdin` is a terminal with termios.
    """
    fd = _terminal_fd(stdin)
    if fd is None:
        yield
        return
    import termios

    saved = termios.tcgetattr(fd)
    quiet = list(saved)
    quiet[3] &= ~(termios.ECHO | termios.ECHONL)  # lflags
    termios.tcsetattr(fd, termios.TCSANOW, quiet)
    try:
        yield
    finally:
        termios.tcflush(fd, termios.TCIFLUSH)  # typed during playback: not an utterance
        termios.tcsetattr(fd, termios.TCSANOW, saved)


def _terminal_fd(stream: TextIO | None) -> int | None:
    if stream is None or sys.platform == "win32":
        return None
    try:
        if not stream.isatty():
            return None
        return stream.fileno()
    except (AttributeError, ValueError, OSError):
        return None
