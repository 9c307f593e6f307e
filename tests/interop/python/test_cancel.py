"""Call canceling (CANCEL skip/kill/killnowait) and call timeouts, frame by frame."""

import time

from rawws import RawWS

CALLEE_ROLES = {"callee": {"features": {"call_canceling": True, "progressive_call_results": True}},
                "caller": {"features": {"call_canceling": True}}}
PLAIN_ROLES = {"callee": {}, "caller": {}}


def pair(router, proc, callee_roles=CALLEE_ROLES):
    callee = RawWS.connect(router.port)
    callee.join(roles=callee_roles)
    callee.send_json([64, 1, {}, proc])
    assert callee.recv_json()[0] == 65
    caller = RawWS.connect(router.port)
    caller.join(roles=CALLEE_ROLES)
    return callee, caller


def still_serves(router, callee, caller, proc):
    """A later call on the same pair still completes: the router kept its state straight."""
    caller.send_json([48, 99, {}, proc, ["again"]])
    inv = callee.recv_json()
    assert inv[0] == 68 and inv[4] == ["again"]
    callee.send_json([70, inv[1], {}, ["ok"]])
    assert caller.recv_json() == [50, 99, {}, ["ok"]]


def test_welcome_announces_call_canceling_and_timeout(router):
    ws = RawWS.connect(router.port)
    features = ws.join()[2]["roles"]["dealer"]["features"]
    assert features["call_canceling"] is True and features["call_timeout"] is True
    ws.close()


def test_call_timeout_answers_timeout_and_interrupts_callee(router):
    callee, caller = pair(router, "com.cancel.slow")
    t0 = time.monotonic()
    caller.send_json([48, 7, {"timeout": 300}, "com.cancel.slow", [1]])
    inv = callee.recv_json()
    assert inv[0] == 68
    err = caller.recv_json(timeout=5)
    elapsed = time.monotonic() - t0
    assert err[:5] == [8, 48, 7, {}, "wamp.error.timeout"]
    assert 0.25 <= elapsed < 2.0, elapsed  # milliseconds, as the spec says (Crossbar: seconds)
    assert callee.recv_json() == [69, inv[1], {"mode": "killnowait"}]
    callee.send_json([70, inv[1], {}, ["too late"]])  # dropped, not a protocol violation
    still_serves(router, callee, caller, "com.cancel.slow")


def test_timeout_zero_or_answered_in_time_is_normal(router):
    callee, caller = pair(router, "com.cancel.fast")
    caller.send_json([48, 1, {"timeout": 2000}, "com.cancel.fast"])
    inv = callee.recv_json()
    callee.send_json([70, inv[1], {}, ["quick"]])
    assert caller.recv_json() == [50, 1, {}, ["quick"]]
    caller.send_json([48, 2, {"timeout": 0}, "com.cancel.fast"])
    inv = callee.recv_json()
    callee.send_json([70, inv[1], {}])
    assert caller.recv_json() == [50, 2, {}]
    time.sleep(2.2)  # the first call's deadline passes: nothing more may arrive
    caller.send_json([48, 3, {"timeout": "soon"}, "com.cancel.fast"])
    assert caller.recv_json()[:5] == [8, 48, 3, {}, "wamp.error.invalid_argument"]


def test_cancel_killnowait_answers_at_once_and_interrupts(router):
    callee, caller = pair(router, "com.cancel.knw")
    caller.send_json([48, 5, {}, "com.cancel.knw"])
    inv = callee.recv_json()
    caller.send_json([49, 5, {}])  # default mode: killnowait
    assert caller.recv_json()[:5] == [8, 48, 5, {}, "wamp.error.canceled"]
    assert callee.recv_json() == [69, inv[1], {"mode": "killnowait"}]
    callee.send_json([8, 68, inv[1], {}, "wamp.error.canceled"])  # dropped
    still_serves(router, callee, caller, "com.cancel.knw")


def test_cancel_kill_waits_for_the_callee(router):
    callee, caller = pair(router, "com.cancel.kill")
    caller.send_json([48, 5, {}, "com.cancel.kill"])
    inv = callee.recv_json()
    caller.send_json([49, 5, {"mode": "kill"}])
    assert callee.recv_json() == [69, inv[1], {"mode": "kill"}]
    callee.send_json([8, 68, inv[1], {}, "wamp.error.canceled", ["stopped at 40%"]])
    assert caller.recv_json() == [8, 48, 5, {}, "wamp.error.canceled", ["stopped at 40%"]]
    still_serves(router, callee, caller, "com.cancel.kill")


def test_cancel_skip_answers_the_caller_without_interrupt(router):
    callee, caller = pair(router, "com.cancel.skip")
    caller.send_json([48, 5, {}, "com.cancel.skip"])
    inv = callee.recv_json()
    caller.send_json([49, 5, {"mode": "skip"}])
    # Spec: the caller is answered (Crossbar sends nothing here, crossbar #1377).
    assert caller.recv_json()[:5] == [8, 48, 5, {}, "wamp.error.canceled"]
    callee.send_json([70, inv[1], {}, ["ignored"]])
    still_serves(router, callee, caller, "com.cancel.skip")  # no INTERRUPT came first


def test_kill_on_a_callee_without_call_canceling_is_skip(router):
    callee, caller = pair(router, "com.cancel.plain", callee_roles=PLAIN_ROLES)
    caller.send_json([48, 5, {}, "com.cancel.plain"])
    inv = callee.recv_json()
    caller.send_json([49, 5, {"mode": "kill"}])
    assert caller.recv_json()[:5] == [8, 48, 5, {}, "wamp.error.canceled"]
    callee.send_json([70, inv[1], {}])
    still_serves(router, callee, caller, "com.cancel.plain")


def test_cancel_of_an_answered_call_is_ignored_and_bad_mode_refused(router):
    callee, caller = pair(router, "com.cancel.done")
    caller.send_json([48, 5, {}, "com.cancel.done"])
    inv = callee.recv_json()
    callee.send_json([70, inv[1], {}, ["done"]])
    assert caller.recv_json() == [50, 5, {}, ["done"]]
    caller.send_json([49, 5, {}])  # nothing in flight: ignored
    caller.send_json([49, 6, {"mode": "hard"}])
    assert caller.recv_json()[:5] == [8, 49, 6, {}, "wamp.error.invalid_argument"]
    still_serves(router, callee, caller, "com.cancel.done")


def test_sessions_leaving_with_timed_calls_in_flight(router):
    """Caller gone and callee gone before the deadline: the timer must not touch them."""
    callee, caller = pair(router, "com.cancel.gone1")
    caller.send_json([48, 1, {"timeout": 300}, "com.cancel.gone1"])
    inv = callee.recv_json()
    caller.close()  # caller leaves first
    callee2, caller2 = pair(router, "com.cancel.gone2")
    caller2.send_json([48, 1, {"timeout": 300}, "com.cancel.gone2"])
    callee2.recv_json()
    callee2.close()  # callee leaves first: the caller hears at once, not at the deadline
    assert caller2.recv_json()[:5] == [8, 48, 1, {}, "wamp.error.canceled"]
    time.sleep(0.6)  # both deadlines pass
    assert callee.recv_json() == [69, inv[1], {"mode": "killnowait"}]  # from the caller leaving
    callee.send_json([70, inv[1], {}])
    callee3, caller3 = pair(router, "com.cancel.gone3")
    still_serves(router, callee3, caller3, "com.cancel.gone3")
