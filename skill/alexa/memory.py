"""The person's lasting record, as one request sees it: profile and progress counters, read
from the store only when a handler needs them and written once, at the end of the request, in
one transaction (SaveProfileInterceptor). The SDK's persistence adapter stays wired in
skill_builder for ask-sdk code that uses `persistent_attributes`; our handlers go straight to
the store, which is cheaper and keeps the counters atomic.

Nothing here may stop the person from stretching: every database failure is swallowed here,
already logged (once per interval) by the store, and turns into "no progress this time".
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput

from skill.alexa.api_client import TimeoutApiClient
from skill.core.progress import ProgressSummary
from skill.core.session_state import TIME_ZONE_KEY as ATTR_TIME_ZONE
from skill.store.progress_store import ProgressStore, StoreUnavailable, UserProfile

log = logging.getLogger(__name__)

PROFILE_CHANGES = "profile_changes"  # request attribute: {field: new value}
PROFILE_BASELINE = "profile_read"  # request attribute: the profile as this request read it
PROGRESS = "progress_counts"  # request attribute: (local day, holds, sessions) to add


class Memory:
    def __init__(
        self, handler_input: HandlerInput, store: ProgressStore | None, session: dict[str, Any]
    ) -> None:
        self.handler_input = handler_input
        self.store = store
        self.session = session
        self.available = store is not None
        self._profile: UserProfile | None = None

    # --- identity and time ------------------------------------------------------------

    @property
    def user_id(self) -> str | None:
        system = self.handler_input.request_envelope.context
        system = system.system if system else None
        user = system.user if system else None
        return user.user_id if user and user.user_id else None

    def request_time(self) -> datetime:
        """The request's own timestamp: replayed or simulated days count correctly."""
        stamp = getattr(self.handler_input.request_envelope.request, "timestamp", None)
        if isinstance(stamp, datetime):
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def time_zone(self) -> ZoneInfo:
        """The device's time zone from the Settings API, once per session; UTC otherwise."""
        cached = self.session.get(ATTR_TIME_ZONE)
        if isinstance(cached, str):
            return _zone(cached)
        name = self._ask_time_zone()
        self.session[ATTR_TIME_ZONE] = name or "UTC"
        return _zone(name or "UTC")

    def _ask_time_zone(self) -> str | None:
        """The Settings API's answer, kept per device for an hour by our API client (see
        alexa_api.SETTINGS_CACHE_TTL_S); only answers that name a zone are kept."""
        factory = self.handler_input.service_client_factory
        system = self.handler_input.request_envelope.context
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

    def today(self) -> date:
        return self.request_time().astimezone(self.time_zone()).date()

    # --- profile ----------------------------------------------------------------------

    @property
    def profile(self) -> UserProfile:
        """Read at most once per request, and only by a handler that asks for it; a default
        profile when the database cannot be reached. Changes made by `update` show through."""
        if self._profile is None:
            loaded = UserProfile()
            if self.available and self.store is not None and self.user_id is not None:
                try:
                    loaded = self.store.get_profile(self.user_id)
                except StoreUnavailable:
                    self.available = False
                else:
                    self._request[PROFILE_BASELINE] = loaded
            self._profile = replace(loaded, **self._request.get(PROFILE_CHANGES, {}))
        return self._profile

    def update(self, **fields: Any) -> None:
        """Change profile fields without reading the profile first; `save_profile` writes the
        ones that differ from what this request read (all of them if it read nothing), once,
        at the end of the request (the store writes each field on its own: no lost update)."""
        if not self.available:
            return
        self._request.setdefault(PROFILE_CHANGES, {}).update(fields)
        if self._profile is not None:
            self._profile = replace(self._profile, **fields)

    @property
    def _request(self) -> dict[str, Any]:
        return self.handler_input.attributes_manager.request_attributes

    # --- progress ---------------------------------------------------------------------

    def record(self, holds: int, session_finished: bool) -> None:
        """Count finished holds and sessions; written with the profile changes, in one
        transaction, at the end of the request (`save_profile`)."""
        if not self.available or not (holds or session_finished) or self.store is None:
            return
        if self.user_id is None:
            return
        day = self.today()
        pending = self._request.get(PROGRESS)
        if pending is not None and pending[0] == day:
            holds, session_finished = holds + pending[1], session_finished + pending[2]
        self._request[PROGRESS] = (day, holds, int(session_finished))

    def summary(self) -> ProgressSummary | None:
        if not self.available or self.store is None or self.user_id is None:
            return None
        try:
            pending = self._request.pop(PROGRESS, None)
            if pending is not None:  # this request's own holds count too
                day, holds, sessions = pending
                self.store.save(self.user_id, day=day, holds=holds, sessions=sessions)
            if self._profile is not None:
                return self.store.summary(self.user_id, self.today())
            # A launch wants both: read them in one transaction.
            loaded, summary = self.store.load(self.user_id, self.today())
            self._request[PROFILE_BASELINE] = loaded
            self._profile = replace(loaded, **self._request.get(PROFILE_CHANGES, {}))
            return summary
        except StoreUnavailable:
            self.available = False
            return None

    def forget(self) -> None:
        """SkillDisabled: delete everything about this person, now or once the database is
        back."""
        if self.store is not None and self.user_id is not None:
            self.store.forget_user(self.user_id)  # or later, if the database is down now


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def save_profile(handler_input: HandlerInput, store: ProgressStore | None) -> None:
    """One write per request at most: the progress counted and the profile fields that
    really changed, in one transaction."""
    request = handler_input.attributes_manager.request_attributes
    changes = request.pop(PROFILE_CHANGES, None) or {}
    baseline = request.pop(PROFILE_BASELINE, None)
    progress = request.pop(PROGRESS, None)
    if store is None or not (changes or progress):
        return
    if isinstance(baseline, UserProfile):
        changes = {k: v for k, v in changes.items() if getattr(baseline, k) != v}
    system = handler_input.request_envelope.context
    user = system.system.user if system and system.system else None
    user_id = user.user_id if user else None
    if not user_id or not (changes or progress):
        return
    day, holds, sessions = progress if progress else (None, 0, 0)
    # A failure is logged by the store; the person carries on without progress this time.
    with contextlib.suppress(StoreUnavailable):
        store.save(user_id, day=day, holds=holds, sessions=sessions, **changes)
