// The real Prometheus (Debian's `prometheus`, scripts/install-deps.sh) scrapes a running Basalt
// with a bearer token; the test waits for two scrapes through Prometheus' HTTP API and reads
// back `up` and a request counter it caused. Then `promtool check rules` on the shipped alert
// rules, and every metric name the Grafana dashboard and the rules use must be one the server
// exports (docs/observability.md).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { parseSamples, scrape } from './metrics_scrape.mjs';
import { startServer } from './server.mjs';

const TOKEN = 'prometheus-e2e-token-0123456789';
const ALERTS = fileURLToPath(new URL('../../deploy/prometheus/alerts.yml', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../deploy/grafana/basalt.json', import.meta.url));
// Bounds for a loaded machine; they only matter when something is broken.
const WAIT_MS = 60_000;
const POLL_MS = 100;
const CAUSED = 7;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Polls `probe` until it returns a truthy value (then returns it) or WAIT_MS passes.
async function until(what, probe) {
  const deadline = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

describe('prometheus scrapes basalt', () => {
  let basalt;
  let prometheus;
  let prometheusUrl;
  let dir;
  let stderr = '';

  before(async () => {
    basalt = await startServer({ args: ['--metrics-token', TOKEN] });
    // The requests the test causes: a list of a collection that does not exist (404).
    for (let i = 0; i < CAUSED; ++i) {
      const response = await fetch(`${basalt.url}/api/collections/missing${i}/records`);
      assert.equal(response.status, 404);
    }
    dir = await mkdtemp(join(tmpdir(), 'basalt-prometheus-'));
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    await writeFile(join(dir, 'token'), TOKEN);
    await writeFile(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${JSON.stringify(ALERTS)}`,
        'scrape_configs:',
        '  - job_name: basalt',
        '    authorization:',
        '      type: Bearer',
        `      credentials_file: ${JSON.stringify(join(dir, 'token'))}`,
        '    static_configs:',
        `      - targets: [${JSON.stringify(new URL(basalt.url).host)}]`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr.setEncoding('utf8');
    prometheus.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-16_384);
    });
    prometheus.once('error', (error) => {
      stderr += `\nspawn failed: ${error.message} (install it: scripts/install-deps.sh)`;
    });
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus.once('close', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
    await basalt?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const query = async (expr) => {
    const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = await response.json();
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data.result;
  };

  test('two scrapes, then `up` is 1 and the caused requests are counted', async () => {
    await until(`two scrapes (prometheus stderr: ${stderr.slice(-2000)})`, async () => {
      const result = await query('count_over_time(up{job="basalt"}[5m])');
      return result.length === 1 && Number(result[0].value[1]) >= 2;
    });
    const up = await query('up{job="basalt"}');
    assert.equal(up.length, 1);
    assert.equal(up[0].value[1], '1');

    const caused = await query(
      'basalt_http_requests_total{job="basalt",method="GET",' +
        'route="/api/collections/{collection}/records",status="4xx"}',
    );
    assert.equal(caused.length, 1, JSON.stringify(caused));
    assert.equal(Number(caused[0].value[1]), CAUSED);

    // The rules loaded into this Prometheus evaluate without errors.
    const rules = await (await fetch(`${prometheusUrl}/api/v1/rules`)).json();
    const loaded = rules.data.groups.flatMap((group) => group.rules);
    assert.ok(loaded.length >= 4);
    await until('the rules to be evaluated', async () => {
      const latest = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()).data.groups
        .flatMap((group) => group.rules);
      return latest.every((rule) => rule.health === 'ok');
    });
  });

  test('promtool check rules accepts deploy/prometheus/alerts.yml', () => {
    const output = execFileSync('promtool', ['check', 'rules', ALERTS], { encoding: 'utf8' });
    assert.match(output, /SUCCESS/);
  });

  test('every metric the dashboard and the rules use is exported by the server', async () => {
    const text = await (await scrape(basalt.url, { Authorization: `Bearer ${TOKEN}` })).text();
    const exported = new Set(parseSamples(text).map((sample) => sample.name));
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8'));
    const expressions = [];
    const walk = (node) => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        if (typeof node.expr === 'string') expressions.push(node.expr);
        if (typeof node.query === 'string') expressions.push(node.query);
        Object.values(node).forEach(walk);
      }
    };
    walk(dashboard);
    const rules = await readFile(ALERTS, 'utf8');
    const used = new Set();
    for (const source of [...expressions, rules]) {
      for (const match of source.matchAll(/\b((?:basalt|process)_[a-z0-9_]+)\b/g)) used.add(match[1]);
    }
    assert.ok(used.size >= 15, `only ${[...used]}`);
    const missing = [...used].filter((name) => !exported.has(name));
    assert.deepEqual(missing, [], `used but not exported: ${missing.join(', ')}`);
  });
});
