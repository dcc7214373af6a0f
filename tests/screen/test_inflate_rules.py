"""The inflater follows Amazon's inflation rules, shown on a small hand-written document:
resource blocks in order with their `when`, `bind` in order, layouts with defaults, `data`
arrays with `data`/`index`/`length`, `firstItem`/`lastItem`, and the single-child rule."""

from __future__ import annotations

from typing import Any

import pytest

from skill.screen.inflate import InflateError, inflate
from skill.screen.viewports import VIEWPORTS

DOCUMENT: dict[str, Any] = {
    "type": "APL",
    "version": "1.5",
    "resources": [
        {"strings": {"size": "normal"}, "dimensions": {"gap": 10}},
        {"when": "${viewport.shape == 'round'}", "strings": {"size": "round"}},
        {"when": "${viewport.width > 5000}", "strings": {"size": "never"}},
        {"dimensions": {"double": "${@gap * 2}"}},
    ],
    "layouts": {
        "Label": {
            "parameters": ["words", {"name": "tone", "default": "plain"}],
            "item": {"type": "Text", "text": "${words} (${tone})"},
        }
    },
    "mainTemplate": {
        "parameters": ["payload"],
        "item": {
            "type": "Container",
            "bind": [{"name": "a", "value": 2}, {"name": "b", "value": "${a * 3}"}],
            "items": [
                {"type": "Text", "text": "@size", "paddingTop": "@double"},
                {"type": "Text", "text": "${a + b}"},
                {"type": "Text", "when": "${payload.hidden}", "text": "hidden"},
                {"type": "Label", "words": "${payload.name}"},
                {"type": "Label", "words": "loud", "tone": "shouting"},
                {
                    "type": "Container",
                    "data": "${payload.items}",
                    "firstItem": {"type": "Text", "text": "first"},
                    "items": [
                        {"type": "Text", "when": "${data == 'skip'}", "text": "skipped ${index}"},
                        {"type": "Text", "text": "${index + 1}/${length}: ${data}"},
                    ],
                    "lastItem": {"type": "Text", "text": "last"},
                },
                {
                    "type": "Frame",
                    "items": [
                        {"type": "Text", "when": "${false}", "text": "not me"},
                        {"type": "Text", "text": "me"},
                        {"type": "Text", "text": "not me either"},
                    ],
                },
            ],
        },
    },
}
DATA = {"payload": {"hidden": False, "name": "Ann", "items": ["x", "skip", "y"]}}


def texts(viewport: str = "hubLandscapeMedium") -> list[str]:
    directive = {"type": "x", "document": DOCUMENT, "datasources": DATA}
    root = inflate(directive, VIEWPORTS[viewport], 0)
    return [n.props["text"] for n in root.walk() if n.type == "Text"]


def test_the_document_inflates_by_apls_rules() -> None:
    assert texts() == [
        "normal",
        "8",
        "Ann (plain)",
        "loud (shouting)",
        "first",
        "1/3: x",
        "skipped 1",
        "3/3: y",
        "last",
        "me",
    ]


def test_resource_blocks_apply_in_order_when_their_condition_holds() -> None:
    assert texts("hubRoundSmall")[0] == "round"
    directive = {"type": "x", "document": DOCUMENT, "datasources": DATA}
    first = inflate(directive, VIEWPORTS["hubRoundSmall"], 0).children[0]
    assert first.props["paddingTop"] == 20


def test_a_layout_given_a_parameter_it_does_not_have_is_an_error() -> None:
    document = {
        **DOCUMENT,
        "mainTemplate": {"item": {"type": "Label", "words": "a", "color": "red"}},
    }
    with pytest.raises(InflateError, match=r"layout Label has no parameter \['color'\]"):
        inflate({"document": document}, VIEWPORTS["hubLandscapeLarge"], 0)


def test_a_data_property_that_is_not_an_array_is_an_error() -> None:
    document = {**DOCUMENT, "mainTemplate": {"item": {"type": "Container", "data": "${1}"}}}
    with pytest.raises(InflateError, match="not an array"):
        inflate({"document": document}, VIEWPORTS["hubLandscapeLarge"], 0)
