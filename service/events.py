"""Domain events: a write says what changed, and whoever cares hears it after the commit.

Services publish typed events inside their transaction (`publish(SiteChanged(...))`).
The events wait with the transaction and reach their handlers only once it has
committed; a transaction that fails drops them. Outside a transaction an event is
handled at once (the write it reports has already committed).

Handlers are registered in one place, `service.composition`, so that a new write path
never has to remember who else cares: calendar feeds, and later notifications and
reports, subscribe to the events. This module depends on no area of the product.

A few handlers must write in the same transaction as the change they hear about (the
notifications outbox: a message is queued if and only if its cause commits). They are
registered with `subscribe_in_transaction` and run at `publish` time, inside the open
transaction; an error in one fails the transaction, as an error of the write would.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import msgspec

log = logging.getLogger("tupa.events")


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Something that changed. Ids only: a handler reads what it needs after the commit."""


class SessionsChanged(Event, frozen=True):
    """Dated sessions were added, moved, cancelled, restored or restaffed."""

    session_ids: tuple[int, ...]
    staff_ids: tuple[int, ...] = ()


class SlotsChanged(Event, frozen=True):
    """Weekly slots were added, changed or ended (and so their sessions).
    `slot_ids` empty with `everything` set: the whole schedule may have changed."""

    slot_ids: tuple[int, ...] = ()
    staff_ids: tuple[int, ...] = ()
    everything: bool = False


class ClosureChanged(Event, frozen=True):
    """A closure was added or removed; `slot_ids` empty means every site."""

    slot_ids: tuple[int, ...] = ()
    everything: bool = False


class PlacementsChanged(Event, frozen=True):
    """Participants' places in weekly slots were made, changed or ended."""

    participant_ids: tuple[int, ...]
    slot_ids: tuple[int, ...] = ()


class AbsenceChanged(Event, frozen=True):
    """A participant said they cannot come to a session (or took it back)."""

    session_id: int
    participant_id: int


class StaffAbsenceChanged(Event, frozen=True):
    """A staff member's absence was recorded or removed (dates local, inclusive)."""

    user_id: int
    start_date: str  # ISO date
    end_date: str  # ISO date


class SiteChanged(Event, frozen=True):
    """A site's details (name, address, time zone, rooms, features) changed."""

    site_id: int


class ActivityChanged(Event, frozen=True):
    """An activity's details (title, description, what to bring, site) changed."""

    activity_id: int


class PartnerChanged(Event, frozen=True):
    partner_id: int


class ParticipantChanged(Event, frozen=True):
    """A participant's record changed, or was erased (`erased`)."""

    participant_id: int
    erased: bool = False


class UserChanged(Event, frozen=True):
    """An account changed: name, role, language, or it was deactivated."""

    user_id: int
    deactivated: bool = False


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]

_handlers: dict[type[Event], list[Handler]] = defaultdict(list)
#: Handlers that run when the event is published, inside the publisher's transaction.
_inside_handlers: dict[type[Event], list[Handler]] = defaultdict(list)
#: The events of the transaction in progress in this task (None: no transaction).
_pending: ContextVar[list[Event] | None] = ContextVar("tupa_pending_events", default=None)


def subscribe(event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
    """Run `handler` after the commit of every transaction that published an event of
    `event_type` (or of a subclass). Registering the same handler twice has no effect."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def subscribe_in_transaction(event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
    """Run `handler` when an event of `event_type` is published, inside the publisher's
    open transaction, so that what it writes commits (or not) with the change. Keep such
    handlers short: they hold the transaction. Registering twice has no effect."""
    if handler not in _inside_handlers[event_type]:
        _inside_handlers[event_type].append(handler)


def unsubscribe_all() -> None:
    """Forget every handler (for a fresh composition)."""
    _handlers.clear()
    _inside_handlers.clear()


def handlers_for(event: Event) -> list[Handler]:
    return _matching(_handlers, event)


def in_transaction_handlers_for(event: Event) -> list[Handler]:
    return _matching(_inside_handlers, event)


def _matching(registry: dict[type[Event], list[Handler]], event: Event) -> list[Handler]:
    return [
        handler
        for event_type, handlers in registry.items()
        if isinstance(event, event_type)
        for handler in handlers
    ]


async def publish(event: Event) -> None:
    """Announce `event`: first to the in-transaction handlers (which write with the
    change; an error of theirs fails it), then after the commit when a transaction is
    open, else at once."""
    for handler in in_transaction_handlers_for(event):
        await handler(event)
    pending = _pending.get()
    if pending is not None:
        pending.append(event)
    else:
        await dispatch([event])


async def dispatch(events: Iterable[Event]) -> None:
    """Hand each distinct event to its handlers, in the order they were published. A
    handler that fails is logged: the change it reports has already committed."""
    for event in _distinct(events):
        for handler in handlers_for(event):
            try:
                await handler(event)
            except Exception:
                log.exception("handler %s failed for %r", _name(handler), event)


def collecting_now() -> bool:
    """Whether a transaction in this task is holding events back."""
    return _pending.get() is not None


@asynccontextmanager
async def collecting() -> AsyncIterator[list[Event]]:
    """Hold the events published inside the block; the caller dispatches them after
    its commit. A nested block shares the outermost block's list."""
    existing = _pending.get()
    if existing is not None:
        yield existing
        return
    pending: list[Event] = []
    token = _pending.set(pending)
    try:
        yield pending
    finally:
        _pending.reset(token)


def _distinct(events: Iterable[Event]) -> list[Event]:
    seen: set[Event] = set()
    distinct = []
    for event in events:
        if event not in seen:
            seen.add(event)
            distinct.append(event)
    return distinct


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", repr(handler))
