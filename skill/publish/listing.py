"""The store listing (skill/publish/listing.yaml): words a clinic edits, read into one object.

The listing lives in a data file so that changing the description, the example phrases or a
privacy answer never means editing code; this module only reads it and says clearly what is
missing or of the wrong type. Amazon's rules for the values are checked on the finished
manifest (skill/publish/rules.py), where they apply whatever wrote the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

LISTING_FILE = "listing.yaml"


class ListingError(ValueError):
    """listing.yaml is missing a field or has one of the wrong type."""


@dataclass(frozen=True)
class Privacy:
    allows_purchases: bool
    uses_personal_info: bool
    uses_health_info: bool
    is_child_directed: bool
    is_export_compliant: bool
    contains_ads: bool


@dataclass(frozen=True)
class Listing:
    locale: str
    name: str
    summary: str
    description: str
    example_phrases: tuple[str, ...]
    keywords: tuple[str, ...]
    category: str
    is_available_worldwide: bool
    countries: tuple[str, ...]
    testing_instructions: str
    privacy: Privacy


def _field(data: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    if key not in data:
        raise ListingError(f"{LISTING_FILE}: {where}{key} is missing")
    value = data[key]
    if not isinstance(value, kind):
        raise ListingError(
            f"{LISTING_FILE}: {where}{key} must be a {kind.__name__}, not {type(value).__name__}"
        )
    return value


def _strings(data: dict[str, Any], key: str, where: str = "") -> tuple[str, ...]:
    items = _field(data, key, list, where)
    if not all(isinstance(item, str) for item in items):
        raise ListingError(f"{LISTING_FILE}: {where}{key} must be a list of strings")
    return tuple(items)


def parse_listing(data: Any) -> Listing:
    """The listing from its parsed YAML (ListingError on a missing or mistyped field)."""
    if not isinstance(data, dict):
        raise ListingError(f"{LISTING_FILE}: expected a mapping at the top")
    distribution = _field(data, "distribution", dict)
    privacy = _field(data, "privacy", dict)
    flags = {
        name: _field(privacy, name, bool, "privacy.")
        for name in Privacy.__dataclass_fields__  # every answer is required: no silent default
    }
    return Listing(
        locale=_field(data, "locale", str),
        name=_field(data, "name", str),
        summary=_field(data, "summary", str),
        description=_field(data, "description", str),
        example_phrases=_strings(data, "example_phrases"),
        keywords=_strings(data, "keywords"),
        category=_field(data, "category", str),
        is_available_worldwide=_field(
            distribution, "is_available_worldwide", bool, "distribution."
        ),
        countries=_strings(distribution, "countries", "distribution."),
        testing_instructions=_field(data, "testing_instructions", str),
        privacy=Privacy(**flags),
    )


def load_listing() -> Listing:
    """The listing shipped with the package."""
    text = resources.files("skill.publish").joinpath(LISTING_FILE).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ListingError(f"{LISTING_FILE}: not valid YAML: {exc}") from None
    return parse_listing(data)
