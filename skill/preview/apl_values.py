"""APL property values as CSS, and what the preview knows how to draw: the tables of
properties per component (anything else is refused), APL's enumerations and their CSS, dimensions,
colours, gradients, Text markup, and the AVG properties skill/screen/art.py's avg_to_svg draws.
Used by skill/preview/html.py; docs/screen-preview.md lists the mapping.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any


class PreviewError(ValueError):
    """The tree holds something the preview cannot draw faithfully."""


# Properties that change nothing on a still picture: identity, speech, touch and event handlers.
INERT = frozenset(
    {
        "id",
        "description",
        "accessibilityLabel",
        "role",
        "entities",
        "entity",
        "onMount",
        "onPress",
        "onDown",
        "onUp",
        "onMove",
        "onCursorEnter",
        "onCursorExit",
        "onFocus",
        "onBlur",
        "handleKeyDown",
        "handleKeyUp",
        "handleTick",
        "speech",
        "checked",
        "disabled",
        "inheritParentState",
        "preserve",
        "action",
        "actions",
        "lang",
        "onTextLayout",
        "onLoad",
        "onFail",
        "layoutDirection",
    }
)

# Placement and box properties every component has (APL base component + Container children).
BOX = frozenset(
    {
        "width",
        "height",
        "minWidth",
        "maxWidth",
        "minHeight",
        "maxHeight",
        "padding",
        "paddingLeft",
        "paddingRight",
        "paddingTop",
        "paddingBottom",
        "paddingStart",
        "paddingEnd",
        "position",
        "top",
        "left",
        "right",
        "bottom",
        "start",
        "end",
        "display",
        "opacity",
        "grow",
        "shrink",
        "alignSelf",
        "spacing",
    }
)

CONTAINER = frozenset({"direction", "alignItems", "justifyContent", "wrap"})
FRAME = frozenset({"backgroundColor", "background", "borderColor", "borderWidth", "borderRadius"})
TEXT = frozenset(
    {
        "text",
        "color",
        "fontSize",
        "fontWeight",
        "fontStyle",
        "fontFamily",
        "letterSpacing",
        "lineHeight",
        "maxLines",
        "textAlign",
        "textAlignVertical",
    }
)
GRAPHIC = frozenset({"source", "scale", "align", "avg"})

DIRECTION = {
    "column": "column",
    "row": "row",
    "columnReverse": "column-reverse",
    "rowReverse": "row-reverse",
}
ALIGN = {
    "start": "flex-start",
    "end": "flex-end",
    "center": "center",
    "baseline": "baseline",
    "stretch": "stretch",
}
JUSTIFY = {
    "start": "flex-start",
    "end": "flex-end",
    "center": "center",
    "spaceBetween": "space-between",
    "spaceAround": "space-around",
    "spaceEvenly": "space-evenly",
}
WRAP = {"noWrap": "nowrap", "wrap": "wrap", "wrapReverse": "wrap-reverse"}
TEXT_ALIGN = {
    "auto": "left",
    "left": "left",
    "right": "right",
    "center": "center",
    "start": "left",
    "end": "right",
}
TEXT_VERTICAL = {
    "auto": "flex-start",
    "top": "flex-start",
    "center": "center",
    "bottom": "flex-end",
}
# VectorGraphic `scale` and `align` as CSS object-fit / object-position on the drawn image.
SCALE = {
    "none": "none",
    "fill": "fill",
    "best-fit": "contain",
    "best-fill": "cover",
    "best-fit-down": "scale-down",
}
GRAPHIC_ALIGN = {
    "center": "center",
    "top": "center top",
    "bottom": "center bottom",
    "left": "left center",
    "right": "right center",
    "top-left": "left top",
    "top-right": "right top",
    "bottom-left": "left bottom",
    "bottom-right": "right bottom",
}
# What skill/screen/art.py's avg_to_svg draws of an AVG object (anything else raises here).
_AVG_OBJECT = frozenset(
    {
        "type",
        "version",
        "description",
        "width",
        "height",
        "viewportWidth",
        "viewportHeight",
        "items",
        "item",
        "parameters",
    }
)
AVG_ITEMS_DRAWN = {
    "group": frozenset(
        {
            "type",
            "description",
            "items",
            "item",
            "opacity",
            "pivotX",
            "pivotY",
            "rotation",
            "scaleX",
            "scaleY",
            "translateX",
            "translateY",
        }
    ),
    "path": frozenset(
        {
            "type",
            "description",
            "pathData",
            "fill",
            "fillOpacity",
            "stroke",
            "strokeOpacity",
            "strokeWidth",
            "strokeLineCap",
            "strokeLineJoin",
            "strokeMiterLimit",
            "strokeDashArray",
            "strokeDashOffset",
            "pathLength",
        }
    ),
}
# The text markup APL's Text accepts that we draw (everything else raises).
_MARKUP_TAGS = frozenset({"br", "b", "i", "u", "em", "strong", "sup", "sub", "strike", "tt"})
_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z]+)\s*(/?)\s*>")
_ANY_TAG = re.compile(r"<[^>]*>")
_COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]+|rgba?\([0-9., %]+\)|hsla?\([0-9., %]+\))$")
DIMENSION = re.compile(r"^(-?[0-9]*\.?[0-9]+)\s*(dp|px|vw|vh|%)?$")


def markup(text: str) -> str:
    """APL Text markup as HTML: the simple tags kept, character references decoded and the
    rest escaped; any other tag raises (it would show differently on the device)."""
    out: list[str] = []
    at = 0
    for match in _ANY_TAG.finditer(text):
        out.append(html.escape(html.unescape(text[at : match.start()]), quote=False))
        tag = _TAG.fullmatch(match.group(0))
        if tag is None or tag.group(2).lower() not in _MARKUP_TAGS:
            raise PreviewError(f"text markup not drawn by the preview: {match.group(0)!r}")
        closing, name = tag.group(1), tag.group(2).lower()
        out.append("<br>" if name == "br" else f"<{closing}{name}>")
        at = match.end()
    out.append(html.escape(html.unescape(text[at:]), quote=False))
    return "".join(out)


def enum(table: Mapping[str, str], value: Any, prop: str) -> str:
    if value not in table:
        raise PreviewError(f"{prop}: unknown value {value!r}")
    return table[value]


def number(value: Any, prop: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PreviewError(f"{prop}: not a number: {value!r}")
    try:
        return fmt(float(value))
    except ValueError as error:
        raise PreviewError(f"{prop}: not a number: {value!r}") from error


def fmt(number: float) -> str:
    return f"{number:.3f}".rstrip("0").rstrip(".") or "0"


def line_height(value: Any) -> str:
    if isinstance(value, str) and value.strip().endswith("%"):
        return fmt(float(value.strip()[:-1]) / 100)
    return number(value, "lineHeight")


def css_color(value: Any) -> str:
    if not isinstance(value, str) or not _COLOR.match(value.strip()):
        raise PreviewError(f"not a colour the preview draws: {value!r}")
    return value.strip()


def css_background(value: Any) -> dict[str, str]:
    """A colour or an APL gradient (linear with angle, or radial) as CSS."""
    if isinstance(value, str):
        return {"background-color": css_color(value)}
    if not isinstance(value, Mapping):
        raise PreviewError(f"not a background: {value!r}")
    unknown = sorted(set(value) - {"type", "colorRange", "inputRange", "angle", "description"})
    if unknown:
        raise PreviewError(f"gradient properties not drawn by the preview: {unknown}")
    colors = [css_color(c) for c in value.get("colorRange", [])]
    stops = value.get("inputRange") or [i / max(1, len(colors) - 1) for i in range(len(colors))]
    if len(colors) < 2 or len(stops) != len(colors):
        raise PreviewError(f"gradient needs matching colorRange and inputRange: {value!r}")
    ramp = ", ".join(f"{c} {fmt(float(s) * 100)}%" for c, s in zip(colors, stops, strict=True))
    kind = value.get("type", "linear")
    if kind == "linear":
        angle = number(value.get("angle", 0), "angle")
        return {"background-image": f"linear-gradient({angle}deg, {ramp})"}
    if kind == "radial":
        return {"background-image": f"radial-gradient(circle, {ramp})"}
    raise PreviewError(f"unknown gradient type {kind!r}")


def avg_size(avg: Mapping[str, Any], key: str) -> float:
    value = avg.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value.strip().endswith("dp"):
        return float(value.strip()[:-2])
    raise PreviewError(f"AVG {key} not drawn by the preview: {value!r}")


def check_avg(avg: Mapping[str, Any], source: str) -> None:
    """Raise when the graphic uses an AVG item type or property that avg_to_svg does not
    draw (it would be drawn without it, silently unlike the device)."""
    unknown = sorted(set(avg) - _AVG_OBJECT)
    if unknown:
        raise PreviewError(f"AVG {source!r}: properties not drawn by avg_to_svg: {unknown}")
    stack = list(_avg_items(avg))
    while stack:
        item = stack.pop()
        kind = item.get("type")
        if kind not in AVG_ITEMS_DRAWN:
            raise PreviewError(f"AVG {source!r}: item type {kind!r} not drawn by avg_to_svg")
        unknown = sorted(set(item) - AVG_ITEMS_DRAWN[kind])
        if unknown:
            raise PreviewError(
                f"AVG {source!r}: {kind} properties not drawn by avg_to_svg: {unknown}"
            )
        stack.extend(_avg_items(item))


def _avg_items(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = node.get("items", node.get("item", []))
    return items if isinstance(items, list) else [items]
