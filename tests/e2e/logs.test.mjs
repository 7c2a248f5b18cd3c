// The request logs API through the official SDK (pb.logs.getList / getOne / getStats):
// requests become entries of auxiliary.db with PocketBase's shape, the filter language on
// data.* fields, hourly stats, settings.logs applied without a restart, superusers only, and
// the entries surviving a restart (docs/observability.md, "Logs API").

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// Entries are written in batches off the request path: wait until `filter` finds `count`.
async function entriesOf(pb, filter, count = 1, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await pb.logs.getList(1, 100, { filter, sort: 'created' });
    if (page.items.length >= count) return page.items;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${count} entries of ${filter}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const marker = (name) => `${name}${Math.random().toString(36).slice(2, 10)}`;

describe('logs API', () => {
  let server;
  let pb;
  let dir;
  before(async () => {
    // Ours, so that a stop() for the restart keeps it.
    dir = await mkdtemp(join(tmpdir(), 'basalt-e2e-logs-'));
    server = await startServer({ superuser, dir });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('a request becomes an entry with PocketBase fields', async () => {
    const tag = marker('ok');
    const answered = await fetch(`${server.url}/api/health?tag=${tag}`, {
      headers: { 'User-Agent': 'logs-e2e', Referer: 'http://referer.test/' },
    });
    assert.equal(answered.status, 200);
    const [entry] = await entriesOf(pb, `data.url ~ "${tag}"`);
    assert.deepEqual(Object.keys(entry).sort(), ['created', 'data', 'id', 'level', 'message']);
    assert.match(entry.id, /^[a-z0-9]{15}$/);
    assert.match(entry.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(entry.level, 0);
    assert.equal(entry.message, `GET /api/health?tag=${tag}`);
    assert.equal(entry.data.type, 'request');
    assert.equal(entry.data.method, 'GET');
    assert.equal(entry.data.status, 200);
    assert.equal(entry.data.url, `/api/health?tag=${tag}`);
    assert.equal(entry.data.userAgent, 'logs-e2e');
    assert.equal(entry.data.referer, 'http://referer.test/');
    assert.equal(entry.data.auth, '');
    assert.equal(entry.data.remoteIP, '127.0.0.1');
    assert.equal(entry.data.userIP, '127.0.0.1');
    assert.equal(typeof entry.data.execTime, 'number');
    assert.equal('authId' in entry.data, false);

    const one = await pb.logs.getOne(entry.id);
    assert.deepEqual(one, entry);
  });

  test('failed requests are errors; filters on data.status and sorts by created', async () => {
    const tag = marker('fail');
    await fetch(`${server.url}/api/health?tag=${tag}`);
    const missing = await fetch(`${server.url}/api/collections/nope/records?tag=${tag}`);
    assert.equal(missing.status, 404);
    await fetch(`${server.url}/api/no/such/route?tag=${tag}`);
    await entriesOf(pb, `data.url ~ "${tag}"`, 3);

    const failed = await pb.logs.getList(1, 10, {
      filter: `data.status >= 400 && data.url ~ "${tag}"`,
      sort: '-created',
    });
    assert.equal(failed.totalItems, 2);
    assert.deepEqual(failed.items.map((entry) => entry.data.status), [404, 404]);
    for (const entry of failed.items) {
      assert.equal(entry.level, 8);
      assert.equal(typeof entry.data.error, 'string');
    }
    // Newest first; two requests in the same millisecond tie, in either order.
    assert.ok(failed.items[0].created >= failed.items[1].created);
    assert.deepEqual(failed.items.map((entry) => entry.data.url.split('?')[0]).sort(), [
      '/api/collections/nope/records',
      '/api/no/such/route',
    ]);

    const pages = [];
    for (let page = 1; page <= 3; page++) {
      const paged = await pb.logs.getList(page, 1, { filter: `data.url ~ "${tag}"`, sort: 'created,id' });
      assert.equal(paged.page, page);
      assert.equal(paged.perPage, 1);
      assert.equal(paged.totalItems, 3);
      assert.equal(paged.totalPages, 3);
      pages.push(...paged.items);
    }
    assert.deepEqual(pages.map((entry) => entry.data.status).sort(), [200, 404, 404]);
    assert.equal(new Set(pages.map((entry) => entry.id)).size, 3);
  });

  test('stats count entries per hour, filtered', async () => {
    const tag = marker('stats');
    for (let i = 0; i < 3; i++) await fetch(`${server.url}/api/health?tag=${tag}`);
    await entriesOf(pb, `data.url ~ "${tag}"`, 3);
    const stats = await pb.logs.getStats({ filter: `data.url ~ "${tag}"` });
    assert.ok(Array.isArray(stats));
    assert.equal(stats.reduce((sum, item) => sum + item.total, 0), 3);
    for (const item of stats) {
      assert.deepEqual(Object.keys(item).sort(), ['date', 'total']);
      assert.match(item.date, /^\d{4}-\d\d-\d\d \d\d:00:00\.000Z$/);
    }
    const all = await pb.logs.getStats();
    assert.ok(all.reduce((sum, item) => sum + item.total, 0) >= 3);
  });

  test('bad filters and sorts are 400s, a missing id a 404, guests 401', async () => {
    // Each says where the text went wrong (data.filter / data.sort, as the records API).
    await rejectsWith(pb.logs.getList(1, 10, { filter: 'data.status >=' }), 400, (body) => {
      assert.equal(body.data.filter.position, 'data.status >='.length);
    });
    await rejectsWith(pb.logs.getList(1, 10, { filter: 'level > 0 && secret = 1' }), 400, (body) => {
      assert.equal(body.data.filter.position, 'level > 0 && '.length);
      assert.equal(body.data.filter.length, 'secret'.length);
    });
    await rejectsWith(pb.logs.getList(1, 10, { sort: 'created,-rowid' }), 400, (body) => {
      assert.equal(body.data.sort.position, 'created,-'.length);
    });
    await rejectsWith(pb.logs.getStats({ filter: '(((' }), 400, (body) => {
      assert.equal(body.message, 'Invalid filter format.');
      assert.equal(typeof body.data.filter.position, 'number');
    });
    await rejectsWith(pb.logs.getOne('nosuchentry123'), 404);
    const guest = new PocketBase(server.url);
    await rejectsWith(guest.logs.getList(1, 10), 401);
    await rejectsWith(guest.logs.getStats(), 401);
  });

  test('the logs API does not log its own successes', async () => {
    const tag = marker('quiet');
    await pb.logs.getList(1, 1, { filter: `data.url ~ "${tag}-none"` });
    const fence = marker('fence');
    await fetch(`${server.url}/api/health?tag=${fence}`);
    await entriesOf(pb, `data.url ~ "${fence}"`);
    const own = await pb.logs.getList(1, 10, { filter: `data.url ~ "${tag}"` });
    assert.equal(own.totalItems, 0);
  });

  test('settings.logs apply to the next request', async () => {
    const original = (await pb.settings.getAll()).logs;
    try {
      await pb.settings.update({ logs: { logAuthId: true, logIP: false } });
      const tag = marker('auth');
      await pb.send(`/api/collections/nope?tag=${tag}`, {}).catch(() => {});
      const [entry] = await entriesOf(pb, `data.url ~ "${tag}"`);
      assert.equal(entry.data.auth, '_superusers');
      assert.equal(entry.data.authId, pb.authStore.record.id);
      assert.equal('remoteIP' in entry.data, false);

      await pb.settings.update({ logs: { minLevel: 8, logIP: true } });
      const infoTag = marker('info');
      await fetch(`${server.url}/api/health?tag=${infoTag}`);
      const errorTag = marker('error');
      await fetch(`${server.url}/api/nope?tag=${errorTag}`);
      await entriesOf(pb, `data.url ~ "${errorTag}"`);
      assert.equal((await pb.logs.getList(1, 1, { filter: `data.url ~ "${infoTag}"` })).totalItems, 0);

      await pb.settings.update({ logs: { maxDays: 0, minLevel: 0 } });
      const offTag = marker('off');
      await fetch(`${server.url}/api/nope?tag=${offTag}`);
      await pb.settings.update({ logs: { maxDays: 5 } });
      const onTag = marker('on');
      await fetch(`${server.url}/api/health?tag=${onTag}`);
      await entriesOf(pb, `data.url ~ "${onTag}"`);
      assert.equal((await pb.logs.getList(1, 1, { filter: `data.url ~ "${offTag}"` })).totalItems, 0);
    } finally {
      await pb.settings.update({ logs: original });
    }
  });

  test('pb.logs.truncate() deletes every entry: superusers only, 204', async () => {
    const tag = marker('truncate');
    await fetch(`${server.url}/api/health?tag=${tag}`);
    await entriesOf(pb, `data.url ~ "${tag}"`);
    // Not for guests nor other callers (the route's superuser access), and nothing deleted.
    await rejectsWith(new PocketBase(server.url).logs.truncate(), 401);
    assert.equal((await pb.logs.getList(1, 1, { filter: `data.url ~ "${tag}"` })).totalItems, 1);
    // The refused call is an entry of its own: wait until it is written, so that it does not
    // land after the truncation.
    await entriesOf(pb, 'data.method = "DELETE" && data.status = 401');

    const answered = await fetch(`${server.url}/api/logs`, {
      method: 'DELETE',
      headers: { Authorization: pb.authStore.token },
    });
    assert.equal(answered.status, 204);
    assert.equal(await answered.text(), '');
    assert.equal((await pb.logs.getList(1, 1)).totalItems, 0);
    // The SDK's call: true. Its own success is not logged, so the table stays empty until
    // another request is.
    assert.equal(await pb.logs.truncate(), true);
    assert.equal((await pb.logs.getList(1, 1)).totalItems, 0);
    // New entries are kept again afterwards.
    const later = marker('after');
    await fetch(`${server.url}/api/health?tag=${later}`);
    await entriesOf(pb, `data.url ~ "${later}"`);
  });

  test('entries live in auxiliary.db and survive a restart', async () => {
    const tag = marker('persist');
    await fetch(`${server.url}/api/health?tag=${tag}`);
    const [entry] = await entriesOf(pb, `data.url ~ "${tag}"`);
    assert.ok(existsSync(join(dir, 'auxiliary.db')));
    await server.stop();  // SIGTERM: queued entries are written; the caller keeps the directory
    server = await startServer({ dir });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    assert.deepEqual(await pb.logs.getOne(entry.id), entry);
  });
});
