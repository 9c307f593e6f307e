// RPC through a real wampd with Autobahn JS sessions over json and msgpack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  SERIALIZER_PAIRS,
  SERIALIZERS,
  autobahn,
  connect,
  deferred,
  disconnect,
  expectWampError,
  richPayload,
  startRouter,
  withTimeout,
} from './harness.mjs';

const T = 5000;
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

function register(session, procedure, endpoint, options) {
  return withTimeout(session.register(procedure, endpoint, options), T, `register ${procedure}`);
}

function call(session, procedure, args, kwargs, options) {
  return withTimeout(session.call(procedure, args, kwargs, options), T, `call ${procedure}`);
}

/** After an error: a fresh caller still reaches a fresh callee (STYLE.md §7). */
async function assertRouterStillRoutes(procedure) {
  const callee = await open('msgpack');
  const caller = await open('json');
  await register(callee, procedure, (args) => args[0] + 1);
  assert.equal(await call(caller, procedure, [41]), 42);
}

test('WELCOME announces the dealer role with caller_identification', async () => {
  for (const ser of SERIALIZERS) {
    const s = await open(ser);
    const dealer = s.welcome.roles && s.welcome.roles.dealer;
    assert.ok(dealer && typeof dealer.features === 'object', `roles.dealer.features (${ser}): ${JSON.stringify(s.welcome.roles)}`);
    assert.equal(dealer.features.caller_identification, true, `caller_identification (${ser})`);
  }
});

for (const [calleeSer, callerSer] of SERIALIZER_PAIRS) {
  test(`${callerSer} caller -> ${calleeSer} callee: args/kwargs with binary, big integers, unicode round-trip`, async () => {
    const procedure = `com.example.echo.${calleeSer}.${callerSer}`;
    const callee = await open(calleeSer);
    const caller = await open(callerSer);
    const seen = [];
    await register(callee, procedure, (args, kwargs) => {
      seen.push({ args, kwargs });
      return new autobahn.Result(args, kwargs);
    });
    const sent = richPayload(callerSer);
    const res = await call(caller, procedure, sent.args, sent.kwargs);
    assert.equal(seen.length, 1, 'one INVOCATION');
    const atCallee = richPayload(calleeSer);
    assert.deepEqual(seen[0].args, atCallee.args, 'INVOCATION args');
    assert.deepEqual(seen[0].kwargs, atCallee.kwargs, 'INVOCATION kwargs');
    assert.ok(res instanceof autobahn.Result, 'RESULT with args and kwargs');
    assert.deepEqual(res.args, sent.args, 'RESULT args');
    assert.deepEqual(res.kwargs, sent.kwargs, 'RESULT kwargs');
  });
}

test('args / kwargs shapes: positional only, keyword only, none', async () => {
  const callee = await open('json');
  const callerJ = await open('json');
  const callerM = await open('msgpack');
  await register(callee, 'com.example.add2', (args) => args[0] + args[1]);
  await register(callee, 'com.example.kwsum', (args, kwargs) => new autobahn.Result([], { sum: kwargs.a + kwargs.b, nargs: args.length }));
  await register(callee, 'com.example.nothing', () => undefined);
  for (const caller of [callerJ, callerM]) {
    assert.equal(await call(caller, 'com.example.add2', [2, 3]), 5);
    const kw = await call(caller, 'com.example.kwsum', null, { a: 1, b: 2 });
    assert.ok(kw instanceof autobahn.Result);
    assert.deepEqual(kw.kwargs, { sum: 3, nargs: 0 });
    const none = await call(caller, 'com.example.nothing');
    assert.equal(none ?? null, null);
  }
});

test('callee error com.example.oops with args and kwargs reaches the caller', async () => {
  for (const [calleeSer, callerSer] of SERIALIZER_PAIRS) {
    const procedure = `com.example.fails.${calleeSer}.${callerSer}`;
    const callee = await open(calleeSer);
    const caller = await open(callerSer);
    await register(callee, procedure, () => {
      throw new autobahn.Error('com.example.oops', [1], { x: 2 });
    });
    const err = await expectWampError(caller.call(procedure, [0]), 'com.example.oops', T, `call ${procedure}`);
    assert.deepEqual(err.args, [1], `${calleeSer}->${callerSer} error args`);
    assert.deepEqual(err.kwargs, { x: 2 }, `${calleeSer}->${callerSer} error kwargs`);
  }
});

test('calling an unknown procedure => wamp.error.no_such_procedure', async () => {
  for (const ser of SERIALIZERS) {
    const caller = await open(ser);
    await expectWampError(caller.call('com.example.nobody.home', [1]), 'wamp.error.no_such_procedure', T, `call unknown (${ser})`);
    assert.equal(caller.isOpen, true, 'session survives the error');
  }
  await assertRouterStillRoutes('com.example.alive.after.no_such_procedure');
});

test('registering a procedure twice => wamp.error.procedure_already_exists', async () => {
  const first = await open('json');
  const second = await open('msgpack');
  await register(first, 'com.example.once', () => 'first');
  await expectWampError(second.register('com.example.once', () => 'second'), 'wamp.error.procedure_already_exists', T, 'register from another session');
  await expectWampError(first.register('com.example.once', () => 'again'), 'wamp.error.procedure_already_exists', T, 'register again from the same session');
  const caller = await open('json');
  assert.equal(await call(caller, 'com.example.once'), 'first', 'the first registration still serves calls');
});

test('disclose_me: INVOCATION.Details.caller is the caller session id (absent without it)', async () => {
  for (const [calleeSer, callerSer] of SERIALIZER_PAIRS) {
    const procedure = `com.example.whoami.${calleeSer}.${callerSer}`;
    const callee = await open(calleeSer);
    const caller = await open(callerSer);
    await register(callee, procedure, (args, kwargs, details) => details.caller ?? null);
    assert.equal(await call(caller, procedure), null, `${calleeSer}<-${callerSer}: not disclosed by default (role disclose.caller=false)`);
    assert.equal(await call(caller, procedure, [], {}, { disclose_me: true }), caller.id, `${calleeSer}<-${callerSer}: disclose_me honoured`);
  }
});

for (const [n, how, drop] of [
  [1, 'leaves with GOODBYE', (callee) => callee.connection.close()],
  [2, 'closes its WebSocket without GOODBYE', (callee) => callee.ws.close(1000)],
  [3, 'drops its TCP connection', (callee) => callee.ws.terminate()],
]) {
  test(`callee ${how} during a call => caller gets wamp.error.canceled`, async () => {
    const procedure = `com.example.hang.${n}`;
    const callee = await open('msgpack');
    const caller = await open('json');
    const invoked = deferred();
    await register(callee, procedure, () => {
      invoked.resolve();
      return new Promise(() => {}); // never answers
    });
    // handle the rejection from the start: the ERROR may arrive before the callee's close completes
    const canceled = expectWampError(caller.call(procedure, ['wait']), 'wamp.error.canceled', 2 * T, 'pending call after callee left');
    canceled.catch(() => {});
    await withTimeout(invoked.promise, T, 'INVOCATION reached the callee');
    drop(callee);
    await withTimeout(callee.closed, T, 'callee connection closed');
    await canceled;
    assert.equal(caller.isOpen, true, 'caller session survives');
    await expectWampError(caller.call(procedure), 'wamp.error.no_such_procedure', T, 'registration removed with the callee');
  });
}

test('100 concurrent sessions each call one procedure', async () => {
  const N = 100;
  const callee = await open('msgpack');
  await register(callee, 'com.example.square', (args) => args[0] * args[0]);
  const callers = await withTimeout(
    Promise.all(Array.from({ length: N }, (_, i) => connect({ url: router.url, serializer: SERIALIZERS[i % 2], timeoutMs: 20_000 }))),
    30_000,
    `${N} sessions join`,
  );
  sessions.push(...callers);
  assert.equal(new Set(callers.map((s) => s.id)).size, N, 'distinct session ids');
  const results = await withTimeout(
    Promise.all(callers.map((s, i) => s.call('com.example.square', [i]))),
    30_000,
    `${N} concurrent calls`,
  );
  assert.deepEqual(results, Array.from({ length: N }, (_, i) => i * i));
  await withTimeout(Promise.all(callers.map((s) => disconnect(s, 20_000))), 30_000, `${N} sessions leave`);
});

test('call timeout (ms): the caller gets wamp.error.timeout, later calls still work', async () => {
  const callee = await connect({ url: router.url, serializer: 'json' });
  const caller = await connect({ url: router.url, serializer: 'msgpack' });
  try {
    let release;
    const held = new Promise((r) => { release = r; });
    await withTimeout(callee.register('com.js.slow', async () => { await held; return 'late'; }), T, 'register');
    const t0 = Date.now();
    await assert.rejects(withTimeout(caller.call('com.js.slow', [], {}, { timeout: 200 }), T, 'timed call'),
      (e) => e.error === 'wamp.error.timeout');
    assert.ok(Date.now() - t0 < 2000, 'answered after about 200 ms, not seconds');
    release();
    await withTimeout(callee.register('com.js.quick', () => 'quick'), T, 'register');
    assert.equal(await withTimeout(caller.call('com.js.quick', [], {}, { timeout: 2000 }), T, 'quick call'), 'quick');
  } finally {
    await disconnect(caller).catch(() => {});
    await disconnect(callee).catch(() => {});
  }
});
