// What the transactional outbox costs and delivers (docs/events.md): two Basalt processes in
// the same run — one with no destination, one with a webhook to a node:http receiver on
// loopback — each taking the same creates from concurrent clients, in interleaved rounds
// (alternating which goes first) so drift in machine load hits both alike. Prints the median
// create rate of each (and the outbox's cost in percent), the delivered events/s of the webhook
// server (first to last receipt of a round), and the commit-to-receipt lag p50/p99 (the
// payload's commit timestamp against the receiver's clock: the same machine), at full speed
// and paced below the delivery rate (BENCH_PACED_RATE=100/s, BENCH_PACED_CREATES=500).
//
//   node bench/events/outbox.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=3, BENCH_CREATES=2000,
//                                   BENCH_CLIENTS=16, BENCH_PORT_BASE: when set, the servers
//                                   listen on base..base+2 and the receiver on base+10;
//                                   otherwise on free ports)
import { Worker } from 'node:worker_threads';
import { startServer } from '../../tests/e2e/server.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const portBase = process.env.BENCH_PORT_BASE ? Number(process.env.BENCH_PORT_BASE) : undefined;
const portAt = (offset) => (portBase === undefined ? undefined : portBase + offset);
const creates = Number(process.env.BENCH_CREATES ?? 2000);
const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const superuser = { email: 'bench@example.com', password: 'bench password 123' };

async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

// The receiver runs on a worker thread of its own, so its work never delays the clients'
// requests on the main thread. It counts receipts and reports once `expected` arrived.
const receiverCode = `
const { parentPort, workerData } = require('node:worker_threads');
const { createServer } = require('node:http');
let state = { lags: [], first: 0, last: 0, count: 0, expected: -1 };
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => {
    const now = Date.now();
    const payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    state.lags.push(now - Date.parse(payload.timestamp));
    if (state.count === 0) state.first = now;
    state.last = now;
    state.count++;
    response.writeHead(204).end();
    if (state.count === state.expected) parentPort.postMessage({ done: true, ...state });
  });
});
parentPort.on('message', (message) => {
  if (message === 'close') { server.closeAllConnections(); server.close(); parentPort.close(); return; }
  state = { lags: [], first: 0, last: 0, count: 0, expected: message.expected };
  parentPort.postMessage({ ready: true });
});
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

function receiver() {
  const worker = new Worker(receiverCode, { eval: true, workerData: { port: portAt(10) ?? 0 } });
  const nextMessage = () => new Promise((resolve) => worker.once('message', resolve));
  return {
    port: nextMessage().then((m) => m.port),
    // Resets the counts; resolves with the stats once `expected` events arrived.
    async expect(expected) {
      const ready = nextMessage();
      worker.postMessage({ expected });
      await ready;
      return { drained: nextMessage() };
    },
    close: () => worker.postMessage('close'),
  };
}

async function prepare(withWebhook, hookUrl, offset) {
  const args = ['--threads', '2', '--webhooks-allow-private', 'true'];
  const port = portAt(offset);
  const server = await startServer({ superuser, args, ...(port ? { port } : {}) });
  const { token } = await api(server.url, null, 'POST', '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(server.url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', createRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  if (withWebhook) {
    await api(server.url, token, 'POST', '/api/webhooks',
      { url: hookUrl, collections: ['posts'], maxAttempts: 50 });
  }
  return { server, token };
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const hook = receiver();
const hookUrl = `http://127.0.0.1:${await hook.port}/`;
const plain = await prepare(false, undefined, 0);
const outboxed = await prepare(true, hookUrl, 1);
// Rows only: a webhook whose port is closed, so every create still writes its outbox row but
// the dispatcher, after one failed attempt, waits out its backoff: the cost of the rows alone.
const rowsOnly = await prepare(true, 'http://127.0.0.1:9/', 2);
const rates = { plain: [], outbox: [], rows: [] };
const delivered = [];
const lags = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['plain', 'rows', 'outbox'] : ['outbox', 'rows', 'plain'];
  for (const which of order) {
    if (which === 'plain') {
      rates.plain.push(await createMany(plain.server.url));
      continue;
    }
    if (which === 'rows') {
      rates.rows.push(await createMany(rowsOnly.server.url));
      continue;
    }
    const { drained } = await hook.expect(creates);
    rates.outbox.push(await createMany(outboxed.server.url));
    const stats = await drained;
    delivered.push(creates / Math.max((stats.last - stats.first) / 1000, 0.001));
    lags.push(...stats.lags);
  }
}
const plainRate = median(rates.plain);
const outboxRate = median(rates.outbox);
console.log(`creates/s without destinations: ${plainRate.toFixed(0)} (rounds: ${rates.plain.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`creates/s with one webhook:     ${outboxRate.toFixed(0)} (rounds: ${rates.outbox.map((r) => r.toFixed(0)).join(', ')})`);
const rowsRate = median(rates.rows);
console.log(`creates/s with outbox rows only: ${rowsRate.toFixed(0)} (rounds: ${rates.rows.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`outbox rows cost: ${(((plainRate - rowsRate) / plainRate) * 100).toFixed(1)}% of create throughput`);
console.log(`rows + delivery on the same machine cost: ${(((plainRate - outboxRate) / plainRate) * 100).toFixed(1)}% of create throughput`);
console.log(`delivered events/s (median of rounds): ${median(delivered).toFixed(0)}`);
console.log(`commit -> receipt lag: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms (${lags.length} events)`);
// Paced: one create every 1000/BENCH_PACED_RATE ms, below the delivery rate, so the lag is
// the path itself (commit, wake-up, read, send), not a backlog.
const pacedRate = Number(process.env.BENCH_PACED_RATE ?? 100);
const pacedCount = Number(process.env.BENCH_PACED_CREATES ?? 500);
const { drained: pacedDrained } = await hook.expect(pacedCount);
for (let i = 0; i < pacedCount; i++) {
  const due = performance.now() + 1000 / pacedRate;
  await api(outboxed.server.url, null, 'POST', '/api/collections/posts/records', { title: `paced ${i}`, views: i });
  const wait = due - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}
const paced = await pacedDrained;
console.log(`paced at ${pacedRate}/s: commit -> receipt lag p50 ${percentile(paced.lags, 50)} ms, p99 ${percentile(paced.lags, 99)} ms (${pacedCount} events)`);
await plain.server.stop();
await outboxed.server.stop();
await rowsOnly.server.stop();
hook.close();
