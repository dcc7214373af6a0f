"""Runs fuzz cases (tests/fuzz_inputs.py) and judges every answer, for the fuzz test and for the
long run (`python -m bench.fuzz`).

In process, each case goes through the real WSGI app (AlexaRoute -> AlexaEndpoint -> skill ->
SQLite): signed cases to a production app (verification on, with the test PKI and a fixed
clock, SKILL_ID set), unsigned ones alternately to that app and to a --dev app. Over a socket,
malformed HTTP goes to a real gunicorn `serve`. The rules: never a 5xx; every 4xx is JSON
{"error": reason}; every 200 is a response envelope ask-sdk-model reads and our checks pass
(tests/checks.py); no traceback in any log line; no log line over 2 KB.
"""

from __future__ import annotations

import io
import json
import logging
import os
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skill.alexa.verification import RequestVerifier
from skill.config import Config
from skill.logs import JsonFormatter
from skill.web.app import create_app
from tests.builders import APP_ID
from tests.certs import NOW, make_chain, root_ca
from tests.checks import check_response
from tests.conversation import Conversation
from tests.fuzz_inputs import FuzzCase, Fuzzer, base_envelopes, fuzz_builder
from tests.test_project import ROOT, free_port, wait_for

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
MAX_LOG_LINE = 2048
# Our biggest real answer (a set's APL-A document) is under 10 KB; one over this echoed input.
MAX_ANSWER = 32 * 1024
EXAMPLES = 5  # failures kept per kind, to show


@dataclass
class Report:
    """What a run saw: status counts per mode and family, failures, log line sizes, times."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    families: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)
    failure_counts: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    log_lines: int = 0
    longest_log_line: int = 0
    largest_answer: int = 0
    latencies: list[float] = field(default_factory=list)

    def fail(self, kind: str, example: str) -> None:
        self.failure_counts[kind] += 1
        examples = self.failures.setdefault(kind, [])
        if len(examples) < EXAMPLES:
            examples.append(example[:300])

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())


class LogJudge(logging.Handler):
    """Formats every record as production does (JsonFormatter) and judges the line."""

    def __init__(self, report: Report) -> None:
        super().__init__(logging.INFO)
        self.report = report
        self.formatter_ = JsonFormatter()
        self.current = ""

    def emit(self, record: logging.LogRecord) -> None:
        line = self.formatter_.format(record)
        size = len(line.encode("utf-8", "surrogatepass"))
        self.report.log_lines += 1
        self.report.longest_log_line = max(self.report.longest_log_line, size)
        if size > MAX_LOG_LINE:
            self.report.fail("log line over 2 KB", f"{self.current}: {size} bytes: {line[:200]}")
        if record.exc_info or "Traceback" in line:
            self.report.fail("traceback in the log", f"{self.current}: {line[:300]}")


@contextmanager
def judged_logs(report: Report) -> Iterator[LogJudge]:
    root = logging.getLogger()
    judge = LogJudge(report)
    level = root.level
    root.addHandler(judge)
    root.setLevel(logging.INFO)
    try:
        yield judge
    finally:
        root.removeHandler(judge)
        root.setLevel(level)


def judge_answer(report: Report, label: str, status: int, body: bytes) -> None:
    if status >= 500:
        report.fail(f"{status}", f"{label}: {body[:200]!r}")
        return
    try:
        data = json.loads(body)
    except ValueError:
        report.fail("answer is not JSON", f"{label}: {status} {body[:200]!r}")
        return
    if 400 <= status < 500:
        if not (isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"]):
            report.fail("4xx without a JSON reason", f"{label}: {body[:200]!r}")
        else:
            report.reasons[f"{status} {data['error'][:60]}"] += 1
    elif status == 200:
        report.largest_answer = max(report.largest_answer, len(body))
        if len(body) > MAX_ANSWER:
            report.fail("200 over 32 KB (input echoed?)", f"{label}: {len(body)} bytes")
        try:
            check_response(data)
        except Exception as exc:
            report.fail("200 that fails the response checks", f"{label}: {exc!r}"[:300])
    else:
        report.fail(f"unexpected {status}", label)


class InProcess:
    """A production app (verifying, SKILL_ID set) and a --dev app, each on its own SQLite."""

    def __init__(self, tmp: Path) -> None:
        self.chain = make_chain()
        verifier = RequestVerifier(
            skill_id=APP_ID,
            trust_roots=[root_ca()[0]],
            fetcher=lambda url: self.chain.pem_chain,
            clock=lambda: NOW,
        )
        self.apps = {
            "production": create_app(
                Config(skill_id=APP_ID, database_url=f"sqlite:///{tmp}/production.db"),
                verifier=verifier,
            ),
            "dev": create_app(
                Config(
                    skill_id=APP_ID,
                    verify_requests=False,
                    database_url=f"sqlite:///{tmp}/dev.db",
                )
            ),
        }

    def real_states(self) -> list[dict[str, Any]]:
        """Session attributes of a real conversation: before, during, paused in a routine."""
        talk = Conversation(self.apps["dev"].test_client(), fuzz_builder(now=NOW))
        states = [talk.launch().attributes]
        states.append(talk.say("StartStretchIntent", Stretch=("the chair", "seated")).attributes)
        states.append(talk.say("AMAZON.NextIntent").attributes)
        states.append(talk.say("AMAZON.PauseIntent").attributes)
        return states

    def fuzzer(self, seed: int) -> Fuzzer:
        return Fuzzer(seed, base_envelopes(fuzz_builder(now=NOW), self.real_states()))

    def send(self, mode: str, case: FuzzCase) -> tuple[int, bytes]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/alexa",
            "SERVER_NAME": "fuzz",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": case.content_type,
            "CONTENT_LENGTH": str(len(case.body)),
            "wsgi.input": io.BytesIO(case.body),
        }
        if case.signed:
            environ["HTTP_SIGNATURECERTCHAINURL"] = CERT_URL
            environ["HTTP_SIGNATURE_256"] = self.chain.sign(case.body)
        started: list[str] = []
        chunks = self.apps[mode].wsgi_app(environ, lambda status, headers: started.append(status))
        return int(started[0].split()[0]), b"".join(chunks)

    def run(self, cases: Iterable[FuzzCase], report: Report) -> Report:
        with judged_logs(report) as judge:
            for number, case in enumerate(cases):
                mode = "production" if case.signed or number % 2 else "dev"
                signed = "signed" if case.signed else "unsigned"
                label = f"case {number} ({case.family}, {mode}, {signed})"
                judge.current = label
                started = time.perf_counter()
                status, body = self.send(mode, case)
                report.latencies.append(time.perf_counter() - started)
                report.statuses[(f"{mode} {signed}", status)] += 1
                report.families[(case.family, status)] += 1
                judge_answer(report, label, status, body)
        return report


# -- malformed HTTP, over a socket to a real gunicorn server


@contextmanager
def gunicorn(tmp: Path, mode: str) -> Iterator[tuple[int, Path]]:
    """`serve` (--dev or production with SKILL_ID) on a free port: (port, its log file). The
    log goes to a file, not a pipe: a pipe nobody reads fills after 64 KB of lines and then
    blocks the worker writing the next line, and with it every thread (logging's lock)."""
    port = free_port()
    log_path = tmp / f"serve-{mode}-{port}.log"
    env = dict(os.environ, SKILL_ID=APP_ID, SKILL_DATABASE_URL=f"sqlite:///{tmp}/{port}.db")
    args = ["--dev"] if mode == "dev" else []
    command = [sys.executable, "-m", "skill.cli", "serve", "--port", str(port), "--workers", "1"]
    with log_path.open("w") as log_file:
        proc = subprocess.Popen([*command, *args], cwd=ROOT, env=env, stderr=log_file)
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", time.monotonic() + 30)
            yield port, log_path
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def judge_server_log(report: Report, label: str, log_path: Path) -> None:
    for line in log_path.read_text(errors="replace").splitlines():
        if len(line.encode("utf-8", "surrogateescape")) > MAX_LOG_LINE:
            report.fail("log line over 2 KB", f"{label}: {line[:200]}")
        if "Traceback" in line:
            report.fail("traceback in the log", f"{label}: {line[:300]}")


def malformed_http(rng: random.Random, body: bytes) -> tuple[str, bytes]:
    """A raw HTTP/1.1 request to /alexa that is broken at the HTTP level (not slow: every byte
    is sent at once and the client then closes its side)."""
    head = "POST /alexa HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
    json_type = "Content-Type: application/json\r\n"
    size = rng.choice(["zz", "-1", "0x10", "ffffffffffffffffffff", " ", "1;" + "e" * 200, "g"])
    kinds = {
        "bad chunk size": f"{head}{json_type}Transfer-Encoding: chunked\r\n\r\n{size}\r\n".encode()
        + body[:16]
        + b"\r\n0\r\n\r\n",
        "chunk longer than said": f"{head}{json_type}Transfer-Encoding: chunked\r\n\r\n"
        f"{len(body) // 2:x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n",
        "no last chunk": f"{head}{json_type}Transfer-Encoding: chunked\r\n\r\n"
        f"{len(body):x}\r\n".encode()
        + body
        + b"\r\n",
        "chunk without CRLF": f"{head}{json_type}Transfer-Encoding: chunked\r\n\r\n"
        f"{len(body):x}\r\n".encode()
        + body
        + b"0\r\n\r\n",
        "body shorter than content-length": f"{head}{json_type}Content-Length: "
        f"{len(body) + rng.randrange(1, 500)}\r\n\r\n".encode()
        + body,
        "content-length not a number": f"{head}{json_type}Content-Length: "
        f"{rng.choice(['abc', '-5', '1e3', '99999999999999999999', '+7'])}\r\n\r\n".encode()
        + body,
        "two content-lengths": f"{head}{json_type}Content-Length: {len(body)}\r\n"
        f"Content-Length: {len(body) + 1}\r\n\r\n".encode()
        + body,
        "chunked and content-length": f"{head}{json_type}Content-Length: 5\r\n"
        f"Transfer-Encoding: chunked\r\n\r\n{len(body):x}\r\n".encode()
        + body
        + b"\r\n0\r\n\r\n",
        "wrong content type": f"{head}Content-Type: {rng.choice(['text/plain', 'a/b;' * 500])}"
        f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body,
        "no content type": f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body,
        "too large": f"{head}{json_type}Content-Length: {10**7}\r\n\r\n".encode() + body,
        "signature headers of junk": f"{head}{json_type}Content-Length: {len(body)}\r\n"
        f"SignatureCertChainUrl: https://example.invalid/{'x' * 300}\r\n"
        f"Signature-256: {'%' * 100}\r\n\r\n".encode()
        + body,
    }
    kind = rng.choice(sorted(kinds))
    return kind, kinds[kind]


def send_raw(port: int, data: bytes, timeout: float = 10.0) -> list[tuple[int, bytes, bytes]]:
    """Every (status, headers, body) the server wrote back for `data`, read until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer and close before reading everything (a 413)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except OSError:
            pass
    answers = []
    while received.startswith(b"HTTP/"):
        head, _, rest = received.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        answers.append((status, head, rest[:length]))
        received = rest[length:]
    return answers
