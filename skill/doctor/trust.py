"""Which certificates doctor trusts for HTTPS, and whether an operator's CA file is usable.

Kept apart from the HTTP code so the command line can check `--ca-file` while it parses
options without loading an HTTP client into `serve` (which builds the same parser)."""

from __future__ import annotations

import ssl

import certifi


def trust_context(ca_file: str | None = None) -> ssl.SSLContext:
    """What this host trusts (the system store), plus certifi's bundle (what Python programs
    use where the system has none), plus an operator's own CA file (a self-signed test
    certificate uploaded to the developer console)."""
    context = ssl.create_default_context()
    context.load_verify_locations(cafile=certifi.where())
    if ca_file:
        context.load_verify_locations(cafile=ca_file)  # OSError, ssl.SSLError: see ca_problem
    return context


def ca_problem(ca_file: str) -> str | None:
    """Why `ca_file` cannot be trusted (missing, unreadable, no PEM certificate), or None."""
    try:
        ssl.create_default_context().load_verify_locations(cafile=ca_file)
    except (OSError, ssl.SSLError, ValueError) as exc:
        return str(getattr(exc, "strerror", None) or exc)
    return None
