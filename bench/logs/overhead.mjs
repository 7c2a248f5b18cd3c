// What request logs cost on GET by id (docs/observability.md, "Logs API"): two Basalt processes
// in the same run — request logs on (the defaults) and off (settings.logs.maxDays 0) — each
// serving the same 1,000 public posts, measured with wrk in interleaved rounds (alternating
// which goes first), so drift in machine load hits both alike; prints the median req/s of each
// and how many entries the logs-on server holds. It also prints each server's CPU time per
// request (user + system, from /proc/PID/stat, over the wrk runs): on a shared machine, whose
// other load moves req/s by tens of percent between rounds, the steadier figure of what logging
// costs.
//
//   node bench/logs/overhead.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=3, BENCH_DURATION=5,
//                                   BENCH_CONNECTIONS=32; wrk on PATH)
// With BENCH_PERF=1, the last round of the logs-on server also runs under `perf record -g`
// (perf on PATH), written to perf-logs-on.data in the working directory.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/e2e/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const withPerf = process.env.BENCH_PERF === '1';
const superuser = { email: 'bench@example.com', password: 'bench password 123' };

// The process's user + system CPU time in clock ticks (fields 14 and 15 of /proc/PID/stat,
// counted after the parenthesised command name, which may hold spaces).
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const ticksPerSecond = Number((await promisify(execFile)('getconf', ['CLK_TCK'])).stdout);

async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function seeded(settings) {
  const server = await startServer({ superuser, args: ['--threads', '2'] });
  const { token } = await api(server.url, null, 'POST',
    '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(server.url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', listRule: '', viewRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  if (settings) await api(server.url, token, 'PATCH', '/api/settings', settings);
  const ids = [];
  for (let i = 0; i < 1000; i++) {
    const record = await api(server.url, token, 'POST', '/api/collections/posts/records',
      { title: `post ${i}`, views: i });
    ids.push(record.id);
  }
  return { server, ids, token };
}

const modes = [
  { name: 'logs on' },
  { name: 'logs off', settings: { logs: { maxDays: 0 } } },
];
const work = mkdtempSync(join(tmpdir(), 'basalt-logs-bench-'));
for (const [index, mode] of modes.entries()) {
  Object.assign(mode, await seeded(mode.settings));
  mode.idsFile = join(work, `${index}.txt`);
  writeFileSync(mode.idsFile, mode.ids.join('\n') + '\n');
  mode.results = [];
}
for (let round = 0; round < rounds; round++) {
  // Odd rounds measure logs off first: neither server always runs right after the other.
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const index of order) {
    const mode = modes[index];
    const profiled = withPerf && index === 0 && round === rounds - 1;
    const perf = profiled
      ? spawn('perf', ['record', '-g', '-o', 'perf-logs-on.data', '-p', String(mode.server.pid)],
        { stdio: 'inherit' })
      : null;
    const ticksBefore = cpuTicks(mode.server.pid);
    const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '-s',
      join(here, '../wrk/posts_get_by_id.lua'), mode.server.url], {
      env: { ...process.env, PREFIX: '/api/collections/posts/records/', IDS: mode.idsFile },
    });
    if (perf) {
      const exited = new Promise((resolve) => perf.on('exit', resolve));
      perf.kill('SIGINT');
      await exited;
    }
    mode.ticks = (mode.ticks ?? 0) + cpuTicks(mode.server.pid) - ticksBefore;
    mode.requests = (mode.requests ?? 0) + Number(/(\d+) requests in/.exec(out)[1]);
    if (/Non-2xx/.test(out)) throw new Error(`non-2xx answers for ${mode.name}:\n${out}`);
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    mode.results.push(rps);
    console.log(`round ${round + 1} ${mode.name}: ${rps} req/s`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(modes[1].results);
for (const mode of modes) {
  const m = median(mode.results);
  const range = `${Math.min(...mode.results).toFixed(0)}–${Math.max(...mode.results).toFixed(0)}`;
  console.log(`${mode.name.padEnd(8)} median ${m.toFixed(0)} req/s (${((m / base - 1) * 100).toFixed(1)} % vs logs off; rounds ${range})`);
}
const cpuPerRequest = (mode) => (mode.ticks / ticksPerSecond / mode.requests) * 1e6;
for (const mode of modes) {
  const us = cpuPerRequest(mode);
  console.log(`${mode.name.padEnd(8)} CPU ${us.toFixed(1)} µs per request (${((us / cpuPerRequest(modes[1]) - 1) * 100).toFixed(1)} % vs logs off; ${mode.requests} requests)`);
}
// Each server's CPU time by thread name since it started (seeding included): where the
// difference goes.
for (const mode of modes) {
  const byThread = new Map();
  for (const tid of readdirSync(`/proc/${mode.server.pid}/task`)) {
    const name = readFileSync(`/proc/${mode.server.pid}/task/${tid}/comm`, 'utf8').trim();
    const stat = readFileSync(`/proc/${mode.server.pid}/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    byThread.set(name, (byThread.get(name) ?? 0) + seconds);
  }
  const parts = [...byThread].filter(([, t]) => t > 0).map(([n, t]) => `${n} ${t.toFixed(2)} s`);
  console.log(`${mode.name.padEnd(8)} CPU by thread: ${parts.join(', ')}`);
}
// The entries the logs-on server holds by now (the last second's may still be queued): shows
// that it wrote what it served rather than dropping it.
const on = modes[0];
const stats = await api(on.server.url, on.token, 'GET', '/api/logs?perPage=1');
console.log(`logs-on server: ${stats.totalItems} entries listed`);
for (const mode of modes) await mode.server.stop();
