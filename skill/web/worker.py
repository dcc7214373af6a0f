"""gunicorn's threaded worker, changed so that a worker thread is given a request only once the
whole request has arrived.

Why: gunicorn's `gthread` worker hands a connection to a thread as soon as its first bytes come,
and the thread then reads the headers and body with a blocking socket and no deadline. Eight
clients that sent headers and part of a body (or their headers a byte at a time) held every
thread, and the server answered nothing, not even `/healthz` (issue 17). Here the worker's event
loop reads each request without blocking, into a buffer, and uses gunicorn's own incremental
HTTP/1.1 parser to tell when it is complete; only then does a thread get it, with the bytes
already in memory. A request that is not complete `REQUEST_READ_SECONDS` after its connection
opened (or, on a kept-alive connection, after its first byte) is answered 408 and closed. A slow
client costs a buffer and a file descriptor, never a thread.

Behind nginx with request buffering (docs/deploy.md) every request arrives whole and at once;
this is the defence for when the proxy is missing or misconfigured.
"""

from __future__ import annotations

import contextlib
import selectors
import time
from collections import deque
from functools import partial
from typing import Any

from gunicorn.asgi.parser import PythonProtocol
from gunicorn.http.unreader import SocketUnreader
from gunicorn.workers.gthread import ThreadWorker

from skill.config import MAX_BODY_BYTES

# From a connection's opening (or a kept-alive connection's next first byte) to the last byte of
# its request: headers and body. Alexa's requests are a few kilobytes, sent at once.
REQUEST_READ_SECONDS = 5.0
# A request held in memory while it arrives is at most this large; past it, a thread takes the
# request as it is (the endpoint refuses a body over MAX_BODY_BYTES without reading it).
MAX_BUFFERED_BYTES = MAX_BODY_BYTES + 64 * 1024
RECV_BYTES = 64 * 1024

_TIMEOUT_BODY = b"request not received in time\n"
TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
    b"Content-Length: %d\r\n\r\n%s" % (len(_TIMEOUT_BODY), _TIMEOUT_BODY)
)
CONTINUE_RESPONSE = b"HTTP/1.1 100 Continue\r\n\r\n"
READY, WAITING, CLOSED = "ready", "waiting", "closed"


class DeadlineUnreader(SocketUnreader):  # type: ignore[misc]
    """gunicorn's socket reader, giving up at a deadline (returns b"", as if the client had
    gone). A thread reads from the socket only when the event loop handed the request over
    before it was complete (a request gunicorn's parsers read differently), so this bounds
    that case too. gunicorn treats the early end as a client disconnection: no traceback."""

    deadline: float | None = None

    def chunk(self, size_hint: int | None = None) -> bytes:
        if self.deadline is None:
            return bytes(super().chunk(size_hint))
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            return b""
        prior = self.sock.gettimeout()
        self.sock.settimeout(remaining)
        try:
            return bytes(super().chunk(size_hint))
        except TimeoutError:
            return b""
        finally:
            self.sock.settimeout(prior)


def arrived_whole(data: bytes) -> bool:
    """True when `data` is certainly one whole request: headers ended, no chunked body and no
    "Expect", one Content-Length whose bytes are all there (or none: no body). Anything else is
    False, and gunicorn's incremental parser decides. Saves that parser's ~50 µs on nearly
    every request (bench/README.md); a request it calls whole is whole for gunicorn too, and a
    malformed one is answered by gunicorn's own parser in the thread, as before."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return False
    head = data[:end].lower()
    if b"\r\ntransfer-encoding:" in head or b"\r\nexpect:" in head:
        return False
    at = head.find(b"\r\ncontent-length:")
    if at < 0:
        return True
    if head.find(b"\r\ncontent-length:", at + 2) >= 0:
        return False  # two of them: gunicorn refuses the request, its parser says so
    stop = head.find(b"\r\n", at + 2)
    value = head[at + 17 : end if stop < 0 else stop].strip(b" \t")
    if not (value.isdigit() and len(value) < 12):
        return False
    return len(data) - end - 4 >= int(value)


class RequestBuffer:
    """The bytes of one request as they arrive, and whether they are the whole request."""

    def __init__(self, cfg: Any) -> None:
        self.data = bytearray()
        self.complete = False
        self.wants_continue = False  # the client waits for "100 Continue" before its body
        self.continue_sent = False
        self._cfg = cfg
        self._parser: PythonProtocol | None = None  # made only for a request that comes in parts

    def feed(self, data: bytes) -> bool:
        """Add bytes; True once a thread should take the request: it is complete, too large
        to hold, or malformed (gunicorn's own parser then answers it, 400 or 413)."""
        if self._parser is None and not self.data and arrived_whole(data):
            # The usual request (Alexa's, or nginx's after buffering): all there at once.
            self.data += data
            self.complete = True
            return True
        self.data += data
        if self._parser is None:
            self._parser = PythonProtocol(
                on_headers_complete=self._headers_complete,
                limit_request_line=self._cfg.limit_request_line,
                limit_request_fields=self._cfg.limit_request_fields,
                limit_request_field_size=self._cfg.limit_request_field_size,
                permit_unconventional_http_method=self._cfg.permit_unconventional_http_method,
                permit_unconventional_http_version=self._cfg.permit_unconventional_http_version,
            )
            data = bytes(self.data)
        try:
            self._parser.feed(data)
        except Exception:  # malformed: gunicorn's WSGI parser answers it
            self.complete = True
        if self._parser.is_complete or len(self.data) > MAX_BUFFERED_BYTES:
            self.complete = True
        return self.complete

    def _headers_complete(self) -> bool:
        """Skip waiting for a body that will be refused as too large anyway."""
        parser = self._parser
        assert parser is not None
        if (parser.content_length or 0) > MAX_BODY_BYTES:
            return True
        self.wants_continue = parser.http_version >= (1, 1) and any(
            name == b"expect" and value.strip().lower() == b"100-continue"
            for name, value in parser.headers
        )
        return False


class BufferingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """`gthread` with requests read in the event loop; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reading_conns: deque[Any] = deque()  # ordered by read_deadline

    def enqueue_req(self, conn: Any) -> None:
        """Every path to a thread (new, kept-alive, pipelined) comes here: read first."""
        if getattr(conn, "request_ready", False) or self.cfg.is_ssl:
            conn.request_ready = False
            super().enqueue_req(conn)
            return
        conn.request = RequestBuffer(self.cfg)
        conn.read_deadline = time.monotonic() + REQUEST_READ_SECONDS
        conn.sock.setblocking(False)
        held = conn.parser.unreader.take_buffered() if conn.parser is not None else b""
        state = READY if held and conn.request.feed(held) else self._receive(conn)
        if state == READY:
            self._dispatch(conn)
        elif state == WAITING:
            self.reading_conns.append(conn)
            self.poller.register(
                conn.sock, selectors.EVENT_READ, partial(self._on_request_bytes, conn)
            )

    def _on_request_bytes(self, conn: Any, client: Any) -> None:
        state = self._receive(conn)
        if state != WAITING:
            self._stop_reading(conn)
        if state == READY:
            self._dispatch(conn)

    def _receive(self, conn: Any) -> str:
        """Read what has arrived: READY for a thread (the request is whole, or its client
        stopped sending part-way), WAITING for more, or CLOSED (the client went away before
        sending anything; the connection is closed here)."""
        request: RequestBuffer = conn.request
        for _ in range(MAX_BUFFERED_BYTES // RECV_BYTES + 2):
            try:
                data = conn.sock.recv(RECV_BYTES)
            except BlockingIOError:
                return WAITING
            except OSError:
                data = b""
            if not data:
                if request.data:
                    # The client stopped sending (or half-closed) part-way: a thread lets
                    # gunicorn and the endpoint answer what arrived (a 400 for a short body),
                    # as a client that waits for an answer expects.
                    request.complete = True
                    return READY
                self.nr_conns -= 1
                conn.close()
                return CLOSED
            if request.feed(data):
                return READY
            if request.wants_continue and not request.continue_sent:
                # gunicorn would send it only once a thread has the request; the client
                # waits for it before sending its body. (gunicorn sends it again later: a
                # client must accept several 1xx answers, RFC 9110 section 15.2.)
                request.continue_sent = True
                with contextlib.suppress(OSError):
                    conn.sock.send(CONTINUE_RESPONSE)
        return WAITING

    def _dispatch(self, conn: Any) -> None:
        conn.request_ready = True
        super().enqueue_req(conn)

    def _stop_reading(self, conn: Any) -> None:
        with contextlib.suppress(OSError, KeyError, ValueError):
            self.poller.unregister(conn.sock)
        with contextlib.suppress(ValueError):
            self.reading_conns.remove(conn)

    def murder_pending(self) -> None:
        """Also close requests not complete by their deadline (run once a loop, <= 1 s)."""
        super().murder_pending()
        now = time.monotonic()
        while self.reading_conns and self.reading_conns[0].read_deadline <= now:
            conn = self.reading_conns.popleft()
            with contextlib.suppress(OSError, KeyError, ValueError):
                self.poller.unregister(conn.sock)
            if conn.request.data:
                with contextlib.suppress(OSError):
                    conn.sock.send(TIMEOUT_RESPONSE)
            self.nr_conns -= 1
            self.log.debug(
                "request not complete in %s s: closed (%d connections left)",
                REQUEST_READ_SECONDS,
                self.nr_conns,
            )
            conn.close()

    def handle(self, conn: Any) -> Any:
        """In a thread: give the buffered request to gunicorn's parser, then serve it."""
        # The next request on this connection (kept alive) is read by the event loop again.
        conn.request_ready = False
        request: RequestBuffer | None = getattr(conn, "request", None)
        if request is None:
            # Handed over unbuffered (TLS served by gunicorn itself): the thread reads the
            # request, within a deadline of its own, never the previous request's.
            unreader = getattr(conn.parser, "unreader", None)
            if isinstance(unreader, DeadlineUnreader):
                unreader.deadline = time.monotonic() + REQUEST_READ_SECONDS
        else:
            conn.request = None
            conn.sock.setblocking(True)
            # Plain HTTP/1.1: only builds the parser. (Initialised, the connection also skips
            # gthread's own wait for first bytes, in a thread, that this worker replaces.)
            conn.init()
            unreader = conn.parser.unreader
            if type(unreader) is SocketUnreader:
                replacement = DeadlineUnreader(unreader.sock, unreader.mxchunk)
                replacement.buf = unreader.buf
                conn.parser.unreader = unreader = replacement
            unreader.unread(bytes(request.data))
            if isinstance(unreader, DeadlineUnreader):
                unreader.deadline = conn.read_deadline
        return super().handle(conn)
