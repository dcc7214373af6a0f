"""The pose drawings: valid Alexa Vector Graphics, the left leg the exact mirror of the right,
and SVG of them that a browser can draw (the previews and the card PNGs use it)."""

from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from skill.screen.art import LEGS, STRETCHES, avg_graphic, avg_to_svg, graphic_name

SVG = "{http://www.w3.org/2000/svg}"
# Amazon's AVG reference (docs/pictures.md): the object, group and path properties we may use.
AVG_PROPERTIES = {
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
    "resources",
    "styles",
    "scaleTypeWidth",
    "scaleTypeHeight",
    "lang",
    "layoutDirection",
    "data",
}
GROUP_PROPERTIES = {
    "type",
    "items",
    "item",
    "opacity",
    "clipPath",
    "rotation",
    "pivotX",
    "pivotY",
    "scaleX",
    "scaleY",
    "translateX",
    "translateY",
    "transform",
    "filters",
    "data",
    "style",
}
PATH_PROPERTIES = {
    "type",
    "pathData",
    "pathLength",
    "fill",
    "fillOpacity",
    "fillTransform",
    "stroke",
    "strokeOpacity",
    "strokeTransform",
    "strokeWidth",
    "strokeLineCap",
    "strokeLineJoin",
    "strokeMiterLimit",
    "strokeDashArray",
    "strokeDashOffset",
    "filters",
    "style",
}
LINE_CAPS = {"butt", "round", "square"}
LINE_JOINS = {"bevel", "miter", "round"}
PATH_DATA = re.compile(r"^[MmLlHhVvCcSsQqTtAaZz0-9eE.,\s+-]+$")
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
ALL = [(stretch, leg) for stretch in STRETCHES for leg in LEGS]


def walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every item, groups and their children, depth first."""
    found = []
    for item in items:
        found.append(item)
        if item["type"] == "group":
            found.extend(walk(item["items"]))
    return found


def points(path_data: str) -> list[tuple[float, float]]:
    """The absolute M/L/Q end points of a path (what our drawings use for joints)."""
    found = []
    for command, args in re.findall(r"([MLQ])([^A-Za-z]*)", path_data):
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", args)]
        found.extend(zip(numbers[0::2], numbers[1::2], strict=True))
        assert command in "MLQ"
    return found


def group_maps(group: dict[str, Any], x: float, y: float) -> tuple[float, float]:
    """Where an AVG group puts a point: scale and rotation about the pivot, then translation
    (the order Amazon documents, independent of the SVG writer)."""
    px, py = group.get("pivotX", 0), group.get("pivotY", 0)
    sx, sy = group.get("scaleX", 1), group.get("scaleY", 1)
    angle = math.radians(group.get("rotation", 0))
    dx, dy = (x - px) * sx, (y - py) * sy
    rx = dx * math.cos(angle) - dy * math.sin(angle)
    ry = dx * math.sin(angle) + dy * math.cos(angle)
    return rx + px + group.get("translateX", 0), ry + py + group.get("translateY", 0)


@pytest.mark.parametrize(("stretch", "leg"), ALL)
def test_each_drawing_is_a_valid_avg_object(stretch: str, leg: str) -> None:
    graphic = avg_graphic(stretch, leg)
    assert set(graphic) <= AVG_PROPERTIES
    assert graphic["type"] == "AVG"
    assert graphic["version"] == "1.2"
    assert graphic["width"] > 0
    assert graphic["height"] > 0
    assert graphic["description"].startswith(f"{stretch.capitalize()} hamstring stretch")
    items = walk(graphic["items"])
    assert items
    for item in items:
        assert item["type"] in ("group", "path")
        allowed = GROUP_PROPERTIES if item["type"] == "group" else PATH_PROPERTIES
        assert set(item) <= allowed, set(item) - allowed
        if item["type"] == "path":
            assert PATH_DATA.match(item["pathData"]), item["pathData"]
            assert item.get("fill") or item.get("stroke")  # AVG's default is transparent
            for colour in (item.get("fill"), item.get("stroke")):
                assert colour is None or COLOUR.match(colour)
            assert item.get("strokeLineCap", "butt") in LINE_CAPS
            assert item.get("strokeLineJoin", "miter") in LINE_JOINS


@pytest.mark.parametrize(("stretch", "leg"), ALL)
def test_each_drawing_is_small_enough_for_every_apl_document(stretch: str, leg: str) -> None:
    compact = json.dumps(avg_graphic(stretch, leg), separators=(",", ":"))
    assert len(compact.encode()) < 3000


@pytest.mark.parametrize("stretch", STRETCHES)
def test_the_left_leg_is_the_exact_mirror_of_the_right(stretch: str) -> None:
    right, left = avg_graphic(stretch, "right"), avg_graphic(stretch, "left")
    (mirror,) = left["items"]
    assert mirror["type"] == "group"
    assert mirror["items"] == right["items"]  # the same drawing, not a second copy to maintain
    width = right["width"]
    for path in walk(right["items"]):
        if path["type"] == "path":
            for x, y in points(path["pathData"]):
                mx, my = group_maps(mirror, x, y)
                assert (mx, my) == pytest.approx((width - x, y))


@pytest.mark.parametrize("stretch", STRETCHES)
def test_each_call_hands_out_a_fresh_copy(stretch: str) -> None:
    graphic = avg_graphic(stretch, "right")
    graphic["items"].clear()
    assert avg_graphic(stretch, "right")["items"]


def test_names_are_what_the_apl_documents_use() -> None:
    assert graphic_name("seated", "right") == "pose_seated_right"
    assert graphic_name("supine", "left") == "pose_supine_left"
    with pytest.raises(ValueError, match="lunge"):
        graphic_name("lunge", "right")
    with pytest.raises(ValueError, match="both"):
        avg_graphic("seated", "both")


@pytest.mark.parametrize(("stretch", "leg"), ALL)
def test_svg_is_well_formed_and_draws_every_path(stretch: str, leg: str) -> None:
    graphic = avg_graphic(stretch, leg)
    root = ET.fromstring(avg_to_svg(graphic, 720, 480))
    assert root.tag == f"{SVG}svg"
    assert (root.get("width"), root.get("height")) == ("720", "480")
    assert root.get("viewBox") == f"0 0 {graphic['width']} {graphic['height']}"
    paths = [item for item in walk(graphic["items"]) if item["type"] == "path"]
    drawn = root.findall(f".//{SVG}path")
    assert [p.get("d") for p in drawn] == [p["pathData"] for p in paths]
    for element, path in zip(drawn, paths, strict=True):
        assert element.get("stroke-linecap") == path.get("strokeLineCap")
        assert element.get("fill") == path.get("fill", "none")


@pytest.mark.parametrize("stretch", STRETCHES)
def test_left_and_right_svg_differ_only_by_the_mirror(stretch: str) -> None:
    right = ET.fromstring(avg_to_svg(avg_graphic(stretch, "right")))
    left = ET.fromstring(avg_to_svg(avg_graphic(stretch, "left")))
    assert ET.tostring(right) != ET.tostring(left)
    (group,) = list(left)
    assert group.tag == f"{SVG}g"
    assert "scale(-1 1)" in group.get("transform", "")
    assert [ET.tostring(e) for e in group] == [ET.tostring(e) for e in right]


def test_svg_defaults_to_the_drawings_own_size() -> None:
    graphic = avg_graphic("supine", "right")
    root = ET.fromstring(avg_to_svg(graphic))
    assert (root.get("width"), root.get("height")) == (
        str(graphic["width"]),
        str(graphic["height"]),
    )


def test_svg_refuses_what_it_cannot_draw() -> None:
    with pytest.raises(ValueError, match="not an AVG"):
        avg_to_svg({"type": "Image", "width": 1, "height": 1})
    text = {"type": "AVG", "width": 10, "height": 10, "items": [{"type": "text", "text": "x"}]}
    with pytest.raises(ValueError, match="'text'"):
        avg_to_svg(text)
