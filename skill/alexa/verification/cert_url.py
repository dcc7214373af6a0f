"""Step 1: the ``SignatureCertChainUrl`` header, checked and put in its canonical form."""

from __future__ import annotations

import functools
import re
from urllib.parse import urlsplit, urlunsplit

from skill.alexa.verification.errors import VerificationError

CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"

_MAX_URL_LENGTH = 2048
_BAD_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f\\]")


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, so ``/echo.api/../x`` cannot smuggle a path past the prefix test."""
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == ".":
            if last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if last:
                output.append("")
        else:
            output.append(segment)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def normalise_cert_url(url: str) -> str:
    """Return the canonical form of a ``SignatureCertChainUrl`` or raise VerificationError.

    Alexa sends the same few URLs over and over, so accepted ones are remembered (a pure
    function of the string: about 9 µs a request saved, docs/caches.md); refused URLs are not
    cached and are checked every time."""
    return _normalise_cert_url(url)


@functools.lru_cache(maxsize=64)
def _normalise_cert_url(url: str) -> str:
    """The check itself (see normalise_cert_url).

    Canonical = lower-case scheme and host, no default port, dot segments resolved; this is also
    the certificate cache's key, so equivalent spellings share one download. Query strings,
    fragments, user info and percent-encoded dots/slashes are refused: Amazon never sends them
    and they only serve to confuse the path check.
    """
    if not isinstance(url, str) or not url.strip():
        raise VerificationError("missing SignatureCertChainUrl")
    url = url.strip()
    if len(url) > _MAX_URL_LENGTH:
        raise VerificationError("SignatureCertChainUrl too long")
    if _BAD_URL_CHARS.search(url):
        raise VerificationError("SignatureCertChainUrl contains invalid characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise VerificationError("SignatureCertChainUrl is malformed") from exc
    if parts.scheme.lower() != "https":
        raise VerificationError("SignatureCertChainUrl scheme must be https")
    if "@" in parts.netloc:
        raise VerificationError("SignatureCertChainUrl must not contain user info")
    if (parts.hostname or "").lower() != CERT_URL_HOST:
        raise VerificationError(f"SignatureCertChainUrl host must be {CERT_URL_HOST}")
    if port is not None and port != 443:
        raise VerificationError("SignatureCertChainUrl port must be 443")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise VerificationError("SignatureCertChainUrl must not have a query or fragment")
    lowered_path = parts.path.lower()
    if "%2e" in lowered_path or "%2f" in lowered_path or "%5c" in lowered_path:
        raise VerificationError("SignatureCertChainUrl path contains encoded dots or slashes")
    path = _remove_dot_segments(parts.path)
    if not path.startswith(CERT_URL_PATH_PREFIX):
        raise VerificationError(
            f"SignatureCertChainUrl path must start with {CERT_URL_PATH_PREFIX}"
        )
    return urlunsplit(("https", CERT_URL_HOST, path, "", ""))
