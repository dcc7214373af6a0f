"""How much room a text needs on a screen: a generous estimate, so a test that says "fits"
can be trusted on a device whose font runs a little wider than the preview's.

An average glyph is taken as 0.55 em (the screens' sans-serif runs nearer 0.5) and lines
1.25 em apart. `box_height` adds up an inflated screen (skill/screen/inflate.py) the way the
APL layout stacks it: a column's children one under the other, a row's side by side,
a fixed `height` as given (padding inside it), absolute children out of the flow.
"""

from __future__ import annotations

import math
from typing import Any

from skill.screen.inflate import Node
from skill.screen.viewports import Viewport

GLYPH_EM = 0.55
LINE_EM = 1.25


def chars_per_line(font: float, width: float) -> int:
    return max(1, int(width / (GLYPH_EM * font)))


def estimated_lines(text: str, font: float, width: float) -> int:
    """Lines a text wraps to at `font` dp in `width` dp."""
    return math.ceil(len(text) / chars_per_line(font, width))


def estimated_height(text: str, font: float, width: float) -> float:
    """A wrapped text's height in dp."""
    return estimated_lines(text, font, width) * LINE_EM * font


def chord(viewport: Viewport, y: float) -> float:
    """The screen's width at height `y` (dp from the top): a round screen is narrower away
    from its middle; a rectangle is as wide everywhere."""
    if viewport.shape != "round":
        return float(viewport.width_dp)
    radius = viewport.width_dp / 2
    return 2 * math.sqrt(max(0.0, radius**2 - (radius - y) ** 2))


def _num(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def shown(node: Node) -> bool:
    return node.props.get("display") != "none"


def box_height(node: Node, width: float) -> float:
    """The height `node` takes when laid out `width` dp wide (0 when not displayed); a Text
    is as many lines as it wraps to, at most its `maxLines`."""
    if not shown(node):
        return 0.0
    props = node.props
    if isinstance(props.get("height"), int | float):
        return float(props["height"])
    if isinstance(props.get("width"), int | float):
        width = float(props["width"])
    pad = _num(props.get("paddingTop")) + _num(props.get("paddingBottom"))
    inner = width - _num(props.get("paddingLeft")) - _num(props.get("paddingRight"))
    if node.type == "Text":
        lines = estimated_lines(str(props["text"]), props["fontSize"], inner)
        if isinstance(props.get("maxLines"), int) and props["maxLines"] > 0:
            lines = min(lines, props["maxLines"])
        return pad + lines * LINE_EM * props["fontSize"]
    flow = [c for c in node.children if shown(c) and c.props.get("position") != "absolute"]
    if props.get("direction") == "row":
        fixed = sum(_num(c.props.get("width")) for c in flow)
        loose = [c for c in flow if not isinstance(c.props.get("width"), int | float)]
        share = (inner - fixed) / max(1, len(loose))
        return pad + max((box_height(c, share) for c in flow), default=0.0)
    return pad + sum(box_height(c, inner) for c in flow)


def texts(node: Node) -> list[Node]:
    """The displayed Text nodes, top to bottom."""
    if not shown(node):
        return []
    found = [node] if node.type == "Text" else []
    for child in node.children:
        found += texts(child)
    return found
