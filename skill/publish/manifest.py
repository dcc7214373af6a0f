"""skill.json: the listing plus what the operator decides (endpoint, certificate, policy URLs).

Every field and value here is Amazon's (Skill Manifest Schema,
https://developer.amazon.com/docs/smapi/skill-manifest.html); the reasons for each choice are
in docs/publish.md. What the skill *does* decides the technical part:

- `interfaces`: ALEXA_PRESENTATION_APL, because the skill sends screens
  (`Alexa.Presentation.APL.RenderDocument`) and takes touches (`UserEvent`) on devices that
  support them, with the viewports it lays out for (`supportedViewports`, Configure Your Skill
  with the APL Interface,
  https://developer.amazon.com/docs/alexa-presentation-language/apl-support-for-your-skill.html).
  APL for Audio needs no entry: "the APL interface isn't required for APL for audio" (Add APL
  Support to Your Skill,
  https://developer.amazon.com/docs/alexa-presentation-language/add-apl-support.html);
- `events`: SKILL_DISABLED, the one skill event it handles (skill/alexa/handlers/session.py),
  delivered to the same endpoint;
- `permissions`: `alexa::alerts:reminders:skill:readwrite`, so the skill can set the daily
  stretch reminder people ask for (skill/alexa/reminders_api.py). Amazon: "if you edit the
  skill manifest directly, add the alexa::alerts:reminders:skill:readwrite permission" (Alexa
  Reminders Overview, https://developer.amazon.com/docs/smapi/alexa-reminders-overview.html);
  `manifest.permissions` is an "Array that specifies the permissions" of objects, each with a
  `name` (Skill Manifest Schema). People grant it by voice when the skill first offers a
  reminder, or in the Alexa app. The time zone needs none: it comes from the Alexa Settings
  API.
"""

from __future__ import annotations

from typing import Any

from skill.publish.listing import Listing

MANIFEST_VERSION = "1.0"
# --certificate on the command line -> Amazon's sslCertificateType values.
CERTIFICATE_TYPES = {"trusted": "Trusted", "wildcard": "Wildcard", "self-signed": "SelfSigned"}
SMALL_ICON = "assets/images/en-US_smallIcon.png"  # 108 x 108 PNG
LARGE_ICON = "assets/images/en-US_largeIcon.png"  # 512 x 512 PNG
SUBSCRIBED_EVENTS = ("SKILL_DISABLED",)
# The Reminders API scope: the one permission the skill asks for (skill/alexa/permissions.py
# uses the same string).
PERMISSIONS = ("alexa::alerts:reminders:skill:readwrite",)
# The screens the documents are laid out for (skill/screen/viewports.py), in dp: small round
# hub, landscape medium and large hubs, extra-large TV as Amazon's example of
# supportedViewports gives them, and the small landscape hub (Echo Show 5) as the viewport
# profiles page describes it (width 960 to 1280, height under 600; its minimum height, 100,
# is the minimum Amazon's example uses).
# mode, shape, (minWidth, maxWidth), (minHeight, maxHeight)
SUPPORTED_VIEWPORTS = (
    ("HUB", "ROUND", (100, 599), (100, 599)),
    ("HUB", "RECTANGLE", (960, 1279), (100, 599)),
    ("HUB", "RECTANGLE", (960, 1279), (600, 959)),
    ("HUB", "RECTANGLE", (1280, 1920), (600, 1279)),
    ("TV", "RECTANGLE", (960, 960), (540, 540)),
)


def icon_uri(path: str) -> str:
    """A skill-package file as ASK CLI references it: file:// plus the path in the package."""
    return f"file://{path}"


def apl_interface() -> dict[str, Any]:
    """The APL interface entry: screens and touches, on the viewports we lay out for."""
    return {
        "type": "ALEXA_PRESENTATION_APL",
        "supportedViewports": [
            {
                "mode": mode,
                "shape": shape,
                "minWidth": width[0],
                "maxWidth": width[1],
                "minHeight": height[0],
                "maxHeight": height[1],
            }
            for mode, shape, width, height in SUPPORTED_VIEWPORTS
        ],
    }


def build_manifest(
    listing: Listing,
    *,
    endpoint: str,
    certificate: str,
    privacy_url: str,
    terms_url: str,
) -> dict[str, Any]:
    """The whole skill.json (certificate is one of CERTIFICATE_TYPES' keys)."""
    endpoint_obj = {"uri": endpoint, "sslCertificateType": CERTIFICATE_TYPES[certificate]}
    publishing: dict[str, Any] = {
        "locales": {
            listing.locale: {
                "name": listing.name,
                "summary": listing.summary,
                "description": listing.description,
                "examplePhrases": list(listing.example_phrases),
                "keywords": list(listing.keywords),
                "smallIconUri": icon_uri(SMALL_ICON),
                "largeIconUri": icon_uri(LARGE_ICON),
            }
        },
        "category": listing.category,
        "distributionMode": "PUBLIC",
        "isAvailableWorldwide": listing.is_available_worldwide,
        "testingInstructions": listing.testing_instructions,
    }
    if not listing.is_available_worldwide:
        publishing["distributionCountries"] = list(listing.countries)
    p = listing.privacy
    return {
        "manifest": {
            "manifestVersion": MANIFEST_VERSION,
            "publishingInformation": publishing,
            "privacyAndCompliance": {
                "allowsPurchases": p.allows_purchases,
                "usesPersonalInfo": p.uses_personal_info,
                "usesHealthInfo": p.uses_health_info,
                "isChildDirected": p.is_child_directed,
                "isExportCompliant": p.is_export_compliant,
                "containsAds": p.contains_ads,
                "locales": {
                    listing.locale: {"privacyPolicyUrl": privacy_url, "termsOfUseUrl": terms_url}
                },
            },
            "apis": {"custom": {"endpoint": dict(endpoint_obj), "interfaces": [apl_interface()]}},
            "events": {
                "endpoint": dict(endpoint_obj),
                "subscriptions": [{"eventName": name} for name in SUBSCRIBED_EVENTS],
            },
            "permissions": [{"name": name} for name in PERMISSIONS],
        }
    }
