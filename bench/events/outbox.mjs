// What the transactional outbox costs and delivers (docs/events.md): two Basalt processes in
// the same run — one with no destination, one with a webhook to a node:http receiver on
// loopback — each taking the same creates from concurrent clients, in interleaved rounds
// (alternating which goes first) so drift in machine load hits both alike. Prints the median
// create rate of each (and the outbox's cost in percent), the delivered events/s of the webhook
// server (first to last receipt of a round), and the commit-to-receipt lag p50/p99 (the
// payload's commit timestamp against the receiver's clock: the same machine).
//
//   node bench/events/outbox.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=3, BENCH_CREATES=2000,
//                                   BENCH_CLIENTS=16)
import { createServer } from 'node:http';
import { startServer } from '../../tests/e2e/server.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
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

// Counts receipts; resolves `drained` once `expected` events arrived.
function receiver() {
  const state = { lags: [], first: 0, last: 0, count: 0, expected: 0, resolve: null };
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
      if (state.count === state.expected && state.resolve) state.resolve();
    });
  });
  return { server, state };
}

async function prepare(withWebhook, hookUrl) {
  const args = ['--threads', '2', '--webhooks-allow-private', 'true'];
  const server = await startServer({ superuser, args });
  const { token } = await api(server.url, null, 'POST', '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(server.url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', createRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  if (withWebhook) {
    await api(server.url, token, 'POST', '/api/webhooks', { url: hookUrl, collections: ['posts'] });
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
await new Promise((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
const hookUrl = `http://127.0.0.1:${hook.server.address().port}/`;
const plain = await prepare(false);
const outboxed = await prepare(true, hookUrl);
const rates = { plain: [], outbox: [] };
const delivered = [];
const lags = [];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['plain', 'outbox'] : ['outbox', 'plain'];
  for (const which of order) {
    if (which === 'plain') {
      rates.plain.push(await createMany(plain.server.url));
      continue;
    }
    Object.assign(hook.state, { lags: [], count: 0, first: 0, last: 0, expected: creates });
    const drained = new Promise((resolve) => { hook.state.resolve = resolve; });
    rates.outbox.push(await createMany(outboxed.server.url));
    await drained;
    delivered.push(creates / Math.max((hook.state.last - hook.state.first) / 1000, 0.001));
    lags.push(...hook.state.lags);
  }
}
const plainRate = median(rates.plain);
const outboxRate = median(rates.outbox);
console.log(`creates/s without destinations: ${plainRate.toFixed(0)} (rounds: ${rates.plain.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`creates/s with one webhook:     ${outboxRate.toFixed(0)} (rounds: ${rates.outbox.map((r) => r.toFixed(0)).join(', ')})`);
console.log(`outbox cost: ${(((plainRate - outboxRate) / plainRate) * 100).toFixed(1)}% of create throughput`);
console.log(`delivered events/s (median of rounds): ${median(delivered).toFixed(0)}`);
console.log(`commit -> receipt lag: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms (${lags.length} events)`);
await plain.server.stop();
await outboxed.server.stop();
hook.server.close();
