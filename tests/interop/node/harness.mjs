// Interop harness: starts a real wampd on a free 127.0.0.1 port with its own Crossbar config
// (STYLE.md §7) and connects Autobahn JS sessions to it. Every wait here is bounded.
//
// Node 20 has no global WebSocket; Autobahn JS (>= 26) uses the global one, so the 'ws' package
// stands in for it (below). ws delivers binary frames as ArrayBuffer when binaryType is
// 'arraybuffer', like the WHATWG WebSocket in Node >= 22.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import autobahn from 'autobahn';
import WebSocket from 'ws';

/** ws's WebSocket that remembers the last instance, so a test can drop a session's TCP connection. */
class TrackingWebSocket extends WebSocket {
  static last = null;
  constructor(...args) {
    super(...args);
    TrackingWebSocket.last = this;
  }
}
// Always ws (also on Node >= 22, which has its own): one client stack for every run, and
// ws.terminate() lets a test drop a TCP connection without a close frame.
globalThis.WebSocket = TrackingWebSocket;

export { autobahn, WebSocket };

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..', '..');
export const WAMPD = process.env.WAMPD
  ? path.resolve(process.env.WAMPD)
  : path.join(REPO, 'build', 'router', 'wampd');

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const SANITIZER_MARKERS = ['AddressSanitizer', 'LeakSanitizer', 'runtime error:'];

/** Rejects with "timeout after N ms: what" unless `promise` settles first. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/** A promise with its resolve/reject exposed. */
export function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A port that was free a moment ago (listen on 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The default test config: realm1, anonymous may do everything, WebSocket json+msgpack on `port`. */
export function defaultConfig(port) {
  return {
    version: 2,
    workers: [
      {
        type: 'router',
        realms: [
          {
            name: 'realm1',
            roles: [
              {
                name: 'anonymous',
                permissions: [
                  {
                    uri: '',
                    match: 'prefix',
                    allow: { call: true, register: true, publish: true, subscribe: true },
                    disclose: { caller: false, publisher: false },
                    cache: true,
                  },
                ],
              },
            ],
          },
        ],
        transports: [
          {
            type: 'web',
            endpoint: { type: 'tcp', interface: '127.0.0.1', port },
            paths: { ws: { type: 'websocket', serializers: ['json', 'msgpack'] } },
          },
        ],
      },
    ],
  };
}

function tryConnect(port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
    sock.setTimeout(500, () => done(false));
  });
}

function tail(text, lines = 200) {
  const all = text.split('\n');
  return all.length <= lines ? text : `[... ${all.length - lines} earlier lines ...]\n` + all.slice(-lines).join('\n');
}

/**
 * Starts wampd with a fresh cbdir holding config.json (`config(port)`, default `defaultConfig`).
 * Resolves to {url, port, cbdir, log(), stop()} once the port accepts TCP (at most 10 s).
 * stop(): SIGTERM, wait at most 10 s (else SIGKILL and throw); throws unless the exit code is 0
 * and the output has no sanitizer report. The cbdir (with wampd.log) is kept when stop() throws.
 */
export async function startRouter({ config = defaultConfig, args = [] } = {}) {
  if (!fs.existsSync(WAMPD)) {
    throw new Error(`wampd binary not found at ${WAMPD} (set WAMPD=/path/to/wampd)`);
  }
  const port = await freePort();
  const cbdir = fs.mkdtempSync(path.join(os.tmpdir(), 'wampd-interop-'));
  fs.writeFileSync(path.join(cbdir, 'config.json'), JSON.stringify(config(port), null, 2));

  const env = { ...process.env };
  env.UBSAN_OPTIONS ??= 'print_stacktrace=1';
  const child = spawn(WAMPD, ['start', '--cbdir', cbdir, '--loglevel', 'debug', ...args], {
    cwd: cbdir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let stdout = '';
  let stderr = '';
  const logFile = fs.createWriteStream(path.join(cbdir, 'wampd.log'));
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (s) => {
    stdout += s;
    logFile.write(s);
  });
  child.stderr.on('data', (s) => {
    stderr += s;
    logFile.write(s);
  });

  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ code: null, signal: null, error: err }));
  });
  let exitInfo = null;
  exited.then((info) => {
    exitInfo = info;
  });

  const log = () => `--- wampd stdout ---\n${stdout}\n--- wampd stderr ---\n${stderr}`;
  const describe = (what) =>
    new Error(`${what}\ncbdir: ${cbdir}\n--- wampd stdout (tail) ---\n${tail(stdout)}\n--- wampd stderr (tail) ---\n${tail(stderr)}`);

  // wait (bounded) until the port accepts TCP or the process dies
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exitInfo) {
      throw describe(`wampd exited before listening: ${JSON.stringify(exitInfo)}`);
    }
    if (await tryConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await withTimeout(exited, 5000, 'wampd exit after SIGKILL').catch(() => {});
      throw describe(`wampd did not accept TCP on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (!exitInfo) child.kill('SIGTERM');
    let info;
    try {
      info = await withTimeout(exited, STOP_TIMEOUT_MS, 'wampd exit after SIGTERM');
    } catch {
      child.kill('SIGKILL');
      await withTimeout(exited, 5000, 'wampd exit after SIGKILL').catch(() => {});
      logFile.end();
      throw describe(`wampd did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM (killed)`);
    }
    await new Promise((r) => logFile.end(r));
    const all = stdout + stderr;
    const marker = SANITIZER_MARKERS.find((m) => all.includes(m));
    if (marker) {
      throw describe(`wampd output contains "${marker}"`);
    }
    if (info.code !== 0) {
      throw describe(`wampd exit status ${JSON.stringify(info)}, expected code 0`);
    }
    fs.rmSync(cbdir, { recursive: true, force: true });
  }

  return {
    url: `ws://127.0.0.1:${port}/ws`,
    port,
    cbdir,
    log,
    get exited() {
      return exitInfo;
    },
    stop,
  };
}

function makeSerializer(serializer) {
  if (serializer === 'json') return new autobahn.serializer.JSONSerializer();
  if (serializer === 'msgpack') return new autobahn.serializer.MsgpackSerializer();
  throw new Error(`unknown serializer ${serializer}`);
}

/**
 * Opens an Autobahn JS session with exactly one serializer offered. Resolves on onopen; rejects
 * when the connection closes before it opened or after `timeoutMs`. The session gets extra fields:
 * `welcome` (WELCOME.Details), `connection`, `closed` (promise of {reason, details}),
 * `serializerName` and `ws` (the underlying ws WebSocket; `session.ws.terminate()` drops TCP).
 */
export function connect({ url, serializer = 'json', realm = 'realm1', timeoutMs = 5000, options = {} } = {}) {
  const connection = new autobahn.Connection({
    url,
    realm,
    serializers: [makeSerializer(serializer)],
    max_retries: 0,
    retry_if_unreachable: false,
    ...options,
  });
  const closed = deferred();
  let ws = null;
  const opened = new Promise((resolve, reject) => {
    let isOpen = false;
    connection.onopen = (session, details) => {
      isOpen = true;
      session.welcome = details;
      session.connection = connection;
      session.closed = closed.promise;
      session.serializerName = serializer;
      session.ws = ws;
      resolve(session);
    };
    connection.onclose = (reason, details) => {
      closed.resolve({ reason, details });
      if (!isOpen) {
        reject(new Error(`connection (${serializer}) closed before open: ${reason} ${JSON.stringify(details)}`));
      }
      return true; // never retry
    };
    connection.open();
    ws = TrackingWebSocket.last; // created synchronously by open()
  });
  return withTimeout(opened, timeoutMs, `connect ${serializer} to ${url}`).catch((err) => {
    try {
      connection.close();
    } catch {
      // already closed
    }
    throw err;
  });
}

/** Leaves (GOODBYE) and waits, bounded, for the transport to close. Ignores sessions already gone. */
export async function disconnect(session, timeoutMs = 5000) {
  if (!session || !session.connection) return;
  try {
    session.connection.close();
  } catch {
    return; // already closed
  }
  await withTimeout(session.closed, timeoutMs, 'connection close');
}

/**
 * Subscribes `handler`-less: collects [args, kwargs, details] of every event on `topic`.
 * Returns {subscription, events, waitFor(n, ms)}; waitFor resolves once n events arrived.
 */
export async function collect(session, topic, options = undefined, timeoutMs = 5000) {
  const events = [];
  const waiters = [];
  const handler = (args, kwargs, details) => {
    events.push({ args, kwargs, details });
    for (const w of [...waiters]) {
      if (events.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(events);
      }
    }
  };
  const subscription = await withTimeout(session.subscribe(topic, handler, options), timeoutMs, `subscribe ${topic}`);
  function waitFor(n, ms = 5000) {
    if (events.length >= n) return Promise.resolve(events);
    const d = deferred();
    waiters.push({ n, resolve: d.resolve });
    return withTimeout(d.promise, ms, `${n} events on ${topic} (have ${events.length})`);
  }
  return { subscription, events, waitFor };
}

/**
 * Sends a raw UNSUBSCRIBE for `subscriptionId` through Autobahn's internals (Autobahn refuses to
 * unsubscribe an inactive subscription itself, so a second UNSUBSCRIBE never reaches the router).
 */
export function rawUnsubscribe(session, subscriptionId) {
  const d = session._defer();
  const request = session._new_request_id();
  session._unsubscribe_reqs[request] = [d, subscriptionId];
  session._send_wamp([34, request, subscriptionId]);
  return d.promise && d.promise.then ? d.promise : d;
}

/** Binary value as a given Autobahn serializer carries it: msgpack bin (Buffer) or JSON "\u0000"+base64. */
export function bin(serializer, buf) {
  return serializer === 'msgpack' ? Buffer.from(buf) : '\u0000' + Buffer.from(buf).toString('base64');
}

/** A payload exercising binary, big integers, unicode and nesting, as `serializer` represents it. */
export function richPayload(serializer) {
  const b = (bytes) => bin(serializer, bytes);
  const all = Array.from({ length: 256 }, (_, i) => i);
  return {
    args: [
      0,
      1,
      -1,
      1.5,
      -0.25,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      -Number.MAX_SAFE_INTEGER,
      true,
      false,
      null,
      '',
      'héllo wörld ✓ 🎉 日本語 Ελληνικά',
      [],
      {},
      b([0xff]),
      b([0x00, 0x01]),
      b([0x01, 0x02, 0x03]),
      b(all),
    ],
    kwargs: {
      nested: {
        deeper: { list: [1, 'two', { three: 3, big: 2 ** 53 }], blob: b([0xde, 0xad, 0xbe, 0xef]) },
        'ключ': 'значение',
        emoji: '🎉',
      },
      empty: {},
      nothing: null,
      many: [[1, [2, [3, [4]]]]],
    },
  };
}

export const SERIALIZERS = ['json', 'msgpack'];

/** All (from, to) serializer pairs: json→json, json→msgpack, msgpack→json, msgpack→msgpack. */
export const SERIALIZER_PAIRS = SERIALIZERS.flatMap((a) => SERIALIZERS.map((b) => [a, b]));

/** Expects `promise` to reject with an Autobahn error whose URI is `uri`; returns the error. */
export async function expectWampError(promise, uri, ms, what) {
  let err;
  try {
    const value = await withTimeout(promise, ms, what);
    throw new Error(`${what}: expected error ${uri}, got success ${JSON.stringify(value)}`);
  } catch (e) {
    err = e;
  }
  if (err instanceof Error && !(err instanceof autobahn.Error) && err.error === undefined) {
    throw err;
  }
  if (err.error !== uri) {
    throw new Error(`${what}: expected error ${uri}, got ${JSON.stringify(err)}`);
  }
  return err;
}
