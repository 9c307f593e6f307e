"""A session that publishes or calls the same URI again skips the checks and the lookup (the
router remembers its last decision, router/memo.h). These tests change what that decision
depends on between two messages and check that the second one sees the change."""

import itertools

from rawws import RawWS

_seq = itertools.count()


def uri(name):
    return "com.example.memo.%s.%d" % (name, next(_seq))


def session(router):
    ws = RawWS.connect(router.port)
    ws.join()
    return ws


def subscribe(ws, topic, req=1, options=None):
    ws.send_json([32, req, options or {}, topic])
    msg = ws.recv_json()
    assert msg[0] == 33, msg
    return msg[2]


def publish(ws, topic, req, args):
    ws.send_json([16, req, {"acknowledge": True}, topic, args])
    msg = ws.recv_json()
    assert msg[0] == 17 and msg[1] == req, msg


def register(ws, proc, req=1):
    ws.send_json([64, req, {}, proc])
    msg = ws.recv_json()
    assert msg[0] == 65, msg
    return msg[2]


def test_subscription_made_after_a_publish_gets_the_next_event(router):
    t = uri("late")
    pub, sub = session(router), session(router)
    publish(pub, t, 1, ["nobody"])  # remembered: no exact subscription
    subscribe(sub, t)
    publish(pub, t, 2, ["somebody"])
    ev = sub.recv_json()
    assert ev[0] == 36 and ev[4] == ["somebody"]


def test_resubscribing_gets_events_on_the_new_subscription(router):
    t = uri("again")
    pub, sub = session(router), session(router)
    first = subscribe(sub, t, 1)
    publish(pub, t, 1, [1])
    assert sub.recv_json()[1] == first
    sub.send_json([34, 2, first])
    assert sub.recv_json()[0] == 35  # the subscription is dropped with its last subscriber
    publish(pub, t, 2, [2])  # nobody: the publisher's memory of the old one must be gone
    second = subscribe(sub, t, 3)
    publish(pub, t, 3, [3])
    ev = sub.recv_json()
    assert ev[1] == second and ev[4] == [3]


def test_subscriber_leaving_and_new_one_joining(router):
    t = uri("leave")
    pub, a = session(router), session(router)
    subscribe(a, t)
    publish(pub, t, 1, ["a"])
    assert a.recv_json()[4] == ["a"]
    a.close()  # its subscription goes when the router sees the connection close
    b = session(router)
    subscribe(b, t)
    publish(pub, t, 2, ["b"])
    ev = b.recv_json()
    assert ev[0] == 36 and ev[4] == ["b"]


def test_call_follows_a_procedure_to_its_new_callee(router):
    p = uri("proc")
    caller, a = session(router), session(router)
    reg_a = register(a, p)
    caller.send_json([48, 1, {}, p, ["x"]])
    inv = a.recv_json()
    assert inv[0] == 68 and inv[2] == reg_a
    a.send_json([70, inv[1], {}, ["from a"]])
    assert caller.recv_json()[3] == ["from a"]
    a.send_json([66, 2, reg_a])
    assert a.recv_json()[0] == 67
    caller.send_json([48, 2, {}, p, ["y"]])
    err = caller.recv_json()
    assert err[0] == 8 and err[4] == "wamp.error.no_such_procedure", err
    b = session(router)
    reg_b = register(b, p)
    caller.send_json([48, 3, {}, p, ["z"]])
    inv = b.recv_json()
    assert inv[0] == 68 and inv[2] == reg_b and inv[4] == ["z"]
    b.send_json([70, inv[1], {}, ["from b"]])
    res = caller.recv_json()
    assert res[0] == 50 and res[1] == 3 and res[3] == ["from b"]


def test_exact_registration_wins_over_a_remembered_prefix_match(router):
    base = uri("tree")
    caller, wide, narrow = session(router), session(router), session(router)
    wide.send_json([64, 1, {"match": "prefix"}, base])
    assert wide.recv_json()[0] == 65
    caller.send_json([48, 1, {}, base + ".leaf", []])
    inv = wide.recv_json()
    assert inv[0] == 68
    wide.send_json([70, inv[1], {}, []])
    assert caller.recv_json()[0] == 50
    register(narrow, base + ".leaf")
    caller.send_json([48, 2, {}, base + ".leaf", []])
    inv = narrow.recv_json()
    assert inv[0] == 68
    narrow.send_json([70, inv[1], {}, []])
    assert caller.recv_json()[0] == 50
