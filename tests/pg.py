"""PostgreSQL for the store tests: a given server or a throwaway one.

``SKILL_TEST_POSTGRES_URL`` wins. Otherwise a private server is started from
the installed binaries (initdb/pg_ctl on PATH or /usr/lib/postgresql/*/bin)
in a temp dir on a free loopback port, as an unprivileged user when we are
root (PostgreSQL refuses to run as root). Without either the tests skip, or
fail when ``CI=true`` so CI cannot pass by silently testing nothing.

Also here: a per-test schema (isolation on a shared server) and a TCP proxy
that can be cut and restored to simulate the database going away.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest
import sqlalchemy as sa

ENV_URL = "SKILL_TEST_POSTGRES_URL"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip locally; on CI a missing database is a failure, not a pass."""
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this is an error)", pytrace=False)
    pytest.skip(reason)


def find_pg_bindir() -> Path | None:
    """Directory holding initdb and pg_ctl: PATH first, then the newest Debian install."""
    on_path = shutil.which("initdb")
    if on_path:
        bindir = Path(on_path).resolve().parent
        if (bindir / "pg_ctl").exists():
            return bindir

    def major(path: str) -> int:
        found = re.search(r"/postgresql/(\d+)/", path)
        return int(found.group(1)) if found else 0

    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=major, reverse=True):
        bindir = Path(initdb).parent
        if (bindir / "pg_ctl").exists():
            return bindir
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unprivileged_user() -> pwd.struct_passwd | None:
    """Who runs the server when we are root: 'postgres' if it exists, else 'nobody'."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    skip_or_fail("running as root and neither user 'postgres' nor 'nobody' exists")


@contextlib.contextmanager
def throwaway_server(bindir: Path) -> Iterator[str]:
    """initdb + pg_ctl start in a temp dir; yields a URL; stops and removes it after."""
    owner = _unprivileged_user()
    tmp = Path(tempfile.mkdtemp(prefix="hc-pg-"))
    run_as: dict[str, Any] = {}
    if owner is not None:
        os.chown(tmp, owner.pw_uid, owner.pw_gid)
        run_as = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    data, logfile, port = tmp / "data", tmp / "server.log", free_port()

    def run(*args: str) -> None:
        proc = subprocess.run(
            [str(a) for a in args],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            **run_as,
        )
        if proc.returncode != 0:
            log_tail = logfile.read_text()[-2000:] if logfile.exists() else ""
            pytest.fail(
                f"{Path(args[0]).name} failed ({proc.returncode}):\n{proc.stdout}\n"
                f"{proc.stderr}\n{log_tail}",
                pytrace=False,
            )

    started = False
    try:
        run(bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--no-locale", "--no-sync")  # fmt: skip
        server_opts = (
            f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        run(bindir / "pg_ctl", "-D", data, "-l", logfile, "-o", server_opts, "-w", "-t", "60",
            "start")  # fmt: skip
        started = True
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                cwd=tmp,
                capture_output=True,
                timeout=60,
                check=False,
                **run_as,
            )
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_server_url() -> Iterator[str]:
    """The body of the session fixture: a reachable PostgreSQL URL or skip/fail."""
    given = os.environ.get(ENV_URL, "").strip()
    if given:
        yield given
        return
    bindir = find_pg_bindir()
    if bindir is None:
        skip_or_fail(
            f"no PostgreSQL: set {ENV_URL} or install the server binaries "
            "(apt-get install postgresql) so initdb/pg_ctl can be found"
        )
    with throwaway_server(bindir) as url:
        yield url


def with_driver(url: str) -> sa.URL:
    parsed = sa.make_url(url)
    if parsed.drivername == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    return parsed


@contextlib.contextmanager
def fresh_schema(server_url: str) -> Iterator[str]:
    """A new, empty schema selected via search_path, dropped afterwards."""
    schema = f"hc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(with_driver(server_url), poolclass=sa.NullPool)
    try:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        url = sa.make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()


class TcpProxy:
    """Loopback TCP forwarder that can be cut (all connections dropped) and restored."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.setblocking(False)
        self._listener = listener
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening and reset every forwarded connection."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _serve(self) -> None:
        assert self._listener is not None
        sel = selectors.DefaultSelector()
        peers: dict[socket.socket, socket.socket] = {}
        sel.register(self._listener, selectors.EVENT_READ)

        def drop(sock: socket.socket) -> None:
            other = peers.pop(sock, None)
            for s in (sock, other):
                if s is not None:
                    with contextlib.suppress(KeyError, ValueError):
                        sel.unregister(s)
                    peers.pop(s, None)
                    s.close()

        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.05):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    if sock is self._listener:
                        with contextlib.suppress(BlockingIOError):
                            client, _addr = sock.accept()
                            try:
                                upstream = socket.create_connection(self.target, timeout=5)
                            except OSError:
                                client.close()
                                continue
                            peers[client], peers[upstream] = upstream, client
                            for s in (client, upstream):
                                s.setblocking(True)
                                sel.register(s, selectors.EVENT_READ)
                        continue
                    try:
                        chunk = sock.recv(65536)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        drop(sock)
                        continue
                    try:
                        peers[sock].sendall(chunk)
                    except OSError:
                        drop(sock)
        finally:
            for s in list(peers):
                drop(s)
            sel.unregister(self._listener)
            self._listener.close()
            self._listener = None
            sel.close()


def psycopg_conninfo(url: str) -> dict[str, Any]:
    """Keyword arguments for psycopg.connect() equivalent to a SQLAlchemy URL."""
    parsed = sa.make_url(url)
    info: dict[str, Any] = {
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "password": parsed.password,
        "dbname": parsed.database,
        **{k: v for k, v in parsed.query.items() if isinstance(v, str)},
    }
    return {k: v for k, v in info.items() if v is not None}
