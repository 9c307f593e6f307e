"""Slow consumers and heartbeats: the router protects itself and everyone else."""

import json
import socket
import struct
import threading
import time

from rawws import OP_CLOSE, OP_PING, RawWS, upgrade_headers

TOPIC = "com.example.flood"
N_EVENTS = 600
PAYLOAD = "x" * 65536  # 600 x 64 KiB = 38 MiB, well over the 16 MiB per-connection bound


def is_sanitized(path):
    """ASan keeps freed memory in a quarantine (256 MiB by default), so RSS says nothing there."""
    with open(path, "rb") as f:
        return b"__asan_init" in f.read()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def slow_subscriber(port):
    """A subscriber with a tiny receive buffer that will never read after subscribing."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    head = b"GET /ws HTTP/1.1\r\n" + b"".join(
        ("%s: %s\r\n" % kv).encode() for kv in upgrade_headers().items()
    ) + b"\r\n"
    s.sendall(head)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        assert chunk, "router closed during the upgrade"
        buf += chunk
    ws = RawWS(s, buf.split(b"\r\n\r\n", 1)[1])
    ws.join()
    ws.send_json([32, 1, {}, TOPIC])
    assert ws.recv_json()[0] == 33
    return ws


def test_slow_consumer_is_closed_and_others_lose_nothing(start_router):
    r = start_router()
    good = RawWS.connect(r.port)
    good.join()
    good.send_json([32, 1, {}, TOPIC])
    assert good.recv_json()[0] == 33
    slow = slow_subscriber(r.port)
    pub = RawWS.connect(r.port)
    pub.join()

    received, errors = [], []

    def read_good():
        try:
            while len(received) < N_EVENTS:
                msg = good.recv_json(timeout=20)
                if msg[0] == 36:
                    received.append(msg[4][0])
        except Exception as e:  # reported below
            errors.append(e)

    reader = threading.Thread(target=read_good, daemon=True)
    reader.start()
    peak = 0
    for i in range(N_EVENTS):
        pub.send_json([16, i + 1, {}, TOPIC, [i, PAYLOAD]])
        if i % 50 == 0:
            peak = max(peak, rss_kib(r.proc.pid))
    reader.join(timeout=60)
    peak = max(peak, rss_kib(r.proc.pid))
    assert not errors, errors
    assert received == list(range(N_EVENTS)), "the well-behaved subscriber lost or reordered events"
    # The slow one was cut off: 1008 if its close frame got through, or a dropped connection.
    code = slow.expect_closed(timeout=10)
    assert code in (1008, None)
    assert "slow consumer" in r.log_text()
    # Queues are bounded at 16 MiB per connection; the whole flood was 38 MiB.
    if not is_sanitized(r.cmd[0]):
        assert peak < 100 * 1024, "router RSS grew to %d KiB" % peak
    # The router still serves.
    pub.send_json([16, 9999, {}, TOPIC, ["after"]])
    assert good.recv_json(timeout=10)[4] == ["after"]
    for ws in (good, slow, pub):
        ws.close()


def _frames(msgs):
    """Masked text frames for msgs, with an all-zero masking key (valid, and no per-byte
    Python masking for megabytes of them)."""
    out = []
    for m in msgs:
        data = json.dumps(m).encode()
        n = len(data)
        head = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack("!H", n))
        out.append(head + b"\0\0\0\0" + data)
    return b"".join(out)


def test_slow_sole_subscriber_of_small_events_is_closed(start_router):
    # With one subscriber, EVENTs go straight into its output chunks (no shared frame), and
    # small ones are copied there: that path must hit the bound and close it too.
    r = start_router()
    slow = slow_subscriber(r.port)  # alone on TOPIC
    good = RawWS.connect(r.port)
    good.join()
    good.send_json([32, 1, {}, "com.example.other"])
    assert good.recv_json()[0] == 33
    pub = RawWS.connect(r.port)
    pub.join()
    small = "y" * 900  # below the 1 KiB copy limit: 4 EVENTs per 4 KiB chunk
    for start in range(0, 24000, 1000):  # ~22 MB of events, over the 16 MiB bound
        pub.sock.sendall(_frames([16, i + 1, {}, TOPIC, [i, small]] for i in range(start, start + 1000)))
    code = slow.expect_closed(timeout=10)
    assert code in (1008, None)
    assert "slow consumer" in r.log_text()
    pub.send_json([16, 99999, {}, "com.example.other", ["after"]])
    assert good.recv_json(timeout=10)[4] == ["after"]
    for ws in (good, slow, pub):
        ws.close()


HEARTBEAT = {"auto_ping_interval": 1000, "auto_ping_timeout": 1000, "auto_ping_size": 12}


def test_auto_ping_sends_pings_and_drops_a_silent_peer(start_router):
    r = start_router({"ws_options": HEARTBEAT})
    ws = RawWS.connect(r.port)
    ws.join()
    t0 = time.monotonic()
    fin, op, payload = ws.recv_frame(timeout=5)
    assert op == OP_PING and len(payload) == 12
    assert time.monotonic() - t0 < 3
    # Never answer: the router gives up after auto_ping_timeout.
    deadline = time.monotonic() + 6
    closed = None
    while time.monotonic() < deadline:
        try:
            fin, op, payload = ws.recv_frame(timeout=deadline - time.monotonic())
        except (EOFError, ConnectionResetError):
            closed = "eof"
            break
        if op == OP_CLOSE:
            closed = "close"
            break
    assert closed is not None, "a peer that never answered PING was not dropped"
    assert "no pong" in r.log_text()
    ws.close()


def test_auto_ping_keeps_a_live_peer(start_router):
    r = start_router({"ws_options": HEARTBEAT})
    ws = RawWS.connect(r.port)
    ws.join()
    ws.send_json([32, 1, {}, "com.example.alive"])
    assert ws.recv_json()[0] == 33
    pings = 0
    deadline = time.monotonic() + 3.5
    while time.monotonic() < deadline:  # answer every PING (recv() would too; count them)
        try:
            fin, op, payload = ws.recv_frame(timeout=deadline - time.monotonic())
        except TimeoutError:
            break
        assert op != OP_CLOSE, "router closed a peer that answered its pings"
        if op == OP_PING:
            pings += 1
            ws.send_frame(0xA, payload)
    assert pings >= 2
    other = RawWS.connect(r.port)
    other.join()
    other.send_json([16, 1, {}, "com.example.alive", ["still here"]])
    assert ws.recv_json()[4] == ["still here"]
    ws.close()
    other.close()


def test_http_head_timeout_is_bounded(start_router):
    r = start_router({"ws_options": {"open_handshake_timeout": 1000}})
    s = socket.create_connection(("127.0.0.1", r.port), timeout=5)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\n")  # never finishes the head
    t0 = time.monotonic()
    assert s.recv(1024) == b""
    assert time.monotonic() - t0 < 4
    s.close()
