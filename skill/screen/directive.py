"""The whole `Alexa.Presentation.APL.RenderDocument` directive for a Screen.

A document is the shared part (documents/common.json: resources per viewport class, the ring
graphic, layouts) plus the screen kind's own mainTemplate (documents/<kind>.json), plus only
the pose drawings that screen shows (each is about 1 KB; the response has a size limit).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from skill.core.screens import Screen

from .art import avg_graphic, graphic_name
from .datasources import datasource, graphics_needed, kind_of

DIRECTIVE_TYPE = "Alexa.Presentation.APL.RenderDocument"
# The request a touch on the screen sends (the documents' SendEvent): read by the skill's
# touch handler and written by the simulator, so both name it from here.
USER_EVENT = "Alexa.Presentation.APL.UserEvent"
TOKEN = "hamstring-coach-screen"
# The lowest APL version with everything the documents use (docs/screens.md says which feature
# needs which version). A device whose runtime reports a lower maxVersion gets no screen.
APL_VERSION = "1.5"
BUTTON_ACTIONS = ("pause", "next", "stop")


@cache
def _document_text(name: str) -> str:
    item = resources.files("skill.screen").joinpath("documents", f"{name}.json")
    return item.read_text(encoding="utf-8")


def load_document_part(name: str) -> dict[str, Any]:
    """One of documents/*.json, parsed afresh (callers may change it)."""
    part: dict[str, Any] = json.loads(_document_text(name))
    return part


def _used(value: Any, layouts: dict[str, Any], found: set[str]) -> set[str]:
    """Layout names and literal graphic sources `value` uses, following layouts into theirs."""
    if isinstance(value, list):
        for item in value:
            _used(item, layouts, found)
    elif isinstance(value, dict):
        for key in ("type", "source"):
            name = value.get(key)
            if isinstance(name, str) and name not in found:
                found.add(name)
                if key == "type" and name in layouts:
                    _used(layouts[name], layouts, found)
        for item in value.values():
            _used(item, layouts, found)
    return found


def build_document(kind: str, poses: list[tuple[str, str]]) -> dict[str, Any]:
    """The APL document for a screen kind: only the layouts and graphics it uses (the pose
    drawings given), since every byte travels in the response."""
    common = load_document_part("common")
    own = load_document_part(kind)
    used = _used(own["mainTemplate"], common["layouts"], set())
    graphics = {name: avg for name, avg in common["graphics"].items() if name in used}
    for stretch_id, leg in poses:
        graphics[graphic_name(stretch_id, leg)] = avg_graphic(stretch_id, leg)
    document: dict[str, Any] = {
        "type": "APL",
        "version": APL_VERSION,
        "description": own["description"],
        "theme": "dark",
        "resources": common["resources"],
        "layouts": {name: layout for name, layout in common["layouts"].items() if name in used},
        "mainTemplate": own["mainTemplate"],
    }
    if graphics:
        document["graphics"] = graphics
    return document


def render_directive(screen: Screen) -> dict[str, Any]:
    """The RenderDocument directive (JSON-ready) that shows `screen`."""
    return {
        "type": DIRECTIVE_TYPE,
        "token": TOKEN,
        "document": build_document(kind_of(screen), graphics_needed(screen)),
        "datasources": {"screen": datasource(screen)},
    }


def directive_bytes(directive: dict[str, Any]) -> int:
    """The directive's size as sent: compact JSON, UTF-8."""
    return len(json.dumps(directive, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))
