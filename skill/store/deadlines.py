"""Client-side deadlines for database calls: a request's budget, and what enforces it.

A PostgreSQL server that is frozen (SIGSTOP, a hung VM, a stalled disk) still has a kernel
that accepts connections and acknowledges data, so neither TCP keepalives nor
TCP_USER_TIMEOUT ever fire, and psycopg has no per-query client timeout: a call would wait
until the server wakes. Here:

* `Budget`: the database time one request may spend, whatever the number of store calls.
* `Deadlines.scope`: the deadline of one store call, per thread. A PostgreSQL connection in
  use inside a scope is *watched*; if the deadline passes, one watcher thread shuts its socket
  down, so the blocked call returns at once with a driver error (no thread is left behind, and
  the connection is dropped). SQLite needs no watcher: its waits (the busy timeout and this
  process's writer lock) are set from the same deadline.
* `connect_within`: opening a connection is not interruptible that way (psycopg's
  connect_timeout is at least 2 s), so it runs in a helper thread that the caller stops waiting
  for at the deadline; the helper ends by connect_timeout at the latest and closes what it got.
  At most `MAX_CONNECTING` helpers exist at once: past that, a call waits for a free slot
  within its deadline (and fails at its deadline if none frees).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# The database time one request may spend waiting, all its store calls together: a frozen or
# locked database costs a request at most this, far below Alexa's 8 s and the 1.5 s target.
REQUEST_BUDGET_S = 0.5
# Of that budget, what reads (and owed deletions) must leave for the request's write, the save
# that records its finished holds: a brief lock or stall in the reads still leaves the write
# 0.2 s (most writes take ~1 ms; a held SQLite lock is mostly released within that).
WRITE_RESERVE_S = 0.2
# A call whose deadline the request's budget cut below this (earlier calls used the time)
# cannot tell a stuck database from a brief lock: its timeout is not remembered by the breaker.
# Below WRITE_RESERVE_S, so a write that got its reserve still counts.
STARVED_BELOW_S = 0.15
# Helper threads opening connections at once, per process (each lives <= connect_timeout):
# one per pooled connection (SQLAlchemy's 5 + 10 overflow) and one spare.
MAX_CONNECTING = 16


class Budget:
    """What is left of one request's database time, and how much of it reads must leave for
    the request's write (`reserve`)."""

    __slots__ = ("left", "reserve")

    def __init__(self, seconds: float = REQUEST_BUDGET_S, reserve: float = WRITE_RESERVE_S) -> None:
        self.left = seconds
        self.reserve = reserve

    def for_call(self, *, write: bool) -> float:
        """Seconds the next call may use: a write all that is left, a read what the reserve
        leaves."""
        return self.left if write else self.left - self.reserve


class Scope:
    """One store call's deadline, and the connections it is using. A context manager of its
    own (not a generator: this is on every store call's path)."""

    __slots__ = ("_active", "_owner", "_replace", "connections", "deadline", "expired", "outer")

    def __init__(self, owner: Deadlines, deadline: float, replace: bool) -> None:
        self._owner = owner
        self._replace = replace
        self._active = False
        self.deadline = deadline
        self.connections: dict[int, Any] = {}
        self.expired = False
        self.outer: Scope | None = None

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def __enter__(self) -> Scope:
        local = self._owner.local
        outer: Scope | None = getattr(local, "scope", None)
        if outer is not None and outer.deadline <= self.deadline and not self._replace:
            return outer  # nested: the earlier deadline holds
        self.outer, self._active, local.scope = outer, True, self
        return self

    def __exit__(self, *_: object) -> None:
        if self._active:
            self._owner.local.scope = self.outer
            self._owner.forget(self)


class Deadlines:
    """Per-thread call deadlines and the one watcher thread that enforces them on sockets."""

    def __init__(self) -> None:
        self.local = threading.local()
        self._cond = threading.Condition()
        self._scopes: set[Scope] = set()
        self._watcher: threading.Thread | None = None
        self._pid = 0

    def scope(self, seconds: float, *, replace: bool = False) -> Scope:
        """The calling thread's deadline for a `with` block. Nested scopes keep the earliest,
        unless `replace` (a schema migration must finish whatever the request's deadline)."""
        return Scope(self, time.monotonic() + seconds, replace)

    def forget(self, scope: Scope) -> None:
        """The call is over: the watcher must not touch its connections any more."""
        if scope in self._scopes:  # unlocked peek: only this thread adds its own scope
            with self._cond:
                self._scopes.discard(scope)

    def current(self) -> Scope | None:
        return getattr(self.local, "scope", None)

    def watch(self, connection: Any) -> None:
        """Shut `connection`'s socket down if the calling thread's deadline passes while it is
        in use (until `unwatch`). Outside a scope: nothing."""
        scope: Scope | None = getattr(self.local, "scope", None)
        if scope is None:
            return
        with self._cond:
            scope.connections[id(connection)] = connection
            if scope not in self._scopes and not scope.expired:
                self._scopes.add(scope)
                self._ensure_watcher()
                self._cond.notify()

    def unwatch(self, connection: Any) -> None:
        """The connection goes back to the pool: another thread may take it."""
        scope: Scope | None = getattr(self.local, "scope", None)
        if scope is not None and scope in self._scopes:
            with self._cond:
                scope.connections.pop(id(connection), None)

    def _ensure_watcher(self) -> None:
        if self._watcher is not None and self._pid == os.getpid():
            return
        self._pid = os.getpid()  # a forked child has no watcher thread: start its own
        self._watcher = threading.Thread(target=self._watch, name="db-deadlines", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        with self._cond:
            while True:
                if not self._scopes:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                for scope in [s for s in self._scopes if s.deadline <= now]:
                    scope.expired = True
                    self._scopes.discard(scope)
                    for connection in scope.connections.values():
                        shut_down(connection)
                if self._scopes:
                    self._cond.wait(min(s.deadline for s in self._scopes) - now)


def shut_down(connection: Any) -> None:
    """Shut the connection's socket down: a call blocked on it returns with an error. (The
    file descriptor stays open and owned by the driver, which closes it when it drops it.)"""
    with contextlib.suppress(Exception):
        fd = connection.fileno()
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)


_connecting = threading.BoundedSemaphore(MAX_CONNECTING)


def connect_within(
    connect: Callable[[], T], seconds: float, discard: Callable[[T], None], error: type[Exception]
) -> T:
    """`connect()` if it finishes within `seconds`, else raise `error`; a connection that
    comes too late is given to `discard`."""
    started = time.monotonic()
    if seconds <= 0 or not _connecting.acquire(timeout=seconds):
        raise error("database connection not attempted: no time left or too many pending")
    seconds -= time.monotonic() - started
    state: dict[str, Any] = {}
    lock = threading.Lock()
    done = threading.Event()

    def run() -> None:
        try:
            state["connection"] = connect()
        except BaseException as err:
            state["error"] = err
        finally:
            with lock:
                done.set()
                late = state.get("abandoned", False)
            if late and "connection" in state:
                with contextlib.suppress(Exception):
                    discard(state["connection"])
            _connecting.release()

    threading.Thread(target=run, name="db-connect", daemon=True).start()
    done.wait(seconds)
    with lock:
        if not done.is_set():
            state["abandoned"] = True
            raise error(f"database connection not opened within {seconds:.2f} s")
    if "error" in state:
        raise state["error"]
    return state["connection"]  # type: ignore[no-any-return]


# One watcher thread per process, for every store in it.
DEADLINES = Deadlines()


def _after_fork_in_child() -> None:
    """gunicorn --preload forks after `serve`'s start-up health check: the child has none of
    the parent's threads, so a lock or slot they held must not stay taken."""
    global _connecting
    DEADLINES.__init__()  # type: ignore[misc]
    _connecting = threading.BoundedSemaphore(MAX_CONNECTING)


os.register_at_fork(after_in_child=_after_fork_in_child)
