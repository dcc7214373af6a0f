"""The person's time zone, so progress counts their local days: the device's zone from the
Alexa Settings API, asked once per session (kept in the session state) and
once an hour per device (our API client's cache); UTC when it cannot be had."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.api_client import TimeoutApiClient
from skill.core.session_state import TIME_ZONE_KEY

log = logging.getLogger(__name__)


def session_time_zone(handler_input: HandlerInput, session: MutableMapping[str, Any]) -> ZoneInfo:
    """The zone kept in `session`, else the Settings API's answer, kept there for next time."""
    cached = session.get(TIME_ZONE_KEY)
    if isinstance(cached, str):
        return _zone(cached)
    name = _ask_time_zone(handler_input)
    session[TIME_ZONE_KEY] = name or "UTC"
    return _zone(name or "UTC")


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
    except Exception as exc:  # a slow or failing API only costs us the local day
        log.warning("time zone lookup failed: %s", type(exc).__name__)
        return None
    if not (isinstance(name, str) and name):
        return None
    if cache is not None:
        cache.put(key, name)
    return name


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
