"""The check every RenderDocument directive must pass before the skill sends it.

Written from Amazon's APL reference (tables in apl_reference.py, pages cited in
docs/screens.md). Two passes: the document as written (directive and document keys, version,
components and their properties, layouts, resources, graphics, commands, every `${...}`
parses, viewport conditions name real viewport fields and values), then the document as shown:
inflated at every viewport in VIEWPORTS and at the moments that matter (appearing, each hold's
start and middle, each rest, after the end), where every expression must resolve against the
data source and every evaluated value must be of its property's kind.
"""

from __future__ import annotations

import json
from typing import Any

from . import apl_reference as ref
from .avg_check import avg_problems, is_color
from .binding_check import (
    as_list,
    clock_problems,
    expression_problems,
    graphic_parameters,
    resource_clock_problems,
)
from .directive import APL_VERSION, BUTTON_ACTIONS, DIRECTIVE_TYPE, TOKEN, directive_bytes
from .inflate import InflateError, inflate
from .inflate import Node as Shown
from .viewports import VIEWPORTS

# The directive's own budget: 24 KB, the whole-response limit in older copies of Amazon's
# response reference (docs/screens.md), so a response with speech stays far under today's
# 120 KB (docs/alexa-platform.md) whatever else it carries.
MAX_DIRECTIVE_BYTES = 24_000


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _component_problems(spec: Any, document: dict[str, Any], where: str) -> list[str]:
    """One component as written, and all below it."""
    if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
        return [f"{where}: a component needs a type"]
    kind = spec["type"]
    layouts = document.get("layouts", {})
    problems: list[str] = []
    if kind in layouts:
        parameters = {
            p if isinstance(p, str) else p.get("name") for p in layouts[kind].get("parameters", [])
        }
        extra = set(spec) - parameters - {"type", "when", "bind"}
        problems += [f"{where}: layout {kind} has no parameter {name!r}" for name in sorted(extra)]
        return problems
    if kind not in ref.COMPONENT_PROPERTIES:
        return [f"{where}: unknown component type {kind!r}"]
    problems += _since(kind, where)
    allowed = ref.BASE_PROPERTIES | ref.CHILD_OF_CONTAINER | ref.COMPONENT_PROPERTIES[kind]
    if kind == "VectorGraphic":
        allowed = allowed | graphic_parameters(spec, document)
    for key, value in spec.items():
        if key not in allowed:
            problems.append(f"{where}: {kind} has no property {key!r}")
            continue
        problems += _since(key, f"{where}.{key}")
        if ref.PROPERTY_KINDS.get(key) == "commands":
            problems += _command_problems(value, f"{where}.{key}")
    if kind == "VectorGraphic":
        source = spec.get("source")
        if (
            isinstance(source, str)
            and "${" not in source
            and source not in document.get("graphics", {})
        ):
            problems.append(f"{where}.source: no graphic {source!r} in the document's graphics")
    for key in ("item", "items", "firstItem", "lastItem"):
        children = spec.get(key)
        for i, child in enumerate(
            children if isinstance(children, list) else [children] if children else []
        ):
            problems += _component_problems(child, document, f"{where}.{key}[{i}]")
    return problems


def _since(name: str, where: str) -> list[str]:
    needed = ref.SINCE.get(name)
    if needed and _version_key(needed) > _version_key(APL_VERSION):
        return [f"{where}: {name} needs APL {needed}, the document is {APL_VERSION}"]
    return []


def _command_problems(commands: Any, where: str) -> list[str]:
    problems: list[str] = []
    for i, command in enumerate(commands if isinstance(commands, list) else [commands]):
        at = f"{where}[{i}]"
        if not isinstance(command, dict) or command.get("type") not in ref.COMMAND_TYPES:
            problems.append(f"{at}: unknown command {command!r}")
            continue
        if command["type"] == "SendEvent":
            extra = set(command) - ref.SEND_EVENT_KEYS
            problems += [f"{at}: SendEvent has no property {key!r}" for key in sorted(extra)]
            arguments = command.get("arguments", [])
            if (
                not isinstance(arguments, list)
                or not arguments
                or arguments[0] not in BUTTON_ACTIONS
            ):
                problems.append(f"{at}.arguments: must start with one of {BUTTON_ACTIONS}")
    return problems


def _resource_problems(document: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    blocks = document.get("resources", [])
    for i, block in enumerate(blocks if isinstance(blocks, list) else [blocks]):
        where = f"document.resources[{i}]"
        problems += [
            f"{where}: no resource group {key!r}"
            for key in sorted(set(block) - ref.RESOURCE_BLOCK_KEYS)
        ]
        for name, value in block.get("colors", {}).items():
            if not (isinstance(value, str) and ("${" in value or is_color(value))):
                problems.append(f"{where}.colors.{name}: not a color: {value!r}")
        for name, value in block.get("dimensions", {}).items():
            if not (isinstance(value, str) and "${" in value) and not _is_dimension(
                value, absolute=False
            ):
                problems.append(f"{where}.dimensions.{name}: not a dimension: {value!r}")
    return problems


def _is_dimension(value: Any, absolute: bool) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value >= 0 or not absolute
    if not isinstance(value, str):
        return False
    if value == "auto":
        return not absolute
    units = ("dp", "px") if absolute else ("dp", "px", "vw", "vh", "%")
    for unit in units:
        if value.endswith(unit):
            try:
                float(value[: -len(unit)])
            except ValueError:
                return False
            return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def document_problems(directive: dict[str, Any]) -> list[str]:
    """The directive and its document as written."""
    problems = [
        f"directive has no property {key!r}" for key in sorted(set(directive) - ref.DIRECTIVE_KEYS)
    ]
    if directive.get("type") != DIRECTIVE_TYPE:
        problems.append(f"directive type is {directive.get('type')!r}, not {DIRECTIVE_TYPE}")
    if directive.get("token") != TOKEN:
        problems.append(f"directive token is {directive.get('token')!r}, not {TOKEN!r}")
    document = directive.get("document")
    if not isinstance(document, dict):
        return [*problems, "directive has no document"]
    problems += [
        f"document has no property {key!r}" for key in sorted(set(document) - ref.DOCUMENT_KEYS)
    ]
    if document.get("type") != "APL":
        problems.append(f"document type is {document.get('type')!r}, not 'APL'")
    version = document.get("version")
    if version not in ref.APL_VERSIONS:
        problems.append(f"document version {version!r} is not an APL version")
    elif version != APL_VERSION:
        problems.append(f"document version {version} is not APL_VERSION {APL_VERSION}")
    template = document.get("mainTemplate", {})
    problems += [
        f"mainTemplate has no property {key!r}"
        for key in sorted(set(template) - ref.MAIN_TEMPLATE_KEYS)
    ]
    sources = directive.get("datasources", {})
    for parameter in template.get("parameters", []):
        if parameter not in sources:
            problems.append(f"mainTemplate parameter {parameter!r} has no data source")
    for name in sources:
        if name not in template.get("parameters", []):
            problems.append(f"data source {name!r} is not a mainTemplate parameter")
    for name, layout in document.get("layouts", {}).items():
        for parameter in layout.get("parameters", []):
            if isinstance(parameter, str):
                continue
            extra = set(parameter) - ref.LAYOUT_PARAMETER_KEYS
            if extra or not isinstance(parameter.get("name"), str):
                problems.append(
                    f"layouts.{name}: parameter {parameter!r} is not a name or {{name, default}}"
                )
        problems += [
            f"layouts.{name}: no property {key!r}" for key in sorted(set(layout) - ref.LAYOUT_KEYS)
        ]
        for item in as_list(layout.get("item", layout.get("items"))):
            problems += _component_problems(item, document, f"layouts.{name}")
    clock = frozenset({"elapsedTime"})
    for item in as_list(template.get("item", template.get("items"))):
        problems += _component_problems(item, document, "mainTemplate")
        problems += sorted(clock_problems(item, document, clock, "mainTemplate"))
    problems += resource_clock_problems(document)
    for name, graphic in document.get("graphics", {}).items():
        problems += avg_problems(graphic, f"graphics.{name}", APL_VERSION, evaluated=False)
    return problems + _resource_problems(document) + expression_problems(document)


def moments(directive: dict[str, Any]) -> list[int]:
    """The moments (ms after the document appears) worth inflating a screen at: 0, and for a
    hold screen the lead-in, each hold's start and middle, each rest, and after the end."""
    screen = directive.get("datasources", {}).get("screen", {})
    if not isinstance(screen, dict) or screen.get("kind") != "set":
        return [0]
    offset = int(screen.get("offsetMs", 0))
    times = {
        0,
        offset + int(screen.get("firstStartMs", 0)) // 2,
        offset + int(screen.get("endMs", 0)) + 1000,
    }
    for hold in screen.get("holds", []):
        start, end = int(hold["startMs"]), int(hold["endMs"])
        times |= {offset + start, offset + (start + end) // 2}
        if hold.get("restFromMs", -1) >= 0:
            times.add(offset + (int(hold["restFromMs"]) + start) // 2)
    return sorted(times)


def shown_problems(node: Shown, where: str) -> list[str]:
    """The evaluated tree: every value of its property's kind."""
    problems: list[str] = []
    for key, value in node.props.items():
        at = f"{where} {node.type}.{key}"
        kind = ref.PROPERTY_KINDS.get(key)
        if key in ref.ENUMS and str(value) not in ref.ENUMS[key]:
            problems.append(f"{at}: {value!r} is not one of {sorted(ref.ENUMS[key])}")
        elif kind == "dimension" and not _is_dimension(value, absolute=False):
            problems.append(f"{at}: not a dimension: {value!r}")
        elif kind == "absolute" and not _is_dimension(value, absolute=True):
            problems.append(f"{at}: not an absolute dimension: {value!r}")
        elif kind == "color" and not (isinstance(value, str) and is_color(value)):
            problems.append(f"{at}: not a color: {value!r}")
        elif kind in ("number", "integer") and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            problems.append(f"{at}: not a number: {value!r}")
        elif kind == "string" and not isinstance(value, str):
            problems.append(f"{at}: not a string: {value!r}")
        elif kind == "boolean" and not isinstance(value, bool):
            problems.append(f"{at}: not a boolean: {value!r}")
    if node.type == "VectorGraphic":
        problems += avg_problems(
            node.props["avg"], f"{where} {node.props.get('source')}", APL_VERSION, evaluated=True
        )
    for i, child in enumerate(node.children):
        problems += shown_problems(child, f"{where}/{i}")
    return problems


def validate_directive(directive: dict[str, Any]) -> list[str]:
    """Every problem with a RenderDocument directive; [] when it may be sent."""
    try:
        size = directive_bytes(directive)
    except (TypeError, ValueError) as error:
        return [f"directive is not JSON: {error}"]
    problems = document_problems(directive)
    if size > MAX_DIRECTIVE_BYTES:
        problems.append(f"directive is {size} bytes, over the {MAX_DIRECTIVE_BYTES} budget")
    if problems:
        return problems
    seen: set[str] = set()
    for viewport in VIEWPORTS.values():
        for moment in moments(directive):
            where = f"[{viewport.name} at {moment} ms]"
            try:
                found = shown_problems(
                    inflate(json.loads(json.dumps(directive)), viewport, moment), where
                )
            except InflateError as error:
                found = [f"{where} {error}"]
            for problem in found:
                key = problem.split("] ", 1)[-1]
                if key not in seen:
                    seen.add(key)
                    problems.append(problem)
    return problems
