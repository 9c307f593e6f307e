"""A real Autobahn|Python client over RawSocket (Twisted flavour: Debian's autobahn 22.7.1
asyncio RawSocket client fails in its own transport_details). Usage:
    rs_client.py PORT SERIALIZER
Joins realm1, registers com.rs.echo.<ser>, subscribes com.rs.in.<ser> and republishes each
event to com.rs.out.<ser>; prints "ready" once all that is set up."""

import os
import sys

from autobahn.twisted.component import Component, run
from twisted.internet.defer import inlineCallbacks

port, ser = int(sys.argv[1]), sys.argv[2]
comp = Component(
    transports=[{"type": "rawsocket", "serializer": ser,
                 "endpoint": {"type": "tcp", "host": "127.0.0.1", "port": port}}],
    realm="realm1")


@comp.on_join
@inlineCallbacks
def joined(session, details):
    yield session.register(lambda *a, **kw: [list(a), kw], "com.rs.echo." + ser)
    yield session.subscribe(
        lambda *a, **kw: session.publish("com.rs.out." + ser, *a, **kw), "com.rs.in." + ser)
    # Twisted's logging takes over sys.stdout below its level; write past it.
    os.write(1, b"ready %d\n" % details.session)


run([comp], log_level="warn")
