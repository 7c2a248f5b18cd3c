// The runner the overhead benchmarks share (bench/logs/overhead.mjs, bench/traces/overhead.mjs):
// several Basalt processes in the same run, each seeded with the same 1,000 public posts, GET by
// id measured with wrk in interleaved rounds whose order rotates every round, so drift in
// machine load hits every server alike. Per server it keeps each round's req/s and the
// server's CPU time (user + system from /proc/PID/stat over its wrk runs), and prints medians
// against a base mode, CPU per request, and CPU by thread name.
//
//   const modes = [{ name: 'on' }, { name: 'off', args: ['--metrics', 'false'] }];
//   await runOverhead(modes, { base: 'off', label: 'metrics' });
//
// A mode: { name, args?, env?, settings? (PATCH /api/settings) }. Environment: E2E_BASALT_BINARY,
// BENCH_ROUNDS (default 5), BENCH_DURATION (seconds, 5), BENCH_CONNECTIONS (32); wrk on PATH.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/e2e/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const superuser = { email: 'bench@example.com', password: 'bench password 123' };

// The process's user + system CPU time in clock ticks (fields 14 and 15 of /proc/PID/stat,
// counted after the parenthesised command name, which may hold spaces).
function cpuTicks(pid, task = '') {
  const stat = readFileSync(`/proc/${pid}${task}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
const ticksPerSecond = Number((await promisify(execFile)('getconf', ['CLK_TCK'])).stdout);

export async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}

async function seeded(mode) {
  const server = await startServer({
    superuser,
    env: mode.env ?? {},
    args: ['--threads', '2', ...(mode.args ?? [])],
  });
  const { token } = await api(server.url, null, 'POST',
    '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(server.url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', listRule: '', viewRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'views', type: 'number' }],
  });
  if (mode.settings) await api(server.url, token, 'PATCH', '/api/settings', mode.settings);
  const ids = [];
  for (let i = 0; i < 1000; i++) {
    const record = await api(server.url, token, 'POST', '/api/collections/posts/records',
      { title: `post ${i}`, views: i });
    ids.push(record.id);
  }
  return { server, ids, token };
}

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Runs the rounds; returns the modes with server, token, results (req/s per round), ticks and
// requests filled in. The servers are left running (`stop` them, or pass keep: false).
// `perfMode`: the name of a mode whose last round runs under `perf record -g`.
export async function runOverhead(modes, { base, label, perfMode, keep = false } = {}) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const duration = Number(process.env.BENCH_DURATION ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const work = mkdtempSync(join(tmpdir(), 'basalt-overhead-bench-'));
  for (const [index, mode] of modes.entries()) {
    Object.assign(mode, await seeded(mode), { results: [], ticks: 0, requests: 0 });
    mode.idsFile = join(work, `${index}.txt`);
    writeFileSync(mode.idsFile, mode.ids.join('\n') + '\n');
  }
  for (let round = 0; round < rounds; round++) {
    // Rotated every round: no server always runs right after the same other one.
    const order = modes.map((_, i) => modes[(i + round) % modes.length]);
    for (const mode of order) {
      const profiled = perfMode === mode.name && round === rounds - 1;
      const perf = profiled
        ? spawn('perf', ['record', '-g', '-o', `perf-${mode.name}.data`, '-p', String(mode.server.pid)],
          { stdio: 'inherit' })
        : null;
      const ticksBefore = cpuTicks(mode.server.pid);
      // Asynchronous: a receiver in this process (traces) must keep answering while wrk runs.
      const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '-s',
        join(here, '../wrk/posts_get_by_id.lua'), mode.server.url], {
        env: { ...process.env, PREFIX: '/api/collections/posts/records/', IDS: mode.idsFile },
      });
      if (perf) {
        const exited = new Promise((resolve) => perf.on('exit', resolve));
        perf.kill('SIGINT');
        await exited;
      }
      mode.ticks += cpuTicks(mode.server.pid) - ticksBefore;
      mode.requests += Number(/(\d+) requests in/.exec(out)[1]);
      if (/Non-2xx/.test(out)) throw new Error(`non-2xx answers for ${mode.name}:\n${out}`);
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
      mode.results.push(rps);
      console.log(`round ${round + 1} ${mode.name}: ${rps} req/s`);
    }
  }
  report(modes, modes.find((m) => m.name === base) ?? modes[0], label ?? base);
  if (!keep) for (const mode of modes) await mode.server.stop();
  return modes;
}

const cpuPerRequest = (mode) => (mode.ticks / ticksPerSecond / mode.requests) * 1e6;

function report(modes, baseMode, label) {
  const width = Math.max(...modes.map((m) => m.name.length)) + 1;
  const base = median(baseMode.results);
  for (const mode of modes) {
    const m = median(mode.results);
    const range = `${Math.min(...mode.results).toFixed(0)}–${Math.max(...mode.results).toFixed(0)}`;
    console.log(`${mode.name.padEnd(width)} median ${m.toFixed(0)} req/s (${((m / base - 1) * 100).toFixed(1)} % vs ${label}; rounds ${range})`);
  }
  for (const mode of modes) {
    const us = cpuPerRequest(mode);
    console.log(`${mode.name.padEnd(width)} CPU ${us.toFixed(1)} µs per request (${((us / cpuPerRequest(baseMode) - 1) * 100).toFixed(1)} % vs ${label}; ${mode.requests} requests)`);
  }
  // Each server's CPU time by thread name since it started (seeding included): where the
  // difference goes.
  for (const mode of modes) {
    const byThread = new Map();
    for (const tid of readdirSync(`/proc/${mode.server.pid}/task`)) {
      const name = readFileSync(`/proc/${mode.server.pid}/task/${tid}/comm`, 'utf8').trim();
      const seconds = cpuTicks(mode.server.pid, `/task/${tid}`) / ticksPerSecond;
      byThread.set(name, (byThread.get(name) ?? 0) + seconds);
    }
    const parts = [...byThread].filter(([, t]) => t > 0).map(([n, t]) => `${n} ${t.toFixed(2)} s`);
    console.log(`${mode.name.padEnd(width)} CPU by thread: ${parts.join(', ')}`);
  }
}
