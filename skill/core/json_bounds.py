"""A bounded look at an untrusted JSON value before anything reads it.

The session attributes come back from the client on every request, and a client can send up to
the body limit (128 KB) of anything: 12,000 list items, 60,000-character strings, arrays nested
as deep as the parser allows. The skill's own state is small and shallow, so the
cheapest defence is to look at the value's shape first, with work bounded by the limits, not by
the input: the walk is iterative (no recursion, so depth cannot overflow the stack), a container
is refused by its length before its items are visited, and the walk stops at the first value
over a limit. Only a value within the limits is then read field by field (SessionState.from_dict).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class JsonBounds:
    """The largest JSON value we agree to read: `nodes` values in all (containers included),
    containers nested at most `depth` deep (the top one is depth 1), strings (keys included)
    at most `string` characters. These bound the work of reading it, not what its values
    mean: an infinite or huge number is within them, and each field's reader refuses it."""

    nodes: int
    depth: int
    string: int

    def admit(self, value: Any) -> bool:
        """True when `value` is within the bounds. Visits at most `nodes` values, level by
        level (the containers of one depth, then those of the next), charging each container
        its length before it looks at any item."""
        budget, longest = self.nodes, self.string
        if type(value) is not dict and type(value) is not list:
            return _scalar_ok(value, longest)
        level = [value]
        for _ in range(self.depth):
            deeper: list[Any] = []
            for node in level:
                budget -= len(node)
                if budget < 0:
                    return False
                items = node
                if type(node) is dict:
                    for key in node:
                        if type(key) is not str or len(key) > longest:
                            return False
                    items = node.values()
                for item in items:
                    kind = type(item)
                    if kind is int or kind is bool or item is None or kind is float:
                        continue
                    if kind is str:
                        if len(item) > longest:
                            return False
                    elif kind is dict or kind is list:
                        deeper.append(item)
                    else:
                        return False
            if not deeper:
                return True
            level = deeper
        return False  # containers deeper than `depth`


def _scalar_ok(value: Any, longest: int) -> bool:
    """A JSON scalar (the exact types a JSON parser builds), a string within the bounds. What
    a number may be is for the reader of each field to say (skill/core/session_state.py)."""
    kind = type(value)
    if kind is str:
        return len(value) <= longest
    return kind is int or kind is float or kind is bool or value is None
