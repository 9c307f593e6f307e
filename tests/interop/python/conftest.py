"""Starts real wampd processes for the interop tests.

Each router gets its own cbdir (with a config.json written from `make_config`), a free port on
127.0.0.1, and a log file. Teardown sends SIGTERM and fails the test when wampd does not exit
0 within 10 s or when its output shows a sanitizer report.
"""

import copy
import json
import os
import resource
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
START_TIMEOUT = 10.0
STOP_TIMEOUT = 10.0
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")

FULL_PERMISSIONS = {
    "uri": "",
    "match": "prefix",
    "allow": {"call": True, "register": True, "publish": True, "subscribe": True},
    "disclose": {"caller": False, "publisher": False},
    "cache": False,
}


def wampd_path():
    p = Path(os.environ.get("WAMPD", "build/router/wampd"))
    if not p.is_absolute():
        p = p if (Path.cwd() / p).exists() else REPO / p
    return str(p.resolve())


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    """True if a server could listen on 127.0.0.1:port (SO_REUSEADDR, as libuv binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def make_config(port, overrides=None):
    """The default test config, changed by `overrides`:
    realm (name), roles (list), realms (full list), serializers (list),
    ws_options (websocket "options"), paths (extra web paths), transports (full list)."""
    o = copy.deepcopy(overrides or {})
    ws = {"type": "websocket", "serializers": o.pop("serializers", ["json", "msgpack"])}
    if "ws_options" in o:
        ws["options"] = o.pop("ws_options")
    roles = o.pop("roles", [{"name": "anonymous", "permissions": [FULL_PERMISSIONS]}])
    realms = o.pop("realms", [{"name": o.pop("realm", "realm1"), "roles": roles}])
    paths = {"ws": ws}
    paths.update(o.pop("paths", {}))
    transports = o.pop(
        "transports",
        [
            {
                "type": "web",
                "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": port},
                "paths": paths,
            }
        ],
    )
    if o:
        raise ValueError("unknown config overrides: %r" % sorted(o))
    return {
        "version": 2,
        "controller": {},
        "workers": [{"type": "router", "realms": realms, "transports": transports}],
    }


class Router:
    """One running wampd. url/port/proc/log/cbdir are public."""

    def __init__(self, cbdir, overrides=None, port=None, write_config=True, args=(), nofile=None):
        self.cbdir = Path(cbdir)
        self.cbdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = "ws://127.0.0.1:%d/ws" % self.port
        self.log = self.cbdir / "wampd.log"
        if write_config:
            self.config = make_config(self.port, overrides)
            (self.cbdir / "config.json").write_text(json.dumps(self.config, indent=2))
        self.cmd = [wampd_path(), "start", "--cbdir", str(self.cbdir), "--loglevel", "debug", *args]
        self.proc = None
        self.stopped = False
        self.nofile = nofile  # RLIMIT_NOFILE (soft and hard) for the process, or None

    def start(self):
        self._logf = open(self.log, "wb")
        limit = None
        if self.nofile is not None:
            def limit():
                resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))
        self.proc = subprocess.Popen(
            self.cmd, stdout=self._logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=str(self.cbdir), preexec_fn=limit,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._logf.close()
                pytest.fail(
                    "wampd exited with %s before listening\n%s" % (self.proc.returncode, self.log_text())
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.kill()
        pytest.fail("wampd did not accept on port %d within %.0f s\n%s"
                    % (self.port, START_TIMEOUT, self.log_text()))

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return "(no log)"

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def terminate(self):
        """Sends SIGTERM (idempotent); returns immediately."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def wait_exit(self, timeout=STOP_TIMEOUT):
        """Waits for exit; SIGKILL and fail after timeout. Returns the exit code."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("wampd did not exit within %.0f s of SIGTERM\n%s" % (timeout, self.log_text()))

    def stop(self):
        """SIGTERM, bounded wait, then: exit code 0 and no sanitizer report, or fail with the log."""
        if self.stopped or self.proc is None:
            return
        self.stopped = True
        self.terminate()
        rc = self.wait_exit()
        self._logf.close()
        text = self.log_text()
        marks = [m for m in SANITIZER_MARKS if m in text]
        if marks:
            pytest.fail("wampd log shows %s\n%s" % (", ".join(marks), text))
        if rc != 0:
            pytest.fail("wampd exited with %d after SIGTERM (expected 0)\n%s" % (rc, text))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    """One router with the default config, shared by the tests of a module."""
    r = Router(tmp_path_factory.mktemp("cbdir")).start()
    yield r
    r.stop()


@pytest.fixture
def start_router(tmp_path):
    """start_router(overrides) -> Router; for tests that need their own config."""
    routers = []

    def start(overrides=None, **kw):
        r = Router(tmp_path / ("cbdir%d" % len(routers)), overrides, **kw)
        routers.append(r)
        return r.start()

    start.routers = routers
    yield start
    errors = []
    for r in routers:
        try:
            r.stop()
        except BaseException as e:  # pytest.fail raises an OutcomeException
            errors.append(str(e))
    if errors:
        pytest.fail("\n".join(errors))


LOG_TAIL_LINES = 150


def pytest_configure(config):
    # txaio 21.2 logs through a deprecated logging method; that is not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:The 'warn' method is deprecated:DeprecationWarning")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test, attach the tail of the log of every wampd it used."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    routers = [v for v in funcargs.values() if isinstance(v, Router)]
    for v in funcargs.values():
        routers.extend(getattr(v, "routers", []))
    for r in routers:
        lines = r.log_text().splitlines()[-LOG_TAIL_LINES:]
        rep.sections.append(("wampd log (last %d lines) %s" % (len(lines), r.log), "\n".join(lines)))
