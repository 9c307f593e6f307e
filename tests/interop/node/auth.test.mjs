// Transport authentication (issue 4) with Autobahn JS: WAMP-CRA (plain and salted, with
// auth_cra.sign / derive_key), ticket, cryptosign (autobahn.auth_cryptosign with tweetnacl),
// and the refusals a client sees as onclose details.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import nacl from 'tweetnacl';

import { autobahn, defaultConfig, startRouter, withTimeout } from './harness.mjs';

const FULL = {
  uri: '',
  match: 'prefix',
  allow: { call: true, register: true, publish: true, subscribe: true },
};
const SEED = new Uint8Array(32).fill(1);
const KEY = nacl.sign.keyPair.fromSeed(SEED);
const PUB = Buffer.from(KEY.publicKey).toString('hex');

function authConfig(auth) {
  return (port) => {
    const c = defaultConfig(port);
    c.workers[0].realms[0].roles.push({ name: 'frontend', permissions: [FULL] });
    c.workers[0].transports[0].paths.ws.auth = auth;
    return c;
  };
}

/** Opens a session with auth options; resolves {session, details} or rejects with the close reason. */
function open(url, options) {
  const connection = new autobahn.Connection({
    url,
    realm: 'realm1',
    max_retries: 0,
    retry_if_unreachable: false,
    ...options,
  });
  const p = new Promise((resolve, reject) => {
    connection.onopen = (session, details) => resolve({ session, details, connection });
    connection.onclose = (reason, details) => {
      reject(Object.assign(new Error(`closed: ${reason} ${details.reason} ${details.message}`), { details }));
      return true;
    };
  });
  connection.open();
  return withTimeout(p, 5000, 'auth join');
}

test('WAMP-CRA static, plain and salted (Crossbar docs example), with Autobahn JS', async () => {
  const peterKey = autobahn.auth_cra.derive_key('secret1', 'salt123', 100, 16);
  assert.equal(peterKey, 'prq7+YkJ1/KlW1X0YczMHw==');
  const r = await startRouter({
    config: authConfig({
      wampcra: {
        type: 'static',
        users: {
          joe: { secret: 'secret2', role: 'frontend' },
          peter: { secret: peterKey, role: 'frontend', salt: 'salt123', iterations: 100, keylen: 16 },
        },
      },
    }),
  });
  try {
    const onchallenge = (password) => (session, method, extra) => {
      assert.equal(method, 'wampcra');
      const key = extra.salt
        ? autobahn.auth_cra.derive_key(password, extra.salt, extra.iterations, extra.keylen)
        : password;
      return autobahn.auth_cra.sign(key, extra.challenge);
    };
    for (const [authid, pw] of [['joe', 'secret2'], ['peter', 'secret1']]) {
      const { details, connection } = await open(r.url, { authmethods: ['wampcra'], authid, onchallenge: onchallenge(pw) });
      assert.equal(details.authid, authid);
      assert.equal(details.authrole, 'frontend');
      assert.equal(details.authmethod, 'wampcra');
      connection.close();
    }
    await assert.rejects(
      open(r.url, { authmethods: ['wampcra'], authid: 'joe', onchallenge: onchallenge('wrong') }),
      (e) => e.details.reason === 'wamp.error.not_authorized',
    );
  } finally {
    await r.stop();
  }
});

test('ticket and cryptosign static with Autobahn JS', async () => {
  const r = await startRouter({
    config: authConfig({
      ticket: { type: 'static', principals: { joe: { ticket: 'secret!!!', role: 'frontend' } } },
      cryptosign: { type: 'static', principals: { 'client01@example.com': { authorized_keys: [PUB], role: 'frontend' } } },
    }),
  });
  try {
    const t = await open(r.url, { authmethods: ['ticket'], authid: 'joe', onchallenge: () => 'secret!!!' });
    assert.equal(t.details.authmethod, 'ticket');
    t.connection.close();
    await assert.rejects(
      open(r.url, { authmethods: ['ticket'], authid: 'joe', onchallenge: () => 'nope' }),
      (e) => e.details.reason === 'wamp.error.not_authorized',
    );
    const c = await open(r.url, {
      authmethods: ['cryptosign'],
      authextra: { pubkey: PUB, trustroot: null, challenge: null, channel_binding: null },
      onchallenge: (session, method, extra) => autobahn.auth_cryptosign.sign_challenge(KEY, extra),
    });
    assert.equal(c.details.authid, 'client01@example.com');
    assert.equal(c.details.authmethod, 'cryptosign');
    c.connection.close();
    await assert.rejects(
      open(r.url, { authmethods: ['anonymous'] }),
      (e) => e.details.reason === 'wamp.error.no_auth_method',
    );
  } finally {
    await r.stop();
  }
});
