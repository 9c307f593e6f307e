"""Joining and leaving a realm: WELCOME details, ABORT for an unknown realm, GOODBYE."""

import pytest

from rawws import RawWS
from wampclient import JoinRefused, ack, in_thread, run, subscribe, wait

SERIALIZERS = ["json", "msgpack"]


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_join_realm1_gives_anonymous_session(router, ser):
    async def body(pool):
        s = await pool.connect(router.url, ser)
        d = await wait(s.joined)
        assert d.realm == "realm1"
        assert isinstance(d.session, int) and 1 <= d.session <= 2 ** 53
        assert isinstance(d.authid, str) and d.authid
        assert d.authrole == "anonymous"
        assert d.authmethod == "anonymous"
        assert d.authprovider == "static"
        assert set(s._router_roles) >= {"broker", "dealer"}

    run(body)


def test_welcome_details_on_the_wire(router):
    ws = RawWS.connect(router.port)
    try:
        welcome = ws.join("realm1")
        assert len(welcome) == 3, welcome
        _, session, details = welcome
        assert isinstance(session, int) and 1 <= session <= 2 ** 53
        assert isinstance(details.get("authid"), str) and details["authid"]
        assert details.get("authrole") == "anonymous"
        assert details.get("authmethod") == "anonymous"
        assert details.get("authprovider") == "static"
        roles = details.get("roles")
        assert isinstance(roles, dict), details
        assert isinstance(roles.get("broker"), dict), roles
        assert isinstance(roles.get("dealer"), dict), roles
    finally:
        ws.close()


def test_two_sessions_get_distinct_ids(router):
    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "msgpack")
        assert a.id != b.id
        # Crossbar gives each anonymous session its own random authid.
        assert (await wait(a.joined)).authid != (await wait(b.joined)).authid

    run(body)


@pytest.mark.parametrize("ser", SERIALIZERS)
def test_unknown_realm_is_aborted_with_no_such_realm(router, ser):
    async def body(pool):
        sub = await pool.connect(router.url, "json")
        sink, _ = await subscribe(sub, "com.example.after_abort")
        with pytest.raises(JoinRefused) as e:
            await pool.connect(router.url, ser, realm="no_such_realm_here")
        assert e.value.details.reason == "wamp.error.no_such_realm"
        # The router still serves the others.
        pub = await pool.connect(router.url, "msgpack")
        await wait(pub.publish("com.example.after_abort", 1, options=ack()))
        args, _, _ = await sink.get()
        assert args == [1]

    run(body)


def test_client_goodbye_gets_goodbye_and_out(router):
    ws = RawWS.connect(router.port)
    try:
        ws.join("realm1")
        ws.send_json([6, {}, "wamp.close.close_realm"])
        reply = ws.recv_json()
        assert reply[0] == 6, reply
        assert reply[2] == "wamp.close.goodbye_and_out", reply
    finally:
        ws.close()


def test_autobahn_leave_completes(router):
    async def body(pool):
        s = await pool.connect(router.url, "msgpack")
        s.leave()
        details = await wait(s.left)
        assert details.reason == "wamp.close.goodbye_and_out"
        await wait(s.disconnected)

    run(body)


def test_raw_goodbye_then_router_still_serves(router):
    async def body(pool):
        sub = await pool.connect(router.url, "json")
        sink, _ = await subscribe(sub, "com.example.after_goodbye")

        def raw():
            ws = RawWS.connect(router.port)
            try:
                ws.join()
                ws.send_json([6, {}, "wamp.close.normal"])
                return ws.recv_json()
            finally:
                ws.close()

        reply = await in_thread(raw)
        assert reply[0] == 6
        pub = await pool.connect(router.url, "json")
        await wait(pub.publish("com.example.after_goodbye", "x", options=ack()))
        args, _, _ = await sink.get()
        assert args == ["x"]

    run(body)
