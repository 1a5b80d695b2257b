"""Domain events: handlers hear a change only after its transaction commits."""

from __future__ import annotations

import pytest

from service import events


class Thing(events.Event, frozen=True):
    thing_id: int


@pytest.fixture
def heard() -> list[events.Event]:
    """Handlers registered for the test only; the product's are put back after it."""
    saved = {kind: list(handlers) for kind, handlers in events._handlers.items()}
    saved_inside = {kind: list(handlers) for kind, handlers in events._inside_handlers.items()}
    events.unsubscribe_all()
    seen: list[events.Event] = []

    async def listen(event: events.Event) -> None:
        seen.append(event)

    events.subscribe(Thing, listen)
    yield seen
    events.unsubscribe_all()
    events._handlers.update(saved)
    events._inside_handlers.update(saved_inside)


async def test_outside_a_transaction_an_event_is_handled_at_once(heard):
    await events.publish(Thing(thing_id=1))
    assert heard == [Thing(thing_id=1)]


async def test_inside_a_block_events_wait_and_repeats_are_heard_once(heard):
    async with events.collecting() as pending:
        await events.publish(Thing(thing_id=1))
        await events.publish(Thing(thing_id=2))
        await events.publish(Thing(thing_id=1))
        assert heard == []
    assert len(pending) == 3
    await events.dispatch(pending)
    assert heard == [Thing(thing_id=1), Thing(thing_id=2)]


async def test_a_nested_block_joins_the_outer_one(heard):
    async with events.collecting() as outer:
        async with events.collecting() as inner:
            await events.publish(Thing(thing_id=3))
        assert inner is outer
        assert events.collecting_now()
    assert not events.collecting_now()
    assert outer == [Thing(thing_id=3)]


async def test_a_failing_handler_does_not_stop_the_others(heard):
    async def broken(event: events.Event) -> None:
        raise RuntimeError("boom")

    events._handlers[Thing].insert(0, broken)
    await events.publish(Thing(thing_id=4))
    assert heard == [Thing(thing_id=4)]


async def test_a_handler_hears_subclasses_and_registers_once(heard):
    class Special(Thing, frozen=True):
        pass

    async def listen_again(event: events.Event) -> None:
        heard.append(event)

    events.subscribe(Thing, listen_again)
    events.subscribe(Thing, listen_again)
    await events.publish(Special(thing_id=5))
    assert heard == [Special(thing_id=5), Special(thing_id=5)]


async def test_in_transaction_handlers_hear_the_event_when_it_is_published(heard):
    """They write with the change: they run at once, inside the open block, before the
    after-commit handlers; an error of theirs reaches the publisher (and fails its
    transaction)."""
    inside: list[tuple[events.Event, bool]] = []

    async def write_with_it(event: events.Event) -> None:
        inside.append((event, heard == []))
        if event == Thing(thing_id=13):
            raise ValueError("refused")

    events.subscribe_in_transaction(Thing, write_with_it)
    async with events.collecting() as pending:
        await events.publish(Thing(thing_id=1))
        assert inside == [(Thing(thing_id=1), True)]
        assert heard == []
        with pytest.raises(ValueError, match="refused"):
            await events.publish(Thing(thing_id=13))
    await events.dispatch(pending)
    assert Thing(thing_id=1) in heard
