// wampy.js (npm `wampy`) and Autobahn JS exchange events and calls through a real wampd.
// wampy's HELLO differs from Autobahn's (it sends `agent`, and announces features such as
// call_timeout, payload_passthru_mode, call_trustlevels); the router must accept it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Wampy } from 'wampy';
import { Packr } from 'msgpackr';

import { WebSocket, autobahn, collect, connect, deferred, disconnect, startRouter, withTimeout } from './harness.mjs';

const T = 5000;
let router;
const sessions = [];
const wampys = [];

before(async () => {
  router = await startRouter();
});

after(async () => {
  for (const w of wampys) await withTimeout(w.disconnect(), T, 'wampy disconnect').catch(() => {});
  for (const s of sessions) await disconnect(s).catch(() => {});
  if (router) await router.stop();
});

async function openWampy(serializer) {
  const options = { realm: 'realm1', ws: WebSocket, autoReconnect: false };
  if (serializer === 'msgpack') options.serializer = new PlainMsgpackSerializer();
  const w = new Wampy(router.url, options);
  wampys.push(w);
  const welcome = await withTimeout(w.connect(), T, `wampy (${serializer}) connect`);
  return { w, welcome };
}

/**
 * wampy's own MsgpackSerializer (msgpackr 2 defaults) is not usable against a standard WAMP router:
 * it encodes `undefined` option values (wampy sends SUBSCRIBE options {match: undefined,
 * get_retained: undefined}) as msgpack ext type 0 (d4 00 00), which a router cannot map to a WAMP
 * value (wampd aborts with wamp.error.protocol_violation "cannot decode msgpack message"; Crossbar's
 * option type checks would reject it too), and it decodes every uint64 (0xcf) as a BigInt. So the
 * msgpack variant uses wampy's custom-serializer hook with plain msgpack settings.
 */
const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true, int64AsType: 'number' });
class PlainMsgpackSerializer {
  protocol = 'msgpack';
  isBinary = true;
  encode(data) {
    return packr.pack(data);
  }
  decode(data) {
    return packr.unpack(new Uint8Array(data));
  }
}

const PAYLOAD = {
  args: [1, 'zwei', 'drei ✓ 日本', Number.MAX_SAFE_INTEGER, { deep: [true, null] }],
  kwargs: { k: 'v', n: -42, nested: { list: [1, 2, 3], 'ключ': '🎉' } },
};

for (const wampySer of ['json', 'msgpack']) {
  for (const abSer of ['json', 'msgpack']) {
    test(`wampy (${wampySer}) <-> Autobahn JS (${abSer}): events and calls in both directions`, async () => {
      const tag = `${wampySer}.${abSer}`;
      const { w, welcome } = await openWampy(wampySer);
      assert.ok(Number.isInteger(w.getSessionId()) && w.getSessionId() >= 1, `wampy got a session id (${w.getSessionId()})`);
      assert.ok(welcome && welcome.roles && welcome.roles.broker && welcome.roles.dealer, `WELCOME roles: ${JSON.stringify(welcome)}`);
      const ab = await connect({ url: router.url, serializer: abSer });
      sessions.push(ab);

      // Autobahn -> wampy event
      const gotByWampy = deferred();
      await withTimeout(w.subscribe(`com.example.to_wampy.${tag}`, (ev) => gotByWampy.resolve(ev)), T, 'wampy subscribe');
      await withTimeout(ab.publish(`com.example.to_wampy.${tag}`, PAYLOAD.args, PAYLOAD.kwargs, { acknowledge: true }), T, 'autobahn publish');
      const ev1 = await withTimeout(gotByWampy.promise, T, 'event at wampy');
      assert.deepEqual(ev1.argsList, PAYLOAD.args);
      assert.deepEqual(ev1.argsDict, PAYLOAD.kwargs);

      // wampy -> Autobahn event
      const c = await collect(ab, `com.example.to_autobahn.${tag}`);
      const pub = await withTimeout(
        w.publish(`com.example.to_autobahn.${tag}`, { argsList: PAYLOAD.args, argsDict: PAYLOAD.kwargs }),
        T,
        'wampy publish',
      );
      assert.ok(pub.publicationId >= 1, `wampy publication id ${pub.publicationId}`);
      const [ev2] = await c.waitFor(1, T);
      assert.deepEqual(ev2.args, PAYLOAD.args);
      assert.deepEqual(ev2.kwargs, PAYLOAD.kwargs);

      // Autobahn calls wampy
      await withTimeout(
        w.register(`com.example.wampy_echo.${tag}`, ({ argsList, argsDict }) => ({ argsList: [...argsList, 'from wampy'], argsDict })),
        T,
        'wampy register',
      );
      const r1 = await withTimeout(ab.call(`com.example.wampy_echo.${tag}`, PAYLOAD.args, PAYLOAD.kwargs), T, 'autobahn calls wampy');
      assert.ok(r1 instanceof autobahn.Result, `result ${JSON.stringify(r1)}`);
      assert.deepEqual(r1.args, [...PAYLOAD.args, 'from wampy']);
      assert.deepEqual(r1.kwargs, PAYLOAD.kwargs);

      // wampy calls Autobahn
      await withTimeout(
        ab.register(`com.example.autobahn_echo.${tag}`, (args, kwargs) => new autobahn.Result([...args, 'from autobahn'], kwargs)),
        T,
        'autobahn register',
      );
      const r2 = await withTimeout(
        w.call(`com.example.autobahn_echo.${tag}`, { argsList: PAYLOAD.args, argsDict: PAYLOAD.kwargs }),
        T,
        'wampy calls autobahn',
      );
      assert.deepEqual(r2.argsList, [...PAYLOAD.args, 'from autobahn']);
      assert.deepEqual(r2.argsDict, PAYLOAD.kwargs);

      // an application error raised by the Autobahn callee reaches wampy
      await withTimeout(
        ab.register(`com.example.autobahn_fails.${tag}`, () => {
          throw new autobahn.Error('com.example.oops', [1], { x: 2 });
        }),
        T,
        'autobahn register failing procedure',
      );
      let err;
      try {
        await withTimeout(w.call(`com.example.autobahn_fails.${tag}`), T, 'wampy calls failing procedure');
      } catch (e) {
        err = e;
      }
      assert.ok(err, 'wampy call rejected');
      assert.equal(err.errorUri, 'com.example.oops', `wampy error ${err} ${JSON.stringify(err)}`);
      assert.deepEqual(err.argsList, [1]);
      assert.deepEqual(err.argsDict, { x: 2 });

      await withTimeout(w.disconnect(), T, 'wampy disconnect');
      await disconnect(ab);
    });
  }
}

// The Python wampy client (noisyboiler/wampy, WAMP-NOTES §6) puts a feature flag directly in the
// callee role dict instead of under "features"; replayed here over a raw JSON WebSocket.
test('Python-wampy-style HELLO (feature flag outside "features") is welcomed and the session works', async () => {
  const ws = new WebSocket(router.url, ['wamp.2.json']);
  const inbox = [];
  const waiters = [];
  ws.on('message', (data) => {
    inbox.push(JSON.parse(data.toString()));
    for (const w of waiters.splice(0)) w();
  });
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve(`${code} ${reason}`)));
  const next = async (what) => {
    while (!inbox.length) {
      const d = deferred();
      waiters.push(d.resolve);
      const r = await withTimeout(Promise.race([d.promise, closed.then((c) => `closed ${c}`)]), T, what);
      if (typeof r === 'string') throw new Error(`${what}: connection ${r}`);
    }
    return inbox.shift();
  };
  try {
    await withTimeout(new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)), T, 'raw ws open');
    assert.equal(ws.protocol, 'wamp.2.json');
    ws.send(JSON.stringify([1, 'realm1', {
      roles: { subscriber: {}, publisher: {}, callee: { shared_registration: true }, caller: { features: { call_timeout: true } } },
      authmethods: ['anonymous'],
    }]));
    const welcome = await next('WELCOME');
    assert.equal(welcome[0], 2, `WELCOME expected, got ${JSON.stringify(welcome)}`);
    assert.ok(Number.isInteger(welcome[1]) && welcome[1] >= 1);

    ws.send(JSON.stringify([32, 1, {}, 'com.example.pywampy']));
    const subscribed = await next('SUBSCRIBED');
    assert.deepEqual(subscribed.slice(0, 2), [33, 1], `SUBSCRIBED expected, got ${JSON.stringify(subscribed)}`);
    const ab = await connect({ url: router.url, serializer: 'msgpack' });
    sessions.push(ab);
    await withTimeout(ab.publish('com.example.pywampy', ['hi'], { n: 1 }, { acknowledge: true }), T, 'autobahn publish');
    const event = await next('EVENT');
    assert.equal(event[0], 36, `EVENT expected, got ${JSON.stringify(event)}`);
    assert.equal(event[1], subscribed[2]);
    assert.deepEqual(event.slice(4), [['hi'], { n: 1 }]);
    ws.send(JSON.stringify([6, {}, 'wamp.close.close_realm']));
    const goodbye = await next('GOODBYE');
    assert.equal(goodbye[0], 6, `GOODBYE reply expected, got ${JSON.stringify(goodbye)}`);
  } finally {
    ws.terminate();
  }
});
