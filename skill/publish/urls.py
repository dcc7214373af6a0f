"""The endpoint and policy URLs an operator gives `package`: refused early, with the reason.

Alexa calls a custom skill's web service only over HTTPS on port 443, with a certificate that
names the host (Host a Custom Skill as a Web Service,
https://developer.amazon.com/en-US/docs/alexa/custom-skills/host-a-custom-skill-as-a-web-service.html).
A manifest with another URL uploads fine and then fails at the first request, far from the
mistake; so `package` refuses it here, where the operator typed it.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit

ENDPOINT_PATH = "/alexa"  # the route of skill/web/app.py that takes Alexa's requests


class UrlError(ValueError):
    """A URL the skill package cannot use; the message says why and what to give instead."""


def _parts(url: str, what: str, why_https: str) -> SplitResult:
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is not a number or out of range
    except ValueError as exc:
        raise UrlError(f"{what} {url!r} is not a valid URL: {exc}") from None
    if parts.scheme != "https":
        raise UrlError(f"{what} must start with https:// ({why_https}), not {url!r}")
    host = parts.hostname or ""
    if not host:
        raise UrlError(f"{what} {url!r} has no host name")
    if parts.username is not None or parts.password is not None:
        raise UrlError(f"{what} {url!r} must not carry a user name or password")
    if parts.fragment:
        raise UrlError(f"{what} {url!r} must not have a #fragment")
    if port not in (None, 443):
        raise UrlError(
            f"{what} {url!r} uses port {port}; Alexa only calls port 443. Serve the skill "
            f"behind a reverse proxy on 443 (docs/deploy.md) and give the URL without a port."
        )
    return parts


def check_endpoint(url: str) -> str:
    """The endpoint as it goes into the manifest (UrlError if Alexa could not call it)."""
    parts = _parts(url, "--endpoint", "Alexa only calls HTTPS endpoints")
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise UrlError(
            f"--endpoint {url!r} names an IP address; Alexa needs a host name that the "
            f"server's certificate names (e.g. https://coach.example.org/alexa)"
        )
    if host == "localhost" or "." not in host:
        raise UrlError(
            f"--endpoint {url!r}: Alexa calls the skill over the internet, so give the "
            f"public host name (e.g. https://coach.example.org/alexa)"
        )
    if parts.query:
        raise UrlError(f"--endpoint {url!r} must not have a ?query: Alexa posts to the path")
    if not parts.path.rstrip("/").endswith(ENDPOINT_PATH):
        # `serve` answers Alexa at /alexa only; a reverse proxy may put a prefix before it.
        raise UrlError(
            f"--endpoint {url!r} does not end in {ENDPOINT_PATH}, where `serve` answers Alexa "
            f"(e.g. https://{host}{ENDPOINT_PATH})"
        )
    return url


def check_page_url(url: str, option: str) -> str:
    """A privacy policy or terms URL (https only, like everything the store links to)."""
    _parts(url, option, "the skill store links only to https:// pages")
    return url


def same_origin(endpoint: str, path: str) -> str:
    """https://HOST/path on the endpoint's host: where `serve` publishes /privacy and /terms."""
    parts = urlsplit(endpoint)
    return f"https://{parts.netloc}{path}"
