"""The request's unit of work (skill.store.unit_of_work) opened and committed from a
HandlerInput: who is asking, when, in which time zone, and the request attributes that keep
the pending changes until SaveProfileInterceptor commits them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ask_sdk_core.handler_input import HandlerInput

from skill.store.progress_store import ProgressStore
from skill.store.unit_of_work import UnitOfWork, commit


def user_id_of(handler_input: HandlerInput) -> str | None:
    context = handler_input.request_envelope.context
    system = context.system if context else None
    user = system.user if system else None
    return user.user_id if user and user.user_id else None


def request_time_of(handler_input: HandlerInput) -> datetime:
    """The request's own timestamp (naive: UTC); now if it has none."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if isinstance(stamp, datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return datetime.now(UTC)


def open_memory(
    handler_input: HandlerInput, store: ProgressStore | None, time_zone: Callable[[], ZoneInfo]
) -> UnitOfWork:
    """This request's unit of work; the time zone is asked for only if a local day is needed."""
    return UnitOfWork(
        store,
        user_id_of(handler_input),
        request_time_of(handler_input),
        time_zone,
        handler_input.attributes_manager.request_attributes,
    )


def save_profile(handler_input: HandlerInput, store: ProgressStore | None) -> None:
    """Commit what this request changed (at most one write)."""
    pending = handler_input.attributes_manager.request_attributes
    commit(store, user_id_of(handler_input), pending)
