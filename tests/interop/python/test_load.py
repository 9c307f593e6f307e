"""Ordering and fan-out under modest load."""

import asyncio

import pytest

from wampclient import ack, run, subscribe, wait

N_EVENTS = 1000
N_SESSIONS = 100


@pytest.mark.parametrize("pub_ser,sub_ser", [("json", "msgpack"), ("msgpack", "json")])
def test_1000_events_arrive_in_order(router, pub_ser, sub_ser):
    t = "com.example.load.order.%s_%s" % (pub_ser, sub_ser)

    async def body(pool):
        sub = await pool.connect(router.url, sub_ser)
        pub = await pool.connect(router.url, pub_ser)
        sink, _ = await subscribe(sub, t)
        # Pipelined, acknowledged publishes from one publisher.
        acks = [pub.publish(t, i, options=ack()) for i in range(N_EVENTS)]
        pubs = await wait(asyncio.gather(*acks), 30)
        assert len({p.id for p in pubs}) == N_EVENTS
        got = [(await sink.get())[0][0] for _ in range(N_EVENTS)]
        assert got == list(range(N_EVENTS))

    run(body, timeout=90)


def test_100_sessions_each_get_one_broadcast(router):
    t = "com.example.load.broadcast"

    async def body(pool):
        sessions = await wait(
            asyncio.gather(*(pool.connect(router.url, ("json", "msgpack")[i % 2]) for i in range(N_SESSIONS))),
            30,
        )
        assert len({s.id for s in sessions}) == N_SESSIONS
        sinks = [s for s, _ in await wait(asyncio.gather(*(subscribe(s, t) for s in sessions)), 30)]
        pub = await pool.connect(router.url, "json")
        await wait(pub.publish(t, "to all", options=ack()))
        events = await wait(asyncio.gather(*(sink.get(10) for sink in sinks)), 15)
        assert all(args == ["to all"] for args, _, _ in events)
        await asyncio.sleep(0.2)
        assert all(sink.pending() == 0 for sink in sinks), "an event was delivered twice"

    run(body, timeout=120)
