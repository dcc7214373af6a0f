"""The default certificate fetcher: one HTTPS GET, bounded in time and size."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

CertFetcher = Callable[[str], bytes]
"""url -> PEM bytes; raises on failure (any exception type: the verifier converts it)."""

#: Hard upper bound for one certificate download as seen by verify() (connect + TLS + body).
FETCH_TIMEOUT_SECONDS = 3.0
#: The real chain is ~5 KB; anything much bigger is not an Alexa certificate chain.
FETCH_MAX_BYTES = 64 * 1024


def fetch_cert_chain(
    url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = FETCH_MAX_BYTES
) -> bytes:
    """Default CertFetcher: HTTPS GET with a total time budget and a size cap.

    requests' timeouts are per socket operation, so the body is read in chunks against an
    overall deadline; redirects are not followed (they could leave s3.amazonaws.com).
    The verifier additionally stops waiting after FETCH_TIMEOUT_SECONDS whatever happens here
    (covers DNS, which requests cannot time out).
    """
    import requests  # only when a chain is downloaded: keeps it out of the app's start-up

    deadline = time.monotonic() + timeout
    with requests.get(
        url,
        timeout=(timeout, timeout),
        stream=True,
        allow_redirects=False,
        headers={"Accept": "application/x-pem-file, */*"},
    ) as response:
        if response.status_code != 200:
            raise OSError(f"certificate download returned HTTP {response.status_code}")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise OSError("certificate download too large")
        buffer = bytearray()
        for chunk in response.iter_content(chunk_size=8192):
            buffer += chunk
            if len(buffer) > max_bytes:
                raise OSError("certificate download too large")
            if time.monotonic() > deadline:
                raise requests.Timeout("certificate download exceeded its time budget")
        return bytes(buffer)


def is_timeout(exc: Exception) -> bool:
    """A requests timeout (requests is imported by whoever raised one, if anyone did)."""
    requests = sys.modules.get("requests")
    return requests is not None and isinstance(exc, requests.Timeout)
