"""Remote procedure calls through wampd with Autobahn|Python, over json and msgpack."""

import asyncio
import itertools

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallResult, RegisterOptions

from rawws import RawWS
from wampclient import PAYLOAD_ARGS, PAYLOAD_KWARGS, in_thread, run, wait

PAIRS = [("json", "json"), ("msgpack", "msgpack"), ("json", "msgpack"), ("msgpack", "json")]
_seq = itertools.count()


def proc(name):
    return "com.example.rpc.%s.%d" % (name, next(_seq))


def echo(*args, **kwargs):
    kwargs.pop("details", None)
    return CallResult(*args, **kwargs)


async def register(session, fn, uri, **options):
    return await wait(session.register(fn, uri, options=RegisterOptions(**options)))


def consume(fut):
    """Marks a future's exception as retrieved (for calls whose caller we drop on purpose)."""
    fut.add_done_callback(lambda f: f.cancelled() or f.exception())
    return fut


@pytest.mark.parametrize("caller_ser,callee_ser", PAIRS)
def test_call_result_with_args_and_kwargs(router, caller_ser, callee_ser):
    p = proc("echo")

    async def body(pool):
        callee = await pool.connect(router.url, callee_ser)
        caller = await pool.connect(router.url, caller_ser)
        reg = await register(callee, echo, p)
        assert isinstance(reg.id, int) and reg.id > 0
        res = await wait(caller.call(p, 1, "two", three=3, four=[4]))
        assert isinstance(res, CallResult)
        assert list(res.results) == [1, "two"]
        assert res.kwresults == {"three": 3, "four": [4]}

    run(body)


@pytest.mark.parametrize("caller_ser,callee_ser", PAIRS)
def test_payload_survives_serializers_both_ways(router, caller_ser, callee_ser):
    p = proc("payload")

    async def body(pool):
        callee = await pool.connect(router.url, callee_ser)
        caller = await pool.connect(router.url, caller_ser)
        seen = []

        def check(*args, **kwargs):
            seen.append((list(args), kwargs))
            return CallResult(*args, **kwargs)

        await register(callee, check, p)
        res = await wait(caller.call(p, *PAYLOAD_ARGS, **PAYLOAD_KWARGS))
        assert seen == [(PAYLOAD_ARGS, PAYLOAD_KWARGS)]  # CALL -> INVOCATION
        assert list(res.results) == PAYLOAD_ARGS  # YIELD -> RESULT
        assert res.kwresults == PAYLOAD_KWARGS

    run(body)


@pytest.mark.parametrize("caller_ser,callee_ser", [("json", "msgpack"), ("msgpack", "json")])
def test_application_error_reaches_caller(router, caller_ser, callee_ser):
    p = proc("oops")

    async def body(pool):
        callee = await pool.connect(router.url, callee_ser)
        caller = await pool.connect(router.url, caller_ser)

        def oops():
            raise ApplicationError("com.example.oops", 1, x=2)

        await register(callee, oops, p)
        with pytest.raises(ApplicationError) as e:
            await wait(caller.call(p))
        assert e.value.error == "com.example.oops"
        assert list(e.value.args) == [1]
        assert e.value.kwargs == {"x": 2}

    run(body)


def test_call_unknown_procedure(router):
    async def body(pool):
        caller = await pool.connect(router.url, "json")
        with pytest.raises(ApplicationError) as e:
            await wait(caller.call(proc("nobody_home")))
        assert e.value.error == "wamp.error.no_such_procedure"

    run(body)


def test_register_twice_is_procedure_already_exists(router):
    p = proc("twice")

    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "msgpack")
        await register(a, echo, p)
        with pytest.raises(ApplicationError) as e:
            await register(b, echo, p)
        assert e.value.error == "wamp.error.procedure_already_exists"
        with pytest.raises(ApplicationError) as e:
            await register(a, echo, p)
        assert e.value.error == "wamp.error.procedure_already_exists"

    run(body)


def test_unregister_then_call_is_no_such_procedure(router):
    p = proc("gone")

    async def body(pool):
        callee = await pool.connect(router.url, "msgpack")
        caller = await pool.connect(router.url, "json")
        reg = await register(callee, echo, p)
        assert (await wait(caller.call(p, 5))) == 5
        await wait(reg.unregister())
        with pytest.raises(ApplicationError) as e:
            await wait(caller.call(p, 5))
        assert e.value.error == "wamp.error.no_such_procedure"
        # The URI is free again.
        await register(caller, echo, p)

    run(body)


def test_unregister_unknown_id_is_no_such_registration(router):
    ws = RawWS.connect(router.port)
    try:
        ws.join()
        ws.send_json([66, 1, 987654321])
        err = ws.recv_json()
        assert err[:3] == [8, 66, 1], err
        assert err[4] == "wamp.error.no_such_registration", err
    finally:
        ws.close()


def test_caller_disclosed_with_disclose_me(router):
    """Autobahn|Python 22.7 has no disclose_me call option; the caller writes it on the wire."""
    p = proc("disclose")

    async def body(pool):
        callee = await pool.connect(router.url, "msgpack")

        def who(details=None):
            return details.caller

        await register(callee, who, p, details_arg="details")

        def raw_calls():
            ws = RawWS.connect(router.port)
            try:
                session = ws.join()[1]
                ws.send_json([48, 1, {"disclose_me": True}, p, []])
                r1 = ws.recv_json()
                ws.send_json([48, 2, {}, p, []])
                r2 = ws.recv_json()
                return session, r1, r2
            finally:
                ws.close()

        session, r1, r2 = await in_thread(raw_calls)
        assert r1[0] == 50 and r1[1] == 1, r1
        assert r1[3] == [session], r1
        assert r2[0] == 50 and r2[1] == 2, r2
        assert r2[3:4] in ([], [[None]]), "caller disclosed without disclose_me: %r" % (r2,)

    run(body)


@pytest.mark.parametrize("callee_ser", ["json", "msgpack"])
def test_callee_dropped_mid_call_gives_canceled(router, callee_ser):
    p = proc("callee_drops")

    async def body(pool):
        loop = asyncio.get_running_loop()
        invoked = loop.create_future()
        callee = await pool.connect(router.url, callee_ser)
        caller = await pool.connect(router.url, "json")

        async def hang():
            invoked.set_result(True)
            await asyncio.sleep(3600)

        await register(callee, hang, p)
        call = consume(asyncio.ensure_future(caller.call(p)))
        await wait(invoked)
        callee.drop()
        with pytest.raises(ApplicationError) as e:
            await wait(call)
        assert e.value.error == "wamp.error.canceled"
        # The procedure went away with its callee.
        with pytest.raises(ApplicationError) as e:
            await wait(caller.call(p))
        assert e.value.error == "wamp.error.no_such_procedure"

    run(body)


def test_caller_dropped_mid_call_autobahn_callee_keeps_working(router):
    p = proc("caller_drops")

    async def body(pool):
        loop = asyncio.get_running_loop()
        invoked, release = loop.create_future(), loop.create_future()
        callee = await pool.connect(router.url, "msgpack")
        caller = await pool.connect(router.url, "json")
        count = itertools.count()

        async def slow(x):
            if next(count) == 0:
                invoked.set_result(True)
                await release
            return x

        await register(callee, slow, p)
        consume(asyncio.ensure_future(caller.call(p, 1)))
        await wait(invoked)
        caller.drop()
        await asyncio.sleep(0.5)  # let the router see the caller go
        # The callee now answers a call whose caller is gone (unless the router's INTERRUPT
        # already canceled the invocation, which cancels `release` with it).
        if not release.done():
            release.set_result(None)
        await asyncio.sleep(0.2)
        assert callee.is_attached()
        caller2 = await pool.connect(router.url, "json")
        assert (await wait(caller2.call(p, 2))) == 2

    run(body)


def test_caller_dropped_mid_call_late_yield_is_dropped(router):
    """A callee that does not support canceling answers after its caller left: the router drops
    the YIELD (it did send that INVOCATION, so this is no protocol violation) and the callee
    keeps serving."""
    p = proc("late_yield")

    async def body(pool):
        ws = RawWS.connect(router.port)
        try:
            await in_thread(ws.join, "realm1", {"callee": {}})
            await in_thread(ws.send_json, [64, 1, {}, p])
            registered = await in_thread(ws.recv_json)
            assert registered[:2] == [65, 1], registered
            caller = await pool.connect(router.url, "json")
            consume(asyncio.ensure_future(caller.call(p, "first")))
            inv = await in_thread(ws.recv_json)
            assert inv[0] == 68 and inv[2] == registered[2], inv
            caller.drop()
            await asyncio.sleep(0.5)
            await in_thread(ws.send_json, [70, inv[1], {}, ["late"]])
            caller2 = await pool.connect(router.url, "msgpack")
            call2 = consume(asyncio.ensure_future(caller2.call(p, "second")))
            msg = await in_thread(ws.recv_json)
            while msg[0] == 69:  # tolerate an INTERRUPT for the first call
                msg = await in_thread(ws.recv_json)
            assert msg[0] == 68 and msg[4] == ["second"], "expected INVOCATION, got %r" % (msg,)
            await in_thread(ws.send_json, [70, msg[1], {}, ["answer"]])
            assert (await wait(call2)) == "answer"
        finally:
            ws.close()

    run(body)
