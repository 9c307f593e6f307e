"""Pattern-based subscriptions (match prefix / wildcard) with Autobahn|Python and raw frames."""

import itertools

import pytest
from rawws import RawWS
from wampclient import ack, in_thread, run, subscribe, wait

_seq = itertools.count()


def base():
    return "com.example.pattern%d" % next(_seq)


@pytest.mark.parametrize("sub_ser", ["json", "msgpack"])
def test_prefix_subscription_gets_matching_topics_with_topic_detail(router, sub_ser):
    b = base()

    async def body(pool):
        sub = await pool.connect(router.url, sub_ser)
        pub = await pool.connect(router.url, "json")
        sink, subscription = await subscribe(sub, b + ".", match="prefix")
        await wait(pub.publish(b + ".a", 1, options=ack()))
        await wait(pub.publish(b + ".b.c", 2, options=ack()))
        await wait(pub.publish(b + "x.other", 3, options=ack()))  # not under "<b>."
        await wait(pub.publish(b + ".z", "MARKER", options=ack()))
        got = []
        while True:
            args, _, details = await sink.get()
            got.append((args, details.topic))
            if args == ["MARKER"]:
                break
        assert got == [([1], b + ".a"), ([2], b + ".b.c"), (["MARKER"], b + ".z")]

    run(body)


def test_wildcard_subscription_matches_one_component_per_empty_one(router):
    b = base()

    async def body(pool):
        sub = await pool.connect(router.url, "msgpack")
        pub = await pool.connect(router.url, "json")
        sink, _ = await subscribe(sub, b + "..update", match="wildcard")
        await wait(pub.publish(b + ".x.update", 1, options=ack()))
        await wait(pub.publish(b + ".x.y.update", 2, options=ack()))  # one component too many
        await wait(pub.publish(b + ".x.delete", 3, options=ack()))
        await wait(pub.publish(b + ".y.update", 4, options=ack()))
        got = [(await sink.get())[0] for _ in range(2)]
        assert got == [[1], [4]]
        assert sink.pending() == 0

    run(body)


def test_event_reaches_every_matching_subscription_with_one_publication_id(router):
    b = base()

    async def body(pool):
        sub = await pool.connect(router.url, "json")
        pub = await pool.connect(router.url, "msgpack")
        exact, s1 = await subscribe(sub, b + ".t")
        prefix, s2 = await subscribe(sub, b + ".", match="prefix")
        wild, s3 = await subscribe(sub, b + ".", match="wildcard")
        assert len({s1.id, s2.id, s3.id}) == 3
        p = await wait(pub.publish(b + ".t", "all", options=ack()))
        for sink in (exact, prefix, wild):
            args, _, details = await sink.get()
            assert args == ["all"]
            assert details.publication == p.id

    run(body)


def test_pattern_subscriptions_are_shared_and_unsubscribable(router):
    b = base()

    async def body(pool):
        a = await pool.connect(router.url, "json")
        c = await pool.connect(router.url, "json")
        pub = await pool.connect(router.url, "json")
        sink_a, sub_a = await subscribe(a, b + ".", match="prefix")
        sink_c, sub_c = await subscribe(c, b + ".", match="prefix")
        assert sub_a.id == sub_c.id  # one subscription per (pattern, match)
        _, exact = await subscribe(c, b + ".q")
        _, prefix_q = await subscribe(c, b + ".q", match="prefix")
        assert exact.id != prefix_q.id  # same string, other match mode
        await wait(sub_a.unsubscribe())
        await wait(pub.publish(b + ".q", "after", options=ack()))
        assert (await sink_c.get())[0] == ["after"]
        assert sink_a.pending() == 0

    run(body)


def test_pattern_errors(router):
    def raw():
        ws = RawWS.connect(router.port)
        ws.join()
        # a prefix pattern may end with an empty component, an exact topic may not
        ws.send_json([32, 1, {"match": "prefix"}, "com.example."])
        assert ws.recv_json()[0] == 33
        ws.send_json([32, 2, {}, "com.example."])
        assert ws.recv_json()[:5] == [8, 32, 2, {}, "wamp.error.invalid_uri"]
        ws.send_json([32, 3, {"match": "wildcard"}, "com..x"])
        assert ws.recv_json()[0] == 33
        ws.send_json([32, 4, {"match": "prefix"}, "com..x"])  # empty inside: prefix no
        assert ws.recv_json()[:5] == [8, 32, 4, {}, "wamp.error.invalid_uri"]
        ws.send_json([32, 5, {"match": "fuzzy"}, "com.x"])
        assert ws.recv_json()[:5] == [8, 32, 5, {}, "wamp.error.invalid_argument"]
        ws.close()

    async def body(pool):
        await in_thread(raw)

    run(body)


def test_welcome_announces_pattern_based_subscription(router):
    def raw():
        ws = RawWS.connect(router.port)
        welcome = ws.join()
        ws.close()
        return welcome

    async def body(pool):
        welcome = await in_thread(raw)
        assert welcome[2]["roles"]["broker"]["features"]["pattern_based_subscription"] is True

    run(body)
