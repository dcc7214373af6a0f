"""GET /audio/<file>: the rendered clips, for Alexa to fetch (through the operator's HTTPS).

Only files the manifest lists are served, so a request can never reach any other file,
whatever its path says. Flask's `send_file` does ranges (206), ETag and If-Modified-Since.
The manifest is re-read when it changes, so `build-audio` while serving needs no restart.
"""

from __future__ import annotations

from flask import Response, abort, send_file

from skill.voice.manifest import LiveManifest, Manifest

CACHE_SECONDS = 24 * 3600  # clip names are stable; the ETag catches a rebuilt clip


class ClipFiles:
    def __init__(self, manifest: LiveManifest) -> None:
        self.live = manifest

    def manifest(self) -> Manifest:
        return self.live.get()

    def serve(self, name: str) -> Response:
        files = {entry.file: entry for entry in self.manifest().clips.values()}
        entry = files.get(name)
        path = self.live.directory / name
        if entry is None or not path.is_file():
            reason = f"no clip named {name[:80]!r}; run `hamstring-coach build-audio`"
            abort(404, description=reason)
        response = send_file(
            path, mimetype="audio/mpeg", conditional=True, etag=entry.sha256, max_age=CACHE_SECONDS
        )
        response.headers["Accept-Ranges"] = "bytes"
        response.cache_control.public = True
        return response
