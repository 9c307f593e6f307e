"""RawSocket transport: Autobahn|Python over RawSocket talks to WebSocket sessions, and the
handshake and framing rules hold byte by byte."""

import json
import select
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Router, free_port, make_config
from wampclient import PAYLOAD_ARGS, PAYLOAD_KWARGS, ack, run, subscribe, wait

HERE = Path(__file__).resolve().parent


def rawsocket_overrides(rs_port, max_message_size=None):
    rs = {"type": "rawsocket", "serializers": ["cbor", "msgpack", "json"],
          "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": rs_port, "backlog": 1024}}
    if max_message_size:
        rs["options"] = {"max_message_size": max_message_size}
    return rs


@pytest.fixture(scope="module")
def rs_router(tmp_path_factory):
    rs_port = free_port()
    r = Router(tmp_path_factory.mktemp("rs"), write_config=False)
    cfg = make_config(r.port)
    cfg["workers"][0]["transports"].append(rawsocket_overrides(rs_port, 1048576))
    (r.cbdir / "config.json").write_text(json.dumps(cfg))
    r.rs_port = rs_port
    r.start()
    yield r
    r.stop()


@pytest.fixture
def rs_client(rs_router):
    """rs_client(serializer) -> a running rs_client.py process, joined and ready."""
    procs = []

    def start(ser):
        p = subprocess.Popen([sys.executable if sys.executable.startswith("/usr/bin") else
                              "/usr/bin/python3", str(HERE / "rs_client.py"),
                              str(rs_router.rs_port), ser],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(p)
        deadline, seen = time.monotonic() + 15, []
        while time.monotonic() < deadline:
            ready, _, _ = select.select([p.stdout], [], [], 0.2)
            if not ready:
                continue
            line = p.stdout.readline()
            seen.append(line)
            if line.startswith("ready"):
                return p
            if not line:
                break
        p.kill()
        pytest.fail("the RawSocket client did not join:\n" + "".join(seen))

    yield start
    for p in procs:
        p.kill()
        p.wait(timeout=10)


@pytest.mark.parametrize("rs_ser,ws_ser", [("json", "msgpack"), ("msgpack", "json"), ("msgpack", "msgpack")])
def test_rawsocket_and_websocket_sessions_exchange_events_and_calls(rs_router, rs_client, rs_ser, ws_ser):
    rs_client(rs_ser)

    async def body(pool):
        ws = await pool.connect(rs_router.url, ws_ser)
        sink, _ = await subscribe(ws, "com.rs.out." + rs_ser)
        await wait(ws.publish("com.rs.in." + rs_ser, *PAYLOAD_ARGS, options=ack(), **PAYLOAD_KWARGS))
        args, kwargs, _ = await sink.get()
        assert args == PAYLOAD_ARGS and kwargs == PAYLOAD_KWARGS
        res = await wait(ws.call("com.rs.echo." + rs_ser, 21, x="y"))
        assert res == [[21], {"x": "y"}]

    run(body)


def raw_connect(port, hello):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(hello)
    reply = b""
    while len(reply) < 4:
        chunk = s.recv(4 - len(reply))
        if not chunk:
            break
        reply += chunk
    return s, reply


def recv_frame(s):
    head = b""
    while len(head) < 4:
        chunk = s.recv(4 - len(head))
        assert chunk, "router closed"
        head += chunk
    n = struct.unpack("!I", b"\0" + head[1:])[0]
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return head[0] & 7, body


def frame(t, payload):
    return bytes([t]) + struct.pack("!I", len(payload))[1:] + payload


def test_handshake_accepts_json_and_announces_the_configured_limit(rs_router):
    s, reply = raw_connect(rs_router.rs_port, b"\x7f\xf1\x00\x00")
    assert reply == b"\x7f\xb1\x00\x00"  # 1 MiB (L = 11), json
    s.sendall(frame(1, b"beat"))  # PING
    assert recv_frame(s) == (2, b"beat")  # PONG echoes
    s.sendall(frame(0, b'[1,"realm1",{"roles":{"subscriber":{}}}]'))
    t, body = recv_frame(s)
    assert t == 0 and body.startswith(b"[2,")
    s.close()


def test_handshake_refuses_unknown_serializer_and_bad_magic(rs_router):
    s, reply = raw_connect(rs_router.rs_port, b"\x7f\xf4\x00\x00")  # ubjson: not served
    assert reply == b"\x7f\x10\x00\x00"
    s.close()
    s, reply = raw_connect(rs_router.rs_port, b"GET / HTTP/1.1\r\n\r\n")
    assert reply == b"\x7f\x30\x00\x00"  # reserved bits / not RawSocket
    s.close()


def test_message_over_the_limit_drops_the_connection_only(rs_router):
    s, reply = raw_connect(rs_router.rs_port, b"\x7f\xf1\x00\x00")
    s.sendall(bytes([0, 0x20, 0, 0]))  # announces 2 MiB: over our 1 MiB
    s.settimeout(5)
    try:
        assert s.recv(10) == b""
    except ConnectionResetError:
        pass
    s.close()

    s, reply = raw_connect(rs_router.rs_port, b"\x7f\xf1\x00\x00")  # everyone else is fine
    assert reply == b"\x7f\xb1\x00\x00"
    s.close()
