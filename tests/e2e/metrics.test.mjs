// GET /metrics (docs/observability.md): access (token, allow-list, superuser, off), both
// formats, route templates as labels, the counters a request moves, and GET /api/ready.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'graphql-ws';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import { parseSamples, scrape, sumOf } from './metrics_scrape.mjs';
import { startServer } from './server.mjs';

const TOKEN = 'metrics-e2e-token-0123456789';
const superuser = { email: 'metrics@example.com', password: 'metrics-password-123' };

describe('metrics with a token', () => {
  let server;
  let pb;
  before(async () => {
    server = await startServer({ args: ['--metrics-token', TOKEN], superuser });
    pb = new PocketBase(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  test('no credentials, a wrong token or a user are refused with 401 in the error format', async () => {
    for (const headers of [{}, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: TOKEN }]) {
      const response = await scrape(server.url, headers);
      assert.equal(response.status, 401);
      assert.deepEqual(await response.json(), {
        status: 401,
        message: 'The request requires a metrics token or superuser authorization.',
        data: {},
      });
    }
  });

  test('the token reads the Prometheus text format', async () => {
    const response = await scrape(server.url, { Authorization: `Bearer ${TOKEN}` });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    const samples = parseSamples(text);
    const build = samples.find((s) => s.name === 'basalt_build_info');
    assert.ok(build, text);
    assert.match(build.labels.version, /^\d+\.\d+\.\d+$/);
    assert.ok(build.labels.commit.length > 0);
    assert.match(build.labels.compiler, /^(gcc|clang) /);
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'basalt_process_rss_anon_bytes',
      'basalt_process_rss_file_bytes',
      'process_open_fds',
      'process_start_time_seconds',
    ]) {
      const sample = samples.find((s) => s.name === name);
      assert.ok(sample && sample.value >= 0, `${name} missing`);
    }
    assert.ok(sumOf(samples, 'basalt_process_rss_anon_bytes') > 0);
    assert.match(text, /^# TYPE basalt_http_requests_total counter$/m);
  });

  test('OpenMetrics when Accept asks for it, ending with # EOF', async () => {
    const response = await scrape(server.url, {
      Authorization: `Bearer ${TOKEN}`,
      Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5',
    });
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get('content-type'),
      'application/openmetrics-text; version=1.0.0; charset=utf-8',
    );
    const text = await response.text();
    assert.ok(text.endsWith('\n# EOF\n'), text.slice(-200));
    assert.match(text, /^# TYPE basalt_http_requests counter$/m);
  });

  test('a superuser token reads the metrics too', async () => {
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const response = await scrape(server.url, { Authorization: pb.authStore.token });
    assert.equal(response.status, 200);
    pb.authStore.clear();
  });

  test('requests count under their route template, never the raw path', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const before = await read();
    const labels = {
      method: 'GET',
      route: '/api/collections/{collection}/records/{id}',
      status: '4xx',
    };
    for (let i = 0; i < 3; ++i) {
      const response = await fetch(`${server.url}/api/collections/nope${i}/records/abc${i}`);
      assert.equal(response.status, 404);
    }
    const unknown = await fetch(`${server.url}/no/such/path/${Date.now()}`);
    assert.equal(unknown.status, 404);
    assert.equal((await fetch(`${server.url}/api/health`)).status, 200);

    const after = await read();
    assert.equal(
      sumOf(after, 'basalt_http_requests_total', labels) -
        sumOf(before, 'basalt_http_requests_total', labels),
      3,
    );
    assert.equal(
      sumOf(after, 'basalt_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/collections/{collection}/records/{id}',
      }) -
        sumOf(before, 'basalt_http_request_duration_seconds_count', {
          method: 'GET',
          route: '/api/collections/{collection}/records/{id}',
        }),
      3,
    );
    assert.equal(
      sumOf(after, 'basalt_http_requests_total', { route: 'unmatched', method: 'GET' }) -
        sumOf(before, 'basalt_http_requests_total', { route: 'unmatched', method: 'GET' }),
      1,
    );
    const health = { method: 'GET', route: '/api/health', status: '2xx' };
    assert.equal(
      sumOf(after, 'basalt_http_requests_total', health) -
        sumOf(before, 'basalt_http_requests_total', health),
      1,
    );
    for (const sample of after) {
      if (sample.labels.route !== undefined) {
        assert.doesNotMatch(sample.labels.route, /nope|abc|no\/such/, 'a raw path became a label');
      }
    }
    // Histogram buckets are cumulative and end at +Inf = _count.
    const buckets = after.filter(
      (s) =>
        s.name === 'basalt_http_request_duration_seconds_bucket' &&
        s.labels.route === '/api/health',
    );
    assert.equal(buckets.at(-1).labels.le, '+Inf');
    for (let i = 1; i < buckets.length; ++i) assert.ok(buckets[i].value >= buckets[i - 1].value);
    assert.equal(
      buckets.at(-1).value,
      sumOf(after, 'basalt_http_request_duration_seconds_count', { route: '/api/health' }),
    );
  });

  test('a failed password sign-in is counted', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const before = sumOf(await read(), 'basalt_sign_in_failures_total');
    await assert.rejects(
      pb.collection('_superusers').authWithPassword(superuser.email, 'wrong-password-123'),
    );
    assert.equal(sumOf(await read(), 'basalt_sign_in_failures_total') - before, 1);
  });

  test('an open realtime stream is counted while it lasts', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const realtime = { transport: 'realtime' };
    const before = sumOf(await read(), 'basalt_subscription_clients', realtime);
    const controller = new AbortController();
    const stream = await fetch(`${server.url}/api/realtime`, { signal: controller.signal });
    assert.equal(stream.status, 200);
    const reader = stream.body.getReader();
    let received = '';
    while (!received.includes('PB_CONNECT')) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream ended before PB_CONNECT');
      received += new TextDecoder().decode(value);
    }
    assert.equal(sumOf(await read(), 'basalt_subscription_clients', realtime) - before, 1);
    controller.abort();
    await reader.closed.catch(() => {});
    // The server notices the closed socket on its own schedule: poll until it is uncounted.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const open = sumOf(await read(), 'basalt_subscription_clients', realtime);
      if (open === before) break;
      assert.ok(Date.now() < deadline, `still ${open - before} stream(s) counted after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  test('a GraphQL subscription counts its connection and the results it delivers', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const graphql = { transport: 'graphql' };
    const delivered = { transport: 'graphql', outcome: 'delivered' };
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({ name: 'metric_notes', listRule: '', fields: [{ name: 'text', type: 'text' }] });
    pb.authStore.clear();
    const before = await read();

    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/api/graphql`,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {},
    });
    const first = new Promise((resolve, reject) => {
      const dispose = client.subscribe(
        { query: 'subscription { metric_notes { text } }' },
        { next: (value) => resolve({ value, dispose }), error: reject, complete: () => {} },
      );
    });
    const { value, dispose } = await first;
    assert.deepEqual(value, { data: { metric_notes: [] } });
    // The result is counted once its write completed on the server, which may be just after the
    // client read it: read again until it shows (the client count is checked on the same read).
    const waitFrom = Date.now() + 30_000;
    let during = await read();
    while (sumOf(during, 'basalt_subscription_events_total', delivered) === sumOf(before, 'basalt_subscription_events_total', delivered)) {
      assert.ok(Date.now() < waitFrom, 'the delivered result is not counted after 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
      during = await read();
    }
    assert.equal(sumOf(during, 'basalt_subscription_clients', graphql) - sumOf(before, 'basalt_subscription_clients', graphql), 1);
    assert.equal(sumOf(during, 'basalt_subscription_events_total', delivered) - sumOf(before, 'basalt_subscription_events_total', delivered), 1);
    dispose();
    await client.dispose();
    const deadline = Date.now() + 30_000;
    for (;;) {
      const open = sumOf(await read(), 'basalt_subscription_clients', graphql);
      if (open === sumOf(before, 'basalt_subscription_clients', graphql)) break;
      assert.ok(Date.now() < deadline, 'the closed GraphQL socket is still counted after 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  test('plan cache lookups are counted', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const plan = { cache: 'plan' };
    const before = await read();
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const filter = `email != "nobody-${Date.now()}@example.com"`;
    await pb.collection('_superusers').getList(1, 1, { filter });
    await pb.collection('_superusers').getList(1, 1, { filter });
    pb.authStore.clear();
    const after = await read();
    assert.ok(sumOf(after, 'basalt_cache_misses_total', plan) > sumOf(before, 'basalt_cache_misses_total', plan));
    assert.ok(sumOf(after, 'basalt_cache_hits_total', plan) > sumOf(before, 'basalt_cache_hits_total', plan));
  });

  test('pools export their queue, tasks and wait time by pool', async () => {
    const read = async () =>
      parseSamples(await (await scrape(server.url, { Authorization: `Bearer ${TOKEN}` })).text());
    const before = await read();
    for (const pool of ['blocking', 'read', 'oauth2', 'files', 'backups']) {
      assert.ok(before.some((s) => s.name === 'basalt_pool_queue_tasks' && s.labels.pool === pool), pool);
      assert.ok(before.some((s) => s.name === 'basalt_pool_wait_seconds_count' && s.labels.pool === pool), pool);
    }
    // A password sign-in verifies its hash on the blocking pool; a filtered list runs on the
    // read pool (SQLite; PostgreSQL has no read pool).
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collection('_superusers').getList(1, 1, { filter: `email != "pool-${Date.now()}"` });
    pb.authStore.clear();
    const after = await read();
    const pools = process.env.E2E_DB ? ['blocking'] : ['blocking', 'read'];
    for (const pool of pools) {
      const labels = { pool };
      assert.ok(sumOf(after, 'basalt_pool_tasks_total', labels) > sumOf(before, 'basalt_pool_tasks_total', labels), pool);
      assert.ok(
        sumOf(after, 'basalt_pool_wait_seconds_count', labels) > sumOf(before, 'basalt_pool_wait_seconds_count', labels),
        pool,
      );
    }
    assert.ok(sumOf(after, 'basalt_blocking_pool_tasks_total') > sumOf(before, 'basalt_blocking_pool_tasks_total'));
  });

  test('GET /api/ready answers 200 while the database answers; /api/health keeps its shape', async () => {
    const ready = await fetch(`${server.url}/api/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { message: 'API is ready.', code: 200, data: {} });
    assert.deepEqual(await pb.health.check(), { message: 'API is healthy.', code: 200, data: {} });
  });
});

describe('metrics with an address allow-list', () => {
  let server;
  before(async () => {
    server = await startServer({ args: ['--metrics-allow', '10.0.0.0/8, 127.0.0.1/32'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('a client inside the list needs no token', async () => {
    const response = await scrape(server.url);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /^basalt_build_info\{/m);
  });
});

describe('metrics off', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: ['--metrics', 'false', '--metrics-allow', '127.0.0.1'],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('GET /metrics is 404 even for an allowed address', async () => {
    const response = await scrape(server.url);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).status, 404);
  });
});

describe('metrics settings', () => {
  test('a token shorter than 16 characters stops startup without quoting it', async () => {
    await assert.rejects(startServer({ args: ['--metrics-token', 'short-secret'] }), (error) => {
      assert.match(String(error.message), /16 to 256 characters/);
      assert.doesNotMatch(String(error.message), /short-secret/);
      return true;
    });
  });
});
