// wampy.js (npm `wampy`) and Autobahn JS exchange events and calls through a real wampd.
// wampy's HELLO differs from Autobahn's (it sends `agent`, and announces features such as
// call_timeout, payload_passthru_mode, call_trustlevels); the router must accept it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Wampy } from 'wampy';
import { MsgpackSerializer } from 'wampy/MsgpackSerializer.js';

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
  if (serializer === 'msgpack') options.serializer = new MsgpackSerializer();
  const w = new Wampy(router.url, options);
  wampys.push(w);
  const welcome = await withTimeout(w.connect(), T, `wampy (${serializer}) connect`);
  return { w, welcome };
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
      assert.ok(Number.isInteger(w.getSessionId()) && w.getSessionId() >= 1, 'wampy got a session id');
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
      assert.ok(pub.publicationId >= 1, `wampy publication id ${JSON.stringify(pub)}`);
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
