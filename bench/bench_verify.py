"""Benchmark the request verifier: warm per-request cost and the cold first request.

Not a test. Uses the test PKI from tests/certs.py and an in-memory fetcher, so it measures our
CPU cost only (no network). Run: ``python bench/bench_verify.py [N]``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from skill.alexa.verification import RequestVerifier
from tests.certs import make_chain, root_ca

SKILL_ID = "amzn1.ask.skill.00000000-1111-2222-3333-444444444444"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


def launch_request(now: datetime) -> dict[str, Any]:
    """A LaunchRequest shaped like a real one from an Echo Show (~1.5 KB serialised)."""
    application = {"applicationId": SKILL_ID}
    user = {
        "userId": "amzn1.ask.account." + "A" * 80,
        "permissions": {"consentToken": None},
    }
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": "amzn1.echo-api.session.0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            "application": application,
            "user": user,
        },
        "context": {
            "Viewports": [
                {
                    "type": "APL",
                    "id": "main",
                    "shape": "RECTANGLE",
                    "dpi": 213,
                    "presentationType": "STANDARD",
                    "canRotate": False,
                    "configuration": {
                        "current": {
                            "mode": "HUB",
                            "video": {"codecs": ["H_264_42", "H_264_41"]},
                            "size": {
                                "type": "DISCRETE",
                                "pixelWidth": 1280,
                                "pixelHeight": 800,
                            },
                        }
                    },
                }
            ],
            "System": {
                "application": application,
                "user": user,
                "device": {
                    "deviceId": "amzn1.ask.device." + "B" * 60,
                    "supportedInterfaces": {
                        "Alexa.Presentation.APL": {"runtime": {"maxVersion": "2024.2"}},
                        "Alexa.Presentation.APLA": {"runtime": {"maxVersion": "0.91"}},
                    },
                },
                "apiEndpoint": "https://api.amazonalexa.com",
                "apiAccessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9." + "C" * 60,
            },
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": "amzn1.echo-api.request.9a8b7c6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4",
            "locale": "en-US",
            "timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "shouldLinkResultBeReturned": False,
        },
    }


def main(n: int = 2000) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    chain = make_chain(not_before=now - timedelta(days=1), not_after=now + timedelta(days=30))
    envelope = launch_request(now)
    body = json.dumps(envelope).encode("utf-8")
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature-256": chain.sign(body)}

    def make() -> RequestVerifier:
        return RequestVerifier(
            skill_id=SKILL_ID,
            trust_roots=[root_ca()[0]],
            fetcher=lambda url: chain.pem_chain,
            clock=lambda: now,
        )

    colds: list[float] = []
    for _ in range(20):  # cold = fresh verifier: download (in-memory), parse, validate, verify
        verifier = make()
        started = time.perf_counter()
        verifier.verify(headers, body, envelope)
        colds.append(time.perf_counter() - started)

    verifier = make()
    verifier.verify(headers, body, envelope)  # warm the cache
    samples: list[float] = []
    for _ in range(n):
        started = time.perf_counter()
        verifier.verify(headers, body, envelope)
        samples.append(time.perf_counter() - started)
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    print(f"body: {len(body)} bytes, N={n}, python {sys.version.split()[0]}")
    print(f"warm verify: median {statistics.median(samples) * 1e6:.1f} us, p99 {p99 * 1e6:.1f} us")
    print(
        f"cold verify (fetch thread + parse + chain validation + verify), 20 runs: "
        f"median {statistics.median(colds) * 1e6:.0f} us, max {max(colds) * 1e6:.0f} us"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
