"""At the process's descriptor limit (issue 3): wampd refuses what it cannot accept, says so in
one line a second at most, keeps serving the sessions it has, and accepts again once some leave."""

import socket
import time

from rawws import RawWS

LIMIT = 64
TOPIC = "com.example.fd"


def try_session(port):
    """A joined session, or None when the router cannot take the connection."""
    try:
        ws = RawWS.connect(port, timeout=2.0)
        ws.join(timeout=2.0)
        return ws
    except (AssertionError, OSError, EOFError, socket.timeout):
        return None


def test_sessions_up_to_the_descriptor_limit_then_refused_cleanly(start_router):
    r = start_router(nofile=LIMIT)
    assert "file descriptor limit %d" % LIMIT in r.log_text()
    sessions, refused = [], 0
    for _ in range(LIMIT + 16):  # bounded: more attempts than descriptors
        ws = try_session(r.port)
        if ws is None:
            refused += 1
        else:
            sessions.append(ws)
    # A few descriptors are the router's own (stdio, epoll, listener, libuv's reserve).
    assert LIMIT - 16 <= len(sessions) < LIMIT, len(sessions)
    assert refused >= 16
    assert "new ones are refused: the file descriptor limit is reached" in r.log_text()
    assert r.log_text().count("are refused") < refused  # at most one line a second

    # The sessions it holds still work: subscribe on one, publish on another.
    sub, pub = sessions[0], sessions[1]
    sub.send_json([32, 1, {}, TOPIC])
    assert sub.recv_json()[0] == 33
    pub.send_json([16, 2, {"acknowledge": True}, TOPIC, ["at the limit"]])
    assert pub.recv_json()[0] == 17
    ev = sub.recv_json()
    assert ev[0] == 36 and ev[4] == ["at the limit"]

    # Room again once sessions leave.
    for ws in sessions[-4:]:
        ws.close()
    del sessions[-4:]
    again = None
    deadline = time.monotonic() + 5
    while again is None and time.monotonic() < deadline:
        again = try_session(r.port)
        if again is None:
            time.sleep(0.1)
    assert again is not None, "no session accepted after others left"
    sessions.append(again)
    for ws in sessions:
        ws.close()
    assert r.alive()
