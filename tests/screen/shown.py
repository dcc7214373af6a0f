"""Reading an inflated screen the way a person looks at it: what is visible, which texts."""

from __future__ import annotations

from skill.screen.directive import render_directive
from skill.screen.inflate import Node, inflate
from skill.screen.viewports import VIEWPORTS


def visible(node: Node) -> list[Node]:
    """The nodes a person sees: `display: none` hides a node and all below it."""
    if node.props.get("display") == "none":
        return []
    nodes = [node]
    for child in node.children:
        nodes.extend(visible(child))
    return nodes


def texts(node: Node) -> list[str]:
    """The visible texts, top to bottom."""
    return [n.props["text"] for n in visible(node) if n.type == "Text"]


def graphics(node: Node) -> list[str]:
    """The visible vector graphics by name."""
    return [n.props["source"] for n in visible(node) if n.type == "VectorGraphic"]


def shown(screen: object, at_ms: int, viewport: str = "hubLandscapeMedium") -> Node:
    """What the device of `viewport` shows `at_ms` after the screen appears."""
    return inflate(render_directive(screen), VIEWPORTS[viewport], at_ms)  # type: ignore[arg-type]
