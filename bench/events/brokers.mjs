// What the outbox delivers through each destination type (docs/events.md, "Cost"): Basalt
// processes in the same run — one with no destination, and one each with a webhook to a
// node:http receiver, a RabbitMQ, a NATS JetStream and a Redis Streams destination (brokers
// started by scripts/{rabbitmq,nats,redis}-test-server.sh as the tests run them: Redis with AOF
// `appendfsync always`, JetStream file storage, RabbitMQ persistent messages to a durable
// queue) — taking the same creates from concurrent clients in interleaved rounds (the order
// alternates so drift in machine load hits all alike). Per destination: the median create rate
// (and its cost against no destination), the delivered events/s (first to last receipt of a
// round) and the commit-to-receipt lag p50/p99 (the envelope's commit timestamp against the
// consumer's clock: the same machine; receipt = the consumer got it from the broker).
//
// Consumers run on worker threads of their own so their work never delays the clients:
// webhook: node:http; RabbitMQ: amqplib consuming a durable queue bound with `#`; NATS: a core
// subscription to `basalt.>` (JetStream publishes are plain messages on their subject);
// Redis: XREAD BLOCK on the stream over a raw RESP connection (no client library needed).
//
// One more server has all four destinations at once (`all`): every create is delivered to the
// webhook and the three brokers, and each consumer reports its own delivered rate and lag.
//
// BENCH_BASELINE_BINARY (optional): a build without the outbox's per-write check (e.g. the
// branch point), run as one more server with no destination: "without the outbox".
//
//   node bench/events/brokers.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=3, BENCH_CREATES=2000,
//                                    BENCH_CLIENTS=16, BENCH_PORT_BASE=42200: Basalt servers on
//                                    base..base+6, brokers on base+100..base+102)
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { startServer } from '../../tests/e2e/server.mjs';

const run = promisify(execFile);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const creates = Number(process.env.BENCH_CREATES ?? 2000);
const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const portBase = Number(process.env.BENCH_PORT_BASE ?? 42200);
const superuser = { email: 'bench@example.com', password: 'bench password 123' };
const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));
const e2ePackage = fileURLToPath(new URL('../../tests/e2e/package.json', import.meta.url));

async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

// One consumer per destination on a worker thread. It posts {ready} once it listens, then for
// each {expected: n} resets its counts and posts the stats once n events arrived.
const consumerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const requireE2e = createRequire(workerData.e2ePackage);
let state;
const reset = (expected) => { state = { lags: [], first: 0, last: 0, count: 0, expected }; };
reset(-1);
function received(envelopeTimestamp) {
  const now = Date.now();
  state.lags.push(now - Date.parse(envelopeTimestamp));
  if (state.count === 0) state.first = now;
  state.last = now;
  state.count++;
  if (state.count === state.expected) parentPort.postMessage({ done: true, ...state });
}
parentPort.on('message', (message) => {
  reset(message.expected);
  parentPort.postMessage({ reset: true });
});

async function webhook() {
  const { createServer } = require('node:http');
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (c) => chunks.push(c));
    request.on('end', () => {
      received(JSON.parse(Buffer.concat(chunks).toString('utf8')).timestamp);
      response.writeHead(204).end();
    });
  });
  await new Promise((resolve) => server.listen(workerData.port, '127.0.0.1', resolve));
}

async function rabbitmq() {
  const amqp = requireE2e('amqplib');
  const connection = await amqp.connect(workerData.url);
  const channel = await connection.createChannel();
  await channel.assertExchange('basalt', 'topic', { durable: true });
  await channel.assertQueue('bench-events', { durable: true });
  await channel.purgeQueue('bench-events');
  await channel.bindQueue('bench-events', 'basalt', '#');
  await channel.prefetch(1000);
  await channel.consume('bench-events', (message) => {
    received(JSON.parse(message.content.toString('utf8')).timestamp);
    channel.ack(message);
  });
}

async function nats() {
  const { connect } = requireE2e('nats');
  const connection = await connect({ servers: workerData.url });
  const subscription = connection.subscribe('basalt.>');
  (async () => {
    for await (const message of subscription) {
      received(JSON.parse(new TextDecoder().decode(message.data)).timestamp);
    }
  })();
  await connection.flush();
}

// XREAD BLOCK 0 in a loop over one socket, with just enough RESP parsing for its answers.
async function redis() {
  const net = require('node:net');
  const socket = net.connect(workerData.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let buffer = Buffer.alloc(0);
  let lastId = '$';
  const send = (...args) => socket.write('*' + args.length + '\\r\\n' +
    args.map((a) => '$' + Buffer.byteLength(a) + '\\r\\n' + a + '\\r\\n').join(''));
  // Parses one RESP value at offset; returns [value, next] or null when incomplete.
  function parse(at) {
    const end = buffer.indexOf('\\r\\n', at);
    if (end < 0) return null;
    const type = String.fromCharCode(buffer[at]);
    const line = buffer.toString('utf8', at + 1, end);
    if (type === '+' || type === '-' || type === ':') return [line, end + 2];
    if (type === '$') {
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      if (buffer.length < end + 2 + n + 2) return null;
      return [buffer.toString('utf8', end + 2, end + 2 + n), end + 2 + n + 2];
    }
    if (type === '*') {
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      const items = [];
      let next = end + 2;
      for (let i = 0; i < n; i++) {
        const item = parse(next);
        if (!item) return null;
        items.push(item[0]);
        next = item[1];
      }
      return [items, next];
    }
    throw new Error('unexpected RESP type ' + type);
  }
  const read = () => send('XREAD', 'COUNT', '1000', 'BLOCK', '0', 'STREAMS', 'basalt:posts', lastId);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    const parsed = parse(0);
    if (!parsed) return;
    buffer = buffer.subarray(parsed[1]);
    for (const [, entries] of parsed[0] ?? []) {
      for (const [id, fields] of entries) {
        lastId = id;
        const at = fields.indexOf('timestamp');
        received(fields[at + 1]);
      }
    }
    read();
  });
  read();
}

({ webhook, rabbitmq, nats, redis })[workerData.kind]().then(
  () => parentPort.postMessage({ ready: true }),
  (error) => { console.error(error); process.exit(1); });
`;

function consumer(kind, data) {
  const worker = new Worker(consumerCode, { eval: true, workerData: { kind, e2ePackage, ...data } });
  const nextMessage = () => new Promise((resolve, reject) => {
    const onError = (error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (message) => {
      worker.off('error', onError);
      resolve(message);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
  const ready = nextMessage();
  return {
    ready,
    // Resets the counts; resolves with the stats once `expected` events arrived.
    async expect(expected) {
      const reset = nextMessage();
      worker.postMessage({ expected });
      await reset;
      return { drained: nextMessage() };
    },
    close: () => worker.terminate(),
  };
}

async function startBroker(name, port) {
  const dir = await mkdtemp(join(tmpdir(), `basalt-bench-${name}-`));
  const { stdout } = await run(join(scripts, `${name}-test-server.sh`), ['start', dir, String(port)],
    { timeout: 300_000 });
  return { dir, url: stdout.trim(), port, stop: () => run(join(scripts, `${name}-test-server.sh`), ['stop', dir]) };
}

// `destination`: one ({webhook} or {type, config}), an array of them, or none.
async function prepare(port, destination, executable) {
  const args = ['--threads', '2'];
  if (!executable) args.push('--webhooks-allow-private', 'true', '--brokers-allow-private', 'true');
  const server = await startServer({ superuser, args, port, ...(executable ? { executable } : {}) });
  const { token } = await api(server.url, null, 'POST', '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(server.url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', createRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  for (const one of [destination ?? []].flat()) {
    if (one.webhook) {
      await api(server.url, token, 'POST', '/api/webhooks',
        { url: one.webhook, collections: ['posts'], maxAttempts: 50 });
    } else {
      await api(server.url, token, 'POST', `/api/brokers/${one.type}`,
        { config: one.config, collections: ['posts'], maxAttempts: 50 });
    }
  }
  return server;
}

async function createMany(url) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < creates) {
      const i = next++;
      await api(url, null, 'POST', '/api/collections/posts/records', { title: `post ${i}`, views: i });
    }
  }));
  return creates / ((performance.now() - started) / 1000);
}

// Nanoseconds the process has run on a CPU, all its threads (/proc/<pid>/task/*/schedstat):
// what the server spends, apart from the brokers and consumers sharing the machine.
async function cpuNs(pid) {
  let total = 0;
  for (const task of await readdir(`/proc/${pid}/task`)) {
    try {
      total += Number((await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8')).split(' ')[0]);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return total;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const brokers = {
  redis: await startBroker('redis', portBase + 100),
  nats: await startBroker('nats', portBase + 101),
  rabbitmq: await startBroker('rabbitmq', portBase + 102),
};
const webhookPort = portBase + 99;
const consumers = {
  webhook: consumer('webhook', { port: webhookPort }),
  rabbitmq: consumer('rabbitmq', { url: brokers.rabbitmq.url }),
  nats: consumer('nats', { url: brokers.nats.url }),
  redis: consumer('redis', { port: brokers.redis.port }),
};
for (const c of Object.values(consumers)) await c.ready;
const destinations = {
  webhook: { webhook: `http://127.0.0.1:${webhookPort}/` },
  rabbitmq: { type: 'rabbitmq', config: { url: brokers.rabbitmq.url } },
  nats: { type: 'nats', config: { url: brokers.nats.url } },
  redis: { type: 'redis', config: { url: brokers.redis.url } },
};
const servers = {
  ...(process.env.BENCH_BASELINE_BINARY
    ? { baseline: await prepare(portBase + 5, undefined, process.env.BENCH_BASELINE_BINARY) }
    : {}),
  plain: await prepare(portBase),
  webhook: await prepare(portBase + 1, destinations.webhook),
  rabbitmq: await prepare(portBase + 2, destinations.rabbitmq),
  nats: await prepare(portBase + 3, destinations.nats),
  redis: await prepare(portBase + 4, destinations.redis),
  all: await prepare(portBase + 6, Object.values(destinations)),
};
const kinds = Object.keys(servers);
const rates = Object.fromEntries(kinds.map((k) => [k, []]));
// Per destination; the `all` server's under `all <destination>`.
const allKeys = Object.keys(destinations).map((d) => `all ${d}`);
const delivered = Object.fromEntries([...kinds, ...allKeys].map((k) => [k, []]));
const lags = Object.fromEntries([...kinds, ...allKeys].map((k) => [k, []]));
// Server CPU per create, its deliveries included (until every consumer has the round's events).
const cpu = Object.fromEntries(kinds.map((k) => [k, []]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? kinds : [...kinds].reverse();
  for (const kind of order) {
    const cpuBefore = await cpuNs(servers[kind].pid);
    const cpuDone = async () =>
      cpu[kind].push((await cpuNs(servers[kind].pid) - cpuBefore) / 1000 / creates);
    if (kind === 'plain' || kind === 'baseline') {
      rates[kind].push(await createMany(servers[kind].url));
      await cpuDone();
      continue;
    }
    if (kind === 'all') {
      const names = Object.keys(destinations);
      const waits = await Promise.all(names.map((d) => consumers[d].expect(creates)));
      rates.all.push(await createMany(servers.all.url));
      const stats = await Promise.all(waits.map((w) => w.drained));
      await cpuDone();
      names.forEach((d, i) => {
        delivered[`all ${d}`].push(creates / Math.max((stats[i].last - stats[i].first) / 1000, 0.001));
        lags[`all ${d}`].push(...stats[i].lags);
      });
      continue;
    }
    const { drained } = await consumers[kind].expect(creates);
    rates[kind].push(await createMany(servers[kind].url));
    const stats = await drained;
    await cpuDone();
    delivered[kind].push(creates / Math.max((stats.last - stats.first) / 1000, 0.001));
    lags[kind].push(...stats.lags);
  }
}
const plainRate = median(rates.plain);
const list = (xs) => xs.map((r) => r.toFixed(0)).join(', ');
console.log(`machine: ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
if (rates.baseline) {
  const base = median(rates.baseline);
  console.log(`creates/s, baseline build (no outbox check): ${base.toFixed(0)} (rounds: ${list(rates.baseline)})`);
  console.log(`the outbox check with no destination costs ${(((base - plainRate) / base) * 100).toFixed(1)}%`);
}
const plainCpu = median(cpu.plain);
console.log(`creates/s, no destination: ${plainRate.toFixed(0)} (rounds: ${list(rates.plain)}), ` +
  `server CPU ${plainCpu.toFixed(1)} µs/create`);
const deliveredLine = (key) =>
  `delivered events/s ${median(delivered[key]).toFixed(0)} (rounds: ${list(delivered[key])}), ` +
  `commit -> receipt p50 ${percentile(lags[key], 50)} ms, p99 ${percentile(lags[key], 99)} ms (${lags[key].length} events)`;
for (const kind of kinds.filter((k) => k !== 'plain' && k !== 'baseline')) {
  const rate = median(rates[kind]);
  console.log(`${kind}: creates/s ${rate.toFixed(0)} (rounds: ${list(rates[kind])}), ` +
    `cost ${(((plainRate - rate) / plainRate) * 100).toFixed(1)}%, server CPU ` +
    `${median(cpu[kind]).toFixed(1)} µs/create with its deliveries ` +
    `(+${(((median(cpu[kind]) - plainCpu) / plainCpu) * 100).toFixed(1)}%)` +
    (kind === 'all' ? '' : `, ${deliveredLine(kind)}`));
}
for (const key of allKeys) console.log(`  ${key}: ${deliveredLine(key)}`);
for (const server of Object.values(servers)) await server.stop();
for (const c of Object.values(consumers)) await c.close();
for (const broker of Object.values(brokers)) {
  await broker.stop();
  await rm(broker.dir, { recursive: true, force: true });
}
