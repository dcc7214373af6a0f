"""GET /images/<file>: the committed card pictures, for the Alexa app to fetch.

Only files the image manifest lists are served, so a request can never reach any other file,
whatever its path says. The ETag is the file's SHA-256 from the manifest; the pictures change
only with a release, and the names stay, so they are cached like the audio clips. Amazon asks
that card pictures be served with CORS headers (the Alexa app on the web loads them from
another origin): docs/pictures.md cites the page.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, send_file

from skill.screen.images import ImageEntry, committed_images, images_dir
from skill.web.audio_files import CACHE_SECONDS


class ImageFiles:
    def __init__(
        self, entries: dict[str, ImageEntry] | None = None, folder: Path | None = None
    ) -> None:
        self.entries = committed_images() if entries is None else entries
        self.folder = images_dir() if folder is None else folder

    def serve(self, name: str) -> Response:
        entry = self.entries.get(name)
        path = self.folder / name
        if entry is None or not path.is_file():
            reason = f"no card picture named {name[:80]!r}"
            abort(404, description=reason)
        response = send_file(
            path, mimetype="image/png", conditional=True, etag=entry.sha256, max_age=CACHE_SECONDS
        )
        response.cache_control.public = True
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
