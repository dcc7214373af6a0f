"""The bare-Flask reference the skill is measured against.

It does what any Flask JSON endpoint must do for the same requests (read the body, parse the
same JSON) and answers a fixed, real response of the skill (one hold, ~2 KB), with no
verification, no SDK, no storage and no logging. Served with the same gunicorn settings. (Since
issue 16 the skill's answers to the mix average ~3.8 KB: two ~8.7 KB sets among short ones.)
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, request

FIXED_RESPONSE = (Path(__file__).with_name("reference_response.json")).read_bytes()


def create_reference_app() -> Flask:
    app = Flask(__name__)

    @app.post("/alexa")
    def alexa() -> Response:
        envelope = request.get_json()
        if not isinstance(envelope, dict):
            return Response(b'{"error": "bad request"}', status=400, mimetype="application/json")
        return Response(FIXED_RESPONSE, mimetype="application/json")

    return app
