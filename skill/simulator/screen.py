"""What the simulated screen shows: its words, and the buttons a finger can press.

The skill's APL document is evaluated by the screen layer's own inflater (skill.screen.inflate)
for the device's viewport at a moment after it appeared, so the simulator sees what a device
shows then: the Text components on screen, and the TouchWrappers whose onPress sends a
`SendEvent`. A typed touch (`[tap pause]`) presses one of those, and the simulator sends the
`Alexa.Presentation.APL.UserEvent` that SendEvent would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from skill.screen.directive import directive_bytes
from skill.screen.inflate import Node, inflate
from skill.screen.viewports import Viewport
from skill.simulator.playback import format_offset

HIDDEN = frozenset({"none", "invisible"})  # APL `display` values that show nothing


@dataclass(frozen=True)
class Button:
    """A TouchWrapper that sends a SendEvent: what it reads, what it sends, its id."""

    label: str
    arguments: tuple[Any, ...]
    id: str | None = None

    @property
    def action(self) -> str:
        """The first argument as text ("pause"), or the label when it has none."""
        return str(self.arguments[0]) if self.arguments else self.label

    def matches(self, name: str) -> bool:
        """A typed name, case-insensitive: the label ("Pause") or the action ("pause")."""
        key = " ".join(name.lower().split())
        return key in (" ".join(self.label.lower().split()), self.action.lower())

    def source(self) -> dict[str, Any]:
        """The UserEvent's `source`: the component touched, and how (a Press of a TouchWrapper).

        `value` is a TouchWrapper's checked state, false unless a document sets it.
        """
        source: dict[str, Any] = {"type": "TouchWrapper", "handler": "Press", "value": False}
        if self.id:
            source["id"] = self.id
        return source


@dataclass(frozen=True)
class View:
    """What the screen shows at one moment: its text, in reading order, and its buttons."""

    texts: tuple[str, ...]
    buttons: tuple[Button, ...]

    def find(self, name: str) -> Button | None:
        return next((b for b in self.buttons if b.matches(name)), None)

    @property
    def labels(self) -> str:
        """ "Pause, Next, Stop" (or "none")."""
        return ", ".join(b.label for b in self.buttons) or "none"


def view_at(directive: dict[str, Any], viewport: Viewport, elapsed_ms: int) -> View:
    """What `directive`'s document shows on `viewport` `elapsed_ms` after it appeared."""
    root = inflate(directive, viewport, elapsed_ms)
    texts: list[str] = []
    buttons: list[Button] = []
    for node in _shown(root):
        if node.type == "Text":
            text = _plain(node.props.get("text"))
            if text:
                texts.append(text)
        elif node.type == "TouchWrapper" and not node.props.get("disabled"):
            arguments = _send_event_arguments(node.props.get("onPress"))
            if arguments is not None:
                buttons.append(_button(node, arguments))
    labels = {b.label for b in buttons}
    return View(tuple(t for t in texts if t not in labels), tuple(buttons))


def _button(node: Node, arguments: tuple[Any, ...]) -> Button:
    words = [_plain(n.props.get("text")) for n in _shown(node) if n.type == "Text"]
    label = " ".join(w for w in words if w) or str(node.props.get("accessibilityLabel") or "")
    ident = node.props.get("id")
    button = Button(label, arguments, str(ident) if ident else None)
    return button if label else Button(button.action.capitalize(), arguments, button.id)


def _shown(node: Node) -> Iterator[Node]:
    """`node` and its descendants, in document order, leaving out what is not displayed."""
    if str(node.props.get("display", "normal")) in HIDDEN or _transparent(node):
        return
    yield node
    for child in node.children:
        yield from _shown(child)


def _transparent(node: Node) -> bool:
    opacity = node.props.get("opacity", 1)
    return isinstance(opacity, int | float) and opacity <= 0


def _send_event_arguments(commands: Any) -> tuple[Any, ...] | None:
    """The arguments of the first SendEvent in an event handler (nested commands included)."""
    if isinstance(commands, dict):
        commands = [commands]
    if not isinstance(commands, list):
        return None
    for command in commands:
        if not isinstance(command, dict):
            continue
        if command.get("type") == "SendEvent":
            arguments = command.get("arguments") or []
            return tuple(arguments) if isinstance(arguments, list) else (arguments,)
        for key in ("commands", "sequence", "parallel", "then", "otherwise"):
            found = _send_event_arguments(command.get(key))
            if found is not None:
                return found
    return None


def _plain(text: Any) -> str:
    """A Text component's text without APL's inline markup (<br>, <b>, …), on one line."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    out, depth = [], 0
    for ch in text:
        if ch == "<":
            depth += 1
            out.append(" ")
        elif ch == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return " ".join("".join(out).split())


def size_label(size: int) -> str:
    """9830 -> "9.6 KB" (KB of 1024 bytes), 800 -> "800 B"."""
    return f"{size} B" if size < 1024 else f"{size / 1024:.1f} KB"


@dataclass(frozen=True)
class ScreenReport:
    """A document the skill put on screen: its token, size, kind, and what it shows at `at_ms`.

    `at_ms` is the moment worth reporting: a set's first hold starting (after the spoken
    lead-in and any set-up steps), else the moment the document appears.
    """

    token: str
    bytes: int
    kind: str
    at_ms: int
    view: View

    def line(self) -> str:
        """One line for the chat: `[screen: set at 0:06.2 · … · 9.6 KB · buttons: Pause, …]`."""
        head = self.kind if not self.at_ms else f"{self.kind} at {format_offset(self.at_ms)}"
        parts = [head, *self.view.texts, size_label(self.bytes), f"buttons: {self.view.labels}"]
        return "[screen: " + " · ".join(parts) + "]"

    def record(self) -> dict[str, Any]:
        """The `apl` object of `chat --json` (docs/chat-json.md)."""
        return {
            "token": self.token,
            "bytes": self.bytes,
            "screen": self.kind,
            "at_ms": self.at_ms,
            "text": list(self.view.texts),
            "buttons": [
                {"label": b.label, "arguments": list(b.arguments), "id": b.id}
                for b in self.view.buttons
            ],
        }


def report(directive: dict[str, Any], viewport: Viewport) -> ScreenReport:
    """What a newly rendered directive shows on `viewport` (see ScreenReport)."""
    data = (directive.get("datasources") or {}).get("screen") or {}
    kind = str(data.get("kind") or "apl")
    at_ms = 0
    if data.get("holds"):  # a set: its clock starts offsetMs after the screen appears
        at_ms = int(data.get("offsetMs") or 0) + int(data.get("firstStartMs") or 0)
    view = view_at(directive, viewport, at_ms)
    token = str(directive.get("token", ""))
    return ScreenReport(token, directive_bytes(directive), kind, at_ms, view)
