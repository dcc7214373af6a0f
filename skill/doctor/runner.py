"""Runs the checks in the order an operator fixes things: settings, database, content, audio,
clock, then the public endpoint (which needs all of them to answer right)."""

from __future__ import annotations

from dataclasses import dataclass

from skill.doctor.audio import check_clip_url, check_clips
from skill.doctor.clock import DEFAULT_NTP_SERVER, NTP, clock_checks
from skill.doctor.content import content_checks
from skill.doctor.database import check_database
from skill.doctor.endpoint import endpoint_checks
from skill.doctor.report import Check, skip
from skill.doctor.settings import check_skill_id, load_config

ENDPOINT = "endpoint"


@dataclass(frozen=True)
class Options:
    url: str | None = None  # the public endpoint, https://HOST/alexa
    offline: bool = False  # no network: no NTP query, no endpoint checks
    ntp_server: str = DEFAULT_NTP_SERVER
    ca_file: str | None = None  # extra trusted CA certificates (PEM) for the endpoint
    privacy_url: str | None = None  # None: the endpoint's origin + /privacy, as `package` links
    terms_url: str | None = None


def run_checks(options: Options) -> list[Check]:
    """Every check, in order; settings come from the environment, as `serve` reads them."""
    config, config_check = load_config()
    checks = [config_check, check_skill_id(config), check_database(config)]
    checks += content_checks()
    checks.append(check_clips(config))
    clip_url = None if options.offline else check_clip_url(config, options.ca_file)
    if clip_url is not None:
        checks.append(clip_url)
    checks += clock_checks(offline=options.offline, ntp_server=options.ntp_server)
    if options.offline:
        checks.append(skip(NTP, "--offline: offset not measured"))
        what = options.url or "the public endpoint"
        checks.append(skip(ENDPOINT, f"--offline: {what} not checked"))
    elif options.url:
        checks += endpoint_checks(
            options.url,
            ca_file=options.ca_file,
            skill_id=config.skill_id if config else None,
            privacy_url=options.privacy_url,
            terms_url=options.terms_url,
        )
    else:
        checks.append(skip(ENDPOINT, "no --url given: the public endpoint not checked"))
    return checks
