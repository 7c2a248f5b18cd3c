#!/usr/bin/env node
// PocketBase's benchmark scenarios against a Basalt binary: see bench/README.md ("Scenarios").
//
//   node bench/scenarios/main.mjs [--smoke] [--runs N] [--out FILE] [--seed N] [--keep-alive]
//                                 [--load auto|native|node] [--sender PATH]
//                                 [--binary PATH] [--server-arg=ARG]... [--postgres URL]
//
// Prints one markdown row per scenario on stdout (progress on stderr). Every answer is checked:
// its status, and for reads the records the rule must let through, counted from the load
// program's own model of what it wrote. --smoke uses tiny counts and exits non-zero on any
// wrong answer; a full run reports wrong answers in the errors column and goes on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sendExpecting, useKeepAlive } from './http_client.mjs';
import { runLoad } from './load.mjs';
import { Model } from './model.mjs';
import { markdownTable, targetSummary } from './report.mjs';
import { createSchema, POST_COLLECTIONS } from './schema.mjs';
import { allScenarios, seededRandom } from './scenarios.mjs';
import { startBasalt } from './server.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

const FULL_SCALE = {
  organizations: 100,
  permissions: 50,
  users: 500,
  posts: { posts10k: 10_000, posts25k: 25_000, posts50k: 50_000, posts100k: 100_000 },
  requests: (n) => n,
  seed: 1,
};
// Small enough for `make test` (well under a minute), large enough that every rule lets some
// posts through and hides others.
const SMOKE_SCALE = {
  organizations: 4,
  permissions: 4,
  users: 12,
  posts: { posts10k: 20, posts25k: 50, posts50k: 100, posts100k: 200 },
  requests: (n) => Math.min(n, 3),
  seed: 1,
};
// The server as PocketBase's runner has its own: no access log, a read queue deep enough for
// the 1,000 concurrent list requests (the default 256 answers 503 past it), and no 1 s budget
// per read statement (PocketBase has none): the table shows how long the work takes, not where
// a default budget cuts it off. --server-arg adds to these (a later flag wins).
const DEFAULT_SERVER_ARGS = [
  '--access-log', 'false', '--db-read-queue', '4096', '--db-user-statement-timeout', '10m',
];
const SUPERUSER = { email: 'bench@example.com', password: 'bench-superuser-password' };

const { values: options } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    binary: { type: 'string', default: here('../../build/release/basalt') },
    // A PostgreSQL server (e.g. scripts/postgres-test-server.sh's URL): each run's server stores
    // its data in a fresh database of its own there, dropped when it stops.
    postgres: { type: 'string' },
    'server-arg': { type: 'string', multiple: true, default: [] },
    published: { type: 'string', default: here('published_cax11.json') },
    // The data's random source; the smoke seed is one whose tiny data set gives every rule
    // scenario posts to show and posts to hide (checked at run time).
    seed: { type: 'string' },
    // Where the table (medians of the runs so far) is written after every run, so a long
    // series that is stopped early still leaves its finished runs.
    out: { type: 'string' },
    // Reuse connections instead of one per request (not PocketBase's way; for reading how much
    // of a row is the connect). The native sender keeps one connection per worker (from the
    // worker's source address where the scenario asks for one); the Node client still connects
    // each time for requests from another source address.
    'keep-alive': { type: 'boolean', default: false },
    // Who runs the timed loop (load.mjs): `native` the C++ sender (bench_scenario_sender, built
    // by `make bench-scenarios`), `node` this process, `auto` the sender when it is built.
    load: { type: 'string', default: 'auto' },
    sender: { type: 'string', default: here('../../build/release/bench/bench_scenario_sender') },
  },
});
const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new Error('--runs must be 1…20');
const scale = options.smoke ? SMOKE_SCALE : FULL_SCALE;
const seed = Number(options.seed ?? scale.seed);
const published = JSON.parse(readFileSync(options.published, 'utf8'));
const serverArgs = [...DEFAULT_SERVER_ARGS, ...options['server-arg']];
if (options['keep-alive']) useKeepAlive();
if (!['auto', 'native', 'node'].includes(options.load)) throw new Error('--load must be auto, native or node');
const native = options.load === 'native' || (options.load === 'auto' && existsSync(options.sender));
if (native && !existsSync(options.sender)) throw new Error(`--load native: ${options.sender} not built (make bench-scenarios)`);
const loader = native ? { kind: 'native', binary: options.sender, keepAlive: options['keep-alive'] } : { kind: 'node' };
const loaderNote =
  `load program: ${native ? 'native sender (bench_scenario_sender)' : "Node's http client (bench_scenario_sender not used)"}, ` +
  `${options['keep-alive'] ? 'connections kept alive' : 'a new connection per request'}`;
process.stderr.write(loaderNote + '\n');

/** Our list must line up with PocketBase's, row for row, or the comparison means nothing. */
function matchPublished(scenarios) {
  if (scenarios.length !== published.scenarios.length) {
    throw new Error(`${scenarios.length} scenarios, but ${published.scenarios.length} published`);
  }
  scenarios.forEach((scenario, i) => {
    const theirs = published.scenarios[i];
    const ours = { collection: scenario.collection, rule: scenario.rule, query: scenario.query };
    const expected = { collection: theirs.collection, rule: theirs.rule, query: theirs.query?.replace(/^\/\w+$/, '/{id}') ?? null };
    if (!options.smoke) Object.assign(ours, { requests: scenario.requests, concurrency: scenario.concurrency });
    if (!options.smoke) Object.assign(expected, { requests: theirs.requests, concurrency: theirs.concurrency });
    if (JSON.stringify(ours) !== JSON.stringify(expected)) {
      throw new Error(`row ${i + 1} differs from PocketBase's: ${JSON.stringify(ours)} vs ${JSON.stringify(expected)}`);
    }
  });
}

// Rules whose smoke data must both show and hide posts, or the check proves little.
const NARROWING_RULES = new Set([
  'author = @request.auth.id', 'author.id = @request.auth.id', "type:each != 'c'",
  'author.permissions.active = true', 'author.permissions.active ?= true',
]);

function assertSmokeDataDiscriminates(ctx, scenario) {
  if (scenario.expectedTotal === undefined) return;
  const total = ctx.model.posts[scenario.collection].size;
  const narrowing = NARROWING_RULES.has(scenario.rule);
  if (scenario.expectedTotal === 0 || (narrowing && scenario.expectedTotal === total)) {
    throw new Error(`smoke data: ${scenario.label} lets ${scenario.expectedTotal} of ${total} posts through`);
  }
}

/** After the deletes: the server holds exactly what the model says is left (cascades included). */
async function verifyRemaining(ctx) {
  const problems = [];
  for (const [collection, expected] of [
    ['organizations', ctx.model.organizations.size],
    ['users', ctx.model.users.size],
    ...POST_COLLECTIONS.map((name) => [name, ctx.model.posts[name].size]),
  ]) {
    const page = await sendExpecting(ctx.base, {
      method: 'GET', path: `/api/collections/${collection}/records?perPage=1`, token: ctx.superToken,
    });
    if (page.totalItems !== expected) problems.push(`${collection}: ${page.totalItems} left, expected ${expected}`);
  }
  return problems;
}

async function runOnce(runNumber) {
  const server = await startBasalt({
    binary: options.binary, superuser: SUPERUSER, args: serverArgs, postgresUrl: options.postgres,
  });
  try {
    const superAuth = await sendExpecting(server.url, {
      method: 'POST', path: '/api/collections/_superusers/auth-with-password',
      body: { identity: SUPERUSER.email, password: SUPERUSER.password },
    });
    const ctx = { base: server.url, superToken: superAuth.token, model: new Model(), random: seededRandom(seed), scale, throttled: 0 };
    await createSchema(ctx.base, ctx.superToken);
    const scenarios = allScenarios(ctx);
    matchPublished(scenarios);
    const results = [];
    for (const [index, scenario] of scenarios.entries()) {
      await scenario.prepare();
      if (options.smoke) assertSmokeDataDiscriminates(ctx, scenario);
      const throttledBefore = ctx.throttled;
      const result = await runLoad(ctx, scenario, server.pid, loader);
      result.throttled = ctx.throttled - throttledBefore;
      results.push(result);
      process.stderr.write(
        `run ${runNumber} #${index + 1} ${scenario.label}: ${result.seconds.toFixed(3)} s, ` +
          (scenario.expectedTotal === undefined ? '' : `${scenario.expectedTotal} visible, `) +
          `${result.errors.length} errors, ${result.throttled} retried 429s${result.errors.length ? ' (first: ' + result.errors[0] + ')' : ''}\n`,
      );
    }
    const leftovers = await verifyRemaining(ctx);
    return { scenarios, results, leftovers };
  } finally {
    await server.stop();
  }
}

function report(rows) {
  const table = markdownTable(rows) + '\n\n' + loaderNote + '; `load CPU s`: its CPU over the timed loop\n';
  return table + (options.smoke ? '' : '\n' + targetSummary(rows) + '\n');
}

function tableRows(allRuns) {
  return allRuns[0].scenarios.map((scenario, index) => ({
    index,
    label: scenario.label,
    collection: scenario.collection,
    target: scenario.target,
    requests: scenario.requests,
    concurrency: scenario.concurrency,
    runs: allRuns.map((run) => run.results[index]),
    published: options.smoke ? undefined : published.scenarios[index].seconds,
  }));
}

const allRuns = [];
for (let run = 1; run <= runs; run++) {
  allRuns.push(await runOnce(run));
  if (options.out) writeFileSync(options.out, report(tableRows(allRuns)));
}
const rows = tableRows(allRuns);
console.log(report(rows));
const errors = rows.flatMap((row) => row.runs.flatMap((run) => run.errors.map((e) => `#${row.index + 1} ${row.label}: ${e}`)));
const leftovers = allRuns.flatMap((run) => run.leftovers);
for (const problem of [...errors.slice(0, 20), ...leftovers]) console.error(`problem: ${problem}`);
console.error(`${rows.length} scenarios, ${runs} run(s), ${errors.length} wrong answers, ${leftovers.length} wrong remainders`);
if (options.smoke && (errors.length > 0 || leftovers.length > 0)) process.exitCode = 1;
