"""The data-binding expressions the documents use, evaluated as a device evaluates them, and
the errors for anything outside that subset."""

from __future__ import annotations

import math

import pytest

from skill.screen.expressions import Context, ExpressionError, evaluate_string, parse

CONTEXT = Context(
    {
        "screen": {"title": "Seated", "holds": [{"startMs": 3000, "endMs": 33000}], "none": None},
        "elapsedTime": 18500.0,
        "data": "Sit up",
        "index": 1.0,
    },
    {"accent": "#53C7A4", "titleSize": 36},
)


def value(text: str) -> object:
    return evaluate_string(text, CONTEXT)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${1 + 2 * 3}", 7),
        ("${(1 + 2) * 3}", 9),
        ("${7 % 4}", 3),
        ("${10 / 4}", 2.5),
        ("${-3 + +1}", -2),
        ("${'a' + 1}", "a1"),
        ("${\"double\" + 'single'}", "doublesingle"),
        ("${2 < 3 && 3 <= 3 && 4 > 3 && 4 >= 5 == false}", True),
        ("${1 == 1 && 1 != 2}", True),
        ("${1 == '1'}", False),
        ("${true == 1}", False),
        ("${!0 && !'' && !null && !false}", True),
        ("${0 || 'fallback'}", "fallback"),
        ("${screen.none ?? 'none given'}", "none given"),
        ("${screen.holds[0].endMs - screen.holds[0].startMs}", 30000),
        ("${screen['title']}", "Seated"),
        ("${screen.holds.length}", 1),
        ("${screen.holds[-1].startMs}", 3000),
        ("${Math.floor(2.7) + Math.ceil(2.1) + Math.round(2.5) + Math.abs(-1)}", 9),
        ("${Math.round(-2.5)}", -3),
        ("${Math.min(4, 2, 3) * Math.max(1, 5)}", 10),
        ("${elapsedTime > 3000 ? 'hold' : 'lead-in'}", "hold"),
        ("${false ? 1 : true ? 2 : 3}", 2),
        ("${@titleSize * 2}", 72),
        ("@accent", "#53C7A4"),
        ("plain words", "plain words"),
    ],
)
def test_expressions_evaluate_as_apl_does(text: str, expected: object) -> None:
    assert value(text) == expected


def test_text_around_expressions_makes_a_string_with_whole_numbers_written_plainly() -> None:
    assert value("${index + 1}. ${data}") == "2. Sit up"
    assert value("${Math.ceil((33000 - elapsedTime) / 1000)} s left") == "15 s left"
    assert value("${10 / 4} and ${true}") == "2.5 and true"


def test_a_lone_expression_keeps_its_type() -> None:
    assert value("${screen.holds}") == [{"startMs": 3000, "endMs": 33000}]
    assert value("${1 > 0}") is True


def test_division_by_zero_gives_infinity_or_nan_like_a_device() -> None:
    assert value("${1 / 0}") == math.inf
    assert math.isnan(value("${0 / 0}"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${unknownName}", "unknown name 'unknownName'"),
        ("${screen.missing}", "no field 'missing'"),
        ("${screen.none.field}", "cannot read .field of None"),
        ("${@nope}", "unknown resource @nope"),
        ("${Math.sqrt(4)}", "unknown function Math.sqrt"),
        ("${String.toUpperCase('a')}", "unknown name 'String'"),
        ("${1 === 1}", "operator === is not APL"),
        ("${1 +}", "ends too early"),
        ("${(1 + 2}", "ends too early"),
        ("${1 2}", "unexpected '2'"),
        ("${1 # 2}", "cannot read"),
        ("${screen.holds[5]}", "index 5 outside an array of 1"),
        ("${'a' * 2}", "is not a number"),
        ("${screen.title", "unclosed ${"),
        ("${'${nested}'}", "nested ${} in a string literal"),
        ("${screen.title(1)}", "is not a function"),
        ("${[1, 2][0]}", "array literals are not in APL 1.5"),
    ],
)
def test_anything_outside_the_subset_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace("$", r"\$")):
        value(text)


def test_parse_reads_without_a_context() -> None:
    tree = parse("a.b[1] ? -c : d ?? 2")
    assert tree.kind == "cond"
