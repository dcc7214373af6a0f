"""The person's time zone, so progress counts their local days: the device's zone from the
Alexa Settings API, asked once per session (the conversation keeps it in the session state) and
once an hour per device (our API client's cache); UTC when it cannot be had. The client waits
at most api_guard.CALL_DEADLINE_S and skips an endpoint that failed recently, so an unreachable
API costs a launch at most that, once a minute, and the others nothing."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.api_client import TimeoutApiClient
from skill.alexa.api_guard import ApiSkipped

log = logging.getLogger(__name__)


def device_time_zone(handler_input: HandlerInput) -> str:
    """The device's zone name from the Settings API, or "UTC" when it cannot be had."""
    return _ask_time_zone(handler_input) or "UTC"


def zone_info(name: str) -> ZoneInfo:
    """`name` as a ZoneInfo; UTC for a name this machine does not know."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _ask_time_zone(handler_input: HandlerInput) -> str | None:
    """The Settings API's answer, kept per device for an hour by our API client (see
    api_client.SETTINGS_CACHE_TTL_S); only answers that name a zone are kept."""
    factory = handler_input.service_client_factory
    system = handler_input.request_envelope.context
    system = system.system if system else None
    device = system.device if system else None
    if factory is None or device is None or not device.device_id:
        return None
    client = getattr(getattr(factory, "api_configuration", None), "api_client", None)
    cache = client.time_zones if isinstance(client, TimeoutApiClient) else None
    key = (str(system.api_endpoint), device.device_id)
    if cache is not None and (known := cache.get(key)) is not None:
        return known
    try:
        name = factory.get_ups_service().get_system_time_zone(device.device_id)
    except ApiSkipped:  # the breaker already said so once; not a line per launch
        return None
    except Exception as exc:  # a slow or failing API only costs us the local day
        log.warning("time zone lookup failed: %s", type(exc).__name__)
        return None
    if not (isinstance(name, str) and name):
        return None
    if cache is not None:
        cache.put(key, name)
    return name
