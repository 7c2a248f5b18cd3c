// GraphQL live-query fan-out benchmark (docs/graphql.md, "Subscriptions"): N subscribers on
// graphql-transport-ws sockets, all running one live query, while REST creates commit at a
// paced rate. Reports the update latency (from sending the create to a subscriber receiving
// the `next` that first includes it), p50/p99 over every (subscriber, write) pair, and the
// server's CPU over the write phase (utime + stime of its process, from /proc).
//
// Numbers, not a gate. Run from the repository root after building the release binary:
//   node bench/graphql/live_query.mjs
// Knobs (never BASALT_*, which the server refuses): GQL_BENCH_SUBSCRIBERS (1000),
// GQL_BENCH_RATE (writes/s, 100), GQL_BENCH_SECONDS (10), E2E_BASALT_BINARY (the binary).
//
// The writes are sequential (one create in flight, each started at its slot or as soon as
// the previous one answered), so write k makes the count base + k: a `next` carrying count c
// delivers every write up to c. The achieved rate is reported; it falls below the target when
// a create takes longer than its slot. Subscribers, writer and server share the machine.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { startServer } from '../../tests/e2e/server.mjs';

const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const WebSocket = require('ws');
const PocketBaseModule = require('pocketbase');
const PocketBase = PocketBaseModule.default ?? PocketBaseModule;

const subscribers = Number(process.env.GQL_BENCH_SUBSCRIBERS ?? 1000);
const rate = Number(process.env.GQL_BENCH_RATE ?? 100);
const seconds = Number(process.env.GQL_BENCH_SECONDS ?? 10);
const superuser = { email: 'bench@example.com', password: 'bench password 123' };
const query = 'subscription { notes_aggregate { aggregate { count } } }';

function cpuSeconds(pid) {
  // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name): utime, stime.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Subscriptions that ended with an `error` message (first error kept), and sockets closed.
const ended = { errors: 0, first_error: null, closed: 0 };

// One subscriber: resolves with its socket once the first result arrived.
function subscribe(url, token, onCount) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/graphql`, ['graphql-transport-ws']);
    let first = true;
    socket.on('error', reject);
    socket.on('close', () => { ended.closed += 1; });
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'connection_init', payload: { headers: { Authorization: token } } }));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
    });
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'error') {
        ended.errors += 1;
        ended.first_error ??= message.payload;
      }
      if (message.type !== 'next') return;
      const count = message.payload.data.notes_aggregate.aggregate.count;
      if (first) {
        first = false;
        resolve(socket);
      } else {
        onCount(count, performance.now());
      }
    });
  });
}

const server = await startServer({ superuser });
try {
  const pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  await pb.collections.create({ name: 'notes', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] });
  const token = pb.authStore.token;

  const sent = []; // sent[k - 1]: when write k was sent (count = k, the collection starts empty)
  const latencies = [];
  let delivered = 0;
  const expected = subscribers * Math.round(rate * seconds);
  let allDelivered;
  const done = new Promise((r) => { allDelivered = r; });
  const opened = performance.now();
  const sockets = [];
  for (let start = 0; start < subscribers; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(subscribers, start + 50); i += 1) {
      let seen = 0;
      batch.push(subscribe(server.url, token, (count, at) => {
        for (let k = seen + 1; k <= count; k += 1) {
          latencies.push(at - sent[k - 1]);
          delivered += 1;
        }
        seen = Math.max(seen, count);
        if (delivered === expected) allDelivered();
      }));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  console.error(`${subscribers} subscribers ready in ${((performance.now() - opened) / 1000).toFixed(1)} s`);

  const writes = Math.round(rate * seconds);
  const cpuBefore = cpuSeconds(server.pid);
  const began = performance.now();
  for (let k = 1; k <= writes; k += 1) {
    const slot = began + ((k - 1) * 1000) / rate;
    const wait = slot - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent[k - 1] = performance.now();
    await pb.collection('notes').create({ text: `write ${k}` }, { requestKey: null });
  }
  const writeSeconds = (performance.now() - began) / 1000;
  // A subscriber that lost a message would never complete the count: give up after 30 s and
  // report what arrived.
  let timer;
  await Promise.race([done, new Promise((r) => { timer = setTimeout(r, 30_000); })]);
  clearTimeout(timer);
  const wall = (performance.now() - began) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  latencies.sort((a, b) => a - b);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(JSON.stringify({
    subscribers,
    writes,
    target_rate: rate,
    achieved_rate: Number((writes / writeSeconds).toFixed(1)),
    deliveries: latencies.length,
    missing_deliveries: expected - latencies.length,
    subscriptions_ended_with_error: ended.errors,
    first_error: ended.first_error,
    sockets_closed_by_server: ended.closed,
    latency_ms: {
      p50: Number(percentile(latencies, 50).toFixed(1)),
      p99: Number(percentile(latencies, 99).toFixed(1)),
      max: Number(latencies[latencies.length - 1].toFixed(1)),
    },
    server_cpu_percent_of_one_core: Number(((cpu / wall) * 100).toFixed(1)),
    wall_seconds: Number(wall.toFixed(1)),
    load_average: load,
  }, null, 2));
  for (const socket of sockets) socket.close(1000);
} finally {
  await server.stop();
}
