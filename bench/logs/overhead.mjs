// What request logs cost on GET by id (docs/observability.md, "Logs API"): request logs on (the
// defaults) and off (settings.logs.maxDays 0), through the shared runner
// (bench/lib/overhead_runner.mjs: interleaved rounds, medians, CPU per request and by thread),
// then how many entries the logs-on server holds, to show it wrote what it served.
//
//   node bench/logs/overhead.mjs   (E2E_BASALT_BINARY, BENCH_ROUNDS=5, BENCH_DURATION=5,
//                                   BENCH_CONNECTIONS=32; wrk on PATH)
// With BENCH_PERF=1, the last round of the logs-on server also runs under `perf record -g`
// (perf on PATH), written to perf-logs-on.data in the working directory.
import { api, runOverhead } from '../lib/overhead_runner.mjs';

const modes = [
  { name: 'logs-on' },
  { name: 'logs-off', settings: { logs: { maxDays: 0 } } },
];
await runOverhead(modes, {
  base: 'logs-off',
  label: 'logs off',
  perfMode: process.env.BENCH_PERF === '1' ? 'logs-on' : undefined,
  keep: true,
});
// The entries the logs-on server holds by now (the last second's may still be queued).
const on = modes[0];
const stats = await api(on.server.url, on.token, 'GET', '/api/logs?perPage=1');
console.log(`logs-on server: ${stats.totalItems} entries listed`);
for (const mode of modes) await mode.server.stop();
