// What metrics, tracing and Lua hooks cost per request, counted in instructions rather than
// wall time (docs/observability.md, "Overhead in instructions"; docs/hooks.md, "Cost"): on a
// shared, noisy machine a 2 % or 5 % target cannot be judged by req/s, but the instructions a
// request executes are nearly deterministic.
//
// For each mode the release binary runs under `valgrind --tool=callgrind --separate-threads=yes`
// twice, from copies of one seeded data directory (one public post):
//   baseline  start, WARMUP GETs of the post, SIGTERM;
//   measured  start, WARMUP + N GETs of the same post, SIGTERM,
// from one client connection (node's fetch, keep-alive, one request at a time). (measured −
// baseline) / N is the steady-state cost of one request: startup, the first requests' cache
// fills and shutdown cancel out. Per thread as well: the worker (the thread whose count grew
// most) serves the request; the others are the access log, the request logger and its
// database, the span exporter, and timers that tick with wall time (the difference over the
// longer run is shown, so it can be told apart).
//
// Modes: metrics-on (the defaults), metrics-off (--metrics false), trace-0%, trace-1%,
// trace-100% (--trace-endpoint to a receiver in this process, --trace-sample-ratio): GET of the
// post. create-no-hook, create-noop-hook (a no-op beforeCreate on posts), create-validation-hook
// (bench/hooks/validation.lua, as bench/hooks/run.sh), create-webhook (one webhook destination
// on posts: the outbox rows and their delivery), create-outbox-rows (the same destination on a
// closed port: the rows alone): POST of a new post each request.
// The first mode of the list is the one the others are compared with.
//
//   node bench/traces/instructions.mjs
// Environment: E2E_BASALT_BINARY (default build/release/basalt), BENCH_N (2000), BENCH_WARMUP
// (20), BENCH_MODES=name,name…, BENCH_PORT (first of the loopback ports used, 41000),
// BENCH_KEEP=1 (keep the callgrind files, cg-<mode index>-<requests>-<thread>, for
// callgrind_annotate; the directory is printed).
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.E2E_BASALT_BINARY ?? resolve(here, '../../build/release/basalt');
const N = Number(process.env.BENCH_N ?? 2000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const firstPort = Number(process.env.BENCH_PORT ?? 41000);
const superuser = { email: 'bench@example.com', password: 'bench password 123' };

// The OTLP receiver of the tracing modes: counts spans, answers 200 {}.
let spans = 0;
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
});
await new Promise((done) => receiver.listen(firstPort + 99, '127.0.0.1', done));
const endpoint = `http://127.0.0.1:${firstPort + 99}/v1/traces`;
const work = mkdtempSync(join(tmpdir(), 'basalt-instructions-'));
// The webhook receiver of the create-webhook mode: counts deliveries, answers 204.
let webhookDeliveries = 0;
const webhookReceiver = createServer((request, response) => {
  request.resume();
  request.on('end', () => { webhookDeliveries++; response.writeHead(204).end(); });
});
await new Promise((done) => webhookReceiver.listen(firstPort + 98, '127.0.0.1', done));
const traced = (ratio) => ['--trace-endpoint', endpoint, '--trace-sample-ratio', ratio];

// Hooks directories of the create modes (written into the work directory below).
const hookScripts = {
  noop: 'basalt.on("beforeCreate", "posts", function(e) end)\n',
  validation: readFileSync(resolve(here, '../hooks/validation.lua'), 'utf8'),
};
const hooked = (name) => ['--hooks-dir', join(work, `hooks-${name}`)];
for (const [name, text] of Object.entries(hookScripts)) {
  mkdirSync(join(work, `hooks-${name}`));
  writeFileSync(join(work, `hooks-${name}`, 'bench.lua'), text);
}

const all = [
  { name: 'metrics-on', args: [] },
  { name: 'metrics-off', args: ['--metrics', 'false'] },
  { name: 'trace-0%', args: traced('0') },
  { name: 'trace-1%', args: traced('0.01') },
  { name: 'trace-100%', args: traced('1') },
  { name: 'create-no-hook', args: [], create: true },
  { name: 'create-noop-hook', args: hooked('noop'), create: true },
  { name: 'create-validation-hook', args: hooked('validation'), create: true },
  // The outbox's cost (docs/events.md): one webhook destination on posts, delivered to the
  // receiver above; the run ends only once every create of it was delivered.
  { name: 'create-webhook', args: ['--webhooks-allow-private', 'true'], create: true, webhook: true },
  // The outbox rows alone: the destination points at a closed port, so nothing is delivered
  // (the dispatcher waits out the endpoint's backoff).
  { name: 'create-outbox-rows', args: ['--webhooks-allow-private', 'true'], create: true, webhook: true,
    closed: true },
];
const wanted = process.env.BENCH_MODES?.split(',');
const modes = wanted ? all.filter((m) => wanted.includes(m.name)) : all;

async function waitHealthy(url, child) {
  for (let i = 0; i < 1200; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode})`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {}
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error('the server did not become healthy');
}

async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

function serve(dir, port, args, wrapper = []) {
  const command = [...wrapper, binary, 'serve', '--dir', dir, '--http', `127.0.0.1:${port}`,
    '--threads', '1', '--access-log', 'false', ...args];
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = new Promise((done) => child.once('close', (code) => done(code)));
  return { child, exited, stderrTail: () => stderr };
}

// The template: one public post, seeded by a plain (unmeasured) server.
const template = join(work, 'template');
execFileSync(binary, ['superuser', 'upsert', superuser.email, superuser.password, '--dir', template],
  { stdio: 'ignore' });
let postUrl;
{
  const url = `http://127.0.0.1:${firstPort}`;
  const server = serve(template, firstPort, []);
  await waitHealthy(url, server.child);
  const { token } = await api(url, null, 'POST', '/api/collections/_superusers/auth-with-password',
    { identity: superuser.email, password: superuser.password });
  await api(url, token, 'POST', '/api/collections', {
    name: 'posts', type: 'base', listRule: '', viewRule: '', createRule: '',
    fields: [{ name: 'title', type: 'text' }, { name: 'body', type: 'text' },
      { name: 'views', type: 'number' }],
  });
  const post = await api(url, token, 'POST', '/api/collections/posts/records',
    { title: 'the post', views: 7 });
  postUrl = `/api/collections/posts/records/${post.id}`;
  server.child.kill('SIGTERM');
  await server.exited;
}

// Instructions (Ir) per thread of one callgrind run: { threadNumber: count }.
function threadCounts(prefix) {
  const counts = {};
  for (const file of readdirSync(work)) {
    // <prefix>-<thread number> (callgrind's --separate-threads files); never another run's.
    const match = /^-(\d+)$/.exec(file.slice(prefix.length));
    if (!file.startsWith(prefix) || !match) continue;
    const text = readFileSync(join(work, file), 'utf8');
    const total = /^(?:summary|totals):\s+(\d+)/m.exec(text);
    counts[Number(match[1])] = (counts[Number(match[1])] ?? 0) + Number(total ? total[1] : 0);
  }
  return counts;
}

async function callgrindRun(mode, index, requests) {
  const dir = join(work, `${index}-${requests}`);
  cpSync(template, dir, { recursive: true });
  const port = firstPort + 1 + index;
  const prefix = `cg-${index}-${requests}`;
  const server = serve(dir, port, mode.args, ['valgrind', '--tool=callgrind', '--separate-threads=yes',
    `--callgrind-out-file=${join(work, prefix)}`]);
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, server.child);
  if (mode.webhook) {
    const { token } = await api(url, null, 'POST', '/api/collections/_superusers/auth-with-password',
      { identity: superuser.email, password: superuser.password });
    await api(url, token, 'POST', '/api/webhooks', {
      url: `http://127.0.0.1:${firstPort + (mode.closed ? 97 : 98)}/hook`, collections: ['posts'],
      actions: ['create'],
    });
  }
  const deliveredBefore = webhookDeliveries;
  const started = Date.now();
  for (let i = 0; i < requests; i++) {
    const response = mode.create
      ? await fetch(url + '/api/collections/posts/records', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ title: ` post number ${i} `, views: i }),
      })
      : await fetch(url + postUrl);
    if (!response.ok) throw new Error(`${mode.name}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  while (mode.webhook && !mode.closed && webhookDeliveries - deliveredBefore < requests) {
    await new Promise((done) => setTimeout(done, 50));
  }
  const seconds = (Date.now() - started) / 1000;
  server.child.kill('SIGTERM');
  const code = await server.exited;
  if (code !== 0) throw new Error(`${mode.name}: exit ${code}\n${server.stderrTail()}`);
  rmSync(dir, { recursive: true, force: true });
  return { counts: threadCounts(prefix), seconds };
}

const sum = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
const results = [];
for (const [index, mode] of modes.entries()) {
  const base = await callgrindRun(mode, index, WARMUP);
  const measured = await callgrindRun(mode, index, WARMUP + N);
  const deltas = {};
  for (const thread of new Set([...Object.keys(base.counts), ...Object.keys(measured.counts)])) {
    deltas[thread] = (measured.counts[thread] ?? 0) - (base.counts[thread] ?? 0);
  }
  const worker = Object.entries(deltas).sort((a, b) => b[1] - a[1])[0];
  const row = {
    name: mode.name,
    total: (sum(measured.counts) - sum(base.counts)) / N,
    worker: worker[1] / N,
    others: Object.entries(deltas).filter(([t]) => t !== worker[0])
      .map(([t, d]) => `${t}:${(d / N).toFixed(0)}`).join(' '),
    seconds: measured.seconds,
  };
  results.push(row);
  console.log(`${row.name}: ${row.total.toFixed(0)} instructions per request (worker thread ` +
    `${worker[0]}: ${row.worker.toFixed(0)}; others per request ${row.others}; ` +
    `${N} requests in ${row.seconds.toFixed(1)} s under callgrind)`);
}
const baseRow = results[0];
console.log(`\n${'mode'.padEnd(12)} ${'all threads'.padStart(12)} ${'vs ' + baseRow.name} ${'worker'.padStart(10)} ${'vs ' + baseRow.name}`);
for (const row of results) {
  const pct = (a, b) => `${((a / b - 1) * 100).toFixed(2)} %`;
  console.log(`${row.name.padEnd(12)} ${row.total.toFixed(0).padStart(12)} ${pct(row.total, baseRow.total).padStart(10)} ` +
    `${row.worker.toFixed(0).padStart(10)} ${pct(row.worker, baseRow.worker).padStart(10)}`);
}
console.log(`spans received: ${spans}`);
receiver.close();
webhookReceiver.close();
if (process.env.BENCH_KEEP === '1') console.log(`callgrind files kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
