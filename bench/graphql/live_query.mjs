// GraphQL live-query fan-out benchmark (docs/graphql.md, "Shared runs"): N subscribers on
// graphql-transport-ws sockets, all running one live query, while REST creates commit at a
// paced rate. Reports the update latency (from sending the create to a subscriber receiving
// the `next` that first includes it), p50/p99 over every (subscriber, write) pair, the server's
// CPU and the generator's CPU (this process: writer and subscriber threads) over the write
// phase, and how many updates a subscriber received (fewer than the writes when commits
// coalesce into one run). GQL_BENCH_SUBSCRIBERS=0 gives the write rate the machine allows
// without any subscriber, for comparison.
//
// Numbers, not a gate. Run from the repository root after building the release binary:
//   node bench/graphql/live_query.mjs
// Knobs (never BASALT_*, which the server refuses): GQL_BENCH_SUBSCRIBERS (1000),
// GQL_BENCH_RATE (writes/s, 100), GQL_BENCH_SECONDS (10), GQL_BENCH_CLIENT_THREADS (2: worker
// threads that hold the sockets, so the writer's pacing does not wait behind their messages),
// E2E_BASALT_BINARY (the binary), GQL_BENCH_CALLGRIND=1 (the server under callgrind: see below).
//
// Also reported: each create's own answer time (what the fan-out adds to a write), and the
// server's CPU per thread name. For instruction counts, make E2E_BASALT_BINARY a script that
// runs `serve` as `exec valgrind --tool=callgrind --callgrind-out-file=... BINARY "$@"` (other
// commands plainly) and set GQL_BENCH_CALLGRIND=1: the counters are zeroed when the writes start
// and dumped (part 1 of the output) when every subscriber has seen the last write; at a low
// GQL_BENCH_RATE (2) each write is its own round, and a run with GQL_BENCH_SUBSCRIBERS=0 gives
// the writes' own share to subtract.
//
// The writes are sequential (one create in flight, each started at its slot or as soon as
// the previous one answered), so write k makes the count k: a `next` carrying count c
// delivers every write up to c. The achieved rate is reported; it falls below the target when
// a create takes longer than its slot. Subscribers, writer and server share the machine: when
// the achieved rate falls short, compare the two CPU figures and the load average.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const WebSocket = require('ws');

const query = 'subscription { notes_aggregate { aggregate { count } } }';

// Wall-clock milliseconds comparable between threads (each has its own performance origin).
const now = () => performance.timeOrigin + performance.now();

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// ---- subscriber thread: holds its share of the sockets ----
async function subscriberThread({ url, token, count, writes }) {
  // arrivals[s * writes + k - 1]: when subscriber s first saw write k (0: not yet).
  const arrivals = new Float64Array(count * writes);
  const ended = { errors: 0, first_error: null, closed: 0 };
  let complete = 0; // subscribers that saw every write
  let distinctCounts = new Set();
  const sockets = [];
  const lastNext = { text: null, value: 0 }; // the last `next` text parsed and its count
  function subscribe(index) {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${url.replace('http', 'ws')}/api/graphql`, ['graphql-transport-ws']);
      let first = true;
      let seen = 0;
      socket.on('error', reject);
      socket.on('close', () => { ended.closed += 1; });
      socket.on('open', () => {
        socket.send(JSON.stringify({ type: 'connection_init', payload: { headers: { Authorization: token } } }));
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
      });
      socket.on('message', (data) => {
        const at = now();
        // The same text reaches every subscriber of a round: parsed once per thread, so the
        // generator's cost per delivery is the socket's, not JSON.parse's.
        const text = data.toString();
        let value;
        if (text === lastNext.text) {
          value = lastNext.value;
        } else {
          const message = JSON.parse(text);
          if (message.type === 'error') {
            ended.errors += 1;
            ended.first_error ??= message.payload;
          }
          if (message.type !== 'next') return;
          value = message.payload.data.notes_aggregate.aggregate.count;
          lastNext.text = text;
          lastNext.value = value;
        }
        if (first) {
          first = false;
          resolve(socket);
          return;
        }
        distinctCounts.add(value);
        for (let k = seen + 1; k <= Math.min(value, writes); k += 1) arrivals[index * writes + k - 1] = at;
        if (value >= writes && seen < writes) {
          complete += 1;
          if (complete === count) parentPort.postMessage({ type: 'complete' });
        }
        seen = Math.max(seen, value);
      });
    });
  }
  for (let start = 0; start < count; start += 50) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 50); i += 1) batch.push(subscribe(i));
    sockets.push(...(await Promise.all(batch)));
  }
  parentPort.postMessage({ type: 'ready' });
  if (count === 0) parentPort.postMessage({ type: 'complete' });
  parentPort.on('message', (message) => {
    if (message.type !== 'report') return;
    const sent = message.sent;
    const latencies = [];
    let missing = 0;
    for (let s = 0; s < count; s += 1) {
      for (let k = 0; k < writes; k += 1) {
        const at = arrivals[s * writes + k];
        if (at === 0) missing += 1;
        else latencies.push(at - sent[k]);
      }
    }
    for (const socket of sockets) socket.close(1000);
    const buffer = Float64Array.from(latencies);
    parentPort.postMessage({ type: 'report', latencies: buffer, missing, ended, results: distinctCounts.size }, [buffer.buffer]);
  });
}

if (!isMainThread) {
  await subscriberThread(workerData);
} else {
  const { startServer } = await import('../../tests/e2e/server.mjs');
  const PocketBaseModule = require('pocketbase');
  const PocketBase = PocketBaseModule.default ?? PocketBaseModule;

  const subscribers = Number(process.env.GQL_BENCH_SUBSCRIBERS ?? 1000);
  const rate = Number(process.env.GQL_BENCH_RATE ?? 100);
  const seconds = Number(process.env.GQL_BENCH_SECONDS ?? 10);
  const threads = Math.max(1, Number(process.env.GQL_BENCH_CLIENT_THREADS ?? 2));
  // GQL_BENCH_CALLGRIND=1: the server runs under `valgrind --tool=callgrind` (E2E_BASALT_BINARY a
  // wrapper that execs it); its counters are zeroed when the writes start and dumped when the
  // last subscriber has seen the last write, so the dump is the write phase alone.
  const callgrind = process.env.GQL_BENCH_CALLGRIND === '1';
  const superuser = { email: 'bench@example.com', password: 'bench password 123' };

  const serverCpuSeconds = (pid) => {
    // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name): utime, stime.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  };
  // Seconds the threads of a process spent runnable but waiting for a core (the second field
  // of each thread's schedstat, in ns): how much the machine's other load held it back.
  const runQueueWaitSeconds = (pid) => {
    let waited = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        waited += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // a thread that ended meanwhile
      }
    }
    return waited / 1e9;
  };
  // user + system seconds per thread name (threads of one name summed).
  const serverThreadCpu = (pid) => {
    const byName = new Map();
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
      } catch {
        // a thread that ended meanwhile
      }
    }
    return byName;
  };
  // This process: the writer and every subscriber thread.
  const ownCpuSeconds = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  };

  const server = await startServer({ superuser });
  const workers = [];
  try {
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({ name: 'notes', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] });
    const token = pb.authStore.token;
    const writes = Math.round(rate * seconds);

    const opened = performance.now();
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
      const worker = new Worker(new URL(import.meta.url), { workerData: { url: server.url, token, count, writes } });
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
    console.error(`${subscribers} subscribers on ${threads} threads ready in ${((performance.now() - opened) / 1000).toFixed(1)} s`);

    const sent = new Float64Array(writes);
    const answered = new Float64Array(writes); // each create's own round trip
    if (callgrind) execFileSync('callgrind_control', ['-z', String(server.pid)], { stdio: 'ignore' });
    const threadsBefore = serverThreadCpu(server.pid);
    const serverCpuBefore = serverCpuSeconds(server.pid);
    const ownCpuBefore = ownCpuSeconds();
    const serverWaitBefore = runQueueWaitSeconds(server.pid);
    const ownWaitBefore = runQueueWaitSeconds(process.pid);
    const began = performance.now();
    for (let k = 1; k <= writes; k += 1) {
      const slot = began + ((k - 1) * 1000) / rate;
      const wait = slot - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      sent[k - 1] = now();
      await pb.collection('notes').create({ text: `write ${k}` }, { requestKey: null });
      answered[k - 1] = now() - sent[k - 1];
    }
    const writeSeconds = (performance.now() - began) / 1000;
    // A subscriber that lost a message would never complete the count: give up after 30 s and
    // report what arrived.
    let timer;
    await Promise.race([allComplete, new Promise((r) => { timer = setTimeout(r, 30_000); })]);
    clearTimeout(timer);
    const wall = (performance.now() - began) / 1000;
    const serverCpu = serverCpuSeconds(server.pid) - serverCpuBefore;
    const threadsAfter = serverThreadCpu(server.pid);
    if (callgrind) execFileSync('callgrind_control', ['-d', 'write-phase', String(server.pid)], { stdio: 'ignore' });
    const serverThreads = {};
    for (const [name, seconds] of threadsAfter) {
      const spent = seconds - (threadsBefore.get(name) ?? 0);
      if (spent >= 0.01) serverThreads[name] = Number(spent.toFixed(2));
    }
    answered.sort();
    const ownCpu = ownCpuSeconds() - ownCpuBefore;
    const serverWait = runQueueWaitSeconds(server.pid) - serverWaitBefore;
    const ownWait = runQueueWaitSeconds(process.pid) - ownWaitBefore;
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    for (const worker of workers) worker.postMessage({ type: 'report', sent });
    await Promise.all(reported);

    const latencies = new Float64Array(reports.reduce((n, r) => n + r.latencies.length, 0));
    let offset = 0;
    for (const report of reports) { latencies.set(report.latencies, offset); offset += report.latencies.length; }
    latencies.sort();
    const sum = (key) => reports.reduce((n, r) => n + r.ended[key], 0);
    console.log(JSON.stringify({
      subscribers,
      client_threads: threads,
      writes,
      target_rate: rate,
      achieved_rate: Number((writes / writeSeconds).toFixed(1)),
      deliveries: latencies.length,
      missing_deliveries: reports.reduce((n, r) => n + r.missing, 0),
      subscriptions_ended_with_error: sum('errors'),
      first_error: reports.map((r) => r.ended.first_error).find((e) => e) ?? null,
      sockets_closed_by_server: sum('closed'),
      // Distinct counts a subscriber received after its first: the updates pushed per subscriber
      // (fewer than the writes when commits coalesce into one run).
      updates_per_subscriber_max: Math.max(0, ...reports.map((r) => r.results)),
      // The server's user + system CPU (/proc/PID/stat, what getrusage reports; 10 ms ticks)
      // over the write phase, per update round (every subscriber receiving one result: each
      // server worker's cycle for the subscribers it holds) and per write. With subscribers,
      // at a rate low enough that every write is its own round, the first minus the per-write
      // figure of a run without subscribers is the fan-out's CPU per cycle.
      server_cpu_seconds: Number(serverCpu.toFixed(2)),
      server_cpu_ms_per_update_round: subscribers === 0 ? null : Number(((serverCpu * 1000) / Math.max(1, Math.max(0, ...reports.map((r) => r.results)))).toFixed(2)),
      server_cpu_ms_per_write: Number(((serverCpu * 1000) / writes).toFixed(2)),
      latency_ms: latencies.length === 0 ? null : {
        p50: Number(percentile(latencies, 50).toFixed(1)),
        p99: Number(percentile(latencies, 99).toFixed(1)),
        max: Number(latencies[latencies.length - 1].toFixed(1)),
      },
      // Each create's own answer (sending it to its response): what the fan-out adds to a write.
      create_answer_ms: { p50: Number(percentile(answered, 50).toFixed(1)), p99: Number(percentile(answered, 99).toFixed(1)) },
      // The server's CPU over the write phase per thread name (/proc/PID/task/*/stat), seconds.
      server_cpu_seconds_by_thread: serverThreads,
      server_cpu_percent_of_one_core: Number(((serverCpu / wall) * 100).toFixed(1)),
      generator_cpu_percent_of_one_core: Number(((ownCpu / wall) * 100).toFixed(1)),
      // Thread-seconds spent runnable but not running (all threads summed), per wall second.
      server_run_queue_wait_per_second: Number((serverWait / wall).toFixed(2)),
      generator_run_queue_wait_per_second: Number((ownWait / wall).toFixed(2)),
      wall_seconds: Number(wall.toFixed(1)),
      load_average: load,
    }, null, 2));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    await server.stop();
  }
}
