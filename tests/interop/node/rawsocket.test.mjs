// RawSocket transport with Autobahn JS (its Node RawSocket transport speaks JSON), talking to
// a WebSocket session through the same realm.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import autobahn from 'autobahn';

import { collect, connect, defaultConfig, disconnect, freePort, startRouter, withTimeout } from './harness.mjs';

const T = 5000;
let router;
let rsPort;

before(async () => {
  rsPort = await freePort();
  router = await startRouter({
    config: (port) => {
      const cfg = defaultConfig(port);
      cfg.workers[0].transports.push({
        type: 'rawsocket',
        endpoint: { type: 'tcp', interface: '127.0.0.1', port: rsPort },
        serializers: ['json', 'msgpack'],
      });
      return cfg;
    },
  });
});

after(async () => {
  if (router) await router.stop();
});

function connectRawSocket() {
  return withTimeout(new Promise((resolve, reject) => {
    const c = new autobahn.Connection({
      transports: [{ type: 'rawsocket', host: '127.0.0.1', port: rsPort }],
      realm: 'realm1',
      max_retries: 0,
    });
    c.onopen = (session) => resolve({ c, session });
    c.onclose = (reason) => { reject(new Error(`rawsocket connection closed: ${reason}`)); return true; };
    c.open();
  }), T, 'RawSocket join');
}

test('Autobahn JS over RawSocket and a WebSocket session exchange an event and calls both ways', async () => {
  const { c, session: rs } = await connectRawSocket();
  const ws = await connect({ url: router.url, serializer: 'msgpack' });
  try {
    const got = await collect(ws, 'com.rs.js.topic');
    await withTimeout(rs.publish('com.rs.js.topic', ['über', 2 ** 53], { k: 'v' }, { acknowledge: true }), T, 'publish');
    const [ev] = await got.waitFor(1, T);
    assert.deepEqual(ev.args, ['über', 2 ** 53]);
    assert.deepEqual(ev.kwargs, { k: 'v' });
    await withTimeout(rs.register('com.rs.js.add', (args) => args[0] + args[1]), T, 'register');
    assert.equal(await withTimeout(ws.call('com.rs.js.add', [2, 3]), T, 'ws -> rs call'), 5);
    await withTimeout(ws.register('com.ws.js.mul', (args) => args[0] * args[1]), T, 'register');
    assert.equal(await withTimeout(rs.call('com.ws.js.mul', [6, 7]), T, 'rs -> ws call'), 42);
  } finally {
    await disconnect(ws).catch(() => {});
    c.close();
  }
});
