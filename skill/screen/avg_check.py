"""Checks of Alexa Vector Graphics objects against Amazon's AVG format reference: the object's
keys and version (and the APL version that version needs), parameters, and every group, path
and text item with its properties and value kinds. Used on graphics as written and, after
inflation, with their expressions evaluated."""

from __future__ import annotations

import re
from typing import Any

from . import apl_reference as ref

_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_FUNCTION = re.compile(r"(?:rgba?|hsla?)\(\s*[-0-9.%]+(?:\s*,\s*[-0-9.%]+){2,3}\s*\)")
# CSS colour names APL accepts that a document of ours could use.
_NAMED = {
    "transparent", "black", "white", "red", "green", "blue", "gray", "grey", "yellow",
    "orange", "purple", "silver", "navy", "teal", "maroon", "olive", "lime", "aqua", "fuchsia",
}  # fmt: skip
_PATH = re.compile(r"\s*[Mm][MmLlHhVvCcSsQqTtAaZz0-9eE.,+\-\s]*")


def is_color(value: str) -> bool:
    """A colour in one of APL's written forms (#hex, rgb()/rgba()/hsl()/hsla(), a name)."""
    return bool(_HEX.fullmatch(value) or _FUNCTION.fullmatch(value) or value in _NAMED)


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _unevaluated(value: Any) -> bool:
    return isinstance(value, str) and ("${" in value or value.startswith("@"))


def avg_problems(graphic: Any, where: str, apl_version: str, evaluated: bool) -> list[str]:
    """Problems with one AVG object; `evaluated`: expressions were already evaluated, so none
    may be left and every value must be of its kind."""
    if not isinstance(graphic, dict):
        return [f"{where}: a graphic must be an object"]
    problems = [
        f"{where}: AVG has no property {key!r}" for key in sorted(set(graphic) - ref.AVG_KEYS)
    ]
    if graphic.get("type") != "AVG":
        problems.append(f"{where}: type must be 'AVG'")
    version = graphic.get("version")
    if version not in ref.AVG_VERSIONS:
        problems.append(
            f"{where}: AVG version {version!r} is not one of {sorted(ref.AVG_VERSIONS)}"
        )
        version = "1.0"
    elif _key(ref.AVG_VERSIONS[version]) > _key(apl_version):
        problems.append(
            f"{where}: AVG {version} needs APL {ref.AVG_VERSIONS[version]}, "
            f"the document is {apl_version}"
        )
    for size in ("width", "height"):
        value = graphic.get(size)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(f"{where}: {size} must be a positive number, not {value!r}")
    for size in ("viewportWidth", "viewportHeight"):
        if size in graphic and not (isinstance(graphic[size], int | float) and graphic[size] > 0):
            problems.append(f"{where}: {size} must be a positive number")
    for key, allowed in ref.AVG_ENUMS.items():
        if key in graphic and graphic[key] not in allowed:
            problems.append(f"{where}: {key} {graphic[key]!r} is not one of {sorted(allowed)}")
    for i, parameter in enumerate(graphic.get("parameters", [])):
        at = f"{where}.parameters[{i}]"
        if isinstance(parameter, str):
            continue
        problems += [
            f"{at}: no property {key!r}" for key in sorted(set(parameter) - ref.AVG_PARAMETER_KEYS)
        ]
        if not isinstance(parameter.get("name"), str):
            problems.append(f"{at}: a parameter needs a name")
        if parameter.get("type", "any") not in ref.AVG_PARAMETER_TYPES:
            problems.append(
                f"{at}: type {parameter.get('type')!r} is not one of "
                f"{sorted(ref.AVG_PARAMETER_TYPES)}"
            )
    items = graphic.get("items", graphic.get("item", []))
    for i, item in enumerate(items if isinstance(items, list) else [items]):
        problems += _item_problems(item, f"{where}.items[{i}]", version, evaluated)
    return problems


def _item_problems(item: Any, where: str, version: str, evaluated: bool) -> list[str]:
    if not isinstance(item, dict) or item.get("type") not in ref.AVG_ITEM_KEYS:
        kind = item.get("type") if isinstance(item, dict) else item
        return [f"{where}: AVG item type {kind!r} is not group, path or text"]
    kind = item["type"]
    problems = [
        f"{where}: AVG {kind} has no property {key!r}"
        for key in sorted(set(item) - ref.AVG_ITEM_KEYS[kind])
    ]
    for feature in (kind, *item):
        needed = ref.AVG_SINCE.get(feature)
        if needed and _key(needed) > _key(version):
            problems.append(f"{where}: {feature} needs AVG {needed}, the graphic is {version}")
    if kind == "path" and "pathData" not in item:
        problems.append(f"{where}: a path needs pathData")
    for key, value in item.items():
        if key in ("items", "item", "type", "when", "bind"):
            continue
        if _unevaluated(value):
            if evaluated:
                problems.append(f"{where}.{key}: {value!r} was not evaluated")
            continue
        problems += _value_problems(key, value, f"{where}.{key}")
    children = item.get("items", item.get("item", []))
    for i, child in enumerate(children if isinstance(children, list) else [children]):
        problems += _item_problems(child, f"{where}.items[{i}]", version, evaluated)
    return problems


def _value_problems(key: str, value: Any, where: str) -> list[str]:
    kind = ref.AVG_ITEM_KINDS.get(key)
    if key == "pathData" and not (isinstance(value, str) and _PATH.fullmatch(value)):
        return [f"{where}: not path data: {value!r}"]
    if key in ref.AVG_ENUMS and value not in ref.AVG_ENUMS[key]:
        return [f"{where}: {value!r} is not one of {sorted(ref.AVG_ENUMS[key])}"]
    if kind == "color" and not (isinstance(value, str) and is_color(value)):
        return [f"{where}: not a color: {value!r}"]
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return [f"{where}: not a number: {value!r}"]
    if key == "strokeDashArray":
        entries = value if isinstance(value, list) else [value]
        if not all(
            (isinstance(v, int | float) and not isinstance(v, bool)) or _unevaluated(v)
            for v in entries
        ):
            return [f"{where}: not a list of numbers: {value!r}"]
    return []
