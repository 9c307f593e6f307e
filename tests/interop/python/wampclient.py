"""Autobahn|Python (asyncio) sessions for the interop tests, with every wait bounded.

Use `run(fn)` from a plain pytest test: it runs `await fn(pool)` on a fresh event loop under
an overall timeout; `pool.connect(url, "json"|"msgpack")` opens and joins a session, and the
pool closes every session it opened when fn ends, whatever happened.
"""

import asyncio
from urllib.parse import urlparse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer  # noqa: E402
from autobahn.wamp.types import ComponentConfig, PublishOptions, SubscribeOptions  # noqa: E402

SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer}
STEP = 5.0  # seconds: the bound on any single expected reply

# A payload that must survive both serializers and the trip through the router unchanged.
PAYLOAD_ARGS = [
    b"\x00\x01\x02\xfe\xffbinary",
    2 ** 53,
    -(2 ** 53),
    "unicode: \u00e9\u00e8 \u2603 \u65e5\u672c\u8a9e \U0001F600",
    1.5,
    None,
    True,
    [],
    {},
]
PAYLOAD_KWARGS = {
    "nested": {"list": [1, "two", {"three": [3.25, None, False]}], "empty": {}},
    "bin": b"\xff\x00\x80",
    "big": 2 ** 53,
    "neg": -(2 ** 53),
    "text": "\u00fcber \u2713",
}


def ack(**options):
    """PublishOptions with acknowledge=True (and any other publish options)."""
    return PublishOptions(acknowledge=True, **options)


class JoinRefused(Exception):
    def __init__(self, details):
        super().__init__("join refused: %s %s" % (details.reason, details.message))
        self.details = details


class Client(ApplicationSession):
    """An ApplicationSession whose lifecycle is exposed as futures."""

    def __init__(self, config):
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.joined = loop.create_future()  # SessionDetails, or JoinRefused
        self.left = loop.create_future()  # CloseDetails
        self.disconnected = loop.create_future()

    def onJoin(self, details):
        if not self.joined.done():
            self.joined.set_result(details)

    def onLeave(self, details):
        if not self.left.done():
            self.left.set_result(details)
        if not self.joined.done():
            self.joined.set_exception(JoinRefused(details))
        self.disconnect()

    def onDisconnect(self):
        if not self.disconnected.done():
            self.disconnected.set_result(True)
        if not self.joined.done():
            self.joined.set_exception(ConnectionError("transport closed before WELCOME"))

    @property
    def id(self):
        return self._session_id

    def drop(self):
        """Drops the TCP connection without WAMP GOODBYE or WebSocket close."""
        proto = self._transport
        if proto is not None and getattr(proto, "transport", None) is not None:
            proto.transport.abort()

    async def close(self, timeout=2.0):
        try:
            if self.is_attached():
                self.leave()
                await asyncio.wait_for(asyncio.shield(self.disconnected), timeout)
        except Exception:
            pass
        if not self.disconnected.done():
            self.drop()


class Sink:
    """An event handler that queues (args, kwargs, details)."""

    def __init__(self):
        self.q = asyncio.Queue()

    def __call__(self, *args, **kwargs):
        details = kwargs.pop("details", None)
        self.q.put_nowait((list(args), kwargs, details))

    async def get(self, timeout=STEP):
        return await asyncio.wait_for(self.q.get(), timeout)

    def pending(self):
        return self.q.qsize()


async def subscribe(session, topic, **options):
    """Subscribes a new Sink; returns (sink, subscription)."""
    sink = Sink()
    sub = await asyncio.wait_for(
        session.subscribe(sink, topic, options=SubscribeOptions(details_arg="details", **options)),
        STEP,
    )
    return sink, sub


class Pool:
    def __init__(self):
        self.sessions = []

    async def connect(self, url, serializer="json", realm="realm1", timeout=STEP, join=True):
        loop = asyncio.get_running_loop()
        txaio.config.loop = loop
        s = Client(ComponentConfig(realm=realm))
        self.sessions.append(s)
        factory = WampWebSocketClientFactory(
            lambda: s, url=url, serializers=[SERIALIZERS[serializer]()], loop=loop
        )
        u = urlparse(url)
        await asyncio.wait_for(loop.create_connection(factory, u.hostname, u.port), timeout)
        if join:
            await asyncio.wait_for(asyncio.shield(s.joined), timeout)
        return s

    async def close_all(self):
        await asyncio.gather(*(s.close() for s in self.sessions), return_exceptions=True)


def run(fn, timeout=60.0):
    """Runs `await fn(pool)` with an overall bound, closing the pool's sessions afterwards."""

    async def main():
        pool = Pool()
        try:
            return await asyncio.wait_for(fn(pool), timeout)
        finally:
            await pool.close_all()

    return asyncio.run(main())


async def wait(aw, timeout=STEP):
    return await asyncio.wait_for(aw, timeout)


async def in_thread(fn, *args, timeout=STEP + 5):
    """Runs blocking code (the raw socket client) without stopping the event loop."""
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.run_in_executor(None, fn, *args), timeout)
