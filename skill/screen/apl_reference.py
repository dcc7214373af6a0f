"""What Amazon's APL reference allows, as tables: the components, properties, value kinds and
enumerations the schema check (schema.py) holds documents to. docs/screens.md cites the pages.

Only what a document of ours could plausibly use is listed; anything not listed is reported,
so a property that is misspelt or that our APL version does not have fails the check.
"""

from __future__ import annotations

# fmt: off

# Document versions Amazon has published, oldest first (the "What's new" pages).
APL_VERSIONS = (
    "1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8", "1.9",
    "2022.1", "2022.2", "2023.1", "2023.2", "2023.3", "2024.1", "2024.2", "2024.3",
)

DIRECTIVE_KEYS = {"type", "token", "document", "datasources", "sources"}
# Left out on purpose, though APL has them: "import" (packages are fetched by the device, and
# the checker could not see inside them) and "styles" (inflate.py does not apply styles, so a
# styled document could not be checked as shown). "style" and AVG "styles"/"resources" likewise.
DOCUMENT_KEYS = {
    "type", "version", "description", "background", "theme", "resources", "layouts",
    "graphics", "commands", "onMount", "onConfigChange", "mainTemplate", "settings", "export",
    "extensions", "handleKeyDown", "handleKeyUp",
}
MAIN_TEMPLATE_KEYS = {"parameters", "item", "items"}
LAYOUT_KEYS = {"description", "parameters", "item", "items"}
LAYOUT_PARAMETER_KEYS = {"name", "type", "default", "description"}
RESOURCE_BLOCK_KEYS = {
    "description", "when", "booleans", "colors", "dimensions", "easing", "easings", "gradients",
    "numbers", "strings",
}

# Base component properties (all components), APL 1.5 reference.
BASE_PROPERTIES = {
    "type", "when", "bind", "id", "description", "accessibilityLabel", "action", "actions",
    "checked", "disabled", "display", "entity", "entities", "handleTick", "height", "width",
    "maxHeight", "maxWidth", "minHeight", "minWidth", "onMount", "onCursorEnter",
    "onCursorExit", "opacity", "padding", "paddingBottom", "paddingEnd", "paddingLeft",
    "paddingRight", "paddingStart", "paddingTop", "role", "shadowColor",
    "shadowHorizontalOffset", "shadowRadius", "shadowVerticalOffset", "speech", "transform",
    "inheritParentState",
}
# Properties a component takes as the child of a Container.
CHILD_OF_CONTAINER = {
    "alignSelf", "bottom", "end", "grow", "left", "numbering", "position", "right", "shrink",
    "spacing", "start", "top",
}
TOUCHABLE = {"onPress", "onDown", "onMove", "onUp", "gestures"}
ACTIONABLE = {"onFocus", "onBlur", "handleKeyDown", "handleKeyUp"}
MULTI_CHILD = {"item", "items", "data", "firstItem", "lastItem"}

COMPONENT_PROPERTIES: dict[str, set[str]] = {
    "Container": {"alignItems", "direction", "justifyContent", "numbered", "wrap"} | MULTI_CHILD,
    "Frame": {
        "backgroundColor", "borderBottomLeftRadius", "borderBottomRightRadius", "borderColor",
        "borderRadius", "borderStrokeWidth", "borderTopLeftRadius", "borderTopRightRadius",
        "borderWidth", "item", "items",
    },
    "Text": {
        "color", "fontFamily", "fontSize", "fontStyle", "fontWeight", "letterSpacing",
        "lineHeight", "maxLines", "text", "textAlign", "textAlignVertical",
    },
    "TouchWrapper": {"item", "items"} | TOUCHABLE | ACTIONABLE,
    "VectorGraphic": {"align", "scale", "source"} | TOUCHABLE | ACTIONABLE,
    "Image": {"align", "borderRadius", "filters", "overlayColor", "overlayGradient", "scale",
              "source", "sources"},
    "Sequence": {"numbered", "scrollDirection", "onScroll"} | MULTI_CHILD | ACTIONABLE,
    # https://developer.amazon.com/docs/alexa-presentation-language/apl-scrollview.html
    # (one child, scrolls vertically; height 100dp unless given)
    "ScrollView": {"item", "items", "onScroll"} | ACTIONABLE,
}
# The APL version that first has a component or a property (the reference's "version added").
SINCE: dict[str, str] = {
    "VectorGraphic": "1.1",
    "display": "1.1",
    "accessibilityLabel": "1.1",
    "checked": "1.1",
    "disabled": "1.1",
    "shadowColor": "1.2",
    "handleTick": "1.4",
    "onDown": "1.4",
    "onMove": "1.4",
    "onUp": "1.4",
}
# AVG versions and the APL version whose runtime first accepts them (apl-core-library releases:
# 1.3 reads only "1.0"; 1.4 adds "1.1"; 1.5 adds "1.2").
AVG_VERSIONS = {"1.0": "1.0", "1.1": "1.4", "1.2": "1.5"}

# Kinds of values, checked on the evaluated value.
PROPERTY_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ["width", "height", "minWidth", "minHeight", "maxWidth", "maxHeight", "left", "right",
         "top", "bottom", "start", "end"], "dimension"),
    **dict.fromkeys(
        ["paddingLeft", "paddingRight", "paddingTop", "paddingBottom", "paddingStart",
         "paddingEnd", "spacing", "borderRadius", "borderWidth", "borderStrokeWidth",
         "fontSize", "letterSpacing", "shadowRadius", "shadowHorizontalOffset",
         "shadowVerticalOffset", "borderBottomLeftRadius", "borderBottomRightRadius",
         "borderTopLeftRadius", "borderTopRightRadius"], "absolute"),
    **dict.fromkeys(["color", "backgroundColor", "borderColor", "shadowColor", "overlayColor"],
                    "color"),
    **dict.fromkeys(["grow", "shrink", "opacity", "lineHeight"], "number"),
    **dict.fromkeys(["maxLines"], "integer"),
    **dict.fromkeys(["text", "source", "id", "description", "accessibilityLabel", "fontFamily"],
                    "string"),
    **dict.fromkeys(["checked", "disabled", "numbered", "inheritParentState"], "boolean"),
    **dict.fromkeys(["onPress", "onMount", "onDown", "onUp", "onMove", "onFocus", "onBlur",
                     "onCursorEnter", "onCursorExit"], "commands"),
}
ENUMS: dict[str, set[str]] = {
    "display": {"normal", "invisible", "none"},
    "position": {"relative", "absolute"},
    "direction": {"column", "row"},
    "alignItems": {"start", "end", "center", "baseline", "stretch"},
    "alignSelf": {"auto", "start", "end", "center", "baseline", "stretch"},
    "justifyContent": {"start", "end", "center", "spaceBetween", "spaceAround"},
    "wrap": {"noWrap", "wrap", "wrapReverse"},
    "scale": {"none", "fill", "best-fit", "best-fill", "best-fit-down"},
    "align": {"bottom", "bottom-left", "bottom-right", "center", "left", "right", "top",
              "top-left", "top-right"},
    "textAlign": {"auto", "left", "right", "center"},
    "textAlignVertical": {"auto", "top", "bottom", "center"},
    "fontStyle": {"normal", "italic"},
    "fontWeight": {"normal", "bold", "100", "200", "300", "400", "500", "600", "700", "800",
                   "900"},
    "role": {"none", "button", "header", "image", "text"},
}

# Commands: the types a document of ours may run, and SendEvent's own properties.
COMMAND_TYPES = {
    "SendEvent", "SetValue", "SetState", "AnimateItem", "Idle", "Sequential", "Parallel",
    "SpeakItem", "SetFocus", "ClearFocus", "Scroll", "ScrollToIndex", "ScrollToComponent",
}
COMMAND_BASE = {"type", "when", "delay", "description", "screenLock", "sequencer"}
SEND_EVENT_KEYS = COMMAND_BASE | {"arguments", "components"}

# Alexa Vector Graphics (AVG format reference).
AVG_KEYS = {
    "type", "version", "description", "height", "width", "viewportHeight", "viewportWidth",
    "parameters", "item", "items", "scaleTypeHeight", "scaleTypeWidth",
}
AVG_PARAMETER_KEYS = {"name", "type", "default", "description"}
AVG_PARAMETER_TYPES = {"any", "string", "number", "color", "gradient", "boolean"}
AVG_ITEM_KEYS: dict[str, set[str]] = {
    "group": {
        "type", "when", "bind", "items", "item", "opacity", "rotation", "pivotX",
        "pivotY", "scaleX", "scaleY", "translateX", "translateY", "clipPath", "transform",
        "filters",
    },
    "path": {
        "type", "when", "bind", "pathData", "pathLength", "fill", "fillOpacity",
        "fillTransform", "stroke", "strokeOpacity", "strokeWidth", "strokeDashArray",
        "strokeDashOffset", "strokeLineCap", "strokeLineJoin", "strokeMiterLimit",
        "strokeTransform", "filters",
    },
    "text": {
        "type", "when", "bind", "text", "x", "y", "fill", "fillOpacity", "stroke",
        "strokeOpacity", "strokeWidth", "fontFamily", "fontSize", "fontStyle", "fontWeight",
        "letterSpacing", "textAnchor", "filters",
    },
}
# AVG features that need a later AVG version than 1.0.
AVG_SINCE = {
    "text": "1.1",
    "pathLength": "1.1",
    "strokeDashArray": "1.1",
    "strokeDashOffset": "1.1",
    "transform": "1.1",
    "bind": "1.2",
    "filters": "1.2",
}
AVG_ITEM_KINDS: dict[str, str] = {
    **dict.fromkeys(["fill", "stroke"], "color"),
    **dict.fromkeys(["fillOpacity", "strokeOpacity", "opacity", "strokeWidth", "pathLength",
                     "strokeDashOffset", "strokeMiterLimit", "rotation", "pivotX", "pivotY",
                     "scaleX", "scaleY", "translateX", "translateY", "x", "y", "fontSize"],
                    "number"),
}
AVG_ENUMS = {
    "strokeLineCap": {"butt", "round", "square"},
    "strokeLineJoin": {"bevel", "miter", "round"},
    "textAnchor": {"start", "middle", "end"},
    "scaleTypeHeight": {"none", "grow", "shrink", "stretch"},
    "scaleTypeWidth": {"none", "grow", "shrink", "stretch"},
}

# Properties a device re-evaluates when a value they use changes ("Dynamic: Yes" on the APL 1.5
# component pages): only these may follow elapsedTime. `when`, `data`, resources and every
# other property are evaluated once, when the document is inflated. A VectorGraphic's graphic
# parameters and a layout's parameters follow their bound values (Amazon's engine 1.5.0:
# Graphic::initialize and Properties::addToContext make a dependant for each).
DYNAMIC_PROPERTIES = {
    "display", "opacity", "checked", "disabled", "transform", "accessibilityLabel", "text",
    "color", "backgroundColor", "borderColor",
}

# The viewport object in the data-binding context, and the values of its enumerated fields.
VIEWPORT_FIELDS = {"width", "height", "pixelWidth", "pixelHeight", "shape", "dpi", "theme", "mode"}
VIEWPORT_VALUES = {
    "shape": {"round", "rectangle"},
    "mode": {"auto", "hub", "mobile", "pc", "tv"},
    "theme": {"light", "dark"},
}
# fmt: on
