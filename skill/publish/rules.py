"""Amazon's rules for a custom skill's manifest, checked before anything is uploaded.

Written from Amazon's Skill Manifest Schema (https://developer.amazon.com/docs/smapi/skill-manifest.html)
and its examples (https://developer.amazon.com/docs/smapi/skill-manifest-examples.html). The
numbers are those of the SMAPI schema that ASK CLI validates against (the `maxLength` /
`maxItems` of `v1.skill.Manifest.SkillManifestLocalizedPublishingInformation` and its
neighbours, in alexa/ask-cli test/integration/fixtures/smapi_spec.json): a name of at least 2
characters, a summary of at most 160, a description and testing instructions of at most 4000,
example phrases of at most 200 characters, at most 30 keywords of at most 150 characters.
Example phrases: "Three example phrases ... [that] must come directly from your sample
utterances" (schema) and "at least one" (Crafting Great Example Phrases,
https://developer.amazon.com/blogs/alexa/post/74d0ed59-ad4f-470a-abcf-d37c10a1dfd6/crafting-great-example-phrases-that-meet-certification-requirements);
the phrase rules themselves are in skill/publish/phrases.py.

`check_manifest` returns every problem (an empty list: the manifest follows the rules), so an
operator fixes them all in one go.
"""

from __future__ import annotations

import re
from typing import Any

MIN_NAME = 2
MAX_SUMMARY = 160
MAX_DESCRIPTION = 4000
MAX_TESTING_INSTRUCTIONS = 4000
MAX_EXAMPLE_PHRASES = 3
MAX_EXAMPLE_PHRASE = 200
MAX_KEYWORDS = 30
MAX_KEYWORD = 150
MANIFEST_VERSIONS = ("1.0",)
SSL_CERTIFICATE_TYPES = ("SelfSigned", "Wildcard", "Trusted")
DISTRIBUTION_MODES = ("PRIVATE", "PUBLIC")
# manifest.apis.custom.interfaces[].type (SMAPI v1.skill.Manifest.InterfaceType).
INTERFACE_TYPES = (
    "AUDIO_PLAYER", "VIDEO_APP", "RENDER_TEMPLATE", "GAME_ENGINE", "GADGET_CONTROLLER",
    "CAN_FULFILL_INTENT_REQUEST", "ALEXA_PRESENTATION_APL", "ALEXA_PRESENTATION_HTML",
    "ALEXA_CAMERA_PHOTO_CAPTURE_CONTROLLER", "ALEXA_CAMERA_VIDEO_CAPTURE_CONTROLLER",
    "ALEXA_FILE_MANAGER_UPLOAD_CONTROLLER", "CUSTOM_INTERFACE",
    "ALEXA_AUGMENTATION_EFFECTS_CONTROLLER", "APP_LINKS", "ALEXA_EXTENSION", "APP_LINKS_V2",
    "ALEXA_SEARCH",
)  # fmt: skip
# The skill events a manifest can subscribe to (SMAPI v1.skill.Manifest.EventNameType).
SKILL_EVENTS = (
    "SKILL_ENABLED", "SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED", "SKILL_PERMISSION_CHANGED",
    "SKILL_ACCOUNT_LINKED", "SKILL_PROACTIVE_SUBSCRIPTION_CHANGED",
    "SKILL_NOTIFICATION_SUBSCRIPTION_CHANGED",
)  # fmt: skip
# publishingInformation.category: the category enumeration of the Skill Manifest Schema page.
CATEGORIES = frozenset(
    {
        "ALARMS_AND_CLOCKS", "ASTROLOGY", "BUSINESS_AND_FINANCE", "CALCULATORS",
        "CALENDARS_AND_REMINDERS", "CHILDRENS_EDUCATION_AND_REFERENCE", "CHILDRENS_GAMES",
        "CHILDRENS_MUSIC_AND_AUDIO", "CHILDRENS_NOVELTY_AND_HUMOR", "COMMUNICATION",
        "CONNECTED_CAR", "COOKING_AND_RECIPE", "CURRENCY_GUIDES_AND_CONVERTERS", "DATING",
        "DELIVERY_AND_TAKEOUT", "DEVICE_TRACKING", "EDUCATION_AND_REFERENCE", "EVENT_FINDERS",
        "EXERCISE_AND_WORKOUT", "FASHION_AND_STYLE", "FLIGHT_FINDERS", "FRIENDS_AND_FAMILY",
        "GAME_INFO_AND_ACCESSORY", "GAMES", "HEALTH_AND_FITNESS", "HOTEL_FINDERS",
        "KNOWLEDGE_AND_TRIVIA", "MOVIE_AND_TV_KNOWLEDGE_AND_TRIVIA", "MOVIE_INFO_AND_REVIEWS",
        "MOVIE_SHOWTIMES", "MUSIC_AND_AUDIO_ACCESSORIES", "MUSIC_AND_AUDIO_KNOWLEDGE_AND_TRIVIA",
        "MUSIC_INFO_REVIEWS_AND_RECOGNITION_SERVICE", "NAVIGATION_AND_TRIP_PLANNER", "NEWS",
        "NOVELTY", "ORGANIZERS_AND_ASSISTANTS", "PETS_AND_ANIMAL", "PODCAST",
        "PUBLIC_TRANSPORTATION", "RELIGION_AND_SPIRITUALITY",
        "RESTAURANT_BOOKING_INFO_AND_REVIEW", "SCHOOLS", "SCORE_KEEPING", "SELF_IMPROVEMENT",
        "SHOPPING", "SMART_HOME", "SOCIAL_NETWORKING", "SPORTS_GAMES", "SPORTS_NEWS",
        "STREAMING_SERVICE", "TAXI_AND_RIDESHARING", "TO_DO_LISTS_AND_NOTES", "TRANSLATORS",
        "TV_GUIDES", "UNIT_CONVERTERS", "WEATHER", "WINE_AND_BEVERAGE", "ZIP_CODE_LOOKUP",
    }
)  # fmt: skip
PRIVACY_FLAGS = (
    "allowsPurchases", "usesPersonalInfo", "isChildDirected", "isExportCompliant", "containsAds",
)  # fmt: skip
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Policy Requirements for Alexa Skills
# (https://developer.amazon.com/en-US/docs/alexa/custom-skills/policy-requirements-for-an-alexa-skill.html):
# a health-related skill is rejected if its description lacks a disclaimer "stating that the
# skill is not a substitute for professional medical advice"; certification feedback also asks
# to tell people with a medical emergency to dial their local emergency number.
HEALTH_CATEGORIES = frozenset({"HEALTH_AND_FITNESS", "EXERCISE_AND_WORKOUT"})
HEALTH_DISCLAIMER = ("not a substitute for professional medical advice", "emergency")


class _Checker:
    """Collects problems as 'path: what is wrong' lines."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def get(self, obj: Any, path: str, key: str, kind: type, *, required: bool = True) -> Any:
        """obj[key] if it is of `kind`; None (and a problem, if required) otherwise."""
        where = f"{path}.{key}" if path else key
        if not isinstance(obj, dict) or key not in obj:
            if required:
                self.fail(where, "missing")
            return None
        value = obj[key]
        if (kind is not bool and isinstance(value, bool)) or not isinstance(value, kind):
            self.fail(where, f"must be a {kind.__name__}")
            return None
        return value

    def text(self, obj: Any, path: str, key: str, low: int, high: int | None) -> str | None:
        value = self.get(obj, path, key, str)
        if value is not None:
            size = len(value.strip())
            if size < low:
                self.fail(f"{path}.{key}", f"must have at least {low} characters")
            if high is not None and len(value) > high:
                self.fail(f"{path}.{key}", f"{len(value)} characters; at most {high}")
        return value

    def https(self, obj: Any, path: str, key: str) -> str | None:
        value = self.get(obj, path, key, str)
        if value is not None and not value.startswith("https://"):
            self.fail(f"{path}.{key}", f"must be an https:// URL, not {value!r}")
        return value


def _check_locale(c: _Checker, info: Any, path: str, health: bool) -> None:
    c.text(info, path, "name", MIN_NAME, None)
    c.text(info, path, "summary", 1, MAX_SUMMARY)
    description = c.text(info, path, "description", 1, MAX_DESCRIPTION)
    if health and description is not None:
        for words in HEALTH_DISCLAIMER:
            if words not in " ".join(description.lower().split()):
                c.fail(f"{path}.description", f"a health skill's disclaimer must say {words!r}")
    phrases = c.get(info, path, "examplePhrases", list)
    if phrases is not None:
        if not 1 <= len(phrases) <= MAX_EXAMPLE_PHRASES:
            c.fail(f"{path}.examplePhrases", f"{len(phrases)} phrases; 1 to {MAX_EXAMPLE_PHRASES}")
        for i, phrase in enumerate(phrases):
            if not isinstance(phrase, str) or not phrase.strip():
                c.fail(f"{path}.examplePhrases[{i}]", "must be a non-empty string")
            elif len(phrase) > MAX_EXAMPLE_PHRASE:
                c.fail(f"{path}.examplePhrases[{i}]", f"longer than {MAX_EXAMPLE_PHRASE}")
    keywords = c.get(info, path, "keywords", list)
    if keywords is not None:
        if len(keywords) > MAX_KEYWORDS:
            c.fail(f"{path}.keywords", f"{len(keywords)} keywords; at most {MAX_KEYWORDS}")
        for i, word in enumerate(keywords):
            if not isinstance(word, str) or not word.strip() or len(word) > MAX_KEYWORD:
                c.fail(f"{path}.keywords[{i}]", f"must be 1 to {MAX_KEYWORD} characters")
    for key in ("smallIconUri", "largeIconUri"):
        uri = c.get(info, path, key, str)
        if uri is not None and not uri.startswith(("https://", "file://")):
            c.fail(f"{path}.{key}", "must be an https:// URL or a file:// path in the package")


def _check_publishing(c: _Checker, pub: Any) -> list[str]:
    path = "manifest.publishingInformation"
    locales = c.get(pub, path, "locales", dict) or {}
    if not locales and pub is not None:
        c.fail(f"{path}.locales", "needs at least one locale")
    category = c.get(pub, path, "category", str)
    for locale, info in locales.items():
        _check_locale(c, info, f"{path}.locales.{locale}", category in HEALTH_CATEGORIES)
    if category is not None and category not in CATEGORIES:
        c.fail(f"{path}.category", f"{category!r} is not one of Amazon's categories")
    mode = c.get(pub, path, "distributionMode", str, required=False)
    if mode is not None and mode not in DISTRIBUTION_MODES:
        c.fail(f"{path}.distributionMode", f"must be one of {', '.join(DISTRIBUTION_MODES)}")
    worldwide = c.get(pub, path, "isAvailableWorldwide", bool)
    countries = c.get(pub, path, "distributionCountries", list, required=worldwide is False)
    if worldwide is False and countries is not None and not countries:
        c.fail(f"{path}.distributionCountries", "must list countries when not worldwide")
    for country in countries or []:
        if not isinstance(country, str) or not _COUNTRY.match(country):
            c.fail(f"{path}.distributionCountries", f"{country!r} is not an ISO 3166-1 code")
    c.text(pub, path, "testingInstructions", 1, MAX_TESTING_INSTRUCTIONS)
    return list(locales)


def _check_privacy(c: _Checker, privacy: Any, locales: list[str]) -> None:
    path = "manifest.privacyAndCompliance"
    for flag in PRIVACY_FLAGS:
        c.get(privacy, path, flag, bool)
    c.get(privacy, path, "usesHealthInfo", bool, required=False)
    urls = c.get(privacy, path, "locales", dict) or {}
    for locale in locales:
        entry = c.get(urls, f"{path}.locales", locale, dict)
        if entry is not None:
            c.https(entry, f"{path}.locales.{locale}", "privacyPolicyUrl")
            c.https(entry, f"{path}.locales.{locale}", "termsOfUseUrl")


def _check_endpoint(c: _Checker, obj: Any, path: str, expected: str | None) -> None:
    endpoint = c.get(obj, path, "endpoint", dict)
    if endpoint is None:
        return
    uri = c.https(endpoint, f"{path}.endpoint", "uri")
    if expected is not None and uri is not None and uri != expected:
        c.fail(f"{path}.endpoint.uri", f"{uri!r} is not the endpoint given, {expected!r}")
    cert = c.get(endpoint, f"{path}.endpoint", "sslCertificateType", str)
    if cert is not None and cert not in SSL_CERTIFICATE_TYPES:
        c.fail(f"{path}.endpoint.sslCertificateType", f"{cert!r} is not one of Amazon's")


def _check_apis(c: _Checker, manifest: Any, endpoint: str | None) -> None:
    apis = c.get(manifest, "manifest", "apis", dict)
    custom = c.get(apis, "manifest.apis", "custom", dict) if apis is not None else None
    if custom is None:
        return
    _check_endpoint(c, custom, "manifest.apis.custom", endpoint)
    for i, item in enumerate(c.get(custom, "manifest.apis.custom", "interfaces", list) or []):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in INTERFACE_TYPES:
            c.fail(f"manifest.apis.custom.interfaces[{i}]", f"unknown interface type {kind!r}")


def _check_events(c: _Checker, manifest: Any, endpoint: str | None) -> None:
    events = c.get(manifest, "manifest", "events", dict, required=False)
    if events is None:
        return
    _check_endpoint(c, events, "manifest.events", endpoint)
    for i, sub in enumerate(c.get(events, "manifest.events", "subscriptions", list) or []):
        name = sub.get("eventName") if isinstance(sub, dict) else None
        if name not in SKILL_EVENTS:
            c.fail(f"manifest.events.subscriptions[{i}]", f"unknown skill event {name!r}")


def check_manifest(document: Any, *, endpoint: str | None = None) -> list[str]:
    """Every way `document` (a parsed skill.json) breaks Amazon's rules; [] when none.

    With `endpoint`, the skill's and the events' endpoint must be exactly that URL.
    """
    c = _Checker()
    manifest = c.get(document, "", "manifest", dict)
    if manifest is None:
        return c.problems
    version = c.get(manifest, "manifest", "manifestVersion", str)
    if version is not None and version not in MANIFEST_VERSIONS:
        c.fail("manifest.manifestVersion", f"must be one of {', '.join(MANIFEST_VERSIONS)}")
    pub = c.get(manifest, "manifest", "publishingInformation", dict)
    locales = _check_publishing(c, pub) if pub is not None else []
    privacy = c.get(manifest, "manifest", "privacyAndCompliance", dict)
    if privacy is not None:
        _check_privacy(c, privacy, locales)
    _check_apis(c, manifest, endpoint)
    _check_events(c, manifest, endpoint)
    for i, item in enumerate(
        c.get(manifest, "manifest", "permissions", list, required=False) or []
    ):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            c.fail(f"manifest.permissions[{i}]", "must be an object with a name")
    return c.problems
