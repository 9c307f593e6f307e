"""Transport authentication (issue 4) with Autobahn|Python: anonymous, ticket, WAMP-CRA (also
salted) and cryptosign, static and dynamic, plus the refusals (wrong secrets, unknown users,
bad signatures, crashing and slow authenticators) and dynamic authorizers."""

import asyncio
import binascii
import os

import pytest
from autobahn.wamp import auth as wauth
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import ComponentConfig
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from urllib.parse import urlparse

import nacl.signing
import txaio

from conftest import FULL_PERMISSIONS
from rawws import RawWS
from wampclient import SERIALIZERS, STEP, Client, JoinRefused, ack, in_thread, run, wait

ROLES = [
    {"name": "anonymous", "permissions": [FULL_PERMISSIONS]},
    {"name": "backend", "permissions": [FULL_PERMISSIONS]},
    {"name": "frontend", "permissions": [FULL_PERMISSIONS]},
]

CS_KEY = nacl.signing.SigningKey(b"\x01" * 32)
CS_PUB = CS_KEY.verify_key.encode(encoder=nacl.encoding.HexEncoder).decode()
OTHER_KEY = nacl.signing.SigningKey(b"\x02" * 32)


def ws_auth_config(auth, roles=ROLES, extra_paths=None):
    """Overrides: path "ws" with auth, path "backend" anonymous (for authenticator backends)."""
    paths = {
        "ws": {"type": "websocket", "serializers": ["json", "msgpack"], "auth": auth},
        "backend": {"type": "websocket", "serializers": ["json", "msgpack"],
                    "auth": {"anonymous": {"type": "static", "role": "backend"}}},
    }
    paths.update(extra_paths or {})
    return {"roles": roles, "paths": paths}


class AuthClient(Client):
    """Joins with authmethods/authid/authextra; answers CHALLENGE with on_challenge."""

    def __init__(self, config, methods, authid, authextra, on_challenge):
        super().__init__(config)
        self._methods, self._authid, self._authextra = methods, authid, authextra
        self._on_challenge = on_challenge
        self.challenges = []

    def onConnect(self):
        self.join(self.config.realm, authmethods=self._methods, authid=self._authid,
                  authextra=self._authextra)

    def onChallenge(self, challenge):
        self.challenges.append(challenge)
        return self._on_challenge(challenge)


async def connect_auth(pool, url, methods, authid=None, authextra=None, on_challenge=None,
                       serializer="json", realm="realm1"):
    loop = asyncio.get_running_loop()
    txaio.config.loop = loop
    s = AuthClient(ComponentConfig(realm=realm), methods, authid, authextra,
                   on_challenge or (lambda c: pytest.fail("unexpected challenge")))
    pool.sessions.append(s)
    factory = WampWebSocketClientFactory(lambda: s, url=url,
                                         serializers=[SERIALIZERS[serializer]()], loop=loop)
    u = urlparse(url)
    await wait(loop.create_connection(factory, u.hostname, u.port))
    await wait(asyncio.shield(s.joined))
    return s


async def refused(pool, url, *args, **kw):
    with pytest.raises(JoinRefused) as e:
        await connect_auth(pool, url, *args, **kw)
    return e.value.details


def cra(secret):
    def sign(ch):
        key = secret.encode()
        if "salt" in ch.extra:
            key = wauth.derive_key(secret, ch.extra["salt"], ch.extra["iterations"],
                                   ch.extra["keylen"])
        return wauth.compute_wcs(key, ch.extra["challenge"].encode()).decode()
    return sign


def cs_sign(key):
    def sign(ch):
        challenge = binascii.a2b_hex(ch.extra["challenge"])
        signed = key.sign(challenge)
        return binascii.b2a_hex(signed.signature + challenge).decode()
    return sign


# --- anonymous -------------------------------------------------------------------------------


def test_no_auth_block_is_anonymous(start_router):
    r = start_router()

    async def body(pool):
        s = await pool.connect(r.url)
        d = await s.joined
        assert d.authrole == "anonymous" and d.authmethod == "anonymous"
        assert d.authprovider == "static"

    run(body)


def test_anonymous_static_role_and_authid(start_router):
    r = start_router(ws_auth_config({"anonymous": {"type": "static", "role": "frontend",
                                                   "authid": "guest"}}))

    async def body(pool):
        s = await connect_auth(pool, r.url, ["anonymous"])
        d = await s.joined
        assert (d.authid, d.authrole, d.authmethod, d.authprovider) == (
            "guest", "frontend", "anonymous", "static")
        # a method that is not configured on the transport
        det = await refused(pool, r.url, ["ticket"], authid="joe")
        assert det.reason == "wamp.error.no_auth_method"

    run(body)


def test_unknown_authmethod_is_refused(start_router):
    r = start_router(ws_auth_config({"anonymous": {"type": "static"}}))

    async def body(pool):
        det = await refused(pool, r.url, ["password"])
        assert det.reason == "wamp.error.not_authorized"
        assert 'invalid authmethod "password"' in det.message

    run(body)


# --- ticket ----------------------------------------------------------------------------------


def test_ticket_static_with_env_secret(start_router, monkeypatch):
    monkeypatch.setenv("WD_TEST_TICKET", "s3cret!")
    r = start_router(ws_auth_config({"ticket": {"type": "static", "principals": {
        "joe": {"ticket": "${WD_TEST_TICKET}", "role": "frontend"},
        "ann": {"ticket": "plain", "role": "nosuchrole"}}}}))

    async def body(pool):
        s = await connect_auth(pool, r.url, ["ticket"], "joe", {"k": 1},
                               lambda ch: "s3cret!", "msgpack")
        d = await s.joined
        assert (d.authid, d.authrole, d.authmethod, d.authprovider) == (
            "joe", "frontend", "ticket", "static")
        assert d.authextra == {"k": 1}  # Crossbar echoes HELLO authextra for static tickets
        det = await refused(pool, r.url, ["ticket"], "joe", on_challenge=lambda ch: "wrong")
        assert det.reason == "wamp.error.not_authorized"
        assert det.message == "ticket in static WAMP-Ticket authentication is invalid"
        det = await refused(pool, r.url, ["ticket"], "nobody")
        assert det.reason == "wamp.error.not_authorized"
        assert det.message == 'no principal with authid "nobody" exists'
        det = await refused(pool, r.url, ["ticket"], "ann")
        assert det.reason == "wamp.error.no_such_role"
        # another session still works after the refusals
        s2 = await connect_auth(pool, r.url, ["ticket"], "joe", None, lambda ch: "s3cret!")
        assert s2.id

    run(body)
    log = r.log_text()
    assert "authentication failed for 127.0.0.1:" in log
    assert "s3cret!" not in log


async def backend(pool, r, serializer="json"):
    """A session on the anonymous "backend" path (role backend)."""
    return await pool.connect(r.url.replace("/ws", "/backend"), serializer)


def test_ticket_dynamic(start_router):
    r = start_router(ws_auth_config({"ticket": {"type": "dynamic",
                                                "authenticator": "com.example.authenticate"}}))
    seen = []

    async def body(pool):
        b = await backend(pool, r)

        def authenticate(realm, authid, details):
            seen.append((realm, authid, details))
            if details["ticket"] == "crash":
                raise RuntimeError("authenticator crashed")
            if details["ticket"] != "t-" + authid:
                raise ApplicationError("com.example.invalid_ticket", "bad ticket for " + authid)
            return {"role": "frontend", "extra": {"greeting": "hi " + authid}}

        await wait(b.register(authenticate, "com.example.authenticate"))
        s = await connect_auth(pool, r.url, ["ticket"], "bob", None, lambda ch: "t-bob")
        d = await s.joined
        assert (d.authid, d.authrole, d.authmethod, d.authprovider) == (
            "bob", "frontend", "ticket", "dynamic")
        assert d.authextra == {"greeting": "hi bob"}
        realm, authid, details = seen[0]
        assert (realm, authid) == ("realm1", "bob")
        assert details["ticket"] == "t-bob" and details["authmethod"] == "ticket"
        assert details["session"] == s._session_id
        assert details["transport"]["type"] == "websocket"
        # the authenticator's own error is passed on as Crossbar does
        det = await refused(pool, r.url, ["ticket"], "bob", on_challenge=lambda ch: "nope")
        assert det.reason == "com.example.invalid_ticket"
        assert det.message == "bad ticket for bob"
        # a crashing authenticator: its (runtime) error, never a WELCOME
        det = await refused(pool, r.url, ["ticket"], "bob", on_challenge=lambda ch: "crash")
        assert det.reason.startswith("wamp.error.")
        await b.close()
        # no authenticator registered at all
        det = await refused(pool, r.url, ["ticket"], "bob", on_challenge=lambda ch: "t-bob")
        assert det.reason == "wamp.error.authentication_failed"

    run(body)


def test_slow_authenticator_times_out(start_router):
    r = start_router(ws_auth_config({"anonymous": {"type": "dynamic",
                                                   "authenticator": "com.example.slow"}}))

    async def body(pool):
        b = await backend(pool, r)

        async def slow(realm, authid, details):
            await asyncio.sleep(30)
            return "frontend"

        await wait(b.register(slow, "com.example.slow"))
        loop = asyncio.get_running_loop()
        txaio.config.loop = loop
        t0 = loop.time()
        with pytest.raises(JoinRefused) as e:
            s = AuthClient(ComponentConfig(realm="realm1"), ["anonymous"], None, None, None)
            pool.sessions.append(s)
            factory = WampWebSocketClientFactory(lambda: s, url=r.url,
                                                 serializers=[SERIALIZERS["json"]()], loop=loop)
            await wait(loop.create_connection(factory, "127.0.0.1", r.port))
            await wait(asyncio.shield(s.joined), 15)
        assert e.value.details.reason == "wamp.error.authentication_failed"
        assert 9 <= loop.time() - t0 < 14
        # the router still serves others
        s2 = await backend(pool, r)
        assert s2.id

    run(body, timeout=40)


def test_anonymous_dynamic_string_role(start_router):
    r = start_router(ws_auth_config({"anonymous": {"type": "dynamic",
                                                   "authenticator": "com.example.anon",
                                                   "authenticator-role": "backend"}}))

    async def body(pool):
        b = await backend(pool, r)
        await wait(b.register(lambda realm, authid, details: "frontend", "com.example.anon"))
        s = await connect_auth(pool, r.url, ["anonymous"])
        d = await s.joined
        assert (d.authrole, d.authmethod, d.authprovider) == ("frontend", "anonymous", "dynamic")

    run(body)


# --- WAMP-CRA --------------------------------------------------------------------------------

PETER_KEY = wauth.derive_key("secret1", "salt123", 100, 16).decode()


def test_wampcra_static_plain_and_salted(start_router, monkeypatch):
    monkeypatch.setenv("WD_TEST_CRA", "secret2")
    assert PETER_KEY == "prq7+YkJ1/KlW1X0YczMHw=="  # the Crossbar documentation's example
    r = start_router(ws_auth_config({"wampcra": {"type": "static", "users": {
        "joe": {"secret": "${WD_TEST_CRA}", "role": "frontend"},
        "peter": {"secret": PETER_KEY, "role": "frontend", "salt": "salt123",
                  "iterations": 100, "keylen": 16}}}}))

    async def body(pool):
        for ser in ("json", "msgpack"):
            s = await connect_auth(pool, r.url, ["wampcra"], "joe", None, cra("secret2"), ser)
            d = await s.joined
            assert (d.authid, d.authrole, d.authmethod, d.authprovider) == (
                "joe", "frontend", "wampcra", "static")
            ch = s.challenges[0]
            assert "salt" not in ch.extra
            import json
            c = json.loads(ch.extra["challenge"])
            assert list(c) == ["authid", "authrole", "authmethod", "authprovider", "session",
                               "nonce", "timestamp"]
            assert c["session"] == s._session_id and c["authid"] == "joe"
            assert len(c["nonce"]) == 64 and c["timestamp"].endswith("Z")
        s = await connect_auth(pool, r.url, ["wampcra"], "peter", None, cra("secret1"))
        ch = s.challenges[0]
        assert (ch.extra["salt"], ch.extra["iterations"], ch.extra["keylen"]) == ("salt123", 100, 16)
        det = await refused(pool, r.url, ["wampcra"], "joe", on_challenge=cra("secret3"))
        assert (det.reason, det.message) == ("wamp.error.not_authorized",
                                             "WAMP-CRA client signature is invalid")
        det = await refused(pool, r.url, ["wampcra"], "peter", on_challenge=cra("secret2"))
        assert det.reason == "wamp.error.not_authorized"
        det = await refused(pool, r.url, ["wampcra"], "eve")
        assert det.message == 'no principal with authid "eve" exists'
        # methods are tried in the client's order, skipping those not configured
        s = await connect_auth(pool, r.url, ["ticket", "wampcra"], "joe", None, cra("secret2"))
        assert (await s.joined).authmethod == "wampcra"

    run(body)


def test_wampcra_dynamic(start_router):
    r = start_router(ws_auth_config({"wampcra": {"type": "dynamic",
                                                 "authenticator": "com.example.cra"}}))

    async def body(pool):
        b = await backend(pool, r)

        def authenticate(realm, authid, details):
            if authid == "salty":
                return {"secret": PETER_KEY, "role": "frontend", "salt": "salt123",
                        "iterations": 100, "keylen": 16}
            if authid == "norole":
                return {"secret": "x"}
            return {"secret": "pw-" + authid, "role": "frontend", "extra": {"a": 1}}

        await wait(b.register(authenticate, "com.example.cra"))
        s = await connect_auth(pool, r.url, ["wampcra"], "ann", None, cra("pw-ann"))
        d = await s.joined
        assert (d.authid, d.authrole, d.authprovider, d.authextra) == (
            "ann", "frontend", "dynamic", {"a": 1})
        s = await connect_auth(pool, r.url, ["wampcra"], "salty", None, cra("secret1"))
        det = await refused(pool, r.url, ["wampcra"], "ann", on_challenge=cra("bad"))
        assert det.reason == "wamp.error.not_authorized"
        det = await refused(pool, r.url, ["wampcra"], "norole")
        assert det.reason == "wamp.error.no_such_role"

    run(body)


# --- cryptosign -------------------------------------------------------------------------------


def test_cryptosign_static(start_router):
    r = start_router(ws_auth_config({"cryptosign": {"type": "static", "principals": {
        "client01@example.com": {"authorized_keys": [CS_PUB], "role": "frontend"}}}}))

    async def body(pool):
        for authid in ("client01@example.com", None):  # authid may be inferred from the key
            s = await connect_auth(pool, r.url, ["cryptosign"], authid, {"pubkey": CS_PUB},
                                   cs_sign(CS_KEY), "msgpack")
            d = await s.joined
            assert (d.authid, d.authrole, d.authmethod) == (
                "client01@example.com", "frontend", "cryptosign")
        other = OTHER_KEY.verify_key.encode(encoder=nacl.encoding.HexEncoder).decode()
        det = await refused(pool, r.url, ["cryptosign"], "client01@example.com",
                            {"pubkey": other})
        assert det.reason == "wamp.error.not_authorized"
        # right key announced, signed with another one
        det = await refused(pool, r.url, ["cryptosign"], None, {"pubkey": CS_PUB},
                            cs_sign(OTHER_KEY))
        assert det.message == "signed message has invalid signature"
        # malformed signature
        det = await refused(pool, r.url, ["cryptosign"], None, {"pubkey": CS_PUB},
                            lambda ch: "zz" * 96)
        assert det.reason == "wamp.error.not_authorized"
        # signs something other than the challenge
        det = await refused(pool, r.url, ["cryptosign"], None, {"pubkey": CS_PUB},
                            lambda ch: binascii.b2a_hex(CS_KEY.sign(b"\0" * 32).signature
                                                        + b"\0" * 32).decode())
        assert det.message == "message signed is bogus"
        det = await refused(pool, r.url, ["cryptosign"], None,
                            {"pubkey": CS_PUB, "channel_binding": "tls-unique"})
        assert "tls-unique" in det.message

    run(body)


def test_cryptosign_with_autobahn_authenticator(start_router):
    """Autobahn's own AuthCryptoSign (as ApplicationRunner/Component use it)."""
    r = start_router(ws_auth_config({"cryptosign": {"type": "static", "principals": {
        "alice": {"authorized_keys": [CS_PUB], "role": "frontend"}}}}))
    a = wauth.AuthCryptoSign(privkey=binascii.b2a_hex(bytes(CS_KEY)).decode(), authid="alice")

    async def body(pool):
        s = await connect_auth(pool, r.url, ["cryptosign"], "alice", a.authextra,
                               lambda ch: a.on_challenge(s_ref[0], ch))
        assert (await s.joined).authid == "alice"

    class _S:
        class _transport:
            class transport_details:
                channel_id = {}
    s_ref = [_S()]
    run(body)


def test_cryptosign_dynamic(start_router):
    r = start_router(ws_auth_config({"cryptosign": {"type": "dynamic",
                                                    "authenticator": "com.example.cs"}}))

    async def body(pool):
        b = await backend(pool, r)
        await wait(b.register(lambda realm, authid, d: {"pubkey": d["authextra"]["pubkey"],
                                                        "role": "frontend", "authid": "k1"},
                              "com.example.cs"))
        s = await connect_auth(pool, r.url, ["cryptosign"], None, {"pubkey": CS_PUB},
                               cs_sign(CS_KEY))
        d = await s.joined
        assert (d.authid, d.authprovider) == ("k1", "dynamic")

    run(body)


# --- raw protocol abuse -----------------------------------------------------------------------


def test_replayed_and_early_authenticate(start_router):
    from rawws import RawWS
    r = start_router(ws_auth_config({"ticket": {"type": "static", "principals": {
        "joe": {"ticket": "t", "role": "frontend"}}}}))

    def session(msgs):
        ws = RawWS.connect(r.port)
        out = []
        try:
            for m in msgs:
                ws.send_json(m)
                out.append(ws.recv_json(timeout=STEP))
        except Exception:
            pass
        finally:
            ws.close()
        return out

    hello = [1, "realm1", {"roles": {"caller": {}}, "authmethods": ["ticket"], "authid": "joe"}]
    # AUTHENTICATE before HELLO: protocol violation
    out = session([[5, "t", {}]])
    assert out and out[0][0] == 3 and out[0][2] == "wamp.error.protocol_violation"
    # good ticket, then the same AUTHENTICATE again: violation on an established session
    out = session([hello, [5, "t", {}], [5, "t", {}]])
    assert [m[0] for m in out] == [4, 2, 3]
    # malformed AUTHENTICATE (signature not a string)
    out = session([hello, [5, 42, {}]])
    assert out[0][0] == 4 and out[1][0] == 3 and out[1][2] == "wamp.error.protocol_violation"
    # a wrong ticket is refused, and a second try on the same CHALLENGE is not possible
    out = session([hello, [5, "x", {}]])
    assert out[1][0] == 3 and out[1][2] == "wamp.error.not_authorized"


# --- authorization ---------------------------------------------------------------------------


def test_dynamic_authorizer(start_router):
    roles = ROLES + [{"name": "dyn", "authorizer": "com.example.authorize"}]
    r = start_router(ws_auth_config({"anonymous": {"type": "static", "role": "dyn"}}, roles))
    calls = []

    async def body(pool):
        b = await backend(pool, r)

        def authorize(session, uri, action, options):
            calls.append((session["authrole"], uri, action))
            if uri == "com.crash":
                raise RuntimeError("boom")
            if uri.startswith("com.cached."):
                return {"allow": True, "cache": True, "disclose": True}
            return uri.startswith("com.ok.")

        await wait(b.register(authorize, "com.example.authorize"))
        await wait(b.register(lambda *a, **kw: "pong", "com.ok.ping"))
        s = await connect_auth(pool, r.url, ["anonymous"])
        assert (await s.joined).authrole == "dyn"
        assert await wait(s.call("com.ok.ping")) == "pong"
        with pytest.raises(ApplicationError) as e:
            await wait(s.call("com.no.ping"))
        assert e.value.error == "wamp.error.not_authorized"
        assert 'is not authorized to call procedure "com.no.ping"' in e.value.args[0]
        with pytest.raises(ApplicationError) as e:
            await wait(s.publish("com.crash", options=ack()))
        assert e.value.error == "wamp.error.authorization_failed"
        # order is kept behind a parked request; cached answers are not asked again
        await wait(s.publish("com.cached.a", 1, options=ack()))
        await wait(s.publish("com.cached.a", 2, options=ack()))
        n = len([c for c in calls if c[1] == "com.cached.a"])
        assert n == 1
        await wait(s.subscribe(lambda *a: None, "com.ok.topic"))

    run(body)


def test_messages_parked_behind_a_slow_authorizer_are_bounded(start_router):
    """A client cannot grow the router's memory while its authorizer call is pending."""
    roles = ROLES + [{"name": "dyn", "authorizer": "com.example.authorize"}]
    r = start_router(ws_auth_config({"anonymous": {"type": "static", "role": "dyn"}}, roles))

    async def body(pool):
        b = await backend(pool, r)

        async def authorize(session, uri, action, options):
            await asyncio.sleep(3)  # slower than the flood below
            return True

        await wait(b.register(authorize, "com.example.authorize"))

        def flood():
            ws = RawWS.connect(r.port)
            ws.join()
            chunk = "x" * (1 << 20)
            try:
                for i in range(20):  # 20 MiB behind the first PUBLISH, waiting for the authorizer
                    ws.send_json([16, i + 1, {}, "com.flood", [chunk]])
                return ws.recv_json(timeout=10)
            except (BrokenPipeError, ConnectionResetError, EOFError):
                return None  # aborted while still sending: the ABORT may be lost in the reset
            finally:
                ws.close()

        msg = await in_thread(flood, timeout=20)
        if msg is not None:
            assert msg[0] == 3 and msg[2] == "wamp.error.protocol_violation", msg
        assert "more than 16 MiB of messages waiting for the authorizer" in r.log_text()
        # the router and the backend are fine
        assert await wait(b.call("com.example.authorize", {}, "com.x", "call", {}), 10) is True

    run(body, timeout=60)
