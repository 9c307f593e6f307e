"""Crossbar's HTTP bridge on a real wampd: POST /publish and /call against Autobahn subscribers
and callees, every status code and body of WAMP-NOTES §2.2-2.5, signed requests, webhook,
nodeinfo and static paths, and the MessageForwarder / RESTCallee components talking to a local
HTTP server started by the test. Every wait is bounded."""

import base64
import datetime
import hashlib
import hmac
import http.client
import http.server
import json
import random
import socket
import subprocess
import threading
import time
import urllib.parse

import pytest
from autobahn.wamp.types import CallResult

from conftest import FULL_PERMISSIONS, Router, free_port, wampd_path
from wampclient import in_thread, run, subscribe, wait

KEY, SECRET = "foobar", "secret123"
JSON_CT = {"Content-Type": "application/json"}


def bridge_config(port, paths=None, components=None, roles=None, extra_workers=()):
    roles = roles or [{"name": "anonymous", "permissions": [FULL_PERMISSIONS]}]
    all_paths = {
        "ws": {"type": "websocket"},
        "publish": {"type": "publisher", "realm": "realm1", "role": "anonymous"},
        "call": {"type": "caller", "realm": "realm1", "role": "anonymous"},
    }
    all_paths.update(paths or {})
    worker = {
        "type": "router",
        "realms": [{"name": "realm1", "roles": roles}],
        "transports": [{"type": "web", "endpoint": {"type": "tcp", "interface": "127.0.0.1",
                                                    "port": port}, "paths": all_paths}],
    }
    if components:
        worker["components"] = components
    return {"version": 2, "controller": {}, "workers": [worker, *extra_workers]}


@pytest.fixture
def bridge(tmp_path):
    """bridge(paths=..., components=...) -> Router started with that config."""
    routers = []

    def start(**kw):
        port = free_port()
        r = Router(tmp_path / ("cbdir%d" % len(routers)), port=port, write_config=False)
        r.config = bridge_config(port, **kw)
        (r.cbdir / "config.json").write_text(json.dumps(r.config, indent=2))
        routers.append(r)
        return r.start()

    start.routers = routers
    yield start
    errors = []
    for r in routers:
        try:
            r.stop()
        except BaseException as e:
            errors.append(str(e))
    if errors:
        pytest.fail("\n".join(errors))


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One router with the usual bridge paths, for the request-check tests."""
    port = free_port()
    r = Router(tmp_path_factory.mktemp("bridge"), port=port, write_config=False)
    r.config = bridge_config(port, paths={
        "limited": {"type": "publisher", "realm": "realm1", "role": "anonymous",
                    "options": {"post_body_limit": 100}},
        "signed": {"type": "publisher", "realm": "realm1", "role": "anonymous",
                   "options": {"key": KEY, "secret": SECRET, "timestamp_delta_limit": 10}},
        "signedcall": {"type": "caller", "realm": "realm1", "role": "anonymous",
                       "options": {"key": KEY, "secret": SECRET}},
        "slowcall": {"type": "caller", "realm": "realm1", "role": "anonymous",
                     "options": {"timeout": 300}},
        "local": {"type": "publisher", "realm": "realm1", "role": "anonymous",
                  "options": {"require_ip": ["10.0.0.0/8", "192.168.1.0/255.255.255.0"]}},
        "tls": {"type": "publisher", "realm": "realm1", "role": "anonymous",
                "options": {"require_tls": True}},
        "hook": {"type": "webhook", "realm": "realm1", "role": "anonymous",
                 "options": {"topic": "com.example.hook"}},
        "github": {"type": "webhook", "realm": "realm1", "role": "anonymous",
                   "options": {"topic": "com.example.gh", "github_secret": "ghs",
                               "success_response": "yes", "error_response": "no"}},
        "info": {"type": "nodeinfo"},
    })
    (r.cbdir / "config.json").write_text(json.dumps(r.config, indent=2))
    r.start()
    yield r
    r.stop()


def request(router, path, body=b"", method="POST", headers=None, timeout=10):
    """One HTTP request; returns (status, headers dict lower-cased, body bytes)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    elif isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection("127.0.0.1", router.port, timeout=timeout)
    try:
        conn.request(method, path, body=body if method not in ("GET", "HEAD") or body else None,
                     headers=headers if headers is not None else dict(JSON_CT))
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def jbody(b):
    return json.loads(b.decode())


def deny(text):
    return {"error": text, "args": [], "kwargs": {}}


# --- publisher ------------------------------------------------------------------------------


def test_publish_reaches_subscriber_and_answers_id(shared):
    async def body(pool):
        s = await pool.connect(shared.url)
        ev, _ = await subscribe(s, "com.example.pub")
        st, hd, b = await in_thread(request, shared, "/publish",
                                    {"topic": "com.example.pub", "args": ["Hello", 23],
                                     "kwargs": {"a": 1}})
        assert st == 200
        assert list(jbody(b)) == ["id"] and isinstance(jbody(b)["id"], int)
        assert b.startswith(b'{"id":')  # compact, as Crossbar's dump_json
        args, kwargs, _ = await ev.get()
        assert list(args) == ["Hello", 23] and kwargs.get("a") == 1
        assert hd["access-control-allow-origin"] == "*"
        assert hd["access-control-allow-credentials"] == "true"
        assert hd["cache-control"] == "no-store,no-cache,must-revalidate,max-age=0"
        assert hd["content-type"] == "application/json; charset=UTF-8"
    run(body)


def test_publish_without_subscribers_and_eligible_option(shared):
    async def body(pool):
        a = await pool.connect(shared.url)
        b_ = await pool.connect(shared.url)
        ea, _ = await subscribe(a, "com.example.elig")
        eb, _ = await subscribe(b_, "com.example.elig")
        st, _, b = await in_thread(request, shared, "/publish",
                                   {"topic": "com.example.elig", "args": [1],
                                    "options": {"eligible": [a.id]}})
        assert st == 200 and "id" in jbody(b)
        await ea.get()
        assert eb.pending() == 0
        st, _, b = await in_thread(request, shared, "/publish", {"topic": "com.example.nobody"})
        assert st == 200 and "id" in jbody(b)
    run(body)


def test_publish_wamp_errors_are_200(shared):
    st, _, b = request(shared, "/publish", {"topic": "wamp.session.on_join"})
    assert st == 200 and jbody(b)["error"] == "wamp.error.invalid_uri"
    assert set(jbody(b)) == {"error", "args", "kwargs"}


def test_options_preflight_and_cors(shared):
    st, hd, b = request(shared, "/publish", method="OPTIONS",
                        headers={"Origin": "https://app.example.com",
                                 "Access-Control-Request-Headers": "content-type"})
    assert st == 200 and b == b""
    assert hd["allow"] == "POST,PUT,OPTIONS"
    assert hd["access-control-allow-methods"] == "POST,PUT,OPTIONS"
    assert hd["access-control-allow-origin"] == "https://app.example.com"
    assert hd["access-control-allow-headers"] == "content-type"


CHECKS = [
    # (method, headers, body, status, error text)
    ("GET", {}, b"", 405,
     "Method not accepted by the REST bridge. (b'GET' not allowed, only POST, PUT)"),
    ("POST", {"Content-Type": "text/plain"}, b"{}", 400,
     "Non-accepted content type. (must be one of '[b'application/json']', not 'b'text/plain'')"),
    ("POST", {"Content-Type": "application/json; charset=ascii"}, b"{}", 400,
     "Non-accepted request encoding, must be UTF-8."),
    ("POST", {"Content-Type": "application/json;charset=blarg;charset=boo"}, b"{}", 400,
     "Non-accepted request encoding, must be UTF-8."),
    ("POST", JSON_CT, b"sometext", 400, "Request body was invalid JSON."),
    ("POST", JSON_CT, b"[{},{}]", 400,
     "Request body was valid JSON, but not well formed (must be a dict)."),
    ("POST", JSON_CT, b'{"args": [1]}', 400,
     "Request body was valid JSON, but not well formed (missing key 'topic')."),
    ("POST", JSON_CT, b'{"topic": "a.b", "args": "abc"}', 400,
     "Request body was valid JSON, but not well formed ('args' must be a list)."),
    ("POST", JSON_CT, b'{"topic": "a.b", "kwargs": [1]}', 400,
     "Request body was valid JSON, but not well formed ('kwargs' must be an object)."),
    ("POST", JSON_CT, b'{"topic": 5}', 400,
     "Request body was valid JSON, but not well formed ('topic' must be a string)."),
    ("POST", JSON_CT, b'{"topic": "a.b", "args": ["abc\xe9"]}', 400,
     "Non-decodable request body, was not UTF-8."),
]


@pytest.mark.parametrize("method,headers,body,status,text", CHECKS)
def test_request_checks(shared, method, headers, body, status, text):
    st, hd, b = request(shared, "/publish", body, method=method, headers=headers)
    assert (st, jbody(b)) == (status, deny(text))
    assert hd["content-type"] == "application/json; charset=UTF-8"


def test_charset_and_caps_accepted(shared):
    for ct in ("application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=UTF8"):
        st, _, b = request(shared, "/publish", {"topic": "com.example.x"},
                           headers={"Content-Type": ct})
        assert st == 200, (ct, b)
    st, _, b = request(shared, "/publish", {"topic": "com.example.x"}, headers={})
    assert st == 200  # no Content-Type at all is fine


def test_body_limit(shared):
    ok = {"topic": "com.example.lim", "args": ["x" * 40]}
    assert len(json.dumps(ok)) <= 100
    st, _, b = request(shared, "/limited", ok)
    assert st == 200, b
    big = json.dumps({"topic": "com.example.lim", "args": ["x" * 200]}).encode()
    st, _, b = request(shared, "/limited", big)
    assert (st, jbody(b)) == (413, deny("Request too long. (%d is longer than accepted 100)"
                                        % len(big)))
    # over the limit by less than the drain bound: read and discarded, then 413
    st, _, b = request(shared, "/limited", b"x" * (500 << 10))
    assert st == 413 and jbody(b)["error"].startswith("Request too long. (512000 ")
    # far over it: refused from the head without reading; the client may see the reset first
    try:
        st, _, b = request(shared, "/limited", b"x" * (8 << 20))
        assert st == 413
    except (ConnectionError, BrokenPipeError):
        pass
    st, _, b = request(shared, "/limited", ok)  # and the router still serves
    assert st == 200


def test_require_ip_and_tls(shared):
    st, _, b = request(shared, "/local", {"topic": "com.example.x"})
    assert (st, jbody(b)) == (400, deny("Request denied based on IP address."))
    st, _, b = request(shared, "/tls", {"topic": "com.example.x"})
    assert (st, jbody(b)) == (400, deny("Malformed request to the REST bridge."))


# --- signed requests --------------------------------------------------------------------------


def signed_query(body, key=KEY, secret=SECRET, ts=None, seq=None, nonce=None):
    ts = ts or datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seq = str(seq if seq is not None else random.randint(0, 2 ** 31))
    nonce = str(nonce if nonce is not None else random.randint(0, 2 ** 53))
    hm = hmac.new(secret.encode(), None, hashlib.sha256)
    for part in (key, ts, seq, nonce):
        hm.update(part.encode())
    hm.update(body)
    sig = base64.urlsafe_b64encode(hm.digest()).decode()
    return urllib.parse.urlencode({"key": key, "timestamp": ts, "seq": seq, "nonce": nonce,
                                   "signature": sig})


def test_signed_publish(shared):
    body = json.dumps({"topic": "com.example.signed", "args": [1]}).encode()
    q = signed_query(body)
    st, _, b = request(shared, "/signed?" + q, body)
    assert st == 200 and "id" in jbody(b)
    # the same request again: a replay (Crossbar accepts it; wampd does not)
    st, _, b = request(shared, "/signed?" + q, body)
    assert st == 401 and "replayed" in jbody(b)["error"]
    # wrong key
    st, _, b = request(shared, "/signed?" + signed_query(body, key="other"), body)
    assert (st, jbody(b)) == (401, deny("REST bridge signature key not valid."))
    # wrong secret
    st, _, b = request(shared, "/signed?" + signed_query(body, secret="nope"), body)
    assert (st, jbody(b)) == (401, deny("REST bridge signature secret not valid."))
    # body changed after signing
    st, _, b = request(shared, "/signed?" + q.replace("seq=", "seq=1"), body)
    assert st == 401
    # expired
    old = (datetime.datetime.utcnow() - datetime.timedelta(seconds=60)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    st, _, b = request(shared, "/signed?" + signed_query(body, ts=old), body)
    assert (st, jbody(b)) == (400, deny("Request expired, too old timestamp."))
    # no fraction in the timestamp
    st, _, b = request(shared, "/signed?" + signed_query(body, ts="2011-10-14T16:59:51Z"), body)
    assert st == 400 and jbody(b)["error"] == (
        "REST bridge signature was invalid (invalid timestamp '2011-10-14T16:59:51Z' (must be "
        "UTC/ISO-8601, e.g. '2011-10-14T16:59:51.123Z')).")
    # unsigned
    st, _, b = request(shared, "/signed", body)
    assert (st, jbody(b)) == (400, deny(
        "REST bridge signature was invalid (missing mandatory field - 'key' field missing)."))
    now = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    st, _, b = request(shared, "/signed?key=foobar&timestamp=" + now, body)
    assert jbody(b)["error"].endswith("(missing mandatory field - 'seq' field missing).")
    st, _, b = request(shared, "/signed?" + signed_query(body, seq="x1"), body)
    assert jbody(b)["error"] == ("REST bridge signature was invalid (invalid sequence number "
                                 "'x1' (must be an integer)).")


def test_signed_call_crossbarconnect_style(shared):
    async def body(pool):
        s = await pool.connect(shared.url)
        await wait(s.register(lambda a, b: a + b, "com.example.add2"))
        raw = json.dumps({"procedure": "com.example.add2", "args": [1, 2]}).encode()
        st, _, b = await in_thread(request, shared, "/signedcall?" + signed_query(raw), raw)
        assert (st, jbody(b)) == (200, {"args": [3]})
    run(body)


# --- caller -----------------------------------------------------------------------------------


def test_call_result_mapping(shared):
    async def body(pool):
        s = await pool.connect(shared.url, "msgpack")
        await wait(s.register(lambda: None, "com.example.none"))
        await wait(s.register(lambda x: x, "com.example.one"))
        await wait(s.register(lambda: CallResult(1, 2, 3), "com.example.many"))
        await wait(s.register(lambda: CallResult(a=1), "com.example.kw"))
        await wait(s.register(lambda: CallResult(1, b=2), "com.example.both"))
        cases = [("com.example.none", [], {"args": [None]}),
                 ("com.example.one", [{"x": [1]}], {"args": [{"x": [1]}]}),
                 ("com.example.many", [], {"args": [1, 2, 3]}),
                 ("com.example.kw", [], {"kwargs": {"a": 1}}),
                 ("com.example.both", [], {"args": [1], "kwargs": {"b": 2}})]
        for proc, args, want in cases:
            st, _, b = await in_thread(request, shared, "/call",
                                       {"procedure": proc, "args": args})
            assert (st, jbody(b)) == (200, want), proc
    run(body)


def test_call_errors(shared):
    st, _, b = request(shared, "/call", {"procedure": "com.example.nobody"})
    assert st == 200
    assert b == (b'{"error": "wamp.error.no_such_procedure", "args": ["no callee registered for '
                 b'procedure <com.example.nobody>"], "kwargs": {}}')

    async def body(pool):
        from autobahn.wamp.exception import ApplicationError

        def fail():
            raise ApplicationError("com.myapp.error.reserved", "taken", why=1)
        s = await pool.connect(shared.url)
        await wait(s.register(fail, "com.example.fail"))
        st, _, b = await in_thread(request, shared, "/call", {"procedure": "com.example.fail"})
        assert (st, jbody(b)) == (200, {"error": "com.myapp.error.reserved", "args": ["taken"],
                                        "kwargs": {"why": 1}})
    run(body)


def test_call_timeout_from_body_and_path(shared):
    async def body(pool):
        import asyncio
        s = await pool.connect(shared.url)

        async def slow():
            await asyncio.sleep(2)
            return 1
        await wait(s.register(slow, "com.example.slow"))
        t0 = time.monotonic()
        st, _, b = await in_thread(request, shared, "/call",
                                   {"procedure": "com.example.slow", "timeout": 200})
        assert (st, jbody(b)) == (504, {"error": "wamp.error.timeout",
                                        "args": ["call timed out after 200 ms"], "kwargs": {}})
        assert time.monotonic() - t0 < 1.5
        st, _, b = await in_thread(request, shared, "/slowcall", {"procedure": "com.example.slow"})
        assert st == 504 and jbody(b)["error"] == "wamp.error.timeout"
    run(body)


def test_client_leaving_before_the_result(shared):
    """The HTTP client disconnects while its call waits; the late YIELD is dropped cleanly."""
    async def body(pool):
        import asyncio
        s = await pool.connect(shared.url)
        started = asyncio.get_running_loop().create_future()

        async def slow():
            if not started.done():
                started.set_result(True)
            await asyncio.sleep(0.5)
            return "late"
        await wait(s.register(slow, "com.example.late"))
        raw = json.dumps({"procedure": "com.example.late"}).encode()

        def fire_and_leave():
            c = socket.create_connection(("127.0.0.1", shared.port), timeout=5)
            c.sendall(b"POST /call HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Content-Length: %d\r\n\r\n" % len(raw) + raw)
            time.sleep(0.1)
            c.close()
        await in_thread(fire_and_leave)
        await wait(started)
        await asyncio.sleep(0.8)
        st, _, b = await in_thread(request, shared, "/call", {"procedure": "com.example.late"})
        assert (st, jbody(b)) == (200, {"args": ["late"]})
    run(body)


# --- webhook, nodeinfo ------------------------------------------------------------------------


def test_webhook(shared):
    async def body(pool):
        s = await pool.connect(shared.url)
        ev, _ = await subscribe(s, "com.example.hook")
        st, hd, b = await in_thread(request, shared, "/hook", "payload=1&x=\u2603",
                                    "POST", {"Content-Type": "text/plain", "X-Custom": "v"})
        assert (st, b) == (202, b"OK")
        args, _, _ = await ev.get()
        assert args[0]["body"] == "payload=1&x=\u2603"
        assert args[0]["headers"]["X-Custom"] == ["v"]
        assert args[0]["headers"]["Content-Type"] == ["text/plain"]
    run(body)


def test_webhook_github_signature(shared):
    raw = b'{"zen": "x"}'
    good = "sha1=" + hmac.new(b"ghs", raw, hashlib.sha1).hexdigest()
    st, _, b = request(shared, "/github", raw, headers={"X-Hub-Signature": good})
    assert (st, b) == (202, b"yes")
    st, _, b = request(shared, "/github", raw, headers={"X-Hub-Signature": "sha1=00"})
    assert (st, jbody(b)) == (400, deny("Malformed request to the REST bridge."))


def test_nodeinfo(shared):
    st, hd, b = request(shared, "/info", method="GET", headers={})
    assert st == 200 and b"wampd" in b and hd["content-type"].startswith("text/html")
    st, _, b = request(shared, "/info?format=json", method="GET", headers={})
    info = jbody(b)
    assert info["realms"][0]["name"] == "realm1" and info["realms"][0]["sessions"] >= 3


def test_curl_docs_example(shared):
    """The curl example of Crossbar's HTTP bridge docs, unchanged."""
    out = subprocess.run(
        ["curl", "-s", "-H", "Content-Type: application/json", "-d",
         '{"topic": "com.myapp.topic1", "args": ["Hello, world"]}',
         "http://127.0.0.1:%d/publish" % shared.port],
        capture_output=True, timeout=20, check=True)
    assert "id" in json.loads(out.stdout)


# --- static -----------------------------------------------------------------------------------


def test_static(bridge, tmp_path):
    web = tmp_path / "site"
    (web / "sub").mkdir(parents=True)
    (web / "index.html").write_text("<h1>home</h1>")
    (web / "app.js").write_text("var x;")
    (web / "sub" / "pic.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("no")
    r = bridge(paths={"/": {"type": "static", "directory": str(web),
                            "options": {"mime_types": {".svg": "image/x-test"}}},
                      "files": {"type": "static", "directory": str(web),
                                "options": {"enable_directory_listing": True}}})
    st, hd, b = request(r, "/", method="GET", headers={})
    assert (st, b) == (200, b"<h1>home</h1>")
    st, hd, b = request(r, "/app.js", method="GET", headers={})
    assert st == 200 and hd["content-type"].startswith("text/javascript")
    st, hd, b = request(r, "/sub/pic.svg", method="GET", headers={})
    assert st == 200 and hd["content-type"] == "image/x-test"
    for evil in ("/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                 "/files/..%2fsecret.txt"):
        st, _, b = request(r, evil, method="GET", headers={})
        assert st == 404, evil
    st, hd, _ = request(r, "/files", method="GET", headers={})
    assert st == 301 and hd["location"] == "/files/"
    st, _, b = request(r, "/files/sub/", method="GET", headers={})
    assert st == 200 and b"pic.svg" in b
    # the bridge paths still win over "/"
    st, _, b = request(r, "/publish", {"topic": "com.example.s"})
    assert st == 200


# --- components -------------------------------------------------------------------------------


class Recorder(http.server.BaseHTTPRequestHandler):
    """Records requests; answers the status codes queued in server.codes (200 when empty)."""

    def do(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        with self.server.lock:
            self.server.seen.append((self.command, self.path, dict(self.headers), body))
            code = self.server.codes.pop(0) if self.server.codes else 200
        payload = b'{"ok": true}'
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Test", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do

    def log_message(self, *a):
        pass


@pytest.fixture
def http_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    srv.seen, srv.codes, srv.lock = [], [], threading.Lock()
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def wait_for(pred, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_message_forwarder_delivers_and_retries(bridge, http_server):
    url = "http://127.0.0.1:%d/hook" % http_server.server_address[1]
    http_server.codes = [500, 500]  # two failures, then 200
    r = bridge(components=[{
        "type": "class", "classname": "crossbar.bridge.rest.MessageForwarder", "realm": "realm1",
        "extra": {"subscriptions": [{"url": url, "topic": "com.myapp.topic1"}],
                  "expectedcode": 200, "retry_delay": 100}}])

    async def body(pool):
        s = await pool.connect(r.url)
        await wait(s.publish("com.myapp.topic1", "Hello", n=1,
                             options=__import__("wampclient").ack()))
    run(body)
    assert wait_for(lambda: len(http_server.seen) >= 3), http_server.seen
    method, path, headers, raw = http_server.seen[-1]
    assert (method, path) == ("POST", "/hook")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(raw) == {"args": ["Hello"], "kwargs": {"n": 1}}
    assert all(s[3] == raw for s in http_server.seen)
    assert "retry 1 of 5" in r.log_text()


def test_message_forwarder_prefix_and_wildcard_subscriptions(bridge, http_server):
    """The forwarder's `match` reaches the broker's pattern-based subscriptions."""
    url = "http://127.0.0.1:%d/" % http_server.server_address[1]
    r = bridge(components=[{
        "type": "class", "classname": "crossbar.bridge.rest.MessageForwarder", "realm": "realm1",
        "extra": {"subscriptions": [
            {"url": url + "prefix", "topic": "com.myapp.", "match": "prefix"},
            {"url": url + "wild", "topic": "com..alarm", "match": "wildcard"}]}}])

    async def body(pool):
        s = await pool.connect(r.url)
        ack = __import__("wampclient").ack()
        await wait(s.publish("com.myapp.a", 1, options=ack))
        await wait(s.publish("com.other.alarm", 2, options=ack))
        await wait(s.publish("com.myapp.alarm", 3, options=ack))  # both
    run(body)
    assert wait_for(lambda: len(http_server.seen) >= 4), http_server.seen
    got = sorted((path, json.loads(raw)["args"][0]) for _, path, _, raw in http_server.seen)
    assert got == [("/prefix", 1), ("/prefix", 3), ("/wild", 2), ("/wild", 3)]


def test_rest_callee(bridge, http_server):
    base = "http://127.0.0.1:%d/api/" % http_server.server_address[1]
    r = bridge(components=[{
        "type": "class", "classname": "crossbar.adapter.rest.RESTCallee", "realm": "realm1",
        "extra": {"procedure": "com.myapp.rest", "baseurl": base}}])

    async def body(pool):
        s = await pool.connect(r.url)
        res = None
        for _ in range(50):  # the component registers right at start-up
            try:
                res = await wait(s.call("com.myapp.rest", method="POST", url="items?x=1",
                                        body="hello", headers={"X-Foo": ["bar"]},
                                        params={"y": "2 3"}))
                break
            except Exception:
                import asyncio
                await asyncio.sleep(0.1)
        assert res["code"] == 200
        assert json.loads(res["content"]) == {"ok": True}
        assert res["headers"]["X-Test"] == ["yes"]
        # and through the HTTP bridge, as a legacy app would
        st, _, b = await in_thread(request, r, "/call", {
            "procedure": "com.myapp.rest", "kwargs": {"method": "GET", "url": "/other"}})
        assert st == 200 and jbody(b)["args"][0]["code"] == 200
    run(body)
    method, path, headers, raw = http_server.seen[0]
    assert (method, path, raw) == ("POST", "/api/items?x=1&y=2%203", b"hello")
    assert headers["X-Foo"] == "bar"
    assert http_server.seen[1][:2] == ("GET", "/other")


def test_container_worker_components(bridge, http_server):
    url = "http://127.0.0.1:%d/c" % http_server.server_address[1]
    container = {"type": "container", "options": {"shutdown": "shutdown-manual"}, "components": [{
        "type": "class", "classname": "crossbar.bridge.rest.MessageForwarder", "realm": "realm1",
        "extra": {"subscriptions": [{"url": url, "topic": "com.example.c"}]},
        "transport": {"type": "websocket", "endpoint": {"type": "tcp", "host": "127.0.0.1",
                                                        "port": 8080},
                      "url": "ws://127.0.0.1:8080/ws"}}]}
    r = bridge(extra_workers=[container])
    st, _, b = request(r, "/publish", {"topic": "com.example.c", "args": [7]})
    assert st == 200
    assert wait_for(lambda: len(http_server.seen) >= 1)
    assert json.loads(http_server.seen[0][3]) == {"args": [7], "kwargs": {}}


def test_unsupported_component_class_is_a_config_error(tmp_path):
    port = free_port()
    cfg = bridge_config(port, components=[{"type": "class", "classname": "myapp.Backend",
                                           "realm": "realm1", "extra": {}}])
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    out = subprocess.run([wampd_path(), "check", "--cbdir", str(tmp_path)], capture_output=True,
                         text=True, timeout=20)
    assert out.returncode == 1
    assert "workers[0].components[0].classname: component class \"myapp.Backend\" is not " \
           "supported" in out.stderr
