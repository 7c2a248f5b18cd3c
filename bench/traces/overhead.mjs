// Tracing overhead on GET by id (docs/observability.md, "Traces"): four Basalt processes in the
// same run — tracing off, tracing and request logs off, parent-based ratio 0.01 and 1.0
// exporting to a loopback OTLP/HTTP receiver that counts what it gets — each serving the same
// 1,000 public posts, measured with wrk in interleaved rounds, so drift in machine load hits
// all alike; prints the median req/s of each and the spans received.
//
//   node bench/traces/overhead.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=3, BENCH_DURATION=5,
//                                     BENCH_CONNECTIONS=32; wrk on PATH)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../tests/e2e/server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
const superuser = { email: 'bench@example.com', password: 'bench password 123' };

let spans = 0;
const receiver = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const rs of body.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end('{}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${receiver.address().port}/v1/traces`;

async function api(url, token, method, path, body) {
  const response = await fetch(url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function seeded(env, settings) {
  const server = await startServer({ superuser, env, args: ['--threads', '2'] });
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
  return { server, ids };
}

const modes = [
  { name: 'off', env: {} },
  // The request logs off too (settings.logs.maxDays 0): what they cost per request.
  { name: 'nologs', env: {}, settings: { logs: { maxDays: 0 } } },
  { name: '1%', env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.01' } },
  { name: '100%', env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' } },
];
const work = mkdtempSync(join(tmpdir(), 'basalt-trace-bench-'));
for (const mode of modes) {
  const { server, ids } = await seeded(mode.env, mode.settings);
  mode.server = server;
  mode.ids = join(work, `${mode.name.replace('%', 'pct')}.txt`);
  writeFileSync(mode.ids, ids.join('\n') + '\n');
  mode.results = [];
}
for (let round = 0; round < rounds; round++) {
  for (const mode of modes) {
    // Asynchronous: the receiver in this process must keep answering while wrk runs.
    const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${connections}`, `-d${duration}s`, '-s',
      join(here, '../wrk/posts_get_by_id.lua'), mode.server.url], {
      env: { ...process.env, PREFIX: '/api/collections/posts/records/', IDS: mode.ids },
    });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    if (/Non-2xx/.test(out)) throw new Error(`non-2xx answers for ${mode.name}:\n${out}`);
    mode.results.push(rps);
    mode.requests = (mode.requests ?? 0) + Number(/(\d+) requests in/.exec(out)[1]);
    console.log(`round ${round + 1} ${mode.name}: ${rps} req/s`);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(modes[0].results);
for (const mode of modes) {
  const m = median(mode.results);
  console.log(`${mode.name.padEnd(5)} median ${m.toFixed(0)} req/s (${((m / base - 1) * 100).toFixed(1)} % vs off)`);
  await mode.server.stop();
}
console.log(`requests: 1% ${modes[2].requests}, 100% ${modes[3].requests}; spans received: ${spans}`);
receiver.close();
