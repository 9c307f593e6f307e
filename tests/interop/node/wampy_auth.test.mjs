// Transport authentication (issue 4) with wampy.js: WAMP-CRA static (plain and salted, signed by
// the npm `wampy-cra` plugin and by wampy's bundled `wampy/wampcra.js`), ticket static and
// cryptosign static (`wampy/cryptosign.js`); wrong secrets are refused with ABORT
// wamp.error.not_authorized; an authenticated wampy session and an Autobahn JS session exchange
// events in both directions, also after refused joins.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import nacl from 'tweetnacl';
import { Wampy } from 'wampy';
import * as wampyCraBundled from 'wampy/wampcra.js';
import * as wampyCs from 'wampy/cryptosign.js';
import * as wampyCra from 'wampy-cra';

import { WebSocket, autobahn, collect, deferred, defaultConfig, startRouter, withTimeout } from './harness.mjs';

const T = 5000;
const FULL = {
  uri: '',
  match: 'prefix',
  allow: { call: true, register: true, publish: true, subscribe: true },
};
// Crossbar docs' salted example: the stored secret is derive_key("secret1", "salt123", 100, 16).
const PETER_KEY = 'prq7+YkJ1/KlW1X0YczMHw==';
const SEED = new Uint8Array(32).fill(1);
const KEY = nacl.sign.keyPair.fromSeed(SEED);
const PUB = Buffer.from(KEY.publicKey).toString('hex');
const SEED_HEX = Buffer.from(SEED).toString('hex');

function config(port) {
  const c = defaultConfig(port);
  c.workers[0].realms[0].roles.push({ name: 'frontend', permissions: [FULL] });
  c.workers[0].transports[0].paths.ws.auth = {
    wampcra: {
      type: 'static',
      users: {
        joe: { secret: 'secret2', role: 'frontend' },
        peter: { secret: PETER_KEY, role: 'frontend', salt: 'salt123', iterations: 100, keylen: 16 },
      },
    },
    ticket: { type: 'static', principals: { tina: { ticket: 'secret!!!', role: 'frontend' } } },
    cryptosign: { type: 'static', principals: { 'client01@example.com': { authorized_keys: [PUB], role: 'frontend' } } },
  };
  return c;
}

let router;
const wampys = [];
const connections = [];

before(async () => {
  router = await startRouter({ config });
});

after(async () => {
  for (const w of wampys) await withTimeout(w.disconnect(), T, 'wampy disconnect').catch(() => {});
  for (const c of connections) {
    try {
      c.close();
    } catch {
      // already closed
    }
  }
  if (router) await router.stop();
});

/** Joins realm1 with wampy and the given auth options; resolves {w, welcome} (WELCOME.Details). */
async function joinWampy(options) {
  const w = new Wampy(router.url, { realm: 'realm1', ws: WebSocket, autoReconnect: false, ...options });
  wampys.push(w);
  const welcome = await withTimeout(w.connect(), T, `wampy join as ${options.authid}`);
  return { w, welcome };
}

/** Expects the wampy join to be refused with ABORT `uri`; returns the AbortError. */
async function refusedWampy(options, uri) {
  let err;
  try {
    await joinWampy(options);
  } catch (e) {
    err = e;
  }
  assert.ok(err, `join as ${options.authid} should be refused`);
  assert.equal(err.name, 'AbortedError', `expected an ABORT, got ${err}`);
  assert.equal(err.errorUri, uri);
  return err;
}

function assertIdentity(welcome, authid, authmethod) {
  assert.equal(welcome.authid, authid);
  assert.equal(welcome.authrole, 'frontend');
  assert.equal(welcome.authmethod, authmethod);
  assert.equal(welcome.authprovider, 'static');
}

/** Autobahn JS session authenticated by ticket (the transport offers no anonymous). */
async function joinAutobahnTicket() {
  const connection = new autobahn.Connection({
    url: router.url,
    realm: 'realm1',
    max_retries: 0,
    retry_if_unreachable: false,
    authmethods: ['ticket'],
    authid: 'tina',
    onchallenge: () => 'secret!!!',
  });
  connections.push(connection);
  const p = new Promise((resolve, reject) => {
    connection.onopen = (session, details) => resolve({ session, details });
    connection.onclose = (reason, details) => {
      reject(new Error(`autobahn closed: ${reason} ${JSON.stringify(details)}`));
      return true;
    };
  });
  connection.open();
  return withTimeout(p, T, 'autobahn ticket join');
}

test('wampy-cra: WAMP-CRA static, plain and salted (Crossbar docs example)', async () => {
  assert.equal(wampyCra.deriveKey('secret1', 'salt123', 100, 16), PETER_KEY);

  // onChallenge with wampy-cra's sign(): it derives the key itself when the CHALLENGE has a salt
  for (const [authid, pw] of [['joe', 'secret2'], ['peter', 'secret1']]) {
    const challenges = [];
    const sign = wampyCra.sign(pw);
    const { w, welcome } = await joinWampy({
      authid,
      authmethods: ['wampcra'],
      onChallenge: (method, info) => {
        challenges.push([method, info]);
        return sign(method, info);
      },
    });
    assertIdentity(welcome, authid, 'wampcra');
    assert.equal(challenges.length, 1);
    const [method, info] = challenges[0];
    assert.equal(method, 'wampcra');
    assert.equal(typeof info.challenge, 'string');
    const ch = JSON.parse(info.challenge);
    assert.equal(ch.authid, authid);
    assert.equal(ch.authrole, 'frontend');
    assert.equal(ch.authmethod, 'wampcra');
    if (authid === 'peter') {
      assert.deepEqual([info.salt, info.iterations, info.keylen], ['salt123', 100, 16]);
    } else {
      assert.equal(info.salt, undefined);
    }
    await withTimeout(w.disconnect(), T, 'wampy disconnect');
  }

  // manual signing: signManual with the stored (derived) key
  const manual = await joinWampy({
    authid: 'peter',
    authmethods: ['wampcra'],
    onChallenge: (method, info) => wampyCra.signManual(PETER_KEY, info.challenge),
  });
  assertIdentity(manual.welcome, 'peter', 'wampcra');
  await withTimeout(manual.w.disconnect(), T, 'wampy disconnect');

  // authMode 'auto' with authPlugins
  const auto = await joinWampy({
    authid: 'peter',
    authmethods: ['wampcra'],
    authMode: 'auto',
    authPlugins: { wampcra: wampyCra.sign('secret1') },
  });
  assertIdentity(auto.welcome, 'peter', 'wampcra');
  await withTimeout(auto.w.disconnect(), T, 'wampy disconnect');
});

test('wampy/wampcra.js (bundled, WebCrypto, async): plain and salted', async () => {
  assert.equal(await wampyCraBundled.deriveKey('secret1', 'salt123', 100, 16), PETER_KEY);
  for (const [authid, pw] of [['joe', 'secret2'], ['peter', 'secret1']]) {
    const { w, welcome } = await joinWampy({ authid, authmethods: ['wampcra'], onChallenge: wampyCraBundled.sign(pw) });
    assertIdentity(welcome, authid, 'wampcra');
    await withTimeout(w.disconnect(), T, 'wampy disconnect');
  }
});

test('ticket and cryptosign static with wampy', async () => {
  const t = await joinWampy({ authid: 'tina', authmethods: ['ticket'], onChallenge: () => 'secret!!!' });
  assertIdentity(t.welcome, 'tina', 'ticket');
  await withTimeout(t.w.disconnect(), T, 'wampy disconnect');

  const c = await joinWampy({
    authid: 'client01@example.com',
    authmethods: ['cryptosign'],
    authextra: { pubkey: PUB },
    onChallenge: wampyCs.sign(SEED_HEX),
  });
  assertIdentity(c.welcome, 'client01@example.com', 'cryptosign');
  await withTimeout(c.w.disconnect(), T, 'wampy disconnect');
});

test('wrong secrets are refused with wamp.error.not_authorized', async () => {
  await refusedWampy({ authid: 'joe', authmethods: ['wampcra'], onChallenge: wampyCra.sign('wrong') }, 'wamp.error.not_authorized');
  // salted: right salt/iterations/keylen from the CHALLENGE, wrong password
  await refusedWampy({ authid: 'peter', authmethods: ['wampcra'], onChallenge: wampyCra.sign('secret2') }, 'wamp.error.not_authorized');
  // the stored key used as a password is wrong for a salted user (it is derived once more)
  await refusedWampy({ authid: 'peter', authmethods: ['wampcra'], onChallenge: wampyCra.sign(PETER_KEY) }, 'wamp.error.not_authorized');
  await refusedWampy({ authid: 'tina', authmethods: ['ticket'], onChallenge: () => 'secret!!' }, 'wamp.error.not_authorized');
  const unknown = await refusedWampy({ authid: 'nobody', authmethods: ['wampcra'], onChallenge: wampyCra.sign('x') }, 'wamp.error.not_authorized');
  assert.equal(unknown.details.message, 'no principal with authid "nobody" exists');
  // no method the transport offers
  await refusedWampy({ authid: 'joe', authmethods: ['anonymous'], onChallenge: () => '' }, 'wamp.error.no_auth_method');
});

test('authenticated wampy (salted WAMP-CRA) and Autobahn JS (ticket) exchange events', async () => {
  const { w } = await joinWampy({ authid: 'peter', authmethods: ['wampcra'], onChallenge: wampyCra.sign('secret1') });
  const { session: ab, details } = await joinAutobahnTicket();
  assert.equal(details.authid, 'tina');
  assert.equal(details.authmethod, 'ticket');

  const gotByWampy = deferred();
  await withTimeout(w.subscribe('com.example.auth.to_wampy', (ev) => gotByWampy.resolve(ev)), T, 'wampy subscribe');
  const c = await collect(ab, 'com.example.auth.to_autobahn');

  // refused joins in between must not disturb the established sessions
  await refusedWampy({ authid: 'joe', authmethods: ['wampcra'], onChallenge: wampyCra.sign('wrong') }, 'wamp.error.not_authorized');

  await withTimeout(ab.publish('com.example.auth.to_wampy', [1, 'zwei'], { k: 'v' }, { acknowledge: true }), T, 'autobahn publish');
  const ev = await withTimeout(gotByWampy.promise, T, 'event at wampy');
  assert.deepEqual(ev.argsList, [1, 'zwei']);
  assert.deepEqual(ev.argsDict, { k: 'v' });

  await withTimeout(
    w.publish('com.example.auth.to_autobahn', { argsList: ['drei', 4], argsDict: { from: 'peter' } }, { acknowledge: true }),
    T,
    'wampy publish',
  );
  const [got] = await c.waitFor(1, T);
  assert.deepEqual(got.args, ['drei', 4]);
  assert.deepEqual(got.kwargs, { from: 'peter' });
});
