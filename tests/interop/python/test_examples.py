"""examples/: every config passes `wampd check`; basic/ starts and takes a POST /publish;
rest.sh's signed request passes bridge/'s signature check."""

import json
import os
import shutil
import subprocess
import urllib.request

import pytest

from conftest import REPO, Router, free_port, wampd_path

EXAMPLES = REPO / "examples"
CONFIGS = sorted(EXAMPLES.glob("*/config.json")) + sorted(EXAMPLES.glob("*/.crossbar/config.json"))
TIMEOUT = 10
# examples/auth reads these with "${VAR}" (examples/README.md).
EXAMPLE_ENV = {"WAMPD_EXAMPLE_TICKET": "ticket-for-tests",
               "WAMPD_EXAMPLE_CRA_SECRET": "secret-for-tests"}


def check(cbdir, env=None):
    return subprocess.run([wampd_path(), "check", "--cbdir", str(cbdir)], capture_output=True,
                          text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
                          env=dict(os.environ, **(env or {})))


def test_examples_exist():
    names = {p.relative_to(EXAMPLES).parts[0] for p in CONFIGS}
    assert {"basic", "auth", "bridge"} <= names, names


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_passes_check(config):
    r = check(config.parent, EXAMPLE_ENV)
    assert r.returncode == 0, r
    assert r.stdout.startswith("ok"), r


def test_auth_example_names_unset_secret_variables():
    env = {k: v for k, v in os.environ.items() if k not in EXAMPLE_ENV}
    r = subprocess.run([wampd_path(), "check", "--cbdir", str(EXAMPLES / "auth")],
                       capture_output=True, text=True, timeout=TIMEOUT, env=env,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 1, r
    for name in EXAMPLE_ENV:
        assert "${%s} is not set" % name in r.stderr + r.stdout, r


def start_copy(tmp_path, name):
    """Starts examples/<name> from a copy whose listening port is a free one."""
    cbdir = tmp_path / name
    shutil.copytree(EXAMPLES / name, cbdir)
    cfg = json.loads((cbdir / "config.json").read_text())
    r = Router(cbdir, port=free_port(), write_config=False)
    for w in cfg["workers"]:
        for t in w.get("transports", []):
            t["endpoint"]["port"] = r.port
    (cbdir / "config.json").write_text(json.dumps(cfg, indent=4))
    return r.start()


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
        return resp.status, json.loads(resp.read())


def test_basic_example_publishes_over_http(tmp_path):
    r = start_copy(tmp_path, "basic")
    try:
        st, body = post("http://127.0.0.1:%d/publish" % r.port,
                        {"topic": "com.myapp.topic1", "args": ["Hello, world"]})
        assert st == 200 and isinstance(body.get("id"), int), body
    finally:
        r.stop()


@pytest.mark.skipif(shutil.which("openssl") is None or shutil.which("curl") is None,
                    reason="rest.sh needs curl and openssl")
def test_rest_sh_signed_call_passes_the_bridge_signature_check(tmp_path):
    r = start_copy(tmp_path, "bridge")
    try:
        def rest(*args, **env):
            e = dict(os.environ, BASE="http://127.0.0.1:%d" % r.port, **env)
            p = subprocess.run(["bash", str(EXAMPLES / "rest.sh"), *args], capture_output=True,
                               text=True, timeout=TIMEOUT, env=e, stdin=subprocess.DEVNULL)
            assert p.returncode == 0, p
            return json.loads(p.stdout)

        # Nothing registers com.example.nothing: a signed request that passed the checks gets
        # the WAMP error (HTTP 200); a wrong secret is refused before the call.
        assert rest("signed-call", "com.example.nothing")["error"] == \
            "wamp.error.no_such_procedure"
        assert rest("signed-call", "com.example.nothing", SECRET="wrong")["error"] == \
            "REST bridge signature secret not valid."
        assert "id" in rest("publish")
    finally:
        r.stop()
