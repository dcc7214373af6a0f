"""Helpers for tests that need audio tools (espeak-ng, pocketsphinx, sox, ffmpeg)."""

from __future__ import annotations

import os
import subprocess
import wave
from pathlib import Path

import pytest


def require(ok: bool, reason: str) -> None:
    """Skip the test unless `ok`; under CI=true a missing tool is a failure, not a skip."""
    if ok:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: audio tools must be installed)")
    pytest.skip(reason)


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def espeak_wav(text: str, path: Path) -> Path:
    """`text` spoken by espeak-ng into the WAV file `path`."""
    subprocess.run(["espeak-ng", "-v", "en-us+klatt", "-w", str(path), text], check=True)
    return path


def has_pocketsphinx() -> bool:
    try:
        import pocketsphinx  # noqa: F401
    except ImportError:
        return False
    return True
