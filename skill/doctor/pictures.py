"""The card pictures Alexa links to: one listed PNG fetched from their public base.

Standard cards carry picture URLs under `Config.images_base_url`; the Alexa app fetches them
itself, and a wrong base only shows as a broken or blank picture on the person's phone. The
base is often derived (SKILL_AUDIO_BASE_URL ending in /audio gives the same host's /images),
which is right only when that host passes /images/ to `serve` too: a clip bucket or CDN does
not. So doctor fetches one committed PNG the way the app will, as it does for a clip.
"""

from __future__ import annotations

import hashlib

import urllib3

from skill.config import Config
from skill.doctor.network import Client
from skill.doctor.report import Check, fail, ok, skip, warn
from skill.doctor.trust import trust_context
from skill.screen.images import committed_images

NAME = "card pictures"


def check_card_picture(config: Config | None, offline: bool, ca_file: str | None = None) -> Check:
    """ok when one listed PNG comes back from the base as the committed bytes; a PNG that
    differs (another release's build) is a warning, anything else a FAIL."""
    if config is None:
        return skip(NAME, "not checked: the configuration is invalid")
    base = config.images_base_url
    if not base:
        return ok(NAME, "cards without pictures (no SKILL_IMAGES_BASE_URL, no .../audio base)")
    if offline:
        return skip(NAME, f"--offline: {base} not fetched")
    images = committed_images()
    if not images:
        return fail(NAME, "this install has no card pictures to serve", reinstall_advice())
    entry = min(images.values(), key=lambda e: e.file)
    url = f"{base}/{entry.file}"
    advice = base_advice(config)
    http = Client(trust_context(ca_file))
    try:
        response = http.request("GET", url)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return fail(NAME, f"GET {url}: {getattr(exc, 'reason', None) or exc}", advice)
    finally:
        http.close()
    if response.status != 200:
        return fail(NAME, f"GET {url} answered {response.status}", advice)
    kind = (response.headers.get("Content-Type") or "").split(";")[0].strip()
    if kind != "image/png":
        return fail(NAME, f"{url} came as {kind or 'no Content-Type'}, not image/png", advice)
    if hashlib.sha256(response.data).hexdigest() != entry.sha256:
        return warn(
            NAME,
            f"{url} is a PNG, but not this release's {entry.file}",
            "Serve this install's pictures (`serve` does, under /images/), or copy "
            "skill/screen/images/ from this release to where SKILL_IMAGES_BASE_URL points.",
        )
    return ok(NAME, f"{url}: 200, image/png, this release's bytes")


def base_advice(config: Config) -> str:
    """What to change, depending on whether the base was set or derived from the audio's."""
    if config.images_base_url_setting:
        return (
            "SKILL_IMAGES_BASE_URL must serve the PNGs of skill/screen/images/ over HTTPS with a "
            "trusted certificate (`serve` does, under /images/: https://HOST/images)."
        )
    return (
        f"The picture base {config.images_base_url} is derived from SKILL_AUDIO_BASE_URL. Pass "
        "/images/ through your front end to `serve` as /audio/ is, or set "
        "SKILL_IMAGES_BASE_URL to where this release's skill/screen/images/ PNGs are served."
    )


def reinstall_advice() -> str:
    return (
        "The package lacks skill/screen/images/manifest.json: reinstall this release, or "
        "unset SKILL_IMAGES_BASE_URL for plain text cards."
    )
