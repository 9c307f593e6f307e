"""A tiny WebSocket client on Python's socket module, for writing bytes a real client would not.

It does exactly what RFC 6455 asks of a client (masked frames, a proper upgrade request) and
nothing WAMP-specific beyond JSON helpers, so tests can send protocol violations and watch the
router's answer byte by byte. Every read is bounded by a timeout.
"""

import base64
import json
import os
import socket
import struct
import time

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

HELLO_ROLES = {"publisher": {}, "subscriber": {}, "caller": {}, "callee": {}}


class HttpResponse:
    def __init__(self, status, reason, headers, body, sock, rest):
        self.status = status
        self.reason = reason
        self.headers = headers  # lower-case name -> value
        self.body = body
        self.sock = sock
        self.rest = rest  # bytes after the header block (start of the WebSocket stream)

    def __repr__(self):
        return "HttpResponse(%d %s, %r, %r)" % (self.status, self.reason, self.headers, self.body[:200])


def _read_until(sock, marker, deadline, buf=b""):
    while marker not in buf:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no %r within the deadline; got %r" % (marker, buf[:300]))
        sock.settimeout(left)
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed before %r; got %r" % (marker, buf[:300]))
        buf += chunk
    return buf


def http_request(port, path="/ws", headers=None, timeout=5.0, host="127.0.0.1"):
    """Sends a GET with the given headers; returns an HttpResponse (socket left open on 101)."""
    sock = socket.create_connection((host, port), timeout=timeout)
    deadline = time.monotonic() + timeout
    lines = ["GET %s HTTP/1.1" % path, "Host: %s:%d" % (host, port)]
    for k, v in (headers or {}).items():
        lines.append("%s: %s" % (k, v))
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    buf = _read_until(sock, b"\r\n\r\n", deadline)
    head, rest = buf.split(b"\r\n\r\n", 1)
    head_lines = head.decode("latin-1").split("\r\n")
    parts = head_lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    hdrs = {}
    for line in head_lines[1:]:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    if status == 101:
        return HttpResponse(status, reason, hdrs, b"", sock, rest)
    body = rest
    if "content-length" in hdrs:
        want = int(hdrs["content-length"])
        while len(body) < want and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    else:
        try:
            while time.monotonic() < deadline:
                sock.settimeout(max(0.01, min(0.5, deadline - time.monotonic())))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                body += chunk
        except (socket.timeout, OSError):
            pass
    sock.close()
    return HttpResponse(status, reason, hdrs, body, None, b"")


def upgrade_headers(protocols=("wamp.2.json",), origin=None, extra=None):
    h = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
    }
    if protocols:
        h["Sec-WebSocket-Protocol"] = ", ".join(protocols)
    if origin is not None:
        h["Origin"] = origin
    h.update(extra or {})
    return h


class RawWS:
    """One WebSocket connection. recv() answers PINGs and returns whole messages."""

    def __init__(self, sock, rest=b""):
        self.sock = sock
        self.buf = rest
        self.closed = False

    @classmethod
    def connect(cls, port, path="/ws", protocols=("wamp.2.json",), origin=None, timeout=5.0):
        r = http_request(port, path, upgrade_headers(protocols, origin), timeout)
        if r.status != 101:
            raise AssertionError("expected 101 Switching Protocols, got %r" % (r,))
        assert r.headers.get("sec-websocket-protocol") == protocols[0], r.headers
        return cls(r.sock, r.rest)

    # --- sending -------------------------------------------------------------------------
    def send_frame(self, opcode, payload, fin=True):
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        key = os.urandom(4)
        masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + key + masked)

    def send_text(self, text):
        self.send_frame(OP_TEXT, text)

    def send_json(self, msg):
        self.send_text(json.dumps(msg))

    def send_close(self, code=1000, reason=b""):
        self.send_frame(OP_CLOSE, struct.pack("!H", code) + reason)

    # --- receiving -----------------------------------------------------------------------
    def _need(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out waiting for data from the router")
            self.sock.settimeout(left)
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                raise EOFError("router closed the TCP connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv_frame(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        b0, b1 = self._need(2, deadline)
        fin, opcode = bool(b0 & 0x80), b0 & 0x0F
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._need(2, deadline))
        elif n == 127:
            (n,) = struct.unpack("!Q", self._need(8, deadline))
        key = self._need(4, deadline) if b1 & 0x80 else None
        payload = self._need(n, deadline)
        if key:
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        return fin, opcode, payload

    def recv(self, timeout=5.0):
        """Returns ('text'|'binary', bytes) or ('close', code, reason). Raises EOFError/TimeoutError."""
        deadline = time.monotonic() + timeout
        parts, first_op = [], None
        while True:
            fin, op, payload = self.recv_frame(max(0.0, deadline - time.monotonic()))
            if op == OP_PING:
                self.send_frame(OP_PONG, payload)
                continue
            if op == OP_PONG:
                continue
            if op == OP_CLOSE:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return ("close", code, payload[2:])
            if op != OP_CONT:
                first_op = op
            parts.append(payload)
            if fin:
                data = b"".join(parts)
                return ("text" if first_op == OP_TEXT else "binary", data)

    def recv_json(self, timeout=5.0):
        m = self.recv(timeout)
        if m[0] == "close":
            raise AssertionError("expected a WAMP message, got WebSocket close %r" % (m,))
        return json.loads(m[1].decode("utf-8"))

    def expect_closed(self, timeout=5.0):
        """Waits until the router sends a close frame or drops TCP; returns the close code or None."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                m = self.recv(max(0.0, deadline - time.monotonic()))
                if m[0] == "close":
                    return m[1]
        except (EOFError, ConnectionResetError):
            return None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # --- WAMP helpers --------------------------------------------------------------------
    def hello(self, realm="realm1", roles=None, details=None):
        d = {"roles": roles if roles is not None else HELLO_ROLES}
        d.update(details or {})
        self.send_json([1, realm, d])

    def join(self, realm="realm1", roles=None, timeout=5.0):
        """HELLO, then returns the WELCOME message (asserts it is one)."""
        self.hello(realm, roles)
        msg = self.recv_json(timeout)
        assert msg[0] == 2, "expected WELCOME, got %r" % (msg,)
        return msg

    def expect_abort_then_close(self, timeout=5.0):
        """Reads until ABORT; then asserts the connection is closed. Returns the ABORT."""
        msg = self.recv_json(timeout)
        assert msg[0] == 3, "expected ABORT, got %r" % (msg,)
        self.expect_closed(timeout)
        return msg
