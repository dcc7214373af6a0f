"""GET /images/<file>: the committed card pictures, for the Alexa app to fetch.

Only files the image manifest lists are served, so a request can never reach any other file,
whatever its path says. The ETag is the file's SHA-256 from the manifest; the pictures change
only with a release, and the names stay, so they are cached like the audio clips. Amazon asks
that card pictures be served with CORS headers (the Alexa app on the web loads them from
another origin): docs/pictures.md cites the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, send_file

from skill.screen.images import ImageEntry, committed_images, images_dir
from skill.web.audio_files import CACHE_SECONDS


class ImageFiles:
    def __init__(self) -> None:
        self.entries: dict[str, ImageEntry] = committed_images()
        self.folder: Path = images_dir()

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

    def status(self, base_url: str | None) -> dict[str, Any]:
        """Where card pictures come from and how many this server has, for /healthz."""
        return {
            "images_base_url": base_url or "unset (text cards)",
            "card_images": len(self.entries),
        }


def register_image_files(app: Flask) -> ImageFiles:
    """Serve the committed card pictures at /images/<file> (GET and HEAD)."""
    pictures = ImageFiles()
    app.add_url_rule("/images/<path:name>", "images", pictures.serve, methods=["GET", "HEAD"])
    return pictures
