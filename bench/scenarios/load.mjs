// Runs one scenario's `count` requests with at most `concurrency` in flight, the way
// PocketBase's runner does (its errgroup with a limit), and measures the total time, the load
// program's own CPU and the server's CPU over the same span. Two load programs do the timed
// loop (bench/README.md, "The load program"):
//   - native: bench_scenario_sender (bench/scenarios/sender), a C++ Asio/Beast client that is
//     handed every request of the scenario up front in a plan file and returns each answer;
//     the answers are checked here after the clock stops.
//   - node: this process's own HTTP client, each answer checked as it comes (the fallback when
//     the sender is not built, as in `make test`'s smoke run).
// A scenario describes request i with `request(i)` (called once per i, in order, on either
// path) and judges its answer with `check(i, response, request)`.
import { performance } from 'node:perf_hooks';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from './http_client.mjs';
import { clientAddress, sendRetryingThrottled } from './common.mjs';

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU seconds (user + system) the process `pid` has used so far, from /proc. */
export function processCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

function ownCpuSeconds() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/** A response as check() sees it: status, text and, when the request wants it, parsed JSON. */
function withJson(request, response) {
  if (!request.wantJson || response.text.length === 0) return response;
  return { ...response, json: JSON.parse(response.text) };
}

async function nodeLoop(ctx, scenario, count, concurrency, errors) {
  let next = 0;
  const worker = async (_, workerIndex) => {
    while (next < count) {
      const i = next++;
      try {
        const request = scenario.request(i);
        const wire = { ...request, from: request.perWorkerSource ? clientAddress(workerIndex) : undefined };
        const response = request.retryThrottled ? await sendRetryingThrottled(ctx, wire) : await send(ctx.base, wire);
        const problem = scenario.check(i, response, request);
        if (problem) errors.push(problem);
      } catch (error) {
        errors.push(error.message);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, worker));
  return (performance.now() - started) / 1000;
}

let planDirectory;
function scratchFile(name) {
  planDirectory ??= mkdtempSync(join(tmpdir(), 'basalt-scenario-plans-'));
  return join(planDirectory, name);
}
process.once('exit', () => planDirectory && rmSync(planDirectory, { recursive: true, force: true }));

/** The plan file of request_plan.hpp: header lines, then per request a line and its bytes. */
function planBytes(ctx, requests, concurrency, keepAlive) {
  const needsSources = requests.some((request) => request.perWorkerSource);
  const sources = needsSources ? Array.from({ length: concurrency }, (_, k) => clientAddress(k)) : [];
  const parts = [
    Buffer.from(
      `basalt-scenario-plan 1\ntarget ${ctx.base.hostname} ${ctx.base.port}\nconcurrency ${concurrency}\n` +
        `connections ${keepAlive ? 'keep-alive' : 'fresh'}\nsources ${sources.length}\n` +
        sources.map((address) => address + '\n').join('') + `requests ${requests.length}\n`,
    ),
  ];
  for (const request of requests) {
    if (/\s/.test(request.path) || /\s/.test(request.method)) throw new Error(`whitespace in ${request.method} ${request.path}`);
    const token = Buffer.from(request.token ?? '');
    const body = request.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(request.body));
    const flags = (request.perWorkerSource ? 'a' : '') + (request.retryThrottled ? 'r' : '') || '-';
    parts.push(Buffer.from(`${request.method} ${request.path} ${flags} ${token.length} ${body.length}\n`), token, body);
  }
  return Buffer.concat(parts);
}

/** The sender's result file: its loop's time and CPU, then each answer in plan order. */
function parseResult(bytes, count) {
  let position = 0;
  const line = () => {
    const end = bytes.indexOf(10, position);
    if (end < 0) throw new Error('sender result ends early');
    const text = bytes.toString('latin1', position, end);
    position = end + 1;
    return text;
  };
  if (line() !== 'basalt-scenario-result 1') throw new Error('not a sender result');
  const [, seconds, , cpu] = line().split(' ');
  const outcomes = [];
  for (let i = 0; i < count; i++) {
    const [status, latencyUs, retries, size] = line().split(' ').map(Number);
    const text = bytes.toString('utf8', position, position + size);
    position += size;
    outcomes.push({ status, latencyUs, retries, text });
  }
  return { seconds: Number(seconds), cpu: Number(cpu), outcomes };
}

function runSender(binary, planPath, resultPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [planPath, resultPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    child.once('error', reject);
    child.once('close', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${binary} failed (${code ?? signal}): ${stderr}`)),
    );
  });
}

async function nativeLoop(ctx, scenario, count, concurrency, errors, loader, serverPid) {
  // Built before the clock starts, in index order (the creates' bodies draw from the seeded
  // random source in that order on both paths).
  const requests = Array.from({ length: count }, (_, i) => scenario.request(i));
  const planPath = scratchFile('plan');
  const resultPath = scratchFile('result');
  writeFileSync(planPath, planBytes(ctx, requests, concurrency, loader.keepAlive));
  // CPU over the sender's run only: building the plan and checking the answers happen outside
  // the timed loop (the sender's own figures cover its loop alone).
  const serverCpuBefore = processCpuSeconds(serverPid);
  const waitCpuBefore = ownCpuSeconds();
  const background = scenario.background ? scenario.background() : Promise.resolve([]);
  await runSender(loader.binary, planPath, resultPath);
  errors.push(...(await background));
  const waitCpu = ownCpuSeconds() - waitCpuBefore;
  const serverCpu = processCpuSeconds(serverPid) - serverCpuBefore;
  const result = parseResult(readFileSync(resultPath), count);
  result.outcomes.forEach((outcome, i) => {
    ctx.throttled += outcome.retries;
    try {
      const response = withJson(requests[i], { status: outcome.status, text: outcome.text });
      const problem = scenario.check(i, response, requests[i]);
      if (problem) errors.push(problem);
    } catch (error) {
      errors.push(`${requests[i].method} ${requests[i].path}: ${error.message}`);
    }
  });
  return { seconds: result.seconds, clientCpu: result.cpu + waitCpu, serverCpu };
}

/**
 * @param {object} ctx  the run's context (base URL, throttled counter)
 * @param {{request: (i: number) => object, check: (i: number, response: object, request: object) => string | null,
 *   requests: number, concurrency: number, background?: () => Promise<string[]>}} scenario  `background`:
 *   requests run beside the loop (started just before it), resolving with their problems
 * @param {number} serverPid
 * @param {{kind: 'node'} | {kind: 'native', binary: string, keepAlive: boolean}} loader
 * @returns {Promise<{seconds: number, clientCpu: number, serverCpu: number, errors: string[]}>}
 *   clientCpu: the whole load program's CPU over the loop (on the native path the sender's,
 *   plus this process's while it waited on the sender, which covers background requests such
 *   as row 4's updates)
 */
export async function runLoad(ctx, scenario, serverPid, loader) {
  const errors = [];
  const count = scenario.requests;
  const concurrency = Math.min(count, scenario.concurrency);
  if (loader.kind === 'native') {
    return { ...(await nativeLoop(ctx, scenario, count, concurrency, errors, loader, serverPid)), errors };
  }
  const serverCpuBefore = processCpuSeconds(serverPid);
  const clientCpuBefore = ownCpuSeconds();
  const background = scenario.background ? scenario.background() : Promise.resolve([]);
  const seconds = await nodeLoop(ctx, scenario, count, concurrency, errors);
  errors.push(...(await background));
  return {
    seconds,
    clientCpu: ownCpuSeconds() - clientCpuBefore,
    serverCpu: processCpuSeconds(serverPid) - serverCpuBefore,
    errors,
  };
}
