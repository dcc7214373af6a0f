"""A stand-in HTTP API on a free loopback port for a test (the skill's API client allows plain
HTTP only there): `serve(handler_class)` runs it in a thread and sets the class's `url`."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the skill hangs up on a slow API on purpose


@contextlib.contextmanager
def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` until the block ends; its class attribute `url` is the base URL."""
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    handler.url = url  # type: ignore[attr-defined]
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
