"""APL data-binding expressions (`${...}`), the subset our documents use, parsed and evaluated.

Why our own: the schema check and the preview must know what a device would show, so every
expression in a document is evaluated here against the real data source. Anything outside the
subset (an unknown function, operator or name) is an error, not a silent null as on a device:
a typo must fail the tests, not blank a screen.

Grammar (Amazon's "Data-binding syntax" page and the APL 1.5 engine's grammar, docs/screens.md):
literals (numbers, 'strings', "strings", true, false, null; no [array] literals, which APL 1.5
lacks), names, `@resource`, `a.b`, `a[i]`, `.length`, calls of the Math functions below, unary
`! - +`, `* / %`, `+ -`, `< > <= >=`, `== !=`, `&&`, `||`, `??`, `?:`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class ExpressionError(ValueError):
    """An expression that does not parse or does not resolve."""


MATH_FUNCTIONS: dict[str, Callable[..., float]] = {
    "floor": lambda x: float(math.floor(x)),
    "ceil": lambda x: float(math.ceil(x)),
    # std::round in Amazon's engine: halves away from zero (2.5 -> 3, -2.5 -> -3).
    "round": lambda x: math.copysign(math.floor(abs(x) + 0.5), x),
    "min": lambda *xs: float(min(xs)),
    "max": lambda *xs: float(max(xs)),
    "abs": lambda x: float(abs(x)),
}

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>@?[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||\?\?|[-+*/%<>!?:.,()\[\]]))"
)


@dataclass(frozen=True)
class Node:
    """One node of a parsed expression: kind ("num", "str", "name", "res", "attr", "index",
    "call", "unary", "binary", "and", "or", "coalesce", "cond") and its parts."""

    kind: str
    value: Any = None
    parts: tuple[Node, ...] = ()


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"cannot read {text[pos:]!r} in expression {text!r}")
        kind = match.lastgroup or ""
        value = match.group(kind)
        if value in ("===", "!=="):
            raise ExpressionError(f"operator {value} is not APL (use == or !=) in {text!r}")
        tokens.append((kind, value))
        pos = match.end()
    return tokens


_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError(f"expression {self.text!r} ends too early")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ExpressionError(f"expected {expected!r}, found {token[1]!r} in {self.text!r}")
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.conditional()
        if self.pos != len(self.tokens):
            raise ExpressionError(f"unexpected {self.peek()!r} in {self.text!r}")
        return node

    def conditional(self) -> Node:
        test = self.coalesce()
        if self.peek() == "?":
            self.take("?")
            yes = self.conditional()
            self.take(":")
            no = self.conditional()
            return Node("cond", parts=(test, yes, no))
        return test

    def coalesce(self) -> Node:
        node = self.logical_or()
        while self.peek() == "??":
            self.take()
            node = Node("coalesce", parts=(node, self.logical_or()))
        return node

    def logical_or(self) -> Node:
        node = self.logical_and()
        while self.peek() == "||":
            self.take()
            node = Node("or", parts=(node, self.logical_and()))
        return node

    def logical_and(self) -> Node:
        node = self.binary(0)
        while self.peek() == "&&":
            self.take()
            node = Node("and", parts=(node, self.binary(0)))
        return node

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while self.peek() in _BINARY_LEVELS[level]:
            op = self.take()[1]
            node = Node("binary", op, (node, self.binary(level + 1)))
        return node

    def unary(self) -> Node:
        if self.peek() in ("!", "-", "+"):
            op = self.take()[1]
            return Node("unary", op, (self.unary(),))
        return self.postfix()

    def postfix(self) -> Node:
        node = self.primary()
        while self.peek() in (".", "[", "("):
            token = self.take()[1]
            if token == ".":
                kind, name = self.take()
                if kind != "name" or name.startswith("@"):
                    raise ExpressionError(f"expected a name after '.' in {self.text!r}")
                node = Node("attr", name, (node,))
            elif token == "[":
                index = self.conditional()
                self.take("]")
                node = Node("index", parts=(node, index))
            else:
                args: list[Node] = []
                while self.peek() != ")":
                    args.append(self.conditional())
                    if self.peek() != ")":
                        self.take(",")
                self.take(")")
                node = Node("call", parts=(node, *args))
        return node

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Node("num", float(value))
        if kind == "str":
            if "${" in value:
                raise ExpressionError(f"nested ${{}} in a string literal is not supported: {value}")
            return Node("str", value[1:-1])
        if kind == "name":
            if value.startswith("@"):
                return Node("res", value[1:])
            literals = {"true": True, "false": False, "null": None}
            if value in literals:
                return Node("lit", literals[value])
            return Node("name", value)
        if value == "(":
            node = self.conditional()
            self.take(")")
            return node
        if value == "[":
            # APL 1.5's grammar has no array literals (later versions do): a device of our
            # document version would not read one.
            raise ExpressionError(f"array literals are not in APL 1.5 expressions: {self.text!r}")
        raise ExpressionError(f"unexpected {value!r} in {self.text!r}")


def parse(text: str) -> Node:
    """The parsed form of one expression (the text between `${` and `}`)."""
    return _Parser(text).parse()


@dataclass
class Context:
    """What names and `@resources` mean while evaluating: the data-binding context."""

    names: Mapping[str, Any]
    resources: Mapping[str, Any]

    def child(self, **names: Any) -> Context:
        """A context with more names (a `data` item, `index`, a layout's parameters)."""
        return Context({**self.names, **names}, self.resources)


def truthy(value: Any) -> bool:
    """APL truthiness: null, false, 0 and the empty string are false."""
    return value not in (None, False, 0, 0.0, "")


def to_text(value: Any) -> str:
    """How APL writes a value into a string: integral numbers without a decimal point."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExpressionError(f"{where}: {value!r} is not a number")
    return float(value)


def _equal(left: Any, right: Any) -> bool:
    """APL equality: no coercion between types (1 == '1' is false, true == 1 is false)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return float(left) == float(right)
    return type(left) is type(right) and left == right


def _binary(op: str, left: Any, right: Any) -> Any:
    if op == "+" and (isinstance(left, str) or isinstance(right, str)):
        return to_text(left) + to_text(right)
    if op in ("==", "!="):
        same = _equal(left, right)
        return same if op == "==" else not same
    a, b = _number(left, op), _number(right, op)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a))
    if op == "%":
        return math.fmod(a, b) if b else math.nan
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


def evaluate(node: Node, context: Context) -> Any:
    """The value of a parsed expression in a context; ExpressionError when it does not resolve."""
    kind = node.kind
    if kind in ("num", "str", "lit"):
        return node.value
    if kind == "name":
        if node.value == "Math":
            return MATH_FUNCTIONS
        if node.value not in context.names:
            raise ExpressionError(f"unknown name {node.value!r}")
        return context.names[node.value]
    if kind == "res":
        if node.value not in context.resources:
            raise ExpressionError(f"unknown resource @{node.value}")
        return context.resources[node.value]
    if kind == "attr":
        return _attribute(evaluate(node.parts[0], context), node.value)
    if kind == "index":
        return _index(evaluate(node.parts[0], context), evaluate(node.parts[1], context))
    if kind == "call":
        function = evaluate(node.parts[0], context)
        if not callable(function):
            raise ExpressionError(f"{function!r} is not a function")
        args = [_number(evaluate(arg, context), "Math argument") for arg in node.parts[1:]]
        return function(*args)
    if kind == "unary":
        value = evaluate(node.parts[0], context)
        if node.value == "!":
            return not truthy(value)
        number = _number(value, f"unary {node.value}")
        return -number if node.value == "-" else number
    if kind == "and":
        left = evaluate(node.parts[0], context)
        return evaluate(node.parts[1], context) if truthy(left) else left
    if kind == "or":
        left = evaluate(node.parts[0], context)
        return left if truthy(left) else evaluate(node.parts[1], context)
    if kind == "coalesce":
        left = evaluate(node.parts[0], context)
        return evaluate(node.parts[1], context) if left is None else left
    if kind == "cond":
        chosen = node.parts[1] if truthy(evaluate(node.parts[0], context)) else node.parts[2]
        return evaluate(chosen, context)
    left, right = (evaluate(part, context) for part in node.parts)
    return _binary(node.value, left, right)


def _attribute(value: Any, name: str) -> Any:
    if value is MATH_FUNCTIONS:
        if name not in MATH_FUNCTIONS:
            raise ExpressionError(f"unknown function Math.{name}")
        return MATH_FUNCTIONS[name]
    if name == "length" and isinstance(value, list | str):
        return float(len(value))
    if not isinstance(value, Mapping):
        raise ExpressionError(f"cannot read .{name} of {value!r}")
    if name not in value:
        raise ExpressionError(f"no field {name!r} (fields: {sorted(value)})")
    return value[name]


def _index(value: Any, index: Any) -> Any:
    if isinstance(value, list):
        position = int(_number(index, "array index"))
        if not -len(value) <= position < len(value):
            raise ExpressionError(f"index {position} outside an array of {len(value)}")
        return value[position]
    if isinstance(value, Mapping) and isinstance(index, str):
        return _attribute(value, index)
    raise ExpressionError(f"cannot index {value!r} with {index!r}")


_EMBEDDED = re.compile(r"\$\{")


def split_template(text: str) -> list[str | Node]:
    """A property string split into literal parts and parsed `${...}` parts."""
    return list(_split_cached(text))


@lru_cache(maxsize=4096)
def _split_cached(text: str) -> tuple[str | Node, ...]:
    # Documents are inflated at many viewports and moments: each string is parsed once.
    parts: list[str | Node] = []
    pos = 0
    while (match := _EMBEDDED.search(text, pos)) is not None:
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        end = _closing_brace(text, match.end())
        parts.append(parse(text[match.end() : end]))
        pos = end + 1
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def _closing_brace(text: str, start: int) -> int:
    quote = ""
    depth = 0
    for i in range(start, len(text)):
        char = text[i]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
    raise ExpressionError(f"unclosed ${{ in {text!r}")


def evaluate_string(text: str, context: Context) -> Any:
    """A property value as the device computes it: a lone `${...}` keeps its type, text around
    expressions makes a string, and a plain `@name` string is a resource look-up."""
    parts = _split_cached(text)
    if len(parts) == 1 and isinstance(parts[0], Node):
        return evaluate(parts[0], context)
    if not any(isinstance(part, Node) for part in parts):
        if re.fullmatch(r"@[A-Za-z_][A-Za-z0-9_]*", text):
            return evaluate(Node("res", text[1:]), context)
        return text
    return "".join(
        to_text(evaluate(part, context)) if isinstance(part, Node) else part for part in parts
    )
