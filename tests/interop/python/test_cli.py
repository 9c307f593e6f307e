"""The wampd command line: check, init, version, start with the embedded default, SIGTERM."""

import json
import subprocess
import urllib.request

import pytest

from conftest import Router, free_port, make_config, port_is_free, wampd_path
from wampclient import ack, run, subscribe, wait

CLI_TIMEOUT = 10


def wampd(*args, cwd=None):
    return subprocess.run(
        [wampd_path(), *args], capture_output=True, text=True, timeout=CLI_TIMEOUT, cwd=cwd,
        stdin=subprocess.DEVNULL,
    )


def write_config(d, cfg):
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps(cfg, indent=2))
    return d


def test_check_good_config_prints_ok(tmp_path):
    d = write_config(tmp_path / "cb", make_config(18080))
    r = wampd("check", "--cbdir", str(d))
    assert r.returncode == 0, r
    assert "ok" in r.stdout.lower(), r


def test_check_with_config_option(tmp_path):
    d = write_config(tmp_path / "cb", make_config(18080))
    r = wampd("check", "--config", str(d / "config.json"))
    assert r.returncode == 0, r
    assert "ok" in r.stdout.lower(), r


def test_check_bad_port_names_key_path(tmp_path):
    d = write_config(tmp_path / "cb", make_config(70000))
    r = wampd("check", "--cbdir", str(d))
    assert r.returncode == 1, r
    out = r.stdout + r.stderr
    assert "workers[0].transports[0].endpoint.port" in out, out


def test_check_unknown_key_names_key_path(tmp_path):
    cfg = make_config(18080)
    cfg["workers"][0]["transports"][0]["endpoint"]["bogus"] = 1
    d = write_config(tmp_path / "cb", cfg)
    r = wampd("check", "--cbdir", str(d))
    assert r.returncode == 1, r
    assert "workers[0].transports[0].endpoint" in r.stdout + r.stderr, r


def test_check_invalid_json_fails(tmp_path):
    d = tmp_path / "cb"
    d.mkdir()
    (d / "config.json").write_text('{"version": 2, "workers": [')
    r = wampd("check", "--cbdir", str(d))
    assert r.returncode == 1, r


def test_init_writes_a_config_that_check_accepts(tmp_path):
    app = tmp_path / "app"
    r = wampd("init", "--appdir", str(app))
    assert r.returncode == 0, r
    cfg = app / ".crossbar" / "config.json"
    assert cfg.is_file(), r
    doc = json.loads(cfg.read_text())
    assert doc["version"] == 2
    r = wampd("check", "--cbdir", str(app / ".crossbar"))
    assert r.returncode == 0, r
    assert "ok" in r.stdout.lower(), r


def test_init_writes_web_readme_and_crossbar_paths(tmp_path):
    app = tmp_path / "app"
    r = wampd("init", "--appdir", str(app))
    assert r.returncode == 0, r
    assert (app / "web" / "README.md").is_file(), r
    transports = json.loads((app / ".crossbar" / "config.json").read_text())["workers"][0][
        "transports"]
    # Crossbar's template: a rawsocket transport on 8081, then "/" static, "ws", "info"; no
    # bridge paths.
    assert transports[0]["type"] == "rawsocket" and transports[0]["endpoint"]["port"] == 8081
    paths = transports[1]["paths"]
    assert list(paths) == ["/", "ws", "info"], paths
    assert paths["/"] == {"type": "static", "directory": "../web",
                          "options": {"enable_directory_listing": True}}
    assert paths["info"] == {"type": "nodeinfo"}


def test_init_keeps_an_existing_web_readme_and_refuses_an_existing_config(tmp_path):
    app = tmp_path / "app"
    (app / "web").mkdir(parents=True)
    (app / "web" / "README.md").write_text("mine\n")
    r = wampd("init", "--appdir", str(app))
    assert r.returncode == 0, r
    assert (app / "web" / "README.md").read_text() == "mine\n"
    r = wampd("init", "--appdir", str(app))
    assert r.returncode == 1, r
    assert "exists already" in r.stderr, r


def test_init_node_starts_and_serves_web_and_info(tmp_path):
    app = tmp_path / "app"
    assert wampd("init", "--appdir", str(app)).returncode == 0
    cbdir = app / ".crossbar"
    assert wampd("check", "--cbdir", str(cbdir)).returncode == 0
    cfg_path = cbdir / "config.json"
    cfg = json.loads(cfg_path.read_text())
    r = Router(cbdir, port=free_port(), write_config=False)
    cfg["workers"][0]["transports"][0]["endpoint"]["port"] = free_port()  # 8081 may be taken
    cfg["workers"][0]["transports"][1]["endpoint"]["port"] = r.port  # 8080 may be taken
    cfg_path.write_text(json.dumps(cfg, indent=4))
    r.start()
    try:
        base = "http://127.0.0.1:%d" % r.port
        with urllib.request.urlopen(base + "/", timeout=CLI_TIMEOUT) as resp:
            assert resp.status == 200
            body = resp.read().decode("utf-8", "replace")
        # Directory listings are on and there is no index.html: the listing names README.md.
        assert "README.md" in body, body
        with urllib.request.urlopen(base + "/README.md", timeout=CLI_TIMEOUT) as resp:
            assert resp.read() == (app / "web" / "README.md").read_bytes()
        with urllib.request.urlopen(base + "/info", timeout=CLI_TIMEOUT) as resp:
            assert resp.status == 200
    finally:
        r.stop()


def test_version_exits_0(tmp_path):
    r = wampd("version", cwd=str(tmp_path))
    assert r.returncode == 0, r
    assert (r.stdout + r.stderr).strip(), r


def test_start_without_config_uses_embedded_default(tmp_path):
    if not port_is_free(8080):
        pytest.skip("127.0.0.1:8080 is in use; the embedded default config listens there")
    r = Router(tmp_path / "empty_cbdir", port=8080, write_config=False)
    assert r.url == "ws://127.0.0.1:8080/ws"
    r.start()
    try:
        async def body(pool):
            s = await pool.connect(r.url, "json")
            sink, _ = await subscribe(s, "com.example.default")
            p = await pool.connect(r.url, "msgpack")
            await wait(p.publish("com.example.default", "hi", options=ack()))
            assert (await sink.get())[0] == ["hi"]
            assert (await wait(s.joined)).realm == "realm1"

        run(body)
    finally:
        r.stop()


def test_sigterm_sends_system_shutdown_and_exits_0(tmp_path):
    r = Router(tmp_path / "cb").start()
    try:
        async def body(pool):
            s = await pool.connect(r.url, "msgpack")
            j = await pool.connect(r.url, "json")
            r.terminate()
            for sess in (s, j):
                details = await wait(sess.left, 10)
                assert details.reason == "wamp.close.system_shutdown"
                await wait(sess.disconnected, 10)

        run(body)
        rc = r.wait_exit()
        assert rc == 0, r.log_text()
    finally:
        r.stop()
