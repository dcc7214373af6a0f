"""The pose illustrations: one Alexa Vector Graphics (AVG) drawing per stretch, and SVG from it.

The drawings are data (`skill/screen/art/<stretch>.json`), drawn once, for the right leg, seen
from the person's right side. The left leg is the same drawing mirrored in code: the items go
into an AVG group with `scaleX: -1` about the viewport's centre (`pivotX`), so the two legs can
never drift apart. `avg_to_svg` turns any AVG object this module makes into SVG markup, so the
Echo Show screens (AVG in the APL document), the screen previews and the PNG card pictures all
come from the same source.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any
from xml.sax.saxutils import quoteattr

STRETCHES = ("seated", "supine")
LEGS = ("right", "left")
ART_PACKAGE = "skill.screen"
ART_FOLDER = "art"

# AVG path property -> SVG attribute. AVG's default fill and stroke are "transparent".
_PATH_ATTRIBUTES = {
    "fill": "fill",
    "fillOpacity": "fill-opacity",
    "stroke": "stroke",
    "strokeOpacity": "stroke-opacity",
    "strokeWidth": "stroke-width",
    "strokeLineCap": "stroke-linecap",
    "strokeLineJoin": "stroke-linejoin",
    "strokeMiterLimit": "stroke-miterlimit",
}


def _check(stretch_id: str, leg: str) -> None:
    if stretch_id not in STRETCHES:
        raise ValueError(f"no drawing for stretch {stretch_id!r} (have: {', '.join(STRETCHES)})")
    if leg not in LEGS:
        raise ValueError(f"leg must be one of {', '.join(LEGS)}, not {leg!r}")


def graphic_name(stretch_id: str, leg: str) -> str:
    """The name of the drawing in an APL document's `graphics` (and of its PNG files)."""
    _check(stretch_id, leg)
    return f"pose_{stretch_id}_{leg}"


def art_dir() -> Traversable:
    """The folder of drawing sources (package data: found the same way installed or not)."""
    return resources.files(ART_PACKAGE).joinpath(ART_FOLDER)


def source_text(stretch_id: str) -> str:
    """The drawing's source file as committed (the PNG manifest hashes it)."""
    _check(stretch_id, "right")
    return art_dir().joinpath(f"{stretch_id}.json").read_text(encoding="utf-8")


@cache
def _source(stretch_id: str) -> str:
    # Re-serialised compactly: the graphic goes into every APL document the skill sends.
    return json.dumps(json.loads(source_text(stretch_id)), separators=(",", ":"))


def avg_graphic(stretch_id: str, leg: str) -> dict[str, Any]:
    """The AVG object for `stretch_id` with `leg` stretched (a fresh dict each call)."""
    _check(stretch_id, leg)
    graphic: dict[str, Any] = json.loads(_source(stretch_id))
    if leg == "right":
        return graphic
    items = graphic.pop("items")
    centre = graphic.get("viewportWidth", graphic["width"]) / 2
    graphic["items"] = [{"type": "group", "scaleX": -1, "pivotX": centre, "items": items}]
    return graphic


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _children(node: dict[str, Any]) -> list[dict[str, Any]]:
    items = node.get("items", node.get("item", []))
    return items if isinstance(items, list) else [items]


def _group_transform(group: dict[str, Any]) -> str:
    """AVG applies a group's scale, then rotation (both about the pivot), then translation."""
    px, py = group.get("pivotX", 0), group.get("pivotY", 0)
    tx, ty = group.get("translateX", 0), group.get("translateY", 0)
    sx, sy = group.get("scaleX", 1), group.get("scaleY", 1)
    rotation = group.get("rotation", 0)
    steps = [f"translate({_number(px + tx)} {_number(py + ty)})"]
    if rotation:
        steps.append(f"rotate({_number(rotation)})")
    if (sx, sy) != (1, 1):
        steps.append(f"scale({_number(sx)} {_number(sy)})")
    steps.append(f"translate({_number(-px)} {_number(-py)})")
    return " ".join(steps)


def _item_svg(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind == "group":
        attributes = f" transform={quoteattr(_group_transform(item))}"
        if "opacity" in item:
            attributes += f" opacity={quoteattr(_number(item['opacity']))}"
        inner = "".join(_item_svg(child) for child in _children(item))
        return f"<g{attributes}>{inner}</g>"
    if kind == "path":
        attributes = {"d": item["pathData"], "fill": "none", "stroke": "none"}
        for avg_name, svg_name in _PATH_ATTRIBUTES.items():
            if avg_name in item:
                attributes[svg_name] = _number(item[avg_name])
        text = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
        return f"<path{text}/>"
    raise ValueError(f"avg_to_svg draws AVG groups and paths, not {kind!r}")


def avg_to_svg(avg: dict[str, Any], width: int | None = None, height: int | None = None) -> str:
    """SVG markup of an AVG object, `width` x `height` pixels (default: the AVG's own size)."""
    if avg.get("type") != "AVG":
        raise ValueError("not an AVG object (its type must be 'AVG')")
    view_w = avg.get("viewportWidth", avg["width"])
    view_h = avg.get("viewportHeight", avg["height"])
    size_w = width if width is not None else avg["width"]
    size_h = height if height is not None else avg["height"]
    body = "".join(_item_svg(item) for item in _children(avg))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_number(size_w)}" '
        f'height="{_number(size_h)}" viewBox="0 0 {_number(view_w)} {_number(view_h)}">'
        f"{body}</svg>"
    )
