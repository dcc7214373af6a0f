"""skill/preview/html.py on small component trees: APL's layout rules as the browser lays them
out (boxes measured in Chromium), the defaults Amazon's pages give, and a loud failure for
anything the preview does not draw."""

from __future__ import annotations

from typing import Any

import pytest

from skill.preview.apl_values import AVG_ITEMS_DRAWN, PreviewError, markup
from skill.preview.html import THEME_TEXT, page
from skill.screen.art import avg_graphic, avg_to_svg, graphic_name
from skill.screen.inflate import Node
from skill.screen.viewports import Viewport

# Screens of fixed sizes, so the expected boxes below are plain numbers.
SMALL = Viewport("round", "round", 480, 480, 160, "HUB")  # 480 x 480 dp
MEDIUM = Viewport("landscape", "rectangle", 960, 600, 160, "HUB")  # 960 x 600 dp
TV = Viewport("tv", "rectangle", 1920, 1080, 320, "TV")  # 960 x 540 dp at 320 dpi

_BOXES_JS = """() => Object.fromEntries([...document.querySelectorAll('[data-id]')].map(e => {
  const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
  return [e.dataset.id, {x: r.x, y: r.y, w: r.width, h: r.height, visibility: s.visibility,
          display: s.display}];
}))"""


def box(ident: str, **props: Any) -> Node:
    """A Frame of a fixed size: something with a box to measure."""
    return Node("Frame", {"id": ident, **props})


def boxes(browser: Any, root: Node, viewport: Any = MEDIUM) -> dict[str, dict[str, Any]]:
    """Every component with an id, as Chromium laid it out (x, y, width, height in dp)."""
    tab = browser.new_page(viewport={"width": viewport.width_dp, "height": viewport.height_dp})
    try:
        tab.set_content(page(root, viewport, {}, "test"))
        return tab.evaluate(_BOXES_JS)
    finally:
        tab.close()


def test_a_container_stacks_its_children_in_a_column_stretched_across(browser: Any) -> None:
    root = Node(
        "Container",
        {"id": "root"},
        [box("a", height=100), box("b", height=50, spacing=20)],
    )
    found = boxes(browser, root)
    assert found["root"] == {**found["root"], "x": 0, "y": 0, "w": 960, "h": 600}
    assert found["a"]["y"] == 0
    assert found["a"]["w"] == 960
    assert found["b"]["y"] == 120  # below the first, after its spacing


def test_a_row_places_side_by_side_and_grow_takes_the_rest(browser: Any) -> None:
    root = Node(
        "Container",
        {"direction": "row", "alignItems": "center", "justifyContent": "start"},
        [box("a", width=200, height=80), box("b", grow=1, height=40, spacing=10)],
    )
    found = boxes(browser, root)
    assert (found["a"]["x"], found["a"]["w"]) == (0, 200)
    assert (found["b"]["x"], found["b"]["w"]) == (210, 750)
    assert found["a"]["y"] == 260
    assert found["b"]["y"] == 280


def test_percent_sizes_padding_and_absolute_position(browser: Any) -> None:
    root = Node(
        "Container",
        {"paddingLeft": 30, "paddingTop": 10},
        [
            box("half", width="50%", height="10%"),
            box("pinned", position="absolute", right=0, bottom=0, width=40, height=40),
        ],
    )
    found = boxes(browser, root)
    assert found["half"] == {**found["half"], "x": 30, "y": 10, "w": 465, "h": 59}
    assert (found["pinned"]["x"], found["pinned"]["y"]) == (920, 560)


def test_display_none_takes_no_room_and_invisible_keeps_its_room(browser: Any) -> None:
    root = Node(
        "Container",
        {},
        [
            box("gone", height=100, display="none"),
            box("hidden", height=100, display="invisible"),
            box("last", height=10),
        ],
    )
    found = boxes(browser, root)
    assert found["gone"]["display"] == "none"
    assert found["hidden"]["visibility"] == "hidden"
    assert found["hidden"]["y"] == 0
    assert found["last"]["y"] == 100


def test_pixels_are_converted_to_dp_by_the_viewports_density(browser: Any) -> None:
    # The TV profile has 320 dpi: 200 px are 100 dp; vw and vh are shares of the viewport.
    root = Node("Container", {}, [box("px", width="200px", height="10vh")])
    found = boxes(browser, root, TV)
    assert (found["px"]["w"], found["px"]["h"]) == (100, 54)


def test_text_takes_amazons_defaults_and_the_dark_themes_colour() -> None:
    html = page(Node("Text", {"text": "Hello"}), MEDIUM, {"theme": "dark"}, "t")
    assert "font-size:40px" in html  # Text fontSize default 40dp
    assert "line-height:1.25" in html  # lineHeight default 125%
    assert f"color:{THEME_TEXT['dark']}" in html
    assert ">Hello</span>" in html


def test_text_markup_keeps_line_breaks_and_escapes_the_rest() -> None:
    assert markup("Call<br>911 &amp; wait") == "Call<br>911 &amp; wait"
    assert markup("a < b") == "a &lt; b"
    assert markup("<b>Stop</b>") == "<b>Stop</b>"
    with pytest.raises(PreviewError, match="markup"):
        markup("<span color='red'>x</span>")


def test_max_lines_clamps_and_round_viewports_are_clipped_to_a_circle() -> None:
    html = page(Node("Text", {"text": "x", "maxLines": 2}), SMALL, {}, "t")
    assert "-webkit-line-clamp:2" in html
    assert "class='round'" in html
    assert "#screen.round{border-radius:50%}" in html


def test_a_vector_graphic_is_drawn_from_the_documents_graphic_scaled_to_fit() -> None:
    name = graphic_name("seated", "left")
    node = Node("VectorGraphic", {"source": name, "width": 300, "height": 100, "scale": "best-fit"})
    html = page(node, MEDIUM, {"graphics": {name: avg_graphic("seated", "left")}}, "t")
    assert "data:image/svg+xml;base64," in html
    assert "object-fit:contain" in html
    assert "object-position:center" in html


def test_unknown_components_properties_and_values_fail_loudly() -> None:
    with pytest.raises(PreviewError, match="Sequence"):
        page(Node("Sequence", {}), MEDIUM, {}, "t")
    with pytest.raises(PreviewError, match="shadowColor"):
        page(Node("Frame", {"shadowColor": "red"}), MEDIUM, {}, "t")
    with pytest.raises(PreviewError, match="direction"):
        page(Node("Container", {"direction": "diagonal"}), MEDIUM, {}, "t")
    with pytest.raises(PreviewError, match="dimension"):
        page(Node("Frame", {"width": "wide"}), MEDIUM, {}, "t")
    with pytest.raises(PreviewError, match="not in the document's graphics"):
        page(Node("VectorGraphic", {"source": "https://example.com/x.json"}), MEDIUM, {}, "t")


def test_an_avg_property_the_svg_drawing_leaves_out_fails_loudly() -> None:
    graphic = avg_graphic("seated", "right")
    graphic["items"][0]["strokeTransform"] = "rotate(45)"
    node = Node("VectorGraphic", {"source": "pose"})
    with pytest.raises(PreviewError, match="strokeTransform"):
        page(node, MEDIUM, {"graphics": {"pose": graphic}}, "t")


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("fill", "#123456"),
        ("fillOpacity", 0.5),
        ("stroke", "#654321"),
        ("strokeOpacity", 0.25),
        ("strokeWidth", 7),
        ("strokeLineCap", "round"),
        ("strokeLineJoin", "bevel"),
        ("strokeMiterLimit", 3),
        ("pathLength", 100),
        ("strokeDashArray", [25, 75]),
        ("strokeDashOffset", 10),
    ],
)
def test_every_avg_path_property_the_preview_accepts_is_drawn_by_avg_to_svg(
    prop: str, value: Any
) -> None:
    # What the preview believes avg_to_svg draws (AVG_ITEMS_DRAWN) must not claim more than
    # it draws: each property changes the SVG.
    assert prop in AVG_ITEMS_DRAWN["path"]
    plain = {"type": "AVG", "version": "1.2", "width": 10, "height": 10}
    path = {"type": "path", "pathData": "M0,0 L10,10"}
    without = avg_to_svg({**plain, "items": [path]})
    with_it = avg_to_svg({**plain, "items": [{**path, prop: value}]})
    assert without != with_it
    drawn_props = AVG_ITEMS_DRAWN["path"] - {"type", "description", "pathData"}
    assert len(drawn_props) == 11  # a new entry needs a row above
