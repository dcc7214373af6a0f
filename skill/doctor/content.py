"""Content files, interaction model and the committed audio manifest: what `hamstring-coach
check` reports to a content owner, and the doctor to an operator (one implementation, so the
two never disagree)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from skill.doctor.report import Check, fail, ok, skip, warn

CONTENT, MODEL, MANIFEST = "content", "interaction model", "audio manifest"


def content_checks() -> list[Check]:
    """The content, the interaction model and (if the content loaded) the audio manifest."""
    from skill.core.content import ContentError, load_content

    checks: list[Check] = []
    try:
        content = load_content()
    except ContentError as exc:
        checks.append(
            fail(
                CONTENT,
                str(exc),
                f"Correct {exc.file} (skill/core/content/ in the checkout), key {exc.key}, "
                "then run `hamstring-coach check` until it says ok and restart the service: "
                "the skill does not start with broken content.",
            )
        )
        content = None
    else:
        checks.append(
            ok(
                CONTENT,
                f"{len(content.stretches)} stretches, {len(content.answers)} answers, "
                f"{len(content.phrases.keys())} phrases, {len(content.clinic)} phone numbers",
            )
        )
    checks.append(model_check())
    if content is None:
        checks.append(skip(MANIFEST, "not checked: the content does not load"))
    else:
        checks.append(manifest_check(content))
    return checks


def model_check() -> Check:
    """The en-US model parses and has every custom intent the handlers answer."""
    from skill import resources
    from skill.alexa.handlers import HANDLED_INTENTS

    path: Path | None = None
    advice = (
        "Fix interaction_model/en-US.json (it is also what the skill package uploads), then "
        "run `hamstring-coach check`."
    )
    try:
        path = resources.interaction_model_path("en-US")
        language = json.loads(path.read_text(encoding="utf-8"))["interactionModel"]
        language = language["languageModel"]
        intents = {intent["name"]: intent for intent in language["intents"]}
        invocation = language["invocationName"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return fail(MODEL, f"{type(exc).__name__}: {exc}", advice)
    missing = sorted(i for i in HANDLED_INTENTS if not i.startswith("AMAZON.") and i not in intents)
    if missing:
        return fail(
            MODEL, f"{path.name} lacks intents the skill handles: {', '.join(missing)}", advice
        )
    samples = sum(len(i.get("samples", [])) for i in intents.values())
    return ok(
        MODEL,
        f"invocation {invocation!r}, {len(intents)} intents, {samples} sample utterances",
    )


def manifest_check(content: Any) -> Check:
    """The committed manifest should describe the clips of this content (a warning if not:
    the skill then speaks the out-of-date holds with Alexa's voice)."""
    from skill.audio.clips import clip_specs
    from skill.resources import audio_manifest_path
    from skill.voice.manifest import load_manifest

    manifest = load_manifest(audio_manifest_path().parent)
    specs = clip_specs(content)
    stale = [
        s.id
        for s in specs
        if (entry := manifest.clip(s.id)) is None or entry.key != s.key(entry.engine)
    ]
    if stale:
        return warn(
            MANIFEST,
            f"{len(stale)} of {len(specs)} clips missing or out of date for this content "
            f"(first: {stale[0]})",
            "run build-audio and commit audio/manifest.json",
        )
    engines = Counter(e.engine for e in manifest.clips.values())
    by_engine = ", ".join(f"{n} {engine}" for engine, n in sorted(engines.items()))
    return ok(MANIFEST, f"{len(manifest.clips)} clips ({by_engine}), current")
