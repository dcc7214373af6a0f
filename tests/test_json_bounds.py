"""JsonBounds (skill/core/json_bounds.py): the bounded look at an untrusted JSON value."""

from __future__ import annotations

import time
from typing import Any

import pytest

from skill.core.json_bounds import JsonBounds

BOUNDS = JsonBounds(nodes=10, depth=3, string=5)


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("value", "admitted"),
    [
        ({"a": [1, 2.5, None, True, "five!"]}, True),
        ("short", True),
        (float("inf"), True),  # numbers are the fields' readers' to judge
        (nested(3), True),
        (nested(4), False),
        ({"a": {"b": {"c": {}}}}, False),
        (list(range(10)), True),
        (list(range(11)), False),
        ([[1] * 5, [1] * 5], False),  # 2 + 10 values
        ({"long key": 1}, False),
        ({"a": "six!!!"}, False),
        ("six!!!", False),
        ({1: 2}, False),
        ([object()], False),
        ((1, 2), False),  # not a JSON parser's type
    ],
)
def test_what_is_admitted(value: Any, admitted: bool) -> None:
    assert BOUNDS.admit(value) is admitted


@pytest.mark.parametrize(
    "huge",
    [list(range(1_000_000)), nested(100_000), [["x"] * 1_000_000], {"a": "x" * 10_000_000}],
)
def test_work_is_bounded_by_the_limits_not_the_input(huge: Any) -> None:
    """A million items, 100,000 levels: refused without a walk (recursion would overflow)."""
    started = time.perf_counter()
    for _ in range(100):
        assert not BOUNDS.admit(huge)
    assert (time.perf_counter() - started) / 100 < 0.0005  # a walk would take over 10 ms
