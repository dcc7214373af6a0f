"""Installed as `skill.audio_manifest`: only manifest.json ships (skill.resources finds it).

The MP3s build-audio writes here are build output: git-ignored and never packaged.
"""
