"""Live updates of rosters: Litestar Channels, in memory for one process, on Redis
pub/sub when REDIS_URL is set (so that every app process hears every mark).

Live updates are a convenience on top of the roster, which a tablet can always reload:
a Redis outage must not end them for good. `RedisPubSub` keeps publishing and listening
through one (dropping what cannot be sent, with a warning), reconnects with back-off, and
then tells every open roster to catch up on what it missed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import Any

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response import ServerSentEventMessage
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from service.attendance.schemas import CurrentMark
from service.outages import REDIS_OUTAGES, REDIS_TIMEOUT_SECONDS, Backoff
from service.settings import Settings

log = logging.getLogger("tupa.live")

KEEP_ALIVE_SECONDS = 15.0
#: Sent to every open roster once Redis is back: it may have missed marks meanwhile.
CATCH_UP = b"catch-up"
_CLOSING_ERRORS: tuple[type[Exception], ...] = (*REDIS_OUTAGES, OSError)


def live_updates_health(channels: ChannelsPlugin) -> dict[str, Any]:
    """Whether live updates are flowing, for `/health`."""
    backend = channels._backend  # Litestar names no public way to reach it
    if isinstance(backend, RedisPubSub):
        return {"ok": backend.connected, "backend": "redis"}
    return {"ok": True, "backend": "memory"}


def make_channels(settings: Settings) -> ChannelsPlugin:
    backend: ChannelsBackend
    if settings.redis_url:
        backend = RedisPubSub(
            Redis.from_url(
                settings.redis_url,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
            )
        )
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


class RedisPubSub(ChannelsBackend):
    """Redis pub/sub for Litestar's channels that outlives Redis outages. Litestar's own
    backend lets the first connection error end its publishing and listening tasks, after
    which no roster hears anything until a restart, and shutting down waits forever on
    the publisher. Here an error marks the connection lost; the listening loop (the one
    reader of the subscribed connection) then makes a new one with back-off, subscribes
    again to every channel in use, and sends `CATCH_UP` to each."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._pubsub: PubSub | None = None
        self._wanted: set[str] = set()
        self._has_channels: asyncio.Event | None = None
        self._connecting: asyncio.Lock | None = None
        self._backoff = Backoff()
        self._rebuild = False
        self._catch_up = False
        self.connected = True

    async def on_startup(self) -> None:
        self._channels_event()

    async def on_shutdown(self) -> None:
        await self._drop_pubsub()
        await self._redis.aclose()

    async def subscribe(self, channels: Iterable[str]) -> None:
        """Subscribe at once while Redis answers (so that the next event is heard);
        otherwise the listening loop subscribes when it is back."""
        new = set(channels) - self._wanted
        self._wanted |= new
        self._channels_event().set()
        if not new or not self.connected or self._rebuild:
            return
        try:
            pubsub = await self._subscribed_pubsub()
            await pubsub.subscribe(*new)  # again, if the connection was new: harmless
        except REDIS_OUTAGES as error:
            self._lost(error)

    async def unsubscribe(self, channels: Iterable[str]) -> None:
        gone = self._wanted & set(channels)
        self._wanted -= gone
        if not self._wanted:
            self._channels_event().clear()
        if self._pubsub is not None and gone and not self._rebuild:
            try:
                await self._pubsub.unsubscribe(*gone)
            except REDIS_OUTAGES as error:
                self._lost(error)

    async def publish(self, data: bytes, channels: Iterable[str]) -> None:
        """Publish, or drop the event with a warning while Redis is away: the rosters
        catch up when it is back."""
        try:
            for channel in set(channels):
                await self._redis.publish(channel, data)
        except REDIS_OUTAGES as error:
            self._lost(error)

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            await self._channels_event().wait()
            if self._rebuild:
                self._rebuild = False
                await self._drop_pubsub()
            try:
                pubsub = await self._subscribed_pubsub()
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except REDIS_OUTAGES as error:
                self._lost(error)
                await self._backoff.wait()
                continue
            if self._catch_up:
                self._catch_up = False
                for channel in sorted(self._wanted):
                    yield channel, CATCH_UP
            if message is None:
                continue
            channel = message["channel"].decode()
            # Unsubscribing takes a moment: a message may still arrive for a channel left.
            if channel in self._wanted:
                yield channel, message["data"]

    async def get_history(self, channel: str, limit: int | None = None) -> list[bytes]:
        raise NotImplementedError("pub/sub keeps no history")

    async def _subscribed_pubsub(self) -> PubSub:
        """The connection subscribed to every channel in use; a new one after a loss."""
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._pubsub is not None:
                return self._pubsub
            pubsub = self._redis.pubsub()
            try:
                if self._wanted:
                    await pubsub.subscribe(*self._wanted)
            except BaseException:
                await _close_quietly(pubsub)
                raise
            self._pubsub = pubsub
            if not self.connected:
                log.warning("live updates: Redis is back; the rosters catch up")
                self._catch_up = True
            self.connected = True
            self._backoff.reset()
            return pubsub

    def _lost(self, error: BaseException) -> None:
        """Mark the connection lost: the listening loop makes a new one, and the rosters
        catch up then (an event may have been dropped)."""
        if self.connected:
            log.warning("live updates: lost Redis (%r); reconnecting with back-off", error)
        self.connected = False
        self._rebuild = True

    async def _drop_pubsub(self) -> None:
        pubsub, self._pubsub = self._pubsub, None
        if pubsub is not None:
            await _close_quietly(pubsub)

    def _channels_event(self) -> asyncio.Event:
        """Made on first use, inside the running loop."""
        if self._has_channels is None:
            self._has_channels = asyncio.Event()
            if self._wanted:
                self._has_channels.set()
        return self._has_channels


async def _close_quietly(pubsub: PubSub) -> None:
    try:
        await pubsub.aclose()
    except _CLOSING_ERRORS as error:
        log.debug("live updates: closing a lost connection: %r", error)


def channel_of(session_id: int) -> str:
    return f"session-{session_id}"


class MarksEvent(msgspec.Struct):
    """What every open roster of the session hears: current marks, no names or notes."""

    session_id: int
    marks: list[CurrentMark]


def publish(channels: ChannelsPlugin, session_id: int, marks: list[CurrentMark]) -> None:
    channels.publish(
        msgspec.json.encode(MarksEvent(session_id=session_id, marks=marks)),
        channels=[channel_of(session_id)],
    )


async def events(
    channels: ChannelsPlugin, session_id: int
) -> AsyncIterator[ServerSentEventMessage]:
    """Server-sent events of one session's marks, with a comment now and then so that
    proxies keep the connection open."""
    received: asyncio.Queue[bytes] = asyncio.Queue()
    yield ServerSentEventMessage(event="ready", data="{}", retry=2000)
    async with (
        channels.start_subscription([channel_of(session_id)]) as subscriber,
        subscriber.run_in_background(received.put, join=False),
    ):
        while True:
            try:
                data = await asyncio.wait_for(received.get(), KEEP_ALIVE_SECONDS)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            if data == CATCH_UP:
                # The page reloads its roster on a second `ready`.
                yield ServerSentEventMessage(event="ready", data="{}")
                continue
            yield ServerSentEventMessage(event="marks", data=data.decode())
