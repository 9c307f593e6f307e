// Pub/sub through a real wampd with Autobahn JS sessions over json and msgpack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  SERIALIZER_PAIRS,
  SERIALIZERS,
  collect,
  connect,
  disconnect,
  expectWampError,
  rawUnsubscribe,
  richPayload,
  startRouter,
  withTimeout,
} from './harness.mjs';

const T = 5000; // bound for a single round trip
let router;
const sessions = [];

before(async () => {
  router = await startRouter();
});

after(async () => {
  for (const s of sessions) await disconnect(s).catch(() => {});
  if (router) await router.stop();
});

async function open(serializer = 'json') {
  const s = await connect({ url: router.url, serializer });
  sessions.push(s);
  return s;
}

function publishAck(session, topic, args, kwargs, options = {}) {
  return withTimeout(session.publish(topic, args, kwargs, { acknowledge: true, ...options }), T, `acknowledged publish to ${topic}`);
}

function assertPublicationId(id, what) {
  assert.equal(typeof id, 'number', `${what}: publication id is a number`);
  assert.ok(Number.isInteger(id) && id >= 1 && id <= 2 ** 53, `${what}: publication id ${id} in [1, 2^53]`);
}

/** After an error: a fresh pair of sessions still exchanges an event (STYLE.md §7). */
async function assertRouterStillDelivers(topic) {
  const sub = await open('msgpack');
  const pub = await open('json');
  const c = await collect(sub, topic);
  await publishAck(pub, topic, ['still alive']);
  const [ev] = await c.waitFor(1, T);
  assert.deepEqual(ev.args, ['still alive']);
}

test('WELCOME announces broker and dealer roles with the features Autobahn JS uses', async () => {
  for (const ser of SERIALIZERS) {
    const s = await open(ser);
    assert.equal(s.welcome.transport.protocol, `wamp.2.${ser}`, 'negotiated subprotocol');
    assert.ok(Number.isInteger(s.id) && s.id >= 1 && s.id <= 2 ** 53, `session id ${s.id} in [1, 2^53]`);
    const roles = s.welcome.roles;
    assert.ok(roles && typeof roles === 'object', 'WELCOME.Details.roles is a dict');
    assert.ok(roles.broker && typeof roles.broker.features === 'object', `roles.broker.features is a dict (${ser}): ${JSON.stringify(roles)}`);
    assert.ok(roles.dealer && typeof roles.dealer.features === 'object', `roles.dealer.features is a dict (${ser}): ${JSON.stringify(roles)}`);
    for (const f of ['publisher_identification', 'publisher_exclusion', 'subscriber_blackwhite_listing']) {
      assert.equal(roles.broker.features[f], true, `broker feature ${f} announced (${ser})`);
    }
    assert.equal(roles.dealer.features.caller_identification, true, `dealer feature caller_identification announced (${ser})`);
  }
});

for (const [from, to] of SERIALIZER_PAIRS) {
  test(`${from} publisher -> ${to} subscriber: binary, big integers, unicode and nested kwargs arrive intact`, async () => {
    const topic = `com.example.payload.${from}.${to}`;
    const sub = await open(to);
    const pub = await open(from);
    const c = await collect(sub, topic);
    const sent = richPayload(from);
    const publication = await publishAck(pub, topic, sent.args, sent.kwargs);
    assertPublicationId(publication.id, 'PUBLISHED');
    const [ev] = await c.waitFor(1, T);
    const expected = richPayload(to);
    assert.deepEqual(ev.args, expected.args, 'EVENT args');
    assert.deepEqual(ev.kwargs, expected.kwargs, 'EVENT kwargs');
    assert.equal(ev.details.publication, publication.id, 'EVENT publication id equals PUBLISHED id');
    assert.equal(ev.details.topic, topic);
  });
}

test('acknowledged publish without subscribers still returns a publication id', async () => {
  for (const ser of SERIALIZERS) {
    const pub = await open(ser);
    const a = await publishAck(pub, 'com.example.nobody.listens', [1]);
    const b = await publishAck(pub, 'com.example.nobody.listens', [2]);
    assertPublicationId(a.id, `first (${ser})`);
    assertPublicationId(b.id, `second (${ser})`);
    assert.notEqual(a.id, b.id, 'publication ids differ');
  }
});

test('exclude_me: the publisher gets its own event only with exclude_me=false', async () => {
  const topic = 'com.example.exclude_me';
  const pub = await open('json');
  const other = await open('msgpack');
  const own = await collect(pub, topic);
  const theirs = await collect(other, topic);
  await publishAck(pub, topic, ['default']);
  await publishAck(pub, topic, ['included'], {}, { exclude_me: false });
  await theirs.waitFor(2, T);
  await own.waitFor(1, T);
  assert.deepEqual(theirs.events.map((e) => e.args[0]), ['default', 'included']);
  // EVENTs from one publisher reach a subscriber in order: 'default' would have come first.
  assert.deepEqual(own.events.map((e) => e.args[0]), ['included'], 'exclude_me defaults to true');
});

test('eligible / exclude by session id select the receivers', async () => {
  const topic = 'com.example.blackwhite';
  const pub = await open('json');
  const a = await open('json');
  const b = await open('msgpack');
  const c = await open('json');
  const ca = await collect(a, topic);
  const cb = await collect(b, topic);
  const cc = await collect(c, topic);
  await publishAck(pub, topic, ['only-a'], {}, { eligible: [a.id] });
  await publishAck(pub, topic, ['not-a'], {}, { exclude: [a.id] });
  await publishAck(pub, topic, ['a-of-ab'], {}, { eligible: [a.id, b.id], exclude: [b.id] });
  await publishAck(pub, topic, ['marker']);
  await Promise.all([ca.waitFor(3, T), cb.waitFor(2, T), cc.waitFor(2, T)]);
  const got = (col) => col.events.map((e) => e.args[0]);
  assert.deepEqual(got(ca), ['only-a', 'a-of-ab', 'marker'], 'session a');
  assert.deepEqual(got(cb), ['not-a', 'marker'], 'session b');
  assert.deepEqual(got(cc), ['not-a', 'marker'], 'session c');
});

test('disclose_me: EVENT.Details.publisher is the publisher session id (absent without it)', async () => {
  for (const [from, to] of SERIALIZER_PAIRS) {
    const topic = `com.example.disclose.${from}.${to}`;
    const pub = await open(from);
    const sub = await open(to);
    const col = await collect(sub, topic);
    await publishAck(pub, topic, ['anonymous']);
    await publishAck(pub, topic, ['disclosed'], {}, { disclose_me: true });
    await col.waitFor(2, T);
    assert.equal(col.events[0].details.publisher, undefined, `${from}->${to}: not disclosed by default (role disclose.publisher=false)`);
    assert.equal(col.events[1].details.publisher, pub.id, `${from}->${to}: disclose_me honoured`);
  }
});

test('unsubscribe stops delivery; the session stays usable', async () => {
  const topic = 'com.example.unsub';
  const other = 'com.example.unsub.marker';
  const pub = await open('json');
  const sub = await open('msgpack');
  const c1 = await collect(sub, topic);
  const c2 = await collect(sub, other);
  await publishAck(pub, topic, ['before']);
  await c1.waitFor(1, T);
  const res = await withTimeout(sub.unsubscribe(c1.subscription), T, 'unsubscribe');
  assert.equal(res, true, 'UNSUBSCRIBED');
  await publishAck(pub, topic, ['after']);
  await publishAck(pub, other, ['marker']);
  await c2.waitFor(1, T);
  // Autobahn drops the transport on an EVENT for an unknown subscription, so isOpen also proves it.
  assert.equal(sub.isOpen, true, 'subscriber session still open');
  assert.deepEqual(c1.events.map((e) => e.args[0]), ['before']);
});

test('unsubscribe twice => wamp.error.no_such_subscription', async () => {
  const sub = await open('json');
  const c = await collect(sub, 'com.example.unsub.twice');
  const id = c.subscription.id;
  await withTimeout(sub.unsubscribe(c.subscription), T, 'first unsubscribe');
  await expectWampError(rawUnsubscribe(sub, id), 'wamp.error.no_such_subscription', T, 'second UNSUBSCRIBE');
  await expectWampError(rawUnsubscribe(sub, 4242424242), 'wamp.error.no_such_subscription', T, 'UNSUBSCRIBE of an id never issued');
  assert.equal(sub.isOpen, true, 'session survives the error');
  await assertRouterStillDelivers('com.example.alive.after.unsub');
});

test('acknowledged publish to "wamp.x" => wamp.error.invalid_uri', async () => {
  for (const ser of SERIALIZERS) {
    const pub = await open(ser);
    await expectWampError(pub.publish('wamp.x', [1], {}, { acknowledge: true }), 'wamp.error.invalid_uri', T, `publish wamp.x (${ser})`);
    assert.equal(pub.isOpen, true, 'session survives the error');
  }
  await assertRouterStillDelivers('com.example.alive.after.invalid_uri');
});

test('1000 acknowledged events arrive in order, none lost, to json and msgpack subscribers', async () => {
  const N = 1000;
  const topic = 'com.example.flood';
  const pub = await open('json');
  const s1 = await open('json');
  const s2 = await open('msgpack');
  const c1 = await collect(s1, topic);
  const c2 = await collect(s2, topic);
  const acks = [];
  for (let i = 0; i < N; i++) acks.push(pub.publish(topic, [i], { i }, { acknowledge: true }));
  const pubs = await withTimeout(Promise.all(acks), 30_000, `${N} PUBLISHED`);
  const ids = pubs.map((p) => p.id);
  ids.forEach((id, i) => assertPublicationId(id, `publication ${i}`));
  assert.equal(new Set(ids).size, N, 'publication ids are distinct');
  await Promise.all([c1.waitFor(N, 30_000), c2.waitFor(N, 30_000)]);
  for (const [name, col] of [['json', c1], ['msgpack', c2]]) {
    assert.equal(col.events.length, N, `${name}: exactly ${N} events`);
    col.events.forEach((e, i) => {
      assert.deepEqual(e.args, [i], `${name}: event ${i} in order`);
      assert.deepEqual(e.kwargs, { i });
      assert.equal(e.details.publication, ids[i], `${name}: event ${i} publication id`);
    });
  }
});

test('pattern-based subscriptions: prefix and wildcard deliver with details.topic (json and msgpack)', async () => {
  for (const ser of SERIALIZERS) {
    const sub = await open(ser);
    const pub = await open('json');
    const base = `com.example.js.pattern.${ser}`;
    const prefix = await collect(sub, `${base}.`, { match: 'prefix' });
    const wild = await collect(sub, `${base}..done`, { match: 'wildcard' });
    await publishAck(pub, `${base}.a`, [1]);
    await publishAck(pub, `${base}.job.done`, [2]);
    await publishAck(pub, `${base}.x.y.done`, [3]); // prefix only: one component too many for the wildcard
    const got = await prefix.waitFor(3, T);
    assert.deepEqual(got.map((e) => [e.args[0], e.details.topic]),
      [[1, `${base}.a`], [2, `${base}.job.done`], [3, `${base}.x.y.done`]]);
    const w = await wild.waitFor(1, T);
    assert.deepEqual(w.map((e) => [e.args[0], e.details.topic]), [[2, `${base}.job.done`]]);
  }
});
