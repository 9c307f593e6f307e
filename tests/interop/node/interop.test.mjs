// "Done when": an Autobahn JS client (node) and an Autobahn Python client (Debian python3-autobahn,
// asyncio) publish/subscribe and call each other through wampd, over json and over msgpack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';
import { after, before, test } from 'node:test';

import { SERIALIZERS, autobahn, collect, connect, deferred, disconnect, richPayload, startRouter, withTimeout } from './harness.mjs';

const PYTHON = process.env.PYTHON || '/usr/bin/python3';
const T = 10_000;

// The Python peer: registers com.py.echo, re-publishes every com.js.topic event to com.py.topic,
// and on com.js.go calls com.js.echo with the event's payload and prints the result.
// Output lines: "PY-READY <json>", "PY-RESULT <json>", "PY-ERROR <json>" (bytes as {"__bytes__": b64}).
const PY_SCRIPT = String.raw`
import asyncio, base64, json, sys
import txaio
txaio.use_asyncio()
from autobahn.asyncio.wamp import ApplicationSession, ApplicationRunner
from autobahn.wamp.types import CallResult
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.serializer import JsonSerializer, MsgPackSerializer

URL, SER = sys.argv[1], sys.argv[2]

def plain(o):
    if isinstance(o, (bytes, bytearray)):
        return {"__bytes__": base64.b64encode(bytes(o)).decode("ascii")}
    if isinstance(o, (list, tuple)):
        return [plain(x) for x in o]
    if isinstance(o, dict):
        return {k: plain(v) for k, v in o.items()}
    return o

def out(tag, obj):
    print(tag, json.dumps(plain(obj)), flush=True)

class Py(ApplicationSession):
    async def onJoin(self, details):
        def echo(*args, **kwargs):
            return CallResult(*args, **kwargs)
        await self.register(echo, "com.py.echo")

        def on_js(*args, **kwargs):
            self.publish("com.py.topic", *args, **kwargs)
        await self.subscribe(on_js, "com.js.topic")

        async def on_go(*args, **kwargs):
            try:
                res = await self.call("com.js.echo", *args, **kwargs)
                if isinstance(res, CallResult):
                    out("PY-RESULT", {"args": list(res.results), "kwargs": res.kwresults})
                else:
                    out("PY-RESULT", {"args": [] if res is None else [res], "kwargs": {}})
            except ApplicationError as e:
                out("PY-ERROR", {"error": e.error, "args": list(e.args), "kwargs": e.kwargs})
        await self.subscribe(on_go, "com.js.go")
        out("PY-READY", {"session": details.session, "serializer": SER})

    def onLeave(self, details):
        out("PY-LEFT", {"reason": details.reason, "message": details.message})
        self.disconnect()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()

ser = JsonSerializer() if SER == "json" else MsgPackSerializer()
ApplicationRunner(URL, "realm1", serializers=[ser]).run(Py, log_level="warn")
`;

let router;
const sessions = [];
const pythons = new Set();

before(async () => {
  assert.ok(fs.existsSync(PYTHON), `${PYTHON} not found (Debian python3-autobahn is needed)`);
  router = await startRouter();
});

after(async () => {
  for (const p of pythons) await p.stop().catch(() => {});
  for (const s of sessions) await disconnect(s).catch(() => {});
  if (router) await router.stop();
});

/** Runs the Python peer; lines() are matched by tag; stop() kills it (bounded). */
function startPython(serializer) {
  const child = spawn(PYTHON, ['-c', PY_SCRIPT, router.url, serializer], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const lines = [];
  const waiters = [];
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let exitInfo = null;
  exited.then((i) => {
    exitInfo = i;
    for (const w of waiters.splice(0)) w.reject(new Error(`python exited ${JSON.stringify(i)} while waiting for ${w.tag}\n${output}`));
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s) => {
    output += s;
  });
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    output += line + '\n';
    lines.push(line);
    for (const w of [...waiters]) {
      const i = lines.findIndex((l) => l.startsWith(w.tag + ' '));
      if (i !== -1) {
        const [l] = lines.splice(i, 1);
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(JSON.parse(l.slice(w.tag.length + 1)));
      }
    }
  });
  const peer = {
    output: () => output,
    /** Next line tagged `tag` (e.g. PY-READY), parsed as JSON. */
    next(tag, ms = T) {
      const i = lines.findIndex((l) => l.startsWith(tag + ' '));
      if (i !== -1) return Promise.resolve(JSON.parse(lines.splice(i, 1)[0].slice(tag.length + 1)));
      if (exitInfo) return Promise.reject(new Error(`python exited ${JSON.stringify(exitInfo)}\n${output}`));
      const d = deferred();
      waiters.push({ tag, resolve: d.resolve, reject: d.reject });
      return withTimeout(d.promise, ms, `python ${tag}`).catch((e) => {
        throw new Error(`${e.message}\n--- python output ---\n${output}`);
      });
    },
    async stop() {
      pythons.delete(peer);
      if (exitInfo) return;
      child.kill('SIGTERM');
      try {
        await withTimeout(exited, 5000, 'python exit after SIGTERM');
      } catch {
        child.kill('SIGKILL');
        await withTimeout(exited, 5000, 'python exit after SIGKILL');
      }
    },
  };
  pythons.add(peer);
  return peer;
}

/** How the Python peer prints a payload: bytes as {"__bytes__": base64}. */
function asPrinted(value) {
  if (Buffer.isBuffer(value)) return { __bytes__: value.toString('base64') };
  if (Array.isArray(value)) return value.map(asPrinted);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asPrinted(v)]));
  return value;
}

for (const pySer of SERIALIZERS) {
  test(`Autobahn Python (${pySer}) <-> Autobahn JS (json and msgpack): pub/sub and calls both ways`, async () => {
    const py = startPython(pySer);
    try {
      const ready = await py.next('PY-READY', 15_000);
      assert.ok(Number.isInteger(ready.session) && ready.session >= 1, `python session id ${ready.session}`);

      for (const jsSer of SERIALIZERS) {
        const what = `py ${pySer} / js ${jsSer}`;
        const js = await connect({ url: router.url, serializer: jsSer });
        sessions.push(js);
        const payload = richPayload(jsSer);

        // JS publishes com.js.topic, Python re-publishes it on com.py.topic
        const back = await collect(js, 'com.py.topic');
        await withTimeout(js.publish('com.js.topic', payload.args, payload.kwargs, { acknowledge: true }), T, `${what}: publish com.js.topic`);
        const [ev] = await back.waitFor(1, T).catch((e) => {
          throw new Error(`${e.message}\n--- python output ---\n${py.output()}`);
        });
        assert.deepEqual(ev.args, payload.args, `${what}: com.py.topic args`);
        assert.deepEqual(ev.kwargs, payload.kwargs, `${what}: com.py.topic kwargs`);
        await withTimeout(js.unsubscribe(back.subscription), T, 'unsubscribe com.py.topic');

        // JS calls com.py.echo
        const res = await withTimeout(js.call('com.py.echo', payload.args, payload.kwargs), T, `${what}: call com.py.echo`);
        assert.ok(res instanceof autobahn.Result, `${what}: com.py.echo result ${JSON.stringify(res)}`);
        assert.deepEqual(res.args, payload.args, `${what}: com.py.echo args`);
        assert.deepEqual(res.kwargs, payload.kwargs, `${what}: com.py.echo kwargs`);

        // Python calls com.js.echo (triggered by com.js.go) and prints the result
        const invoked = [];
        const reg = await withTimeout(
          js.register('com.js.echo', (args, kwargs) => {
            invoked.push({ args, kwargs });
            return new autobahn.Result(args, kwargs);
          }),
          T,
          `${what}: register com.js.echo`,
        );
        await withTimeout(js.publish('com.js.go', payload.args, payload.kwargs, { acknowledge: true }), T, `${what}: publish com.js.go`);
        const printed = await py.next('PY-RESULT');
        assert.equal(invoked.length, 1, `${what}: com.js.echo invoked once`);
        assert.deepEqual(invoked[0].args, payload.args, `${what}: INVOCATION args at JS`);
        assert.deepEqual(invoked[0].kwargs, payload.kwargs, `${what}: INVOCATION kwargs at JS`);
        const expected = richPayload('msgpack'); // Python holds binary as bytes
        assert.deepEqual(printed.args, asPrinted(expected.args), `${what}: result args printed by python`);
        assert.deepEqual(printed.kwargs, asPrinted(expected.kwargs), `${what}: result kwargs printed by python`);
        await withTimeout(js.unregister(reg), T, 'unregister com.js.echo');
        await disconnect(js);
      }
    } finally {
      await py.stop();
    }
  });
}
