"""What a device shows: an APL directive inflated into a tree of components at a given moment.

The schema check runs it at every viewport and several moments, so every expression in a
document is evaluated against the real data source; the preview draws the tree it returns. It
follows Amazon's inflation rules for the parts our documents use (docs/screens.md): resources
chosen by their `when`, mainTemplate parameters bound to data sources by name, `when` on every
component, `bind`, layouts with parameters, `data` arrays with `data`/`index`/`length` and
`firstItem`/`lastItem`, single-child components taking the first item whose `when` holds.
`elapsedTime` is the moment asked for; a property that uses it is what the device shows then.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .expressions import Context, ExpressionError, evaluate_string, to_text, truthy
from .viewports import Viewport

# Resource groups of a resource block (Amazon's "Resources" page).
RESOURCE_KINDS = (
    "booleans",
    "colors",
    "dimensions",
    "easings",
    "gradients",
    "numbers",
    "strings",
)
# Components that hold one child; the rest (Container, Sequence) hold many.
SINGLE_CHILD = {"Frame", "TouchWrapper", "ScrollView"}
MULTI_CHILD = {"Container", "Sequence"}
CHILD_KEYS = ("item", "items", "firstItem", "lastItem", "data")
# Command lists: run on events, not shown; kept as written.
COMMAND_KEYS = ("onPress", "onMount", "onDown", "onUp", "onCursorEnter", "onCursorExit")


class InflateError(ValueError):
    """A document that cannot be inflated, with where in the document it failed."""


@dataclass
class Node:
    """One shown component: its type, its properties with every expression evaluated and every
    resource resolved (`display: none` kept), and its children. A VectorGraphic's props also
    carry "avg": its graphic with parameters bound and expressions evaluated."""

    type: str
    props: dict[str, Any]
    children: list[Node] = field(default_factory=list)

    def walk(self) -> list[Node]:
        """This node and all below it, depth first."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.walk())
        return nodes


def _value(raw: Any, context: Context, where: str) -> Any:
    try:
        if isinstance(raw, str):
            return evaluate_string(raw, context)
        if isinstance(raw, list):
            return [_value(item, context, where) for item in raw]
        if isinstance(raw, dict):
            return {key: _value(item, context, f"{where}.{key}") for key, item in raw.items()}
    except ExpressionError as error:
        raise InflateError(f"{where}: {error}") from error
    return raw


def _as_list(raw: Any) -> list[Any]:
    if raw is None:
        return []
    return raw if isinstance(raw, list) else [raw]


def resolve_resources(document: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """The document's resources as a device with these context names resolves them: blocks in
    order, a block applying when its `when` holds, later values replacing earlier ones."""
    resolved: dict[str, Any] = {}
    for i, block in enumerate(_as_list(document.get("resources"))):
        context = Context(names, resolved)
        where = f"resources[{i}]"
        if "when" in block and not truthy(_value(block["when"], context, f"{where}.when")):
            continue
        for kind in RESOURCE_KINDS:
            for name, raw in block.get(kind, {}).items():
                resolved[name] = _value(raw, Context(names, resolved), f"{where}.{kind}.{name}")
    return resolved


class _Inflater:
    def __init__(self, document: dict[str, Any], top: Context) -> None:
        self.top = top  # the document-level context: viewport, elapsedTime, resources
        self.layouts: dict[str, Any] = document.get("layouts", {})
        self.graphics: dict[str, Any] = document.get("graphics", {})

    def first(self, specs: list[Any], context: Context, where: str) -> Node | None:
        """The first of `specs` whose `when` holds, inflated (single-child rule)."""
        for i, spec in enumerate(specs):
            if self.applies(spec, context, f"{where}[{i}]"):
                return self.component(spec, context, f"{where}[{i}]")
        return None

    def applies(self, spec: dict[str, Any], context: Context, where: str) -> bool:
        return "when" not in spec or truthy(_value(spec["when"], context, f"{where}.when"))

    def component(self, spec: dict[str, Any], context: Context, where: str) -> Node | None:
        if not isinstance(spec, dict) or "type" not in spec:
            raise InflateError(f"{where}: a component needs a type")
        if not self.applies(spec, context, where):
            return None
        for j, binding in enumerate(spec.get("bind", [])):
            value = _value(binding.get("value"), context, f"{where}.bind[{j}]")
            context = context.child(**{binding["name"]: value})
        kind = _value(spec["type"], context, f"{where}.type")
        if kind in self.layouts:
            return self.layout(kind, spec, context, where)
        props = {
            key: copy.deepcopy(raw)
            if key in COMMAND_KEYS
            else _value(raw, context, f"{where}.{key}")
            for key, raw in spec.items()
            if key not in ("type", "when", "bind", *CHILD_KEYS)
        }
        if "text" in props:  # type coercion: a Text's text is a string whatever it evaluates to
            props["text"] = to_text(props["text"])
        node = Node(kind, props, self.children(kind, spec, context, where))
        if kind == "VectorGraphic":
            node.props["avg"] = self.graphic(props, context, where)
        return node

    def layout(self, name: str, spec: dict[str, Any], context: Context, where: str) -> Node | None:
        layout = self.layouts[name]
        values: dict[str, Any] = {}
        declared: set[str] = set()
        for parameter in layout.get("parameters", []):
            pname = parameter if isinstance(parameter, str) else parameter["name"]
            declared.add(pname)
            if pname in spec:
                values[pname] = _value(spec[pname], context, f"{where}.{pname}")
            elif isinstance(parameter, dict):
                values[pname] = _value(parameter.get("default"), context, f"{where}.{pname}")
            else:
                values[pname] = None
        extra = set(spec) - declared - {"type", "when", "bind"}
        if extra:
            raise InflateError(f"{where}: layout {name} has no parameter {sorted(extra)}")
        inner = context.child(**values)
        return self.first(_as_list(layout.get("item", layout.get("items"))), inner, f"{name}")

    def children(self, kind: str, spec: dict[str, Any], context: Context, where: str) -> list[Node]:
        items = _as_list(spec.get("item", spec.get("items")))
        if kind in SINGLE_CHILD:
            child = self.first(items, context, f"{where}.items")
            return [child] if child else []
        if kind not in MULTI_CHILD:
            return []
        nodes: list[Node | None] = []
        if "firstItem" in spec:
            nodes.append(self.first(_as_list(spec["firstItem"]), context, f"{where}.firstItem"))
        if "data" in spec:
            data = _value(spec["data"], context, f"{where}.data")
            if not isinstance(data, list):
                raise InflateError(f"{where}.data: not an array: {data!r}")
            for index, item in enumerate(data):
                inner = context.child(data=item, index=float(index), length=float(len(data)))
                nodes.append(self.first(items, inner, f"{where}.items(data {index})"))
        else:
            nodes.extend(
                self.component(item, context, f"{where}.items[{i}]") for i, item in enumerate(items)
            )
        if "lastItem" in spec:
            nodes.append(self.first(_as_list(spec["lastItem"]), context, f"{where}.lastItem"))
        return [node for node in nodes if node is not None]

    def graphic(self, props: dict[str, Any], context: Context, where: str) -> dict[str, Any]:
        source = props.get("source")
        if source not in self.graphics:
            raise InflateError(f"{where}.source: no graphic {source!r} in the document")
        avg = self.graphics[source]
        values: dict[str, Any] = {}
        for parameter in avg.get("parameters", []):
            pname = parameter if isinstance(parameter, str) else parameter["name"]
            default = parameter.get("default") if isinstance(parameter, dict) else None
            values[pname] = props.get(pname, default)
        # A graphic sees the document-level context (not the component's), its parameters, and
        # its own width and height.
        size = {"width": avg.get("width"), "height": avg.get("height")}
        inner = Context({**self.top.names, **values, **size}, self.top.resources)
        return self.avg_items(avg, inner, f"graphics.{source}")

    def avg_items(self, element: dict[str, Any], context: Context, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, raw in element.items():
            if key in ("items", "item"):
                kept = [
                    self.avg_items(child, context, f"{where}.items[{i}]")
                    for i, child in enumerate(_as_list(raw))
                    if self.applies(child, context, f"{where}.items[{i}]")
                ]
                out["items"] = kept
            elif key not in ("parameters", "when"):
                out[key] = _value(raw, context, f"{where}.{key}")
        return out


def inflate(directive: dict[str, Any], viewport: Viewport, elapsed_ms: int) -> Node:
    """The component tree a device of `viewport` shows `elapsed_ms` after the document appears."""
    document = directive["document"]
    sources = directive.get("datasources", {})
    names: dict[str, Any] = {
        "viewport": viewport.binding_context(),
        "elapsedTime": float(elapsed_ms),
    }
    template = document.get("mainTemplate", {})
    # Resources are evaluated once, when the document loads (elapsedTime 0).
    top = Context(dict(names), resolve_resources(document, {**names, "elapsedTime": 0.0}))
    for parameter in template.get("parameters", []):
        if parameter not in sources:
            raise InflateError(f"mainTemplate.parameters: no data source named {parameter!r}")
    context = top.child(
        **{parameter: sources[parameter] for parameter in template.get("parameters", [])}
    )
    root = _Inflater(document, top).first(
        _as_list(template.get("item", template.get("items"))), context, "mainTemplate.items"
    )
    if root is None:
        raise InflateError("mainTemplate: no item applies at this viewport")
    return root
