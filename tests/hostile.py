"""Hostile session attributes for tests (tests/test_hostile_state.py): hypothesis strategies
that mutate a state the skill wrote with values a client could send, and the request body that
carries them (deep nesting is spliced in as text, so the test process never builds it)."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator
from typing import Any

from hypothesis import strategies as st

_DEEP = re.compile(r'"__deep_(\d+)_(list|dict)__"')

ODD_NUMBERS = st.sampled_from(
    [
        math.inf,
        -math.inf,
        math.nan,
        1e308,
        -1e308,
        2**63,
        2**64 + 1,
        -(2**63),
        10**300,
        1.5,
        -1,
        0,
        True,
        False,
        None,
        "",
        "30",
        {},
        [],
    ]
)
_LONG_STRING = st.integers(1_000, 60_000).map(lambda n: "x" * n)
_LONG_LIST = st.tuples(
    st.sampled_from(["seated", "supine", 0, [0, 0, 1], 1.0, {"v": 1}]),
    st.integers(100, 12_000),
).map(lambda pair: json.loads(json.dumps([pair[0]] * pair[1])))  # distinct items, none shared
DEEP_VALUE = st.tuples(st.integers(10, 700), st.sampled_from(["list", "dict"])).map(
    lambda pair: f"__deep_{pair[0]}_{pair[1]}__"
)
_SMALL_JSON = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
HOSTILE = st.one_of(
    ODD_NUMBERS,
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    _LONG_STRING,
    _LONG_LIST,
    DEEP_VALUE,
    _SMALL_JSON,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a (legitimate, small) state: each dict key and list index."""
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _put(state: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = state
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return state


@st.composite
def hostile_attributes(draw: st.DrawFn, legit: list[dict[str, Any]]) -> Any:
    """A state the skill wrote, with one to six places replaced or added by hostile values (a
    number is replaced by an odd number half the time: those are the values the code converts)."""
    if not draw(st.integers(0, 9)):  # now and then, not a state at all
        return copy.deepcopy(draw(HOSTILE))
    state = json.loads(json.dumps(draw(st.sampled_from(legit))))
    for _ in range(draw(st.integers(1, 6))):
        paths = [p for p in _paths(state) if p]
        if paths and draw(st.integers(0, 4)):
            path = draw(st.sampled_from(paths))
            number = isinstance(_get(state, path), int | float)
            value = draw(ODD_NUMBERS if number and draw(st.booleans()) else HOSTILE)
            state = _put(state, path, copy.deepcopy(value))  # later steps may add keys to it
        else:  # a new key somewhere in a dict
            dicts = [p for p in _paths(state) if isinstance(_get(state, p), dict)]
            where = _get(state, draw(st.sampled_from(dicts))) if dicts else None
            if isinstance(where, dict):
                where[draw(st.text(max_size=12))] = copy.deepcopy(draw(HOSTILE))
    return state


def _get(state: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        state = state[step]
    return state


def body_of(envelope: dict[str, Any]) -> bytes:
    """The envelope as a client could send it: NaN and Infinity as Python's json writes them,
    and each deep marker spliced in as nested arrays or objects."""

    def deep(match: re.Match[str]) -> str:
        depth = int(match.group(1))
        if match.group(2) == "list":
            return "[" * depth + "]" * depth
        return '{"a":' * depth + "0" + "}" * depth

    return _DEEP.sub(deep, json.dumps(envelope)).encode()
