"""Checks on what a document's `${...}` expressions read: that they parse, that viewport
conditions name real viewport fields and values, and that only properties a device
re-evaluates follow the clock (`elapsedTime`). Part of the APL checker (schema.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import apl_reference as ref
from .expressions import ExpressionError, Node, split_template


def strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value with where it is."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from strings(item, f"{where}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{where}.{key}")


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    for part in node.parts:
        yield from _nodes(part)


def expression_problems(document: dict[str, Any]) -> list[str]:
    """Expressions that do not parse, and viewport conditions on fields or values that no
    viewport has."""
    problems: list[str] = []
    for where, text in strings(document, "document"):
        if "${" not in text:
            continue
        try:
            parts = split_template(text)
        except ExpressionError as error:
            problems.append(f"{where}: {error}")
            continue
        for part in parts:
            if isinstance(part, Node):
                problems.extend(f"{where}: {p}" for p in _viewport_problems(part))
    return problems


def _viewport_field(node: Node) -> str | None:
    if node.kind == "attr" and node.parts[0].kind == "name" and node.parts[0].value == "viewport":
        return str(node.value)
    return None


def _viewport_problems(expression: Node) -> list[str]:
    problems = []
    for node in _nodes(expression):
        field = _viewport_field(node)
        if field is not None and field not in ref.VIEWPORT_FIELDS:
            problems.append(f"viewport has no field {field!r}")
        if node.kind == "binary" and node.value in ("==", "!="):
            for one, other in (node.parts, node.parts[::-1]):
                name = _viewport_field(one)
                allowed = ref.VIEWPORT_VALUES.get(name or "")
                if allowed and other.kind == "str" and other.value not in allowed:
                    problems.append(f"viewport.{name} is never {other.value!r}")
    return problems


def _names(text: str) -> set[str]:
    """The context names a property string reads."""
    try:
        parts = split_template(text)
    except ExpressionError:
        return set()  # reported by expression_problems
    return {
        str(node.value)
        for part in parts
        if isinstance(part, Node)
        for node in _nodes(part)
        if node.kind == "name"
    }


def clock_problems(
    spec: Any, document: dict[str, Any], clock: frozenset[str], where: str
) -> set[str]:
    """Properties that follow the clock (`elapsedTime`, or a layout parameter bound to it) but
    that a device evaluates only once: they would never change on the screen."""
    if not isinstance(spec, dict):
        return set()
    problems: set[str] = set()
    kind = spec.get("type")
    layout = document.get("layouts", {}).get(kind)
    parameters = set(graphic_parameters(spec, document)) if kind == "VectorGraphic" else set()
    if layout is not None:
        parameters = {
            p if isinstance(p, str) else p.get("name") for p in layout.get("parameters", [])
        }
    for key, value in spec.items():
        if (
            key in ("item", "items", "firstItem", "lastItem", "type")
            or ref.PROPERTY_KINDS.get(key) == "commands"
        ):
            continue
        follows = any(_names(text) & clock for _, text in strings(value, key))
        if follows and (
            key in ("when", "data", "bind")
            or not (key in ref.DYNAMIC_PROPERTIES or key in parameters)
        ):
            problems.add(
                f"{where}.{key}: follows elapsedTime, but a device evaluates {key} only once"
            )
    if layout is not None:
        inner = {
            p
            for p in parameters
            if p in spec and any(_names(t) & clock for _, t in strings(spec[p], p))
        }
        body = frozenset((clock - parameters) | inner)
        for item in as_list(layout.get("item", layout.get("items"))):
            problems |= clock_problems(item, document, body, f"layouts.{kind}")
    for key in ("item", "items", "firstItem", "lastItem"):
        for i, child in enumerate(as_list(spec.get(key))):
            problems |= clock_problems(child, document, clock, f"{where}.{key}[{i}]")
    return problems


def graphic_parameters(spec: dict[str, Any], document: dict[str, Any]) -> set[str]:
    """A VectorGraphic passes extra properties to its graphic's parameters (of any graphic the
    source could name, when the source is an expression)."""
    graphics = document.get("graphics", {})
    source = spec.get("source")
    names = [source] if isinstance(source, str) and source in graphics else list(graphics)
    return {
        p if isinstance(p, str) else p.get("name")
        for name in names
        for p in graphics[name].get("parameters", [])
    }


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def resource_clock_problems(document: dict[str, Any]) -> list[str]:
    """Resource blocks that read the clock: a device evaluates resources once, on loading."""
    return [
        f"resources[{i}]: follows elapsedTime, but resources are evaluated once"
        for i, block in enumerate(as_list(document.get("resources")))
        if any(_names(text) & {"elapsedTime"} for _, text in strings(block, ""))
    ]
