"""Flask app factory and our thin adapter between HTTP and ask-sdk-core.

flask-ask-sdk cannot be imported here (its verifier needs oscrypto, broken on OpenSSL 3), and
we want sharper edges anyway: every bad request gets a 4xx JSON reason, never a 500, and one
structured log line per request.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
from flask import Flask, Response
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import ClientDisconnected, HTTPException, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.wsgi import get_content_length, get_input_stream

from skill.alexa.codec import ModelCodec
from skill.alexa.lean_skill import WrongApplicationId
from skill.alexa.skill_builder import build_skill
from skill.alexa.verification import VerificationError
from skill.config import Config
from skill.logs import printable, short_user_id
from skill.store.progress_store import ProgressStore
from skill.voice.manifest import LiveManifest
from skill.web import jsonio
from skill.web.audio_files import ClipFiles
from skill.web.image_files import register_image_files
from skill.web.legal.pages import register_legal_pages
from skill.web.retention_job import RetentionJob

log = logging.getLogger("skill.web.app")

# What the request log line keeps of a client's text (request type, intent name) and of an error
# reason: enough to read, never enough to make a line long (issue 17: one unsigned request made
# a 125 KB line). Every line the endpoint writes stays under 2 KB, whatever the request.
MAX_NAME_CHARS = 64
MAX_REASON_CHARS = 200


class RequestRejected(Exception):
    """A request that must get a 4xx; `reason` is safe to show the client."""

    def __init__(self, status: int, reason: str) -> None:
        reason = printable(reason, MAX_REASON_CHARS) or "request rejected"
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Verifier(Protocol):
    def verify(self, headers: Any, body: bytes, envelope: dict[str, Any]) -> None: ...


def json_response(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


def error_body(reason: str) -> bytes:
    return json.dumps({"error": reason}).encode()


def error_response(status: int, reason: str) -> Response:
    return Response(error_body(reason), status=status, mimetype="application/json")


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The JSON body, checked to look like an Alexa request envelope."""
    try:
        envelope = jsonio.loads_request(body)
    except (ValueError, RecursionError):
        # ValueError: not JSON, not UTF-8/16/32 (UnicodeDecodeError), a lone surrogate
        # (UnicodeEncodeError) or an integer past Python's 4,300-digit limit; RecursionError:
        # nested past the parser's depth
        raise RequestRejected(400, "body is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise RequestRejected(400, "body is not an Alexa request envelope (expected an object)")
    req = envelope.get("request")
    if not isinstance(req, dict):
        raise RequestRejected(400, "not an Alexa request envelope: 'request' is missing")
    for field in ("type", "requestId", "timestamp"):
        if not isinstance(req.get(field), str) or not req[field]:
            raise RequestRejected(400, f"not an Alexa request envelope: 'request.{field}' missing")
    if req["type"] == "IntentRequest":  # Alexa always names the intent; handlers rely on it
        intent = req.get("intent")
        if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
            raise RequestRejected(400, "not an Alexa request envelope: 'request.intent' missing")
    for field in ("session", "context"):
        if field in envelope and not isinstance(envelope[field], dict):
            raise RequestRejected(400, f"not an Alexa request envelope: '{field}' is not an object")
    context = envelope.get("context")
    if not isinstance(context, dict) or not isinstance(context.get("System"), dict):
        raise RequestRejected(400, "not an Alexa request envelope: 'context.System' missing")
    if not isinstance(envelope.get("version"), str):
        raise RequestRejected(400, "not an Alexa request envelope: 'version' missing")
    return envelope


def _dig(node: Any, *keys: str) -> Any:
    """node[k1][k2]..., or None as soon as something is not a dict (the body is untrusted)."""
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _log_fields(envelope: dict[str, Any] | None) -> dict[str, Any]:
    """What the request log line says about the envelope; must not fail on any JSON shape,
    as it also runs for requests that were rejected (e.g. unsigned ones). Names are the
    client's text: cut and cleaned (printable), the user id only as its tag."""
    if not envelope:
        return {}
    user = _dig(envelope, "context", "System", "user", "userId")
    return {
        "request_type": printable(_dig(envelope, "request", "type"), MAX_NAME_CHARS),
        "intent": printable(_dig(envelope, "request", "intent", "name"), MAX_NAME_CHARS),
        "user": short_user_id(user if isinstance(user, str) else None),
    }


def _log_quietly(emit: Callable[..., None], msg: str, *args: Any, **kwargs: Any) -> None:
    """`emit(msg, ...)` (a logger method) that cannot fail the request it reports on."""
    with contextlib.suppress(Exception):
        emit(msg, *args, **kwargs)


def http_error_reason(exc: HTTPException, max_body_bytes: int | None) -> str:
    """The `error` text of a 4xx/5xx raised by Werkzeug (too large, bad input, 404, 405)."""
    if exc.code == 413:
        return f"body larger than {max_body_bytes} bytes"
    return (exc.description or exc.name).rstrip(".")


_STATUS_LINES = {code: f"{code} {HTTP_STATUS_CODES[code]}" for code in HTTP_STATUS_CODES}
WsgiEnviron = dict[str, Any]


class AlexaEndpoint:
    """POST /alexa: bytes in, verified, deserialized, dispatched, serialized.

    Served as plain WSGI in front of Flask (see `AlexaRoute`): on this one endpoint, Flask's
    request context, routing and response objects cost more per request than any one stage of
    the skill (in process, a request of the benchmark's mix went from 452 to 266 µs without
    them). Body limits, content type, error answers and the log line are the same as through
    Flask (tests/test_web.py serves `handle` as a Flask view too and compares the two).
    """

    def __init__(
        self, skill: CustomSkill, verifier: Verifier | None, max_body_bytes: int | None = None
    ) -> None:
        self.skill = skill
        self.verifier = verifier
        self.max_body_bytes = max_body_bytes
        self.codec = ModelCodec()

    def wsgi(self, environ: WsgiEnviron, start_response: Any) -> list[bytes]:
        status, payload = self.handle(environ)
        start_response(
            _STATUS_LINES[status],
            [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
        )
        return [payload]

    def handle(self, environ: WsgiEnviron) -> tuple[int, bytes]:
        """(HTTP status, JSON body) for one request; never raises: whatever the request and
        whatever fails, the answer is our JSON (a 500 at worst, without a traceback), never
        the WSGI server's HTML error page."""
        started = time.perf_counter()
        envelope: dict[str, Any] | None = None
        status = 200
        reason = None
        try:
            body = self._body(environ)
            envelope = parse_envelope(body)
            if self.verifier is not None:
                self._verify(environ, body, envelope)
            payload = self.dispatch(body, envelope)
        except RequestRejected as exc:
            status, reason = exc.status, exc.reason
            payload = error_body(reason)
        except Exception as exc:  # a bug: the same answer Flask's error handler gives
            status, reason = 500, "internal error"
            payload = error_body(reason)
            _log_quietly(log.error, "unhandled error: %s", type(exc).__name__, exc_info=exc)
        self._log_request(envelope, status, reason, started)
        return status, payload

    @staticmethod
    def _log_request(
        envelope: dict[str, Any] | None, status: int, reason: str | None, started: float
    ) -> None:
        """The request's one log line. Built from the client's envelope, so it must not be
        able to fail the request: if the fields cannot be had, the line goes without them."""
        fields: dict[str, Any] = {}
        try:
            fields = _log_fields(envelope)
        except Exception as exc:
            fields = {"log_fields": f"unavailable ({type(exc).__name__})"}
        fields["status"] = status
        fields["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        if reason:
            fields["reason"] = reason
        _log_quietly(log.info, "alexa request", extra={"fields": fields})

    def _body(self, environ: WsgiEnviron) -> bytes:
        """The body, as Flask's `request.get_data()` reads it (same limits, same errors), except
        that a chunked body over the limit is a 413 where Flask would cut it at the limit, and
        that whatever the server's stream raises while it is read (gunicorn's InvalidChunkSize
        or NoMoreData for broken chunked encoding, a socket timeout) is a 400 naming it."""
        try:
            return self._read_body(environ)
        except RequestRejected:
            raise
        except Exception as exc:
            raise RequestRejected(
                400, f"request body could not be read ({type(exc).__name__})"
            ) from None

    def _read_body(self, environ: WsgiEnviron) -> bytes:
        content_type = environ.get("CONTENT_TYPE", "")
        mimetype = (
            content_type
            if content_type == "application/json"
            else parse_options_header(content_type)[0].lower()
        )
        if mimetype != "application/json":
            raise RequestRejected(
                415, f"content type must be application/json, not {mimetype or 'none'}"
            )
        limit = self.max_body_bytes
        length = environ.get("CONTENT_LENGTH") or ""
        size = int(length) if length.isascii() and length.isdigit() else None
        if (
            size is not None
            and "HTTP_TRANSFER_ENCODING" not in environ
            and (limit is None or size <= limit)
        ):
            # The usual request, read straight from the server's stream: what Werkzeug's
            # wrapper below reads too, without its chunked reads (a tenth of the cost).
            body = environ["wsgi.input"].read(size)
            if len(body) < size:
                raise RequestRejected(400, http_error_reason(ClientDisconnected(), limit))
            return body
        declared = get_content_length(environ)
        if limit is not None and declared is not None and declared > limit:
            raise RequestRejected(413, http_error_reason(RequestEntityTooLarge(), limit))
        try:
            # One byte over the limit is read, so a chunked body (no Content-Length) that is
            # too large is told apart from one exactly at the limit: Werkzeug's stream stops
            # at the limit either way.
            stream = get_input_stream(
                environ, max_content_length=None if limit is None else limit + 1
            )
            body = stream.read()
        except HTTPException as exc:  # too large, or the client sent less than it announced
            raise RequestRejected(exc.code or 400, http_error_reason(exc, limit)) from None
        if limit is not None and len(body) > limit:
            raise RequestRejected(413, http_error_reason(RequestEntityTooLarge(), limit))
        return body

    def _verify(self, environ: WsgiEnviron, body: bytes, envelope: dict[str, Any]) -> None:
        assert self.verifier is not None
        try:
            self.verifier.verify(EnvironHeaders(environ), body, envelope)
        except VerificationError as exc:
            raise RequestRejected(400, f"request verification failed: {exc.reason}") from None

    # The three stages of a verified request; the benchmark times them one by one.

    def decode(self, body: bytes, envelope: dict[str, Any]) -> RequestEnvelope:
        """The ask-sdk-model envelope for `body` (`envelope` is its already parsed JSON):
        the same objects DefaultSerializer would build, from the planned fast path."""
        try:
            return self.codec.decode(envelope, RequestEnvelope, raw=body.decode())
        except Exception:
            raise RequestRejected(
                400, "not an Alexa request envelope (cannot deserialize)"
            ) from None

    def invoke(self, request_envelope: RequestEnvelope) -> ResponseEnvelope:
        try:
            return self.skill.invoke(request_envelope, None)
        except WrongApplicationId:
            raise RequestRejected(400, "application id does not match this skill") from None

    def encode(self, response_envelope: ResponseEnvelope) -> bytes:
        return jsonio.dumps(self.codec.encode(response_envelope))

    def dispatch(self, body: bytes, envelope: dict[str, Any]) -> bytes:
        return self.encode(self.invoke(self.decode(body, envelope)))


class AlexaRoute:
    """WSGI middleware: POST /alexa goes straight to the endpoint, anything else to Flask
    (which still owns the route, so other methods get its 405 and OPTIONS its answer)."""

    def __init__(self, flask_wsgi: Any, endpoint: AlexaEndpoint, path: str = "/alexa") -> None:
        self.flask_wsgi = flask_wsgi
        self.endpoint = endpoint
        self.path = path

    def __call__(self, environ: WsgiEnviron, start_response: Any) -> Any:
        if environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") == self.path:
            return self.endpoint.wsgi(environ, start_response)
        return self.flask_wsgi(environ, start_response)


def speech_status(config: Config, clips: ClipFiles) -> dict[str, Any]:
    """How holds are played, for /healthz."""
    manifest = clips.manifest()
    on_disk = sum(1 for clip_id in manifest.clips if manifest.has_file(clip_id))
    return {
        "mode": config.speech_mode,
        "audio_base_url": config.audio_base_url or "unset (Alexa's voice)",
        "rendered_clips": on_disk if config.audio_base_url else 0,
    }


def create_app(
    config: Config | None = None,
    *,
    skill: CustomSkill | None = None,
    verifier: Verifier | None = None,
) -> Flask:
    """The web app. Tests pass their own config; `serve` passes the operator's."""
    config = config or Config.from_env()
    if verifier is None and config.verify_requests:
        from skill.alexa.verification import RequestVerifier

        verifier = RequestVerifier(skill_id=config.skill_id)
    store = ProgressStore(config.database_url)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["SKILL_CONFIG"] = config
    app.extensions["progress_store"] = store
    live_manifest = LiveManifest(config.audio_dir)
    endpoint = AlexaEndpoint(
        skill or build_skill(config, store, live_manifest), verifier, config.max_body_bytes
    )
    # Flask owns the route (its 405 for other methods, its OPTIONS answer) but has no view for
    # it: every POST /alexa is answered by AlexaRoute before Flask sees it.
    app.add_url_rule("/alexa", "alexa", methods=["POST"])
    app.extensions["alexa_endpoint"] = endpoint
    app.wsgi_app = AlexaRoute(app.wsgi_app, endpoint)  # type: ignore[method-assign]
    clips = ClipFiles(live_manifest)
    app.add_url_rule("/audio/<path:name>", "audio", clips.serve, methods=["GET", "HEAD"])
    pictures = register_image_files(app)  # GET /images/<file>: the committed card PNGs
    register_legal_pages(app, config.retention_months)  # /privacy, /terms
    app.extensions["retention_job"] = RetentionJob(store, config.retention_months)

    @app.get("/healthz")
    def healthz() -> Response:
        status: dict[str, Any] = {
            "status": "ok",
            "verification": "on" if verifier is not None else "off (dev mode)",
            "skill_id": config.skill_id_status,
        }
        status["speech"] = speech_status(config, clips)
        status["pictures"] = pictures.status(config.images_base_url)
        database = store.health()
        status["database"] = database
        if database["status"] != "ok":
            status["status"] = "degraded"
        warnings = []
        if verifier is None:
            warnings.append("request verification is off: never expose this server")
        if config.accept_any_skill and not config.skill_id:
            warnings.append(
                "SKILL_ID is not set and SKILL_ACCEPT_ANY_SKILL is on: requests for any "
                "skill id are accepted; set SKILL_ID in production"
            )
        elif not config.skill_id:
            warnings.append("SKILL_ID is not set: requests for any skill id are accepted")
        if config.audio_base_url and not status["speech"]["rendered_clips"]:
            warnings.append("SKILL_AUDIO_BASE_URL is set but no clips are built: run build-audio")
        if warnings:
            status["warnings"] = warnings
        # 503 when progress cannot be saved (the store's write probe, within ~0.8 s): a load
        # balancer then sends people to a host that can keep their progress.
        return json_response(status, 200 if database["status"] == "ok" else 503)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        return error_response(exc.code or 400, http_error_reason(exc, config.max_body_bytes))

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:
        log.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
        return error_response(500, "internal error")

    return app
