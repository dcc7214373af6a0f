"""The public endpoint, seen from outside as Alexa sees it.

Amazon's requirements for a skill's web service ("Host a Custom Skill as a Web Service",
https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html):
HTTPS on port 443, a certificate Amazon trusts whose Subject Alternative Names hold the domain
(self-signed only for testing), and requests verified as coming from Alexa, which certification
tests by sending unsigned requests that must get 400. Every call here has a timeout
(skill.doctor.network: `HTTP_TIMEOUT_S`, and `DNS_TIMEOUT_S` for the name lookup), so a silent
host or resolver costs seconds, not minutes.
"""

from __future__ import annotations

import json
import ssl
import time
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import urllib3

from skill.doctor.network import Client, connect
from skill.doctor.report import Check, fail, ok, skip, warn
from skill.doctor.trust import ca_problem, trust_context

EXPIRY_WARN_DAYS = 14  # renewal (e.g. ACME's, 30 days ahead) has stopped if it gets this close
ALEXA_PORT = 443
HTTPS, CERT, PORT = "https", "certificate expiry", "port"
UNSIGNED, HEALTH, PRIVACY, TERMS = "unsigned request", "healthz", "privacy page", "terms page"
# An application id for the probe when SKILL_ID is unset: the request is refused before it
# matters (no signature), so this only needs to be well-formed.
ANY_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
# What `serve` answers an unsigned request (skill/web/app.py: RequestRejected -> error_response,
# a JSON body {"error": "request verification failed: ..."}): a proxy's own 400 page is not it.
SKILL_REFUSAL = "request verification failed"
ADVICE_CONNECT = (
    "Check the host name's DNS record, that the server (or its reverse proxy) listens on "
    "this port, and that the firewall lets the internet in."
)


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> str:
        port = "" if self.port == ALEXA_PORT else f":{self.port}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"https://{host}{port}"


def endpoint_checks(
    url: str,
    *,
    ca_file: str | None = None,
    skill_id: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> list[Check]:
    """HTTPS and its certificate, then (if the host speaks TLS) what the skill answers. The
    policy pages are looked for where `hamstring-coach package` links them: the endpoint's
    origin, unless the package was given its own URLs (the same options here)."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError: not a number, or out of range
    except ValueError as exc:
        return [
            fail(
                HTTPS,
                f"{url!r} is not a valid URL ({exc})",
                "Give the endpoint as it is in the developer console: https://HOST/alexa.",
            )
        ]
    if parts.scheme != "https" or not parts.hostname:
        return [
            fail(
                HTTPS,
                f"{url} is not an https:// URL; Alexa calls only HTTPS endpoints",
                "Give the endpoint as it is in the developer console: https://HOST/alexa "
                "(terminate TLS at a reverse proxy in front of `serve`, see docs/deploy.md).",
            )
        ]
    target = Target(url, parts.hostname, port or ALEXA_PORT, parts.path or "/")
    checks: list[Check] = []
    if target.port != ALEXA_PORT:
        checks.append(
            warn(
                PORT,
                f"port {target.port}: Alexa sends requests to port {ALEXA_PORT} only",
                "Serve the endpoint on port 443 (the reverse proxy's port), with no port in the "
                "endpoint URL.",
            )
        )
    problem = ca_problem(ca_file) if ca_file else None
    if problem:
        advice = "Give --ca-file a readable PEM file of CA certificates (BEGIN CERTIFICATE)."
        return [*checks, fail(HTTPS, f"--ca-file {ca_file}: {problem}", advice)]
    context = trust_context(ca_file)
    tls, cert, spoke_tls = _tls_check(target, context)
    checks.append(tls)
    if not spoke_tls:
        names = (UNSIGNED, HEALTH, PRIVACY, TERMS)
        return [*checks, *(skip(n, "not checked: no HTTPS connection") for n in names)]
    if cert is not None:
        checks.append(_expiry_check(cert))
    else:  # the handshake worked but the certificate was refused: go on, unverified, to learn more
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    http = Client(context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        checks.append(_unsigned_check(http, target, skill_id or ANY_SKILL_ID))
        checks.append(_health_check(http, target))
        for name, page, given in ((PRIVACY, "/privacy", privacy_url), (TERMS, "/terms", terms_url)):
            checks.append(_page_check(http, name, given or f"{target.origin}{page}"))
    http.close()
    return checks


def _tls_check(
    target: Target, context: ssl.SSLContext
) -> tuple[Check, dict[str, Any] | None, bool]:
    """A TLS handshake with the certificate checked as Alexa would (trust and host name): the
    check, the certificate if accepted, and whether the host spoke TLS at all."""
    where = f"{target.host}:{target.port}"
    try:
        sock = connect(target.host, target.port)
    except OSError as exc:
        return fail(HTTPS, f"cannot connect to {where}: {_why(exc)}", ADVICE_CONNECT), None, False
    try:
        with context.wrap_socket(sock, server_hostname=target.host) as tls:
            cert = tls.getpeercert()
            version = tls.version()
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        return _refused_certificate(where, target.host, exc), None, True
    except ssl.SSLError as exc:
        sock.close()
        return (
            fail(
                HTTPS,
                f"{where} does not speak TLS ({exc.reason or exc}): plain HTTP or a wrong port?",
                "Put a TLS-terminating reverse proxy (or load balancer) with a certificate for "
                "this host in front of `serve`, listening on 443; see docs/deploy.md.",
            ),
            None,
            False,
        )
    except OSError as exc:
        sock.close()
        failed = fail(HTTPS, f"TLS handshake with {where} failed: {_why(exc)}", ADVICE_CONNECT)
        return failed, None, False
    accepted = ok(HTTPS, f"{where}: {version}, certificate trusted and valid for {target.host}")
    return accepted, cert, True


def _refused_certificate(where: str, host: str, exc: ssl.SSLCertVerificationError) -> Check:
    message = exc.verify_message or str(exc)
    if "hostname" in message.lower() or "ip address mismatch" in message.lower():
        return fail(
            HTTPS,
            f"certificate not valid for {host}: {message}",
            f"Get a certificate whose Subject Alternative Names include {host} (Alexa checks "
            "the SAN), or use the host name the certificate names in the endpoint URL.",
        )
    return fail(
        HTTPS,
        f"certificate not trusted ({where}): {message}",
        "Use a certificate from a certificate authority Amazon trusts (e.g. Let's Encrypt) and "
        "serve the full chain (leaf plus intermediates). A self-signed certificate works only "
        "for testing, uploaded in the developer console; pass it to doctor with --ca-file.",
    )


def _expiry_check(cert: dict[str, Any]) -> Check:
    not_after = cert.get("notAfter")
    if not not_after:
        return warn(CERT, "the certificate has no expiry date", "Check the certificate.")
    expires = ssl.cert_time_to_seconds(not_after)
    days = (expires - time.time()) / 86400
    when = datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%d")
    if days < EXPIRY_WARN_DAYS:
        return warn(
            CERT,
            f"expires {when}, in {days:.0f} days",
            "Renew the certificate now and check that automatic renewal runs (e.g. "
            "`certbot renew --dry-run`); Alexa stops calling the skill when it expires.",
        )
    return ok(CERT, f"expires {when}, in {days:.0f} days")


def launch_envelope(skill_id: str) -> dict[str, Any]:
    """A well-formed LaunchRequest as an Echo sends it, minus the signature headers."""
    ids = {"applicationId": skill_id}
    user = {"userId": "amzn1.ask.account.DOCTOR-PROBE"}
    return {
        "version": "1.0",
        "session": {
            "new": True,
            "sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}",
            "application": ids,
            "user": user,
            "attributes": {},
        },
        "context": {
            "System": {
                "application": ids,
                "user": user,
                "device": {"deviceId": "amzn1.ask.device.DOCTOR-PROBE", "supportedInterfaces": {}},
            }
        },
        "request": {
            "type": "LaunchRequest",
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "locale": "en-US",
        },
    }


def _unsigned_check(http: Client, target: Target, skill_id: str) -> Check:
    body = json.dumps(launch_envelope(skill_id)).encode()
    headers = {"Content-Type": "application/json"}
    try:
        response = http.request("POST", target.url, body=body, headers=headers)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return fail(UNSIGNED, f"POST {target.url}: {_why(exc)}", ADVICE_CONNECT)
    reason = _reason(response.data)
    if response.status == 400 and reason.startswith(SKILL_REFUSAL):
        return ok(UNSIGNED, f"refused with 400 ({reason})")
    if response.status == 400:
        said = f"the JSON error {reason!r}" if reason else _sample(response)
        return fail(
            UNSIGNED,
            f"an unsigned LaunchRequest got 400, but not the skill's refusal: {said}",
            f"Something before `serve` answered (a proxy's own error page) or changed the "
            f"request: forward POST {target.path} to `serve` unchanged, body and headers "
            f'included; `serve` answers a JSON {{"error": "{SKILL_REFUSAL}: ..."}}.',
        )
    if response.status == 200:
        return fail(
            UNSIGNED,
            "an unsigned LaunchRequest got 200: request verification is OFF",
            "Never expose `serve --dev`: run `hamstring-coach serve` without --dev behind the "
            "proxy. Certification sends unsigned requests and rejects a skill that answers.",
        )
    return fail(
        UNSIGNED,
        f"an unsigned LaunchRequest got {response.status}, not 400",
        f"Check that {target.path} reaches `serve` (the proxy forwards POST {target.path} "
        "unchanged, no redirects) and that the endpoint URL is the one in the console.",
    )


def _health_check(http: Client, target: Target) -> Check:
    url = f"{target.origin}/healthz"
    try:
        response = http.request("GET", url)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return fail(HEALTH, f"GET {url}: {_why(exc)}", ADVICE_CONNECT)
    try:
        status = json.loads(response.data)
    except ValueError:
        status = None
    if response.status in (403, 404) or not isinstance(status, dict):
        return warn(
            HEALTH,
            f"GET {url} answered {response.status}, not the skill's health page",
            "Nothing, if the proxy hides /healthz on purpose (then doctor cannot confirm "
            "verification from outside); else forward /healthz to `serve` as well.",
        )
    verification = status.get("verification")
    if verification != "on":
        return fail(
            HEALTH,
            f"verification is {verification!r}",
            "Run `hamstring-coach serve` without --dev.",
        )
    database = status.get("database") or {}
    if response.status != 200:
        return fail(
            HEALTH,
            f"answered {response.status}: database {database.get('status')}: "
            f"{database.get('detail')}",
            "Run `hamstring-coach doctor` on the server itself: its database check says why.",
        )
    return ok(HEALTH, f"200, verification on, database {database.get('status', '?')}")


def _page_check(http: Client, name: str, url: str) -> Check:
    try:
        response = http.request("GET", url)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        return fail(name, f"GET {url}: {_why(exc)}", ADVICE_CONNECT)
    if response.status == 200:
        return ok(name, f"{url}: 200")
    return fail(
        name,
        f"{url} answered {response.status}",
        f"The skill manifest links {url} (certification opens it): forward it to `serve`, "
        "which serves /privacy and /terms; if the package links pages elsewhere "
        "(--privacy-url, --terms-url), give doctor the same options.",
    )


def _reason(data: bytes) -> str:
    try:
        found = json.loads(data)
    except ValueError:
        return ""
    if isinstance(found, dict):
        return str(found.get("error") or found.get("reason") or "")[:120]
    return ""


def _sample(response: urllib3.BaseHTTPResponse) -> str:
    kind = response.headers.get("Content-Type", "no Content-Type")
    text = " ".join(response.data[:80].decode("utf-8", "replace").split())
    return f"{kind} {text!r}"


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return str(reason or exc)[:200]
