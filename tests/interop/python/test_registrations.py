"""Shared registrations (invoke policies) and pattern-based registrations, with Autobahn|Python."""

import itertools

import pytest
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import RegisterOptions

from wampclient import run, wait

_seq = itertools.count()


def proc(name):
    return "com.example.reg%d.%s" % (next(_seq), name)


def handler(tag):
    def fn(*args, details=None):
        return [tag, details.procedure if details else None]
    return fn


async def register(session, uri, tag, **options):
    return await wait(session.register(handler(tag), uri,
                                       options=RegisterOptions(details_arg="details", **options)))


def test_roundrobin_alternates_first_and_last_stick(router):
    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "msgpack")
        caller = await pool.connect(router.url, "json")
        rr, first, last = proc("rr"), proc("first"), proc("last")
        for s, tag in ((a, "a"), (b, "b")):
            await register(s, rr, tag, invoke="roundrobin")
            await register(s, first, tag, invoke="first")
            await register(s, last, tag, invoke="last")
        got = [(await wait(caller.call(rr)))[0] for _ in range(4)]
        assert got == ["a", "b", "a", "b"]
        assert {(await wait(caller.call(first)))[0] for _ in range(3)} == {"a"}
        assert {(await wait(caller.call(last)))[0] for _ in range(3)} == {"b"}

    run(body)


def test_random_policy_uses_the_registered_callees(router):
    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "json")
        caller = await pool.connect(router.url, "json")
        p = proc("random")
        await register(a, p, "a", invoke="random")
        await register(b, p, "b", invoke="random")
        got = {(await wait(caller.call(p)))[0] for _ in range(40)}
        assert got == {"a", "b"}  # 2^-39 chance of a false failure

    run(body)


def test_policy_conflicts_and_duplicates_are_refused(router):
    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "json")
        p, q = proc("conflict"), proc("single")
        await register(a, p, "a", invoke="roundrobin")
        with pytest.raises(ApplicationError) as e:
            await register(b, p, "b", invoke="random")
        assert e.value.error == "wamp.error.procedure_exists_with_different_invocation_policy"
        with pytest.raises(ApplicationError) as e:
            await register(a, p, "a", invoke="roundrobin")  # the same callee twice
        assert e.value.error == "wamp.error.procedure_already_exists"
        await register(a, q, "a")
        with pytest.raises(ApplicationError) as e:
            await register(b, q, "b")
        assert e.value.error == "wamp.error.procedure_already_exists"

    run(body)


def test_shared_registration_survives_one_callee_leaving(router):
    async def body(pool):
        a = await pool.connect(router.url, "json")
        b = await pool.connect(router.url, "json")
        caller = await pool.connect(router.url, "json")
        p = proc("survive")
        reg_a = await register(a, p, "a", invoke="roundrobin")
        reg_b = await register(b, p, "b", invoke="roundrobin")
        assert reg_a.id == reg_b.id  # one registration, two callees
        await wait(reg_a.unregister())
        assert {(await wait(caller.call(p)))[0] for _ in range(3)} == {"b"}
        b.drop()  # transport gone
        for _ in range(50):  # until the router has seen b leave
            try:
                await wait(caller.call(p))
            except ApplicationError as e:
                if e.error == "wamp.error.no_such_procedure":
                    break
                assert e.error == "wamp.error.canceled"  # a call that met b leaving
        else:
            pytest.fail("the registration outlived its last callee")

    run(body)


def test_pattern_registrations_precedence_and_details_procedure(router):
    async def body(pool):
        callee = await pool.connect(router.url, "msgpack")
        caller = await pool.connect(router.url, "json")
        base = proc("pat")
        await register(callee, base + ".", "short-prefix", match="prefix")
        await register(callee, base + ".user.", "long-prefix", match="prefix")
        await register(callee, base + ".user.get", "exact")
        await register(callee, base + "..delete", "wildcard", match="wildcard")
        assert (await wait(caller.call(base + ".user.get")))[0] == "exact"
        assert await wait(caller.call(base + ".user.put")) == ["long-prefix", base + ".user.put"]
        assert await wait(caller.call(base + ".item.put")) == ["short-prefix", base + ".item.put"]
        # prefix beats wildcard (spec and Crossbar)
        assert (await wait(caller.call(base + ".item.delete")))[0] == "short-prefix"
        with pytest.raises(ApplicationError) as e:
            await wait(caller.call(proc("nothing") + ".x"))
        assert e.value.error == "wamp.error.no_such_procedure"

    run(body)


def test_wildcard_registration_and_longest_literal_part(router):
    async def body(pool):
        callee = await pool.connect(router.url, "json")
        caller = await pool.connect(router.url, "json")
        base = proc("wild")
        await register(callee, base + "..get", "loose", match="wildcard")
        await register(callee, base + ".user.", "specific", match="wildcard")
        assert await wait(caller.call(base + ".item.get")) == ["loose", base + ".item.get"]
        assert await wait(caller.call(base + ".user.get")) == ["specific", base + ".user.get"]

    run(body)
