"""The router copies small frames into its per-connection output chunks and queues large ones
by reference, tries each write at once, and keeps only what the socket did not take (router/
conn.c, wd_conn_send and write_batch). Frames of every size on either side of that line, arriving in one read and so
leaving in one flush, must reach the subscriber whole and in order, also when the subscriber's
socket is full and the rest waits in the router."""

from rawws import RawWS

# Argument lengths around the 1024-byte copy limit, with 16- and 64-bit WebSocket lengths.
SIZES = [0, 1, 500, 960, 975, 990, 1000, 1010, 1100, 3000, 70000, 2, 40000, 7]


class _Capture:
    def __init__(self):
        self.data = bytearray()

    def sendall(self, b):
        self.data += b


def send_batch(ws, msgs):
    """Sends msgs in one sendall, so the router reads them together."""
    real, cap = ws.sock, _Capture()
    ws.sock = cap
    try:
        for m in msgs:
            ws.send_json(m)
    finally:
        ws.sock = real
    real.sendall(bytes(cap.data))


def run(router, topic, rounds, read_late):
    pub, sub = RawWS.connect(router.port), RawWS.connect(router.port)
    pub.join()
    sub.join()
    sub.send_json([32, 1, {}, topic])
    assert sub.recv_json()[0] == 33
    n = rounds * len(SIZES)
    args = [[i, "x" * SIZES[i % len(SIZES)]] for i in range(n)]
    send_batch(pub, [[16, i + 1, {"acknowledge": i % 3 == 0}, topic, args[i]] for i in range(n)])
    if read_late:  # every event is routed (and acknowledged) before the subscriber reads
        acks = [pub.recv_json(timeout=20.0) for _ in range(0, n, 3)]
    for i in range(n):
        ev = sub.recv_json(timeout=20.0)
        assert ev[0] == 36 and ev[4] == args[i], (i, ev[:3])
    if not read_late:
        acks = [pub.recv_json(timeout=20.0) for _ in range(0, n, 3)]
    assert [a[1] for a in acks] == [i + 1 for i in range(0, n, 3)]
    assert all(a[0] == 17 for a in acks)


def test_small_and_large_events_in_one_flush_arrive_whole_and_in_order(router):
    run(router, "com.example.gather.mixed", 20, False)  # ~1.5 MB: several gather areas' worth


def test_events_wait_whole_and_in_order_while_the_subscriber_does_not_read(router):
    # ~8 MB: more than the loopback socket buffers take, so writes are partial and queued
    run(router, "com.example.gather.late", 100, True)


def test_calls_and_results_of_every_size_arrive_whole_and_in_order(router):
    # INVOCATION and RESULT have one receiver each: they are encoded straight into its output
    # (small) or into a buffer of their own (large), never shared.
    proc = "com.example.gather.echo"
    callee, caller = RawWS.connect(router.port), RawWS.connect(router.port)
    callee.join()
    caller.join()
    callee.send_json([64, 1, {}, proc])
    assert callee.recv_json()[0] == 65
    n = 4 * len(SIZES)
    args = [[i, "y" * SIZES[i % len(SIZES)]] for i in range(n)]
    send_batch(caller, [[48, i + 1, {}, proc, args[i]] for i in range(n)])
    invs = [callee.recv_json(timeout=20.0) for _ in range(n)]
    assert [inv[0] for inv in invs] == [68] * n
    assert [inv[4] for inv in invs] == args
    send_batch(callee, [[70, inv[1], {}, inv[4]] for inv in invs])
    for i in range(n):
        res = caller.recv_json(timeout=20.0)
        assert res[0] == 50 and res[1] == i + 1 and res[3] == args[i], (i, res[:2])
