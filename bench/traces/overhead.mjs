// What metrics and traces cost on GET by id (docs/observability.md, "Overhead" and "Traces"):
// through the shared runner (bench/lib/overhead_runner.mjs: one run, rounds interleaved in a
// rotating order, medians), servers with
//   metrics-on    the defaults (metrics on, tracing off)
//   metrics-off   --metrics false
//   trace-0%      tracing on with --trace-sample-ratio 0 (every request pays the trace decision,
//                 its ids and the span cell; none is exported)
//   trace-1%      --trace-sample-ratio 0.01
//   trace-100%    --trace-sample-ratio 1 (the request span and its children: the statement)
// exporting to a loopback OTLP/HTTP receiver in this process that counts the spans it gets.
//
//   node bench/traces/overhead.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=5, BENCH_DURATION=5,
//                                     BENCH_CONNECTIONS=32, BENCH_MODES=name,name…; wrk on PATH)
import { createServer } from 'node:http';
import { runOverhead } from '../lib/overhead_runner.mjs';

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
const traced = (ratio) => ['--trace-endpoint', endpoint, '--trace-sample-ratio', ratio];

const all = [
  { name: 'metrics-on' },
  { name: 'metrics-off', args: ['--metrics', 'false'] },
  { name: 'trace-0%', args: traced('0') },
  { name: 'trace-1%', args: traced('0.01') },
  { name: 'trace-100%', args: traced('1') },
];
const wanted = process.env.BENCH_MODES?.split(',');
const modes = wanted ? all.filter((m) => wanted.includes(m.name)) : all;
await runOverhead(modes, { base: modes[0].name, label: modes[0].name });
console.log(`spans received: ${spans}`);
receiver.close();
