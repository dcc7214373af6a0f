"""Rendered audio for the skill: hold clips, the get-ready count, chimes, whole sessions.

Public API (the CLI calls these):
    build_audio(out_dir, engine="auto", force=False, progress=True) -> BuildReport
    load_manifest(dir) -> Manifest            (.clip(id), .has_file(id), .url(id, base))
    render_session(content, stretch, out, engine) -> SessionReport
    encode_mp3(samples, path), chime(), mix(...)
"""

from skill.audio.build import BuildReport, build_audio
from skill.audio.clips import (
    CHIME_END_ID,
    CHIME_SWITCH_ID,
    GET_READY_ID,
    ClipSpec,
    Voice,
    clip_specs,
    expected_length_ms,
    hold_spec,
    render_clip,
)
from skill.audio.manifest import ClipEntry, Manifest, load_manifest
from skill.audio.mixing import SAMPLE_RATE, chime, encode_mp3, mix, normalize
from skill.audio.session import ScriptItem, SessionReport, render_session, session_script

__all__ = [
    "CHIME_END_ID",
    "CHIME_SWITCH_ID",
    "GET_READY_ID",
    "SAMPLE_RATE",
    "BuildReport",
    "ClipEntry",
    "ClipSpec",
    "Manifest",
    "ScriptItem",
    "SessionReport",
    "Voice",
    "build_audio",
    "chime",
    "clip_specs",
    "encode_mp3",
    "expected_length_ms",
    "hold_spec",
    "load_manifest",
    "mix",
    "normalize",
    "render_clip",
    "render_session",
    "session_script",
]
