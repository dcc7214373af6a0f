"""The rendered clips the skill will link to: on disk, and the bytes the manifest recorded.

The skill reads the manifest in SKILL_AUDIO_DIR (not the committed one) and links a clip only if
its file exists (skill.voice.render); Alexa then fetches it from SKILL_AUDIO_BASE_URL. A file
that is missing only makes the skill fall back to Alexa's voice, but a file that differs from
the manifest (a half-copied directory, a build from other content) plays words or timings the
rest of the turn does not expect. The manifest records each clip's SHA-256 (no size), so that
is what is compared.
"""

from __future__ import annotations

import hashlib

import urllib3

from skill.config import Config
from skill.doctor.network import Client
from skill.doctor.report import Check, fail, ok, skip
from skill.doctor.trust import trust_context
from skill.voice.manifest import MANIFEST_NAME, load_manifest, sha256_file

NAME = "audio clips"
ADVICE = (
    "Run `hamstring-coach build-audio` (it writes SKILL_AUDIO_DIR), or copy the whole audio "
    "folder, manifest.json included, from where you built it; see docs/audio.md."
)


def check_clips(config: Config | None) -> Check:
    if config is None:
        return skip(NAME, "not checked: the configuration is invalid")
    if not config.audio_base_url:
        return ok(NAME, "SKILL_AUDIO_BASE_URL unset: Alexa's voice speaks the holds, no clips used")
    folder = config.audio_dir
    manifest = load_manifest(folder)
    if not manifest.clips:
        return fail(
            NAME,
            f"SKILL_AUDIO_BASE_URL is set but {folder / MANIFEST_NAME} is missing or unreadable",
            ADVICE,
        )
    missing: list[str] = []
    changed: list[str] = []
    for entry in sorted(manifest.clips.values(), key=lambda e: e.file):
        path = folder / entry.file
        try:
            digest = sha256_file(path)
        except OSError:
            missing.append(entry.file)
            continue
        if digest != entry.sha256:
            changed.append(entry.file)
    total = len(manifest.clips)
    if missing or changed:
        parts = []
        if missing:
            parts.append(f"{len(missing)} missing (first: {missing[0]})")
        if changed:
            parts.append(f"{len(changed)} differ from the manifest's SHA-256 (first: {changed[0]})")
        return fail(NAME, f"{folder}: of {total} clips, " + ", ".join(parts), ADVICE)
    return ok(NAME, f"{folder}: {total} clips match the manifest")


URL_NAME = "audio URL"


def check_clip_url(config: Config | None, ca_file: str | None = None) -> Check | None:
    """One clip fetched from SKILL_AUDIO_BASE_URL, as Alexa will fetch it: the same bytes as
    the manifest's (None: no clips in use)."""
    if config is None or not config.audio_base_url:
        return None
    manifest = load_manifest(config.audio_dir)
    if not manifest.clips:
        return skip(URL_NAME, "not checked: no clips in the audio folder")
    entry = min(manifest.clips.values(), key=lambda e: e.file)
    url = manifest.url(entry.id, config.audio_base_url) or ""
    http = Client(trust_context(ca_file))
    advice = (
        "SKILL_AUDIO_BASE_URL must serve SKILL_AUDIO_DIR's files over HTTPS with a trusted "
        "certificate (`serve` does, under /audio/: https://HOST/audio); Alexa fetches each "
        "clip there."
    )
    try:
        response = http.request("GET", url)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return fail(URL_NAME, f"GET {url}: {getattr(exc, 'reason', None) or exc}", advice)
    finally:
        http.close()
    if response.status != 200:
        return fail(URL_NAME, f"GET {url} answered {response.status}", advice)
    if hashlib.sha256(response.data).hexdigest() != entry.sha256:
        return fail(URL_NAME, f"{url} differs from the manifest's clip", advice)
    return ok(URL_NAME, f"{url}: 200, the manifest's bytes")
