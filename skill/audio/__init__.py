"""Rendered audio for the skill: hold clips, the get-ready count, chimes, whole sessions.

Public API (the CLI calls these):
    build_audio(out_dir, engine="auto", force=False, progress=True) -> BuildReport
    load_manifest(dir) -> Manifest            (.clip(id), .has_file(id), .url(id, base))
    render_session(content, stretch, out, engine) -> SessionReport
    encode_mp3(samples, path), chime(), mix(...)

Names are imported on first use: the web app needs only the manifest, and numpy, the TTS
engines and tqdm would otherwise cost every worker ~240 ms of start-up and several MB.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "BuildReport": "build",
    "build_audio": "build",
    "CHIME_END_ID": "clips",
    "CHIME_SWITCH_ID": "clips",
    "GET_READY_ID": "clips",
    "ClipSpec": "clips",
    "Voice": "clips",
    "clip_specs": "clips",
    "expected_length_ms": "clips",
    "hold_spec": "clips",
    "render_clip": "clips",
    "ClipEntry": "manifest",
    "Manifest": "manifest",
    "load_manifest": "manifest",
    "SAMPLE_RATE": "mixing",
    "chime": "mixing",
    "encode_mp3": "mixing",
    "mix": "mixing",
    "normalize": "mixing",
    "ScriptItem": "session",
    "SessionReport": "session",
    "render_session": "session",
    "session_script": "session",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
