"""The person's lasting record, as one request sees it: profile (via the SDK's persistence
adapter) and progress counters (atomic, straight to the store).

Nothing here may stop the person from stretching: every database failure is swallowed here,
already logged (once per interval) by the store, and turns into "no progress this time".
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ask_sdk_core.handler_input import HandlerInput

from skill.progress import ProgressSummary
from skill.store import ProgressStore, StoreUnavailable, UserProfile

log = logging.getLogger(__name__)

ATTR_TIME_ZONE = "tz"
PROFILE_CHANGED = "profile_changed"


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
        factory = self.handler_input.service_client_factory
        context = self.handler_input.request_envelope.context
        device = context.system.device if context and context.system else None
        if factory is None or device is None or not device.device_id:
            return None
        try:
            name = factory.get_ups_service().get_system_time_zone(device.device_id)
        except Exception as exc:  # a slow or failing API only costs us the local day
            log.warning("time zone lookup failed: %s", type(exc).__name__)
            return None
        return name if isinstance(name, str) and name else None

    def today(self) -> date:
        return self.request_time().astimezone(self.time_zone()).date()

    # --- profile ----------------------------------------------------------------------

    @property
    def profile(self) -> UserProfile:
        """Read once per request; a default profile when the database cannot be reached."""
        if self._profile is None:
            self._profile = UserProfile()
            if self.available:
                try:
                    attrs = self.handler_input.attributes_manager.persistent_attributes
                    self._profile = UserProfile(**attrs)
                except StoreUnavailable:
                    self.available = False
        return self._profile

    def update(self, **fields: Any) -> None:
        """Change profile fields; saved once at the end of the request by `save_profile`."""
        if not self.available:
            return
        try:
            manager = self.handler_input.attributes_manager
            attrs = manager.persistent_attributes
        except StoreUnavailable:
            self.available = False
            return
        attrs.update(fields)
        manager.persistent_attributes = attrs  # the SDK saves only after a set
        manager.request_attributes[PROFILE_CHANGED] = True
        self._profile = UserProfile(**attrs)

    # --- progress ---------------------------------------------------------------------

    def record(self, holds: int, session_finished: bool) -> None:
        if not self.available or not (holds or session_finished) or self.store is None:
            return
        user_id, day = self.user_id, self.today()
        if user_id is None:
            return
        try:
            for _ in range(holds):
                self.store.record_hold(user_id, day)
            if session_finished:
                self.store.record_session(user_id, day)
        except StoreUnavailable:
            self.available = False

    def summary(self) -> ProgressSummary | None:
        if not self.available or self.store is None or self.user_id is None:
            return None
        try:
            return self.store.summary(self.user_id, self.today())
        except StoreUnavailable:
            self.available = False
            return None

    def forget(self) -> None:
        """SkillDisabled: delete everything about this person."""
        if self.store is not None and self.user_id is not None:
            try:
                self.store.delete_user(self.user_id)
            except StoreUnavailable:
                log.error("could not delete a disabled user's data; the database is unavailable")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def save_profile(handler_input: HandlerInput) -> None:
    """One write per request at most, of the fields that changed (the adapter diffs them)."""
    manager = handler_input.attributes_manager
    if manager.request_attributes.pop(PROFILE_CHANGED, False):
        # A failure is logged by the store; the person carries on without progress this time.
        with contextlib.suppress(StoreUnavailable):
            manager.save_persistent_attributes()
