"""Live updates of rosters: Litestar Channels, in memory for one process, on Redis
pub/sub when REDIS_URL is set (so that every app process hears every mark)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from litestar.response import ServerSentEventMessage
from redis.asyncio import Redis

from service.attendance.schemas import CurrentMark
from service.settings import Settings

KEEP_ALIVE_SECONDS = 15.0


def make_channels(settings: Settings) -> ChannelsPlugin:
    if settings.redis_url:
        backend: MemoryChannelsBackend | RedisChannelsPubSubBackend = RedisChannelsPubSubBackend(
            redis=Redis.from_url(settings.redis_url), key_prefix="tupa_channels"
        )
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


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
            yield ServerSentEventMessage(event="marks", data=data.decode())
