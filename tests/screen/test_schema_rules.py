"""Each of the checker's rules, broken one at a time in an otherwise valid directive (a set
that ends the routine), is reported; the other tests check the valid screens."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from skill.core.screens import FinishScreen
from skill.screen import apl_reference
from skill.screen.avg_check import avg_problems
from skill.screen.directive import render_directive
from skill.screen.schema import validate_directive
from tests.screen.sets import closing_set, typical_set

BASE = closing_set()


def walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def first(directive: dict[str, Any], **match: Any) -> dict[str, Any]:
    """The first object in the directive with these key/values."""
    return next(d for d in walk(directive) if all(d.get(k) == v for k, v in match.items()))


def text_with(directive: dict[str, Any], fragment: str) -> dict[str, Any]:
    return next(
        d for d in walk(directive) if d.get("type") == "Text" and fragment in str(d.get("text"))
    )


def ring(directive: dict[str, Any]) -> dict[str, Any]:
    return directive["document"]["graphics"]["ring"]


Mutation = Callable[[dict[str, Any]], None]
BREAKS: list[tuple[str, Mutation, str]] = [
    (
        "directive type",
        lambda d: d.update(type="Alexa.Presentation.APL.Render"),
        "directive type is",
    ),
    ("token", lambda d: d.update(token="other"), "directive token is 'other'"),
    (
        "directive key",
        lambda d: d.update(shouldEndSession=True),
        "directive has no property 'shouldEndSession'",
    ),
    ("document type", lambda d: d["document"].update(type="APLA"), "document type is 'APLA'"),
    (
        "version unknown",
        lambda d: d["document"].update(version="1.55"),
        "'1.55' is not an APL version",
    ),
    ("version not ours", lambda d: d["document"].update(version="1.4"), "is not APL_VERSION"),
    (
        "document key",
        lambda d: d["document"].update(mainTemplates={}),
        "document has no property 'mainTemplates'",
    ),
    (
        "component type",
        lambda d: text_with(d, "screen.leadHeading").update(type="Label"),
        "unknown component type 'Label'",
    ),
    (
        "component property",
        lambda d: text_with(d, "data.text").update(colour="red"),
        "Text has no property 'colour'",
    ),
    (
        "enumeration",
        lambda d: text_with(d, "data.text").update(textAlign="middle"),
        "'middle' is not one of",
    ),
    (
        "color",
        lambda d: text_with(d, "data.text").update(color="reddish"),
        "not a color: 'reddish'",
    ),
    (
        "dimension",
        lambda d: text_with(d, "data.text").update(width="ten inches"),
        "not a dimension",
    ),
    ("number", lambda d: text_with(d, "data.text").update(maxLines="two"), "not a number: 'two'"),
    (
        "dynamic enumeration",
        lambda d: text_with(d, "data.text").update(display="${data.atMs > 0 ? 'shown' : 'none'}"),
        "'shown' is not one of",
    ),
    (
        "literal graphic",
        lambda d: first(d, source="ring").update(source="rings"),
        "no graphic 'rings' in the document's graphics",
    ),
    (
        "bound graphic",
        lambda d: d["datasources"]["screen"]["holds"][1].update(graphic="pose_seated_up"),
        "no graphic 'pose_seated_up'",
    ),
    (
        "graphic parameter",
        lambda d: first(d, source="ring").update(progres=1),
        "VectorGraphic has no property 'progres'",
    ),
    ("AVG version", lambda d: ring(d).update(version="2.0"), "AVG version '2.0' is not one of"),
    (
        "AVG feature version",
        lambda d: ring(d).update(version="1.0"),
        "strokeDashArray needs AVG 1.1",
    ),
    ("AVG key", lambda d: ring(d).update(viewBox="0 0 100 100"), "AVG has no property 'viewBox'"),
    ("AVG size", lambda d: ring(d).update(width=0), "width must be a positive number"),
    (
        "AVG item type",
        lambda d: ring(d)["items"][0].update(type="circle"),
        "AVG item type 'circle'",
    ),
    (
        "AVG item key",
        lambda d: ring(d)["items"][0].update(d="M0,0"),
        "AVG path has no property 'd'",
    ),
    ("AVG path data", lambda d: ring(d)["items"][0].update(pathData="circle(50)"), "not path data"),
    ("AVG path needs data", lambda d: ring(d)["items"][0].pop("pathData"), "a path needs pathData"),
    (
        "AVG color",
        lambda d: ring(d)["items"][0].update(stroke="greenish"),
        "not a color: 'greenish'",
    ),
    (
        "AVG number",
        lambda d: ring(d)["items"][0].update(strokeWidth="thick"),
        "not a number: 'thick'",
    ),
    (
        "AVG enumeration",
        lambda d: ring(d)["items"][1].update(strokeLineCap="pointy"),
        "'pointy' is not one of",
    ),
    (
        "AVG parameter",
        lambda d: ring(d)["parameters"][0].update(type="percent"),
        "type 'percent' is not one of",
    ),
    (
        "AVG expression",
        lambda d: ring(d)["items"][1].update(stroke="${colour}"),
        "unknown name 'colour'",
    ),
    (
        "drawing",
        lambda d: d["document"]["graphics"]["pose_seated_right"]["items"][0].update(type="circle"),
        "AVG item type 'circle'",
    ),
    (
        "expression syntax",
        lambda d: text_with(d, "screen.leadHeading").update(text="${screen.title +}"),
        "ends too early",
    ),
    (
        "expression name",
        lambda d: text_with(d, "data.text").update(text="${data.words}"),
        "no field 'words'",
    ),
    (
        "resource name",
        lambda d: text_with(d, "data.text").update(color="@accentColor"),
        "unknown resource @accentColor",
    ),
    (
        "viewport field",
        lambda d: d["document"]["resources"][1].update(when="${viewport.size == 'small'}"),
        "viewport has no field 'size'",
    ),
    (
        "viewport value",
        lambda d: d["document"]["resources"][3].update(when="${viewport.shape == 'circle'}"),
        "viewport.shape is never 'circle'",
    ),
    (
        "viewport mode",
        lambda d: first(d, text="${labels.tvHint}").update(when="${viewport.mode == 'TV'}"),
        "viewport.mode is never 'TV'",
    ),
    (
        "layout parameter",
        lambda d: first(d, type="Pose").update(picture="x"),
        "layout Pose has no parameter 'picture'",
    ),
    (
        "layout key",
        lambda d: d["document"]["layouts"]["Pose"].update(items2=[]),
        "layouts.Pose: no property 'items2'",
    ),
    (
        "absolute dimension",
        lambda d: text_with(d, "data.text").update(fontSize="10vw"),
        "not an absolute dimension: '10vw'",
    ),
    (
        "string",
        lambda d: text_with(d, "data.text").update(fontFamily=12),
        "not a string: 12",
    ),
    (
        "boolean",
        lambda d: first(d, data="${screen.setup}").update(numbered="yes"),
        "not a boolean: 'yes'",
    ),
    (
        "AVG viewport size",
        lambda d: ring(d).update(viewportWidth=-1),
        "viewportWidth must be a positive number",
    ),
    (
        "AVG scale type",
        lambda d: ring(d).update(scaleTypeWidth="zoom"),
        "scaleTypeWidth 'zoom' is not one of",
    ),
    (
        "AVG parameter name",
        lambda d: ring(d)["parameters"][0].pop("name"),
        "a parameter needs a name",
    ),
    (
        "styles",
        lambda d: text_with(d, "data.text").update(style="caption"),
        "Text has no property 'style'",
    ),
    (
        "packages",
        lambda d: d["document"].update({"import": []}),
        "document has no property 'import'",
    ),
    (
        "clock on a static property",
        lambda d: text_with(d, "data.line").update(fontSize="${elapsedTime > 5000 ? 40 : 30}"),
        "fontSize: follows elapsedTime, but a device evaluates fontSize only once",
    ),
    (
        "clock in when",
        lambda d: text_with(d, "data.line").update(when="${elapsedTime < 5000}"),
        "when: follows elapsedTime, but a device evaluates when only once",
    ),
    (
        "clock through a layout parameter",
        lambda d: first(d, type="Pose", graphic="${data.graphic}").update(
            width="${elapsedTime > 0 ? 300 : 200}"
        ),
        "layouts.Pose.width: follows elapsedTime",
    ),
    (
        "clock in a resource",
        lambda d: d["document"]["resources"][0]["dimensions"].update(pad="${elapsedTime}"),
        "resources[0]: follows elapsedTime, but resources are evaluated once",
    ),
    (
        "layout parameter form",
        lambda d: d["document"]["layouts"]["Pose"]["parameters"].append({"label": "x"}),
        "parameter {'label': 'x'} is not a name",
    ),
    (
        "command type",
        lambda d: first(d, type="SendEvent").update(type="SendMessage"),
        "unknown command",
    ),
    (
        "command property",
        lambda d: first(d, type="SendEvent").update(argument=["pause"]),
        "SendEvent has no property 'argument'",
    ),
    (
        "button action",
        lambda d: first(d, type="SendEvent").update(arguments=["resume"]),
        "arguments: must start with one of",
    ),
    (
        "template parameter",
        lambda d: d["document"]["mainTemplate"].update(parameters=["payload"]),
        "mainTemplate parameter 'payload' has no data source",
    ),
    (
        "unused data source",
        lambda d: d["datasources"].update(extra={}),
        "data source 'extra' is not a mainTemplate parameter",
    ),
    (
        "template key",
        lambda d: d["document"]["mainTemplate"].update(when="${true}"),
        "mainTemplate has no property 'when'",
    ),
    (
        "resource group",
        lambda d: d["document"]["resources"][0].update(fonts={}),
        "no resource group 'fonts'",
    ),
    (
        "resource color",
        lambda d: d["document"]["resources"][0]["colors"].update(bg="dark blue"),
        "colors.bg: not a color",
    ),
    (
        "resource dimension",
        lambda d: d["document"]["resources"][0]["dimensions"].update(pad="wide"),
        "dimensions.pad: not a dimension",
    ),
    (
        "size",
        lambda d: d["datasources"]["screen"]["captions"][0].update(text="x" * 30_000),
        "over the 24000 budget",
    ),
    ("not JSON", lambda d: d["datasources"]["screen"].update(when={1, 2}), "directive is not JSON"),
]


@pytest.mark.parametrize(("rule", "mutate", "expected"), BREAKS, ids=[b[0] for b in BREAKS])
def test_each_rule_can_fail_on_its_own(rule: str, mutate: Mutation, expected: str) -> None:
    directive = render_directive(BASE)  # valid: test_schema.py checks it
    mutate(directive)
    problems = validate_directive(directive)
    assert any(expected in problem for problem in problems), (rule, problems)


def test_a_feature_newer_than_the_document_version_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(apl_reference.SINCE, "Frame", "1.6")
    monkeypatch.setitem(apl_reference.SINCE, "maxLines", "2022.1")
    problems = validate_directive(render_directive(FinishScreen("Well done", holds_done=2)))
    assert any("Frame needs APL 1.6, the document is 1.5" in p for p in problems), problems
    assert any("maxLines needs APL 2022.1, the document is 1.5" in p for p in problems), problems


def test_an_avg_version_newer_than_the_apl_version_is_reported() -> None:
    graphic = render_directive(typical_set())["document"]["graphics"]["pose_seated_right"]
    assert avg_problems(graphic, "pose", "1.5", evaluated=False) == []
    assert avg_problems(graphic, "pose", "1.4", evaluated=False) == [
        "pose: AVG 1.2 needs APL 1.5, the document is 1.4"
    ]


def test_a_graphic_left_unevaluated_after_inflation_is_reported() -> None:
    graphic = copy.deepcopy(render_directive(typical_set())["document"]["graphics"]["ring"])
    graphic.pop("parameters")
    problems = avg_problems(graphic, "ring", "1.5", evaluated=True)
    assert any("was not evaluated" in p for p in problems), problems
