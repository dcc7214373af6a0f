"""An evaluated APL component tree (skill/screen/inflate.py's `Node`) as one self-contained
HTML page of the viewport's size, so a real browser lays it out and draws it.

APL lays components out with a subset of Flexbox (Yoga); CSS flexbox is the same model, so
each component becomes one flex box with APL's defaults (Container: column, stretch, start,
no wrap; shrink 0; sizes include padding). 1 CSS px = 1 dp; the screenshot's device scale
factor turns dp into the viewport's pixels. What is drawn exactly and what is approximated:
docs/screen-preview.md. A component type or property this module does not know raises
`PreviewError`: a preview that silently differs from the device would be worse than none.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Mapping
from typing import Any

from skill.preview.apl_values import (
    ALIGN,
    BOX,
    CONTAINER,
    DIMENSION,
    DIRECTION,
    FRAME,
    GRAPHIC,
    GRAPHIC_ALIGN,
    INERT,
    JUSTIFY,
    SCALE,
    TEXT,
    TEXT_ALIGN,
    TEXT_VERTICAL,
    WRAP,
    PreviewError,
    avg_size,
    check_avg,
    css_background,
    css_color,
    enum,
    fmt,
    line_height,
    markup,
    number,
)
from skill.screen.art import avg_to_svg
from skill.screen.inflate import Node
from skill.screen.viewports import Viewport

# Around a round screen: what the clipped corners show (a light "table top", so the circle's
# edge is visible against a dark screen, and a test can tell the corners were clipped).
BACKDROP = "#d9d9d9"

# Text colour and screen background when a document does not set them. Amazon's Text page says
# only that the default colour "depends on the theme"; these values are our approximation.
THEME_TEXT = {"dark": "#fafafa", "light": "#1e2222"}
THEME_BACKGROUND = {"dark": "#000000", "light": "#ffffff"}


def page(root: Node, viewport: Viewport, document: Mapping[str, Any], title: str) -> str:
    """The whole HTML page: `root` drawn on a screen of the viewport's size in dp, clipped to
    a circle on a round viewport, on the document's background."""
    theme = document.get("theme", "dark")
    if theme not in THEME_TEXT:
        raise PreviewError(f"unknown document theme {theme!r}")
    drawer = _Drawer(viewport, document.get("graphics") or {}, theme)
    background = document.get("background", THEME_BACKGROUND[theme])
    body = drawer.component(root, parent_direction="column", first=True, root=True)
    shape = "round" if viewport.shape == "round" else "rectangle"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_css(viewport, theme)}</style></head>"
        f"<body><div id='screen' class='{shape}' style='{_background_css(background)}'>"
        f"{body}</div></body></html>\n"
    )


def _css(viewport: Viewport, theme: str) -> str:
    """Yoga's defaults as CSS: every box a column flex container that does not shrink, sizes
    including padding, no implicit minimum size from content."""
    return (
        f"html,body{{margin:0;padding:0;background:{BACKDROP};overflow:hidden}}"
        f"#screen{{position:relative;overflow:hidden;width:{viewport.width_dp}px;"
        f"height:{viewport.height_dp}px;display:flex;flex-direction:column;"
        f"font-family:sans-serif;color:{THEME_TEXT[theme]}}}"
        "#screen.round{border-radius:50%}"
        ".apl{display:flex;flex-direction:column;align-items:stretch;"
        "justify-content:flex-start;flex-wrap:nowrap;position:relative;box-sizing:border-box;"
        "flex:0 0 auto;min-width:0;min-height:0}"
        ".apl-text>span{display:block;white-space:pre-wrap;overflow-wrap:break-word}"
        ".apl-graphic>img{display:block;width:100%;height:100%}"
    )


class _Drawer:
    """Turns nodes into HTML for one viewport and one document's graphics."""

    def __init__(self, viewport: Viewport, graphics: Mapping[str, Any], theme: str) -> None:
        self.viewport = viewport
        self.graphics = graphics
        self.theme = theme
        self.kinds: dict[str, tuple[frozenset[str], Callable[[Node, dict[str, str]], str]]] = {
            "Container": (CONTAINER, self._container),
            "Frame": (FRAME, self._single),
            "TouchWrapper": (frozenset(), self._single),
            "ScrollView": (frozenset(), self._scroll),
            "Text": (TEXT, self._text),
            "VectorGraphic": (GRAPHIC, self._graphic),
        }

    def component(self, node: Node, parent_direction: str, first: bool, root: bool = False) -> str:
        """One component and its children as HTML; raises on anything unknown."""
        if node.type not in self.kinds:
            raise PreviewError(f"component type {node.type!r} is not drawn by the preview")
        own, draw = self.kinds[node.type]
        unknown = sorted(set(node.props) - own - BOX - INERT - _parameters(node, self.graphics))
        if unknown:
            raise PreviewError(f"{node.type} properties not drawn by the preview: {unknown}")
        style = self._box(node.props, parent_direction, first, root)
        if node.type == "Frame":
            style.update(self._frame(node.props))
        return draw(node, style)

    # --- placement ------------------------------------------------------------------------

    def _box(
        self, props: Mapping[str, Any], parent_direction: str, first: bool, root: bool
    ) -> dict[str, str]:
        style: dict[str, str] = {}
        for prop, css in (
            ("width", "width"),
            ("height", "height"),
            ("minWidth", "min-width"),
            ("maxWidth", "max-width"),
            ("minHeight", "min-height"),
            ("maxHeight", "max-height"),
            ("top", "top"),
            ("left", "left"),
            ("right", "right"),
            ("bottom", "bottom"),
            ("start", "left"),
            ("end", "right"),
        ):
            if prop in props and props[prop] is not None:
                value = self.dimension(props[prop], prop)
                if value != "auto":
                    style[css] = value
        if root:  # the top component fills the viewport unless it says otherwise
            style.setdefault("width", "100%")
            style.setdefault("height", "100%")
        style.update(self._padding(props))
        position = props.get("position", "relative")
        if position not in ("relative", "absolute", "sticky"):
            raise PreviewError(f"unknown position {position!r}")
        if position == "sticky":
            raise PreviewError("position sticky (scrolling) is not drawn by the preview")
        if position == "absolute":
            style["position"] = "absolute"
        display = props.get("display", "normal")
        if display == "none":
            style["display"] = "none"
        elif display == "invisible":
            style["visibility"] = "hidden"
        elif display != "normal":
            raise PreviewError(f"unknown display {display!r}")
        if "opacity" in props:
            style["opacity"] = number(props["opacity"], "opacity")
        if "grow" in props:
            style["flex-grow"] = number(props["grow"], "grow")
        if "shrink" in props:
            style["flex-shrink"] = number(props["shrink"], "shrink")
        if "alignSelf" in props and props["alignSelf"] != "auto":
            style["align-self"] = enum(ALIGN, props["alignSelf"], "alignSelf")
        if "spacing" in props and not first and position != "absolute":
            # APL: extra space before this child along its parent's main axis; none for the first
            side = {
                "column": "top",
                "row": "left",
                "column-reverse": "bottom",
                "row-reverse": "right",
            }[parent_direction]
            style[f"margin-{side}"] = self.dimension(props["spacing"], "spacing")
        return style

    def _padding(self, props: Mapping[str, Any]) -> dict[str, str]:
        style: dict[str, str] = {}
        if "padding" in props:
            value = props["padding"]
            if isinstance(value, list):  # its sides' order is not checked against Amazon's page
                raise PreviewError(f"a padding array is not drawn by the preview: {value!r}")
            for side in ("left", "top", "right", "bottom"):
                style[f"padding-{side}"] = self.dimension(value, "padding")
        for prop, side in (
            ("paddingLeft", "left"),
            ("paddingRight", "right"),
            ("paddingTop", "top"),
            ("paddingBottom", "bottom"),
            ("paddingStart", "left"),
            ("paddingEnd", "right"),
        ):
            if prop in props and props[prop] is not None:
                style[f"padding-{side}"] = self.dimension(props[prop], prop)
        return style

    def dimension(self, value: Any, prop: str) -> str:
        """An APL dimension as CSS px (dp) or %: numbers are dp, px are divided by the
        viewport's density (dpi / 160), vw / vh are shares of the viewport."""
        if isinstance(value, bool):
            raise PreviewError(f"{prop}: not a dimension: {value!r}")
        if isinstance(value, int | float):
            return f"{fmt(float(value))}px"
        if not isinstance(value, str):
            raise PreviewError(f"{prop}: not a dimension: {value!r}")
        text = value.strip()
        if text == "auto":
            return "auto"
        match = DIMENSION.match(text)
        if match is None:
            raise PreviewError(f"{prop}: not a dimension: {value!r}")
        amount, unit = float(match.group(1)), match.group(2) or "dp"
        if unit == "%":
            return f"{fmt(amount)}%"
        if unit == "px":
            return f"{fmt(amount * 160 / self.viewport.dpi)}px"
        if unit == "vw":
            return f"{fmt(amount * self.viewport.width_dp / 100)}px"
        if unit == "vh":
            return f"{fmt(amount * self.viewport.height_dp / 100)}px"
        return f"{fmt(amount)}px"

    # --- components -----------------------------------------------------------------------

    def _children(self, node: Node, direction: str) -> str:
        return "".join(
            self.component(child, direction, first=index == 0)
            for index, child in enumerate(node.children)
        )

    def _container(self, node: Node, style: dict[str, str]) -> str:
        props = node.props
        direction = enum(DIRECTION, props.get("direction", "column"), "direction")
        style["flex-direction"] = direction
        style["align-items"] = enum(ALIGN, props.get("alignItems", "stretch"), "alignItems")
        style["justify-content"] = enum(
            JUSTIFY, props.get("justifyContent", "start"), "justifyContent"
        )
        style["flex-wrap"] = enum(WRAP, props.get("wrap", "noWrap"), "wrap")
        return _div("apl apl-container", style, node, self._children(node, direction))

    def _single(self, node: Node, style: dict[str, str]) -> str:
        """Frame and TouchWrapper: one child (or none) laid out as in a column."""
        if len(node.children) > 1:
            raise PreviewError(f"{node.type} has {len(node.children)} children; APL allows one")
        kind = "apl-frame" if node.type == "Frame" else "apl-touch"
        return _div(f"apl {kind}", style, node, self._children(node, "column"))

    def _scroll(self, node: Node, style: dict[str, str]) -> str:
        """ScrollView: one child, scrolled vertically when it is taller than the view."""
        if len(node.children) > 1:
            raise PreviewError(f"ScrollView has {len(node.children)} children; APL allows one")
        style = {**style, "overflow-y": "auto", "min-height": "0"}
        return _div("apl apl-scroll", style, node, self._children(node, "column"))

    def _frame(self, props: Mapping[str, Any]) -> dict[str, str]:
        style: dict[str, str] = {}
        if "background" in props:
            style.update(css_background(props["background"]))
        elif "backgroundColor" in props:
            style["background-color"] = css_color(props["backgroundColor"])
        if "borderWidth" in props:
            style["border-style"] = "solid"
            style["border-width"] = self.dimension(props["borderWidth"], "borderWidth")
            style["border-color"] = css_color(props.get("borderColor", "transparent"))
        if "borderRadius" in props:
            style["border-radius"] = self.dimension(props["borderRadius"], "borderRadius")
            style["overflow"] = "hidden"  # APL clips a Frame's child to its rounded corners
        return style

    def _text(self, node: Node, style: dict[str, str]) -> str:
        if node.children:
            raise PreviewError("a Text has no children")
        props = node.props
        style["justify-content"] = enum(
            TEXT_VERTICAL, props.get("textAlignVertical", "auto"), "textAlignVertical"
        )
        inner: dict[str, str] = {
            "color": css_color(props.get("color", THEME_TEXT[self.theme])),
            "font-size": self.dimension(props.get("fontSize", 40), "fontSize"),
            "line-height": line_height(props.get("lineHeight", 1.25)),
            "text-align": enum(TEXT_ALIGN, props.get("textAlign", "auto"), "textAlign"),
        }
        weight = str(props.get("fontWeight", "normal"))
        if weight not in ("normal", "bold") and weight not in {
            str(n) for n in range(100, 1000, 100)
        }:
            raise PreviewError(f"unknown fontWeight {weight!r}")
        inner["font-weight"] = weight
        font_style = props.get("fontStyle", "normal")
        if font_style not in ("normal", "italic"):
            raise PreviewError(f"unknown fontStyle {font_style!r}")
        inner["font-style"] = font_style
        if "fontFamily" in props:
            family = str(props["fontFamily"])
            if not re.fullmatch(r"[A-Za-z0-9 ,\-]+", family):
                raise PreviewError(f"fontFamily not drawn: {family!r}")
            inner["font-family"] = f"{family}, sans-serif"
        if "letterSpacing" in props:
            inner["letter-spacing"] = self.dimension(props["letterSpacing"], "letterSpacing")
        max_lines = int(number(props.get("maxLines", 0), "maxLines"))
        if max_lines > 0:
            inner.update(
                {
                    "display": "-webkit-box",
                    "-webkit-box-orient": "vertical",
                    "-webkit-line-clamp": str(max_lines),
                    "overflow": "hidden",
                }
            )
        text = markup(str(props.get("text", "")))
        content = f"<span style='{_style(inner)}'>{text}</span>"
        return _div("apl apl-text", style, node, content)

    def _graphic(self, node: Node, style: dict[str, str]) -> str:
        if node.children:
            raise PreviewError("a VectorGraphic has no children")
        props = node.props
        source = props.get("source")
        # inflate binds the graphic's parameters and evaluates its expressions into "avg"
        avg = props.get("avg")
        if avg is None:
            if not isinstance(source, str) or source not in self.graphics:
                raise PreviewError(
                    f"VectorGraphic source {source!r} is not in the document's graphics "
                    "(URLs are not fetched by the preview)"
                )
            avg = self.graphics[source]
        if not isinstance(avg, Mapping):
            raise PreviewError(f"VectorGraphic {source!r}: not an AVG object")
        width, height = (avg_size(avg, key) for key in ("width", "height"))
        # `auto` takes the graphic's own size (Amazon's VectorGraphic page)
        style.setdefault("width", f"{fmt(width)}px")
        style.setdefault("height", f"{fmt(height)}px")
        check_avg(avg, str(source))
        svg = avg_to_svg(dict(avg), round(width), round(height))
        data = base64.b64encode(svg.encode()).decode()
        image = {
            "object-fit": enum(SCALE, props.get("scale", "none"), "scale"),
            "object-position": enum(GRAPHIC_ALIGN, props.get("align", "center"), "align"),
        }
        content = (
            f"<img alt='{html.escape(source)}' style='{_style(image)}' "
            f"src='data:image/svg+xml;base64,{data}'>"
        )
        return _div("apl apl-graphic", style, node, content)


def _div(classes: str, style: dict[str, str], node: Node, content: str) -> str:
    ident = node.props.get("id")
    data = f" data-id='{html.escape(str(ident))}'" if ident else ""
    return f"<div class='{classes}'{data} style='{_style(style)}'>{content}</div>"


def _style(style: Mapping[str, str]) -> str:
    return html.escape(";".join(f"{key}:{value}" for key, value in style.items()))


def _background_css(value: Any) -> str:
    return _style(css_background(value))


def _parameters(node: Node, graphics: Mapping[str, Any]) -> set[str]:
    """A VectorGraphic's AVG parameter names (from the document's graphic): passed as its
    properties, drawn through "avg" where inflate bound them."""
    graphic = graphics.get(node.props.get("source", "")) if node.type == "VectorGraphic" else None
    if not isinstance(graphic, Mapping):
        return set()
    names = set()
    for parameter in graphic.get("parameters", []):
        names.add(parameter["name"] if isinstance(parameter, Mapping) else str(parameter))
    return names
