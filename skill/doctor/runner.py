"""Runs the checks in the order an operator fixes things: settings, database, content, audio,
card pictures, clock, then the public endpoint (which needs all of them to answer right)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skill.doctor.audio import check_clip_url, check_clips
from skill.doctor.clock import DEFAULT_NTP_SERVER, NTP, clock_checks
from skill.doctor.content import content_checks
from skill.doctor.database import check_database
from skill.doctor.endpoint import endpoint_checks
from skill.doctor.pictures import check_card_picture
from skill.doctor.report import Check, fail, skip
from skill.doctor.settings import check_skill_id, load_config

ENDPOINT = "endpoint"
ADVICE_CRASH = (
    "doctor could not finish this check. If the error names a setting, file or host of "
    "yours, correct it; otherwise it is a bug in doctor: report it with this line (the "
    "other checks still ran)."
)


@dataclass(frozen=True)
class Options:
    url: str | None = None  # the public endpoint, https://HOST/alexa
    offline: bool = False  # no network: no NTP query, no endpoint checks
    ntp_server: str = DEFAULT_NTP_SERVER
    ca_file: str | None = None  # extra trusted CA certificates (PEM) for the endpoint
    privacy_url: str | None = None  # None: the endpoint's origin + /privacy, as `package` links
    terms_url: str | None = None


def run_checks(options: Options) -> list[Check]:
    """Every check, in order; settings come from the environment, as `serve` reads them.
    Each step runs under `guarded`: a check that crashes is that check's FAIL, and the rest of
    the report still comes."""
    try:
        config, config_check = load_config()
    except Exception as exc:  # see guarded
        config, config_check = None, crashed("configuration", exc)
    checks = [config_check]
    checks += guarded("skill id", lambda: [check_skill_id(config)])
    checks += guarded("database", lambda: [check_database(config)])
    checks += guarded("content", content_checks)
    checks += guarded("audio clips", lambda: [check_clips(config)])
    if not options.offline:
        checks += guarded(
            "audio URL", lambda: [c for c in [check_clip_url(config, options.ca_file)] if c]
        )
    checks += guarded(
        "card pictures",
        lambda: [check_card_picture(config, options.offline, options.ca_file)],
    )
    checks += guarded(
        "clock", lambda: clock_checks(offline=options.offline, ntp_server=options.ntp_server)
    )
    if options.offline:
        checks.append(skip(NTP, "--offline: offset not measured"))
        what = options.url or "the public endpoint"
        checks.append(skip(ENDPOINT, f"--offline: {what} not checked"))
    elif options.url:
        url = options.url
        checks += guarded(
            ENDPOINT,
            lambda: endpoint_checks(
                url,
                ca_file=options.ca_file,
                skill_id=config.skill_id if config else None,
                privacy_url=options.privacy_url,
                terms_url=options.terms_url,
            ),
        )
    else:
        checks.append(skip(ENDPOINT, "no --url given: the public endpoint not checked"))
    return checks


def guarded(name: str, step: Callable[[], list[Check]]) -> list[Check]:
    """`step()`, or, if it raises, one FAIL named `name` that says what broke: one check's
    bug must not cost the operator the whole report (or show them a traceback)."""
    try:
        return list(step())
    except Exception as exc:  # the report goes on; the FAIL names the exception
        return [crashed(name, exc)]


def crashed(name: str, exc: Exception) -> Check:
    detail = f"the check stopped with {type(exc).__name__}: {str(exc)[:200]}"
    return fail(name, detail, ADVICE_CRASH)
