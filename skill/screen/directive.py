"""The whole `Alexa.Presentation.APL.RenderDocument` directive for a Screen.

A document is the shared part (documents/common.json: resources per viewport class, the ring
graphic, layouts) plus the screen kind's own mainTemplate (documents/<kind>.json), plus only
the pose drawings that screen shows (each is about 1 KB; the response has a size limit).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from skill.core.screens import Screen

from .art import avg_graphic
from .datasources import datasource, graphics_needed, kind_of

DIRECTIVE_TYPE = "Alexa.Presentation.APL.RenderDocument"
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


def build_document(kind: str, poses: list[tuple[str, str]]) -> dict[str, Any]:
    """The APL document for a screen kind with the given pose drawings in its `graphics`."""
    common = load_document_part("common")
    own = load_document_part(kind)
    graphics = copy.deepcopy(common["graphics"])
    for stretch_id, leg in poses:
        graphics[f"pose_{stretch_id}_{leg}"] = avg_graphic(stretch_id, leg)
    return {
        "type": "APL",
        "version": APL_VERSION,
        "description": own["description"],
        "theme": "dark",
        "resources": common["resources"],
        "graphics": graphics,
        "layouts": common["layouts"],
        "mainTemplate": own["mainTemplate"],
    }


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
