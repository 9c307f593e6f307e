"""Publish/subscribe through wampd with Autobahn|Python, over json and msgpack."""

import itertools

import pytest
from autobahn.wamp.exception import ApplicationError

from rawws import RawWS
from wampclient import PAYLOAD_ARGS, PAYLOAD_KWARGS, ack, in_thread, run, subscribe, wait

PAIRS = [("json", "json"), ("msgpack", "msgpack"), ("json", "msgpack"), ("msgpack", "json")]
_seq = itertools.count()


def topic(name):
    return "com.example.pubsub.%s.%d" % (name, next(_seq))


async def until_marker(sink, marker="MARKER"):
    """Returns the args of every event before the one whose args are [marker]."""
    got = []
    while True:
        args, _, _ = await sink.get()
        if args == [marker]:
            return got
        got.append(args)


@pytest.mark.parametrize("pub_ser,sub_ser", PAIRS)
def test_event_reaches_subscriber(router, pub_ser, sub_ser):
    t = topic("basic")

    async def body(pool):
        sub = await pool.connect(router.url, sub_ser)
        pub = await pool.connect(router.url, pub_ser)
        sink, subscription = await subscribe(sub, t)
        await wait(pub.publish(t, "hello", 42, options=ack(), key="value"))
        args, kwargs, details = await sink.get()
        assert args == ["hello", 42]
        assert kwargs == {"key": "value"}
        assert details.topic in (None, t)  # only set for pattern-based subscriptions
        assert details.publisher is None  # the role does not disclose, and disclose_me was not set

    run(body)


@pytest.mark.parametrize("pub_ser,sub_ser", PAIRS)
def test_payload_survives_serializers(router, pub_ser, sub_ser):
    """Binary, +-2**53, unicode and nested kwargs arrive unchanged (json carries bytes as \\0+base64)."""
    t = topic("payload")

    async def body(pool):
        sub = await pool.connect(router.url, sub_ser)
        pub = await pool.connect(router.url, pub_ser)
        sink, _ = await subscribe(sub, t)
        await wait(pub.publish(t, *PAYLOAD_ARGS, options=ack(), **PAYLOAD_KWARGS))
        args, kwargs, _ = await sink.get()
        assert args == PAYLOAD_ARGS
        assert kwargs == PAYLOAD_KWARGS

    run(body)


def test_acknowledged_publish_returns_publication_id(router):
    async def body(pool):
        pub = await pool.connect(router.url, "json")
        p1 = await wait(pub.publish(topic("ack"), options=ack()))
        p2 = await wait(pub.publish(topic("ack"), options=ack()))
        for p in (p1, p2):
            assert isinstance(p.id, int) and 1 <= p.id <= 2 ** 53
        assert p1.id != p2.id

    run(body)


@pytest.mark.parametrize("ser", ["json", "msgpack"])
def test_exclude_me_default_true_and_false(router, ser):
    t = topic("exclude_me")

    async def body(pool):
        me = await pool.connect(router.url, ser)
        other = await pool.connect(router.url, ser)
        my_sink, _ = await subscribe(me, t)
        other_sink, _ = await subscribe(other, t)
        await wait(me.publish(t, "default", options=ack()))
        await wait(me.publish(t, "included", options=ack(exclude_me=False)))
        await wait(other.publish(t, "MARKER", options=ack()))  # reaches `me` last
        assert await until_marker(my_sink) == [["included"]]
        got = [(await other_sink.get())[0] for _ in range(2)]
        assert got == [["default"], ["included"]]

    run(body)


def test_eligible_and_exclude_lists(router):
    t = topic("lists")

    async def body(pool):
        pub = await pool.connect(router.url, "json")
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "msgpack")
        c = await pool.connect(router.url, "json")
        sinks = {}
        for name, s in (("a", a), ("b", b), ("c", c)):
            sinks[name], _ = await subscribe(s, t)
        a_authid = (await wait(a.joined)).authid
        await wait(pub.publish(t, "eligible_a", options=ack(eligible=[a.id])))
        await wait(pub.publish(t, "exclude_b", options=ack(exclude=[b.id])))
        await wait(pub.publish(t, "eligible_authid_a", options=ack(eligible_authid=[a_authid])))
        await wait(pub.publish(t, "exclude_anonymous", options=ack(exclude_authrole=["anonymous"])))
        await wait(pub.publish(t, "eligible_ac_exclude_c", options=ack(eligible=[a.id, c.id], exclude=[c.id])))
        await wait(pub.publish(t, "MARKER", options=ack()))
        got = {name: await until_marker(sink) for name, sink in sinks.items()}
        assert got["a"] == [["eligible_a"], ["exclude_b"], ["eligible_authid_a"], ["eligible_ac_exclude_c"]]
        assert got["b"] == []
        assert got["c"] == [["exclude_b"]]

    run(body)


def test_publisher_disclosed_with_disclose_me(router):
    """Autobahn|Python 22.7 has no disclose_me option, so the publisher writes it on the wire
    (as Autobahn|JS does with {disclose_me: true})."""
    t = topic("disclose")

    async def body(pool):
        sub = await pool.connect(router.url, "msgpack")
        sink, _ = await subscribe(sub, t)

        def raw_publish():
            ws = RawWS.connect(router.port)
            try:
                session = ws.join()[1]
                ws.send_json([16, 1, {"acknowledge": True, "disclose_me": True}, t, ["disclosed"]])
                published = ws.recv_json()
                ws.send_json([16, 2, {"acknowledge": True}, t, ["anonymous"]])
                published2 = ws.recv_json()
                return session, published, published2
            finally:
                ws.close()

        session, published, published2 = await in_thread(raw_publish)
        assert published[0] == 17 and published[1] == 1, published
        assert published2[0] == 17 and published2[1] == 2, published2
        args, _, details = await sink.get()
        assert args == ["disclosed"]
        assert details.publisher == session
        args, _, details = await sink.get()
        assert args == ["anonymous"]
        assert details.publisher is None

    run(body)


def test_unsubscribe_stops_events(router):
    t, marker_topic = topic("unsub"), topic("unsub_marker")

    async def body(pool):
        sub = await pool.connect(router.url, "json")
        pub = await pool.connect(router.url, "msgpack")
        sink, subscription = await subscribe(sub, t)
        marker_sink, _ = await subscribe(sub, marker_topic)
        await wait(pub.publish(t, "before", options=ack()))
        assert (await sink.get())[0] == ["before"]
        await wait(subscription.unsubscribe())
        await wait(pub.publish(t, "after", options=ack()))
        await wait(pub.publish(marker_topic, "MARKER", options=ack()))
        await marker_sink.get()
        assert sink.pending() == 0, "event delivered after UNSUBSCRIBED"

    run(body)


def test_unsubscribe_unknown_id_is_no_such_subscription(router):
    ws = RawWS.connect(router.port)
    try:
        ws.join()
        ws.send_json([34, 1, 987654321])
        err = ws.recv_json()
        assert err[:3] == [8, 34, 1], err
        assert err[4] == "wamp.error.no_such_subscription", err
    finally:
        ws.close()


def raw_publishes(port, messages):
    """Joins on a raw socket, sends each PUBLISH and returns the router's replies to the
    acknowledged ones (Autobahn checks URIs itself, so bad URIs have to go out this way)."""
    ws = RawWS.connect(port)
    try:
        ws.join()
        replies = []
        for m in messages:
            ws.send_json(m)
            if m[2].get("acknowledge"):
                replies.append(ws.recv_json())
        return replies
    finally:
        ws.close()


@pytest.mark.parametrize("bad", ["com.example..bad", "com.exa mple.bad", "com.example.#bad", ""])
def test_publish_invalid_uri_acknowledged(router, bad):
    replies = raw_publishes(router.port, [[16, 1, {"acknowledge": True}, bad, ["x"]]])
    assert replies[0][:3] == [8, 16, 1], replies
    assert replies[0][4] == "wamp.error.invalid_uri", replies


def test_publish_to_wamp_namespace_is_invalid_uri(router):
    async def body(pool):
        pub = await pool.connect(router.url, "msgpack")
        with pytest.raises(ApplicationError) as e:
            await wait(pub.publish("wamp.foo", options=ack()))
        assert e.value.error == "wamp.error.invalid_uri"

    run(body)


def test_unacknowledged_bad_publish_is_silent(router):
    """No ERROR for an unacknowledged PUBLISH; the session stays usable and others still get events."""
    t = topic("after_bad")

    async def body(pool):
        sub = await pool.connect(router.url, "json")
        sink, _ = await subscribe(sub, t)
        replies = await in_thread(
            raw_publishes, router.port,
            [[16, 1, {}, "com.example..bad", []], [16, 2, {"acknowledge": True}, t, ["ok"]]],
        )
        assert replies[0][:2] == [17, 2], replies
        assert (await sink.get())[0] == ["ok"]

    run(body)


def test_same_topic_same_subscription_id(router):
    t = topic("shared")

    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "msgpack")
        _, sa = await subscribe(a, t)
        _, sb = await subscribe(b, t)
        assert sa.id == sb.id

    run(body)


def test_subscriber_gets_each_event_once_per_subscription(router):
    t = topic("once")

    async def body(pool):
        a = await pool.connect(router.url, "json")
        pub = await pool.connect(router.url, "json")
        sink, _ = await subscribe(a, t)
        for i in range(3):
            await wait(pub.publish(t, i, options=ack()))
        await wait(pub.publish(t, "MARKER", options=ack()))
        assert await until_marker(sink) == [[0], [1], [2]]

    run(body)
