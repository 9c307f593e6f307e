"""Static role permissions for the anonymous role."""

import pytest
from autobahn.wamp.exception import ApplicationError

from wampclient import ack, run, subscribe, wait

SUBSCRIBE_ONLY_PUBLIC = {
    "roles": [
        {
            "name": "anonymous",
            "permissions": [
                {
                    "uri": "com.public.",
                    "match": "prefix",
                    "allow": {"call": False, "register": False, "publish": False, "subscribe": True},
                    "disclose": {"caller": False, "publisher": False},
                    "cache": False,
                }
            ],
        }
    ]
}


@pytest.mark.parametrize("ser", ["json", "msgpack"])
def test_subscribe_only_role(start_router, ser):
    r = start_router(SUBSCRIBE_ONLY_PUBLIC)

    async def body(pool):
        s = await pool.connect(r.url, ser)
        sink, sub = await subscribe(s, "com.public.x")
        assert sub.id
        with pytest.raises(ApplicationError) as e:
            await wait(s.publish("com.public.x", 1, options=ack()))
        assert e.value.error == "wamp.error.not_authorized"
        with pytest.raises(ApplicationError) as e:
            await wait(s.call("com.public.x"))
        assert e.value.error == "wamp.error.not_authorized"
        with pytest.raises(ApplicationError) as e:
            await wait(s.register(lambda: None, "com.public.y"))
        assert e.value.error == "wamp.error.not_authorized"
        with pytest.raises(ApplicationError) as e:
            await subscribe(s, "com.private.x")
        assert e.value.error == "wamp.error.not_authorized"
        # A refusal is data, not a reason to end the session.
        assert s.is_attached()
        _, sub2 = await subscribe(s, "com.public.y")
        assert sub2.id

    run(body)


def test_role_without_matching_permission_denies_everything(start_router):
    r = start_router({"roles": [{"name": "anonymous", "permissions": []}]})

    async def body(pool):
        s = await pool.connect(r.url, "json")
        with pytest.raises(ApplicationError) as e:
            await subscribe(s, "com.example.x")
        assert e.value.error == "wamp.error.not_authorized"
        with pytest.raises(ApplicationError) as e:
            await wait(s.publish("com.example.x", options=ack()))
        assert e.value.error == "wamp.error.not_authorized"

    run(body)
