"""Bytes a well-behaved client would not send, written on a raw socket, and the WebSocket upgrade.

Every protocol violation must end that session only (ABORT wamp.error.protocol_violation, then
the WebSocket closes) while an established Autobahn session still gets its next EVENT.
"""

import itertools
import json

import pytest

from rawws import RawWS, http_request, upgrade_headers
from wampclient import ack, in_thread, run, subscribe, wait

_seq = itertools.count()


def violate_before_hello(ws):
    ws.send_json([32, 1, {}, "com.example.x"])


def violate_second_hello(ws):
    ws.join()
    ws.hello()


def violate_unknown_type(ws):
    ws.join()
    ws.send_json([999])


def violate_empty_array(ws):
    ws.join()
    ws.send_json([])


def violate_malformed_json(ws):
    ws.join()
    ws.send_text('[16, 1, {}, "com.example.x"')


def violate_malformed_json_before_hello(ws):
    ws.send_text('[1, "realm1", {"roles": ')


def violate_yield_unknown_request(ws):
    ws.join()
    ws.send_json([70, 424242, {}, ["nobody asked"]])


def violate_goodbye_before_hello(ws):
    ws.send_json([6, {}, "wamp.close.normal"])


VIOLATIONS = [
    violate_before_hello,
    violate_second_hello,
    violate_unknown_type,
    violate_empty_array,
    violate_malformed_json,
    violate_malformed_json_before_hello,
    violate_yield_unknown_request,
    violate_goodbye_before_hello,
]


@pytest.mark.parametrize("violation", VIOLATIONS, ids=lambda f: f.__name__[len("violate_"):])
def test_protocol_violation_aborts_only_that_session(router, violation):
    t = "com.example.transport.violation.%d" % next(_seq)

    async def body(pool):
        sub = await pool.connect(router.url, "msgpack")
        sink, _ = await subscribe(sub, t)

        def bad_client():
            ws = RawWS.connect(router.port)
            try:
                violation(ws)
                return ws.expect_abort_then_close()
            finally:
                ws.close()

        abort = await in_thread(bad_client)
        assert abort[2] == "wamp.error.protocol_violation", abort
        assert isinstance(abort[1], dict), abort
        pub = await pool.connect(router.url, "json")
        await wait(pub.publish(t, "after", options=ack()))
        args, _, _ = await sink.get()
        assert args == ["after"]
        assert sub.is_attached()

    run(body)


def test_handshake_without_subprotocol_is_400(router):
    r = http_request(router.port, "/ws", upgrade_headers(protocols=()))
    assert r.status == 400, r


def test_handshake_with_only_cbor_is_400(router):
    r = http_request(router.port, "/ws", upgrade_headers(protocols=("wamp.2.cbor",)))
    assert r.status == 400, r


def test_handshake_picks_first_supported_subprotocol(router):
    r = http_request(
        router.port, "/ws",
        upgrade_headers(protocols=("wamp.2.cbor", "wamp.2.msgpack.batched", "wamp.2.msgpack", "wamp.2.json")),
    )
    try:
        assert r.status == 101, r
        assert r.headers.get("sec-websocket-protocol") == "wamp.2.msgpack", r.headers
    finally:
        if r.sock:
            r.sock.close()


def test_plain_get_on_ws_path_is_a_200_page(router):
    r = http_request(router.port, "/ws")
    assert r.status == 200, r
    assert r.headers.get("content-type", "").startswith("text/"), r.headers
    assert r.body, r


def test_message_over_max_message_size_closes_1009(start_router):
    r = start_router({"ws_options": {"max_message_size": 1024}})
    t = "com.example.transport.big"

    async def body(pool):
        sub = await pool.connect(r.url, "json")
        sink, _ = await subscribe(sub, t)

        def big_client():
            ws = RawWS.connect(r.port)
            try:
                ws.join()
                # Under the limit: fine.
                ws.send_json([16, 1, {"acknowledge": True}, t, ["s" * 500]])
                ok = ws.recv_json()
                ws.send_text(json.dumps([16, 2, {}, t, ["x" * 4096]]))
                return ok, ws.expect_closed()
            finally:
                ws.close()

        ok, code = await in_thread(big_client)
        assert ok[0] == 17, ok
        assert code == 1009, "expected close code 1009, got %r" % (code,)
        args, _, _ = await sink.get()
        assert args == ["s" * 500]
        pub = await pool.connect(r.url, "msgpack")
        await wait(pub.publish(t, "after", options=ack()))
        args, _, _ = await sink.get()
        assert args == ["after"], "the oversized message must not have been published"

    run(body)


def test_origin_not_allowed_is_400(start_router):
    r = start_router({"ws_options": {"allowed_origins": ["http://good.example.com:8000"]}})
    bad = http_request(r.port, "/ws", upgrade_headers(origin="http://evil.example.com:8000"))
    assert bad.status == 400, bad
    good = http_request(r.port, "/ws", upgrade_headers(origin="http://good.example.com:8000"))
    if good.sock:
        good.sock.close()
    assert good.status == 101, good
    none = http_request(r.port, "/ws", upgrade_headers())  # non-browser clients send no Origin
    if none.sock:
        none.sock.close()
    assert none.status == 101, none


def test_websocket_close_from_client_is_answered(router):
    ws = RawWS.connect(router.port)
    try:
        ws.join()
        ws.send_close(1000)
        assert ws.expect_closed() == 1000, "the router must answer a close frame with one"
    finally:
        ws.close()


def test_no_subprotocol_is_json_when_not_required(start_router):
    r = start_router({"ws_options": {"require_websocket_subprotocol": False}})
    resp = http_request(r.port, "/ws", upgrade_headers(protocols=()))
    assert resp.status == 101, resp
    assert "sec-websocket-protocol" not in resp.headers
    ws = RawWS(resp.sock, resp.rest)
    try:
        assert ws.join()[0] == 2  # JSON, as Crossbar assumes
    finally:
        ws.close()
    # Offering only unknown subprotocols is still refused.
    assert http_request(r.port, "/ws", upgrade_headers(protocols=("wamp.2.cbor",))).status == 400


def test_webstatus_off_and_null_origin_refused(start_router):
    r = start_router({"ws_options": {"enable_webstatus": False, "allow_null_origin": False}})
    plain = http_request(r.port, "/ws")
    assert plain.status != 200 and plain.status >= 400, plain
    assert http_request(r.port, "/ws", upgrade_headers(origin="null")).status == 400


def test_frame_over_max_frame_size_closes_1009(start_router):
    r = start_router({"ws_options": {"max_frame_size": 512}})
    ws = RawWS.connect(r.port)
    try:
        ws.join()
        ws.send_frame(0x1, json.dumps([16, 1, {}, "com.x", ["y" * 1000]]))
        assert ws.expect_closed() == 1009
    finally:
        ws.close()
