// GraphQL change-feed fan-out benchmark (docs/graphql.md, "Change feeds"): N `<c>_events`
// subscribers (sockets of 50 operations each, held by worker threads) on one feed, while REST
// creates are sent back to back (one in flight). Reports deliveries per second, the latency
// from sending a create to a subscriber receiving its event (p50/p99 over every
// (subscriber, create) pair), the server's CPU per create, and - with GQL_BENCH_TRACE=1, which
// starts the server with --db-trace-statements - the feed statements per create (the trace
// itself costs CPU: take the timing figures from a run without it).
//
// Numbers, not a gate. From the repository root, after building the release binary:
//   node bench/graphql/event_feeds.mjs
// Knobs (never BASALT_*): GQL_BENCH_SUBSCRIBERS (500), GQL_BENCH_CREATES (100),
// GQL_BENCH_CLIENT_THREADS (2), GQL_BENCH_TRACE (0), E2E_BASALT_BINARY (the binary).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const WebSocket = require('ws');

const query = 'subscription { bench_notes_events { action record { id text } } }';
const PER_SOCKET = 50;
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---- subscriber thread: its share of the subscribers, PER_SOCKET operations per socket ----
async function subscriberThread({ url, count, creates }) {
  // arrivals[s * creates + k]: when subscriber s received create k (the text carries k).
  const arrivals = new Float64Array(count * creates);
  let received = 0;
  let errors = 0;
  const sockets = [];
  const open = (first, size) => new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/graphql`, ['graphql-transport-ws']);
    socket.on('error', reject);
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init' }));
      for (let i = 0; i < size; i += 1) {
        socket.send(JSON.stringify({ id: String(first + i), type: 'subscribe', payload: { query } }));
      }
      // Operations start in order: the probe's answer says every feed before it listens.
      socket.send(JSON.stringify({ id: 'probe', type: 'subscribe', payload: { query: '{ __typename }' } }));
    });
    socket.on('message', (data) => {
      const at = now();
      const message = JSON.parse(data.toString());
      if (message.id === 'probe') {
        if (message.type === 'complete') resolve(socket);
        return;
      }
      if (message.type === 'error') errors += 1;
      if (message.type !== 'next') return;
      const k = Number(message.payload.data.bench_notes_events.record.text);
      arrivals[Number(message.id) * creates + k] = at;
      received += 1;
      if (received === count * creates) parentPort.postMessage({ type: 'complete' });
    });
  });
  const opening = [];
  for (let first = 0; first < count; first += PER_SOCKET) opening.push(open(first, Math.min(PER_SOCKET, count - first)));
  sockets.push(...(await Promise.all(opening)));
  parentPort.postMessage({ type: 'ready' });
  parentPort.on('message', (message) => {
    if (message.type !== 'report') return;
    const latencies = [];
    let missing = 0;
    for (let s = 0; s < count; s += 1) {
      for (let k = 0; k < creates; k += 1) {
        const at = arrivals[s * creates + k];
        if (at === 0) missing += 1;
        else latencies.push(at - message.sent[k]);
      }
    }
    for (const socket of sockets) socket.close(1000);
    const buffer = Float64Array.from(latencies);
    parentPort.postMessage({ type: 'report', latencies: buffer, missing, errors }, [buffer.buffer]);
  });
}

if (!isMainThread) {
  await subscriberThread(workerData);
} else {
  const { startServer } = await import('../../tests/e2e/server.mjs');
  const PocketBaseModule = require('pocketbase');
  const PocketBase = PocketBaseModule.default ?? PocketBaseModule;

  const subscribers = Number(process.env.GQL_BENCH_SUBSCRIBERS ?? 500);
  const creates = Number(process.env.GQL_BENCH_CREATES ?? 100);
  const threads = Math.max(1, Number(process.env.GQL_BENCH_CLIENT_THREADS ?? 2));
  const traced = process.env.GQL_BENCH_TRACE === '1';
  const superuser = { email: 'bench@example.com', password: 'bench password 123' };
  let feedStatements = 0;
  const onStderr = (chunk) => {
    for (const line of chunk.split('\n')) {
      if (line.includes('sql: WITH "__gq_events"')) feedStatements += 1;
    }
  };
  const serverCpuSeconds = (pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, USER_HZ 100
  };

  const args = traced ? ['--db-trace-statements', 'true'] : [];
  const server = await startServer({ superuser, args, onStderr });
  const workers = [];
  try {
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({ name: 'bench_notes', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] });
    const guest = new PocketBase(server.url);

    let readyCount = 0;
    let completeCount = 0;
    let onReady;
    let onComplete;
    const ready = new Promise((r) => { onReady = r; });
    const allComplete = new Promise((r) => { onComplete = r; });
    const reports = [];
    const reported = [];
    for (let t = 0; t < threads; t += 1) {
      const count = Math.floor(subscribers / threads) + (t < subscribers % threads ? 1 : 0);
      const worker = new Worker(new URL(import.meta.url), { workerData: { url: server.url, count, creates } });
      workers.push(worker);
      reported.push(new Promise((resolve, reject) => {
        worker.on('error', reject);
        worker.on('message', (message) => {
          if (message.type === 'ready' && ++readyCount === threads) onReady();
          if (message.type === 'complete' && ++completeCount === threads) onComplete();
          if (message.type === 'report') { reports.push(message); resolve(); }
        });
      }));
    }
    await ready;

    const sent = new Float64Array(creates);
    const statementsBefore = feedStatements;
    const cpuBefore = serverCpuSeconds(server.pid);
    const began = performance.now();
    for (let k = 0; k < creates; k += 1) {
      sent[k] = now();
      await guest.collection('bench_notes').create({ text: String(k) }, { requestKey: null });
    }
    let timer;
    await Promise.race([allComplete, new Promise((r) => { timer = setTimeout(r, 60_000); })]);
    clearTimeout(timer);
    const wall = (performance.now() - began) / 1000;
    const cpu = serverCpuSeconds(server.pid) - cpuBefore;
    const statements = feedStatements - statementsBefore;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    for (const worker of workers) worker.postMessage({ type: 'report', sent });
    await Promise.all(reported);

    const latencies = new Float64Array(reports.reduce((n, r) => n + r.latencies.length, 0));
    let offset = 0;
    for (const report of reports) { latencies.set(report.latencies, offset); offset += report.latencies.length; }
    latencies.sort();
    console.log(JSON.stringify({
      binary: process.env.E2E_BASALT_BINARY ?? 'build/release/basalt',
      subscribers,
      creates,
      traced,
      deliveries: latencies.length,
      missing_deliveries: reports.reduce((n, r) => n + r.missing, 0),
      errors: reports.reduce((n, r) => n + r.errors, 0),
      deliveries_per_second: Math.round(latencies.length / wall),
      latency_ms: latencies.length === 0 ? null : {
        p50: Number(percentile(latencies, 50).toFixed(1)),
        p99: Number(percentile(latencies, 99).toFixed(1)),
      },
      feed_statements_per_create: traced ? Number((statements / creates).toFixed(2)) : null,
      server_cpu_ms_per_create: Number(((cpu * 1000) / creates).toFixed(2)),
      wall_seconds: Number(wall.toFixed(2)),
      load_average: load,
    }));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    await server.stop();
  }
}
