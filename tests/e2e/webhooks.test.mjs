// Webhooks through the official SDK (docs/events.md): endpoints managed at /api/webhooks by a
// superuser, record writes delivered to a node:http receiver on loopback that verifies every
// Standard Webhooks signature with node's own crypto; nothing for a rolled-back batch or a
// write a rule refused; retries, the delivery log and redelivery; a kill -9 between commit and
// receipt loses nothing; the SSRF guard refuses loopback unless the server allows it.

import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const fastRetries = ['--webhooks-allow-private', 'true', '--events-retry-base', '20ms'];

// A receiver on loopback: answers each POST with the next status of `plan` (then 204), or
// holds it unanswered when the status is 'hold'; hands every verified delivery to waiters in
// arrival order.
async function startReceiver() {
  const deliveries = [];
  const waiters = [];
  const plan = [];
  let secret = '';
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = {
        id: request.headers['webhook-id'],
        timestamp: request.headers['webhook-timestamp'],
        signature: request.headers['webhook-signature'],
        headers: request.headers,
        body,
        payload: JSON.parse(body),
        verified: verify(secret, request.headers, body),
      };
      const next = waiters.shift();
      if (next) next(delivery);
      else deliveries.push(delivery);
      const status = plan.length > 0 ? plan.shift() : 204;
      if (status === 'hold') return; // never answered: the sender waits
      response.writeHead(status).end(status >= 400 ? 'try later' : '');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    setSecret: (value) => {
      secret = value;
    },
    plan,
    next: () =>
      deliveries.length > 0
        ? Promise.resolve(deliveries.shift())
        : new Promise((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

// Standard Webhooks: v1,base64(HMAC-SHA256(base64-decoded secret, id.timestamp.body)).
function verify(secret, headers, body) {
  if (!secret.startsWith('whsec_')) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
  const given = Buffer.from(String(headers['webhook-signature'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

// The delivery log once `ready(log)` holds: the dispatcher saves it just after the receiver
// answered, so a test asks again (each ask a full round trip) until it is there.
async function logWhen(admin, hookId, ready, query = {}) {
  let log;
  for (let i = 0; i < 2000; i++) {
    log = await admin.send(`/api/webhooks/${hookId}/deliveries`, { method: 'GET', query });
    if (ready(log)) return log;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return log;
}

async function signIn(url) {
  const pb = new PocketBase(url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  return pb;
}

async function createPosts(admin) {
  await admin.collections.create({
    name: 'posts',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: "@request.auth.id != ''",
    fields: [
      { name: 'title', type: 'text', required: true },
      { name: 'n', type: 'number' },
    ],
  });
}

describe('webhooks', () => {
  let server;
  let admin;
  let receiver;
  let hook;

  before(async () => {
    receiver = await startReceiver();
    server = await startServer({ superuser, args: fastRetries });
    admin = await signIn(server.url);
    await createPosts(admin);
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
  });

  test('only superusers manage webhooks, and mistakes are 400s naming the field', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.send('/api/webhooks', { method: 'GET' }), (error) => {
      assert.equal(error.status, 401);
      return true;
    });
    await assert.rejects(
      admin.send('/api/webhooks', {
        method: 'POST',
        body: { url: 'ftp://x', collections: ['nope'], actions: ['explode'], filter: 'n >' },
      }),
      (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.message, 'Failed to create webhook.');
        for (const field of ['url', 'collections', 'actions', 'filter']) {
          assert.ok(error.response.data[field]?.code, `an error for ${field}`);
        }
        return true;
      },
    );
    await assert.rejects(
      admin.send('/api/webhooks', {
        method: 'POST',
        body: { url: receiver.url, collections: ['posts'], filter: 'missing = 1' },
      }),
      (error) => error.status === 400 && Boolean(error.response.data.filter),
    );
  });

  test('create returns the secret once; list and view mask it', async () => {
    hook = await admin.send('/api/webhooks', {
      method: 'POST',
      body: { url: receiver.url, collections: ['posts', 'users'], headers: { 'X-Team': 'blue' } },
    });
    assert.match(hook.secret, /^whsec_[A-Za-z0-9+/]{40,}={0,2}$/);
    receiver.setSecret(hook.secret);
    assert.equal(hook.enabled, true);
    assert.equal(hook.maxAttempts, 8);
    const list = await admin.send('/api/webhooks', { method: 'GET' });
    assert.equal(list.items.length, 1);
    assert.notEqual(list.items[0].secret, hook.secret);
    const viewed = await admin.send(`/api/webhooks/${hook.id}`, { method: 'GET' });
    assert.equal(viewed.url, receiver.url);
    assert.ok(!viewed.secret.includes(hook.secret.slice(12)));
  });

  test('creates, updates and deletes arrive in commit order, signed, without secrets', async () => {
    const post = await admin.collection('posts').create({ title: 'first', n: 1 });
    await admin.collection('posts').update(post.id, { title: 'second' });
    await admin.collection('posts').delete(post.id);
    const user = await admin.collection('users').create({
      email: 'ann@example.com',
      password: 'ann-password',
      passwordConfirm: 'ann-password',
    });
    const got = [await receiver.next(), await receiver.next(), await receiver.next(), await receiver.next()];
    assert.deepEqual(
      got.map((d) => [d.payload.type, d.payload.data.collection.name]),
      [
        ['record.create', 'posts'],
        ['record.update', 'posts'],
        ['record.delete', 'posts'],
        ['record.create', 'users'],
      ],
    );
    for (const delivery of got) {
      assert.equal(delivery.verified, true, 'the signature verifies with the secret');
      assert.equal(delivery.id, delivery.payload.id);
      assert.match(delivery.id, /^evt_[0-9a-f]{32}$/);
      assert.equal(delivery.headers['x-team'], 'blue');
      assert.match(delivery.payload.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    assert.equal(got[0].payload.data.record.id, post.id);
    assert.equal(got[1].payload.data.record.title, 'second');
    assert.equal(new Set(got.map((d) => d.id)).size, 4, 'one id per event');
    const userRecord = got[3].payload.data.record;
    assert.equal(userRecord.id, user.id);
    assert.equal(userRecord.email, 'ann@example.com');
    assert.equal('password' in userRecord, false);
    assert.equal('tokenKey' in userRecord, false);
  });

  test('a rolled-back batch and a write a rule refused emit nothing', async () => {
    await admin.settings.update({ batch: { enabled: true, maxRequests: 10 } });
    const batch = admin.createBatch();
    batch.collection('posts').create({ title: 'rolled back' });
    batch.collection('posts').update('missing0000000a', { title: 'x' });
    await assert.rejects(batch.send(), (error) => error.status >= 400 && error.status < 500);
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.collection('posts').create({ title: 'refused' }), (error) => {
      assert.equal(error.status, 400);
      return true;
    });
    const marker = await admin.collection('posts').create({ title: 'marker' });
    const next = await receiver.next();
    assert.equal(next.payload.data.record.id, marker.id, 'the marker is the next event');
  });

  test('the filter and actions choose events; a failing delivery is retried with the same id', async () => {
    await admin.send(`/api/webhooks/${hook.id}`, {
      method: 'PATCH',
      body: { collections: ['posts'], actions: ['create'], filter: 'n > 5' },
    });
    receiver.plan.push(503, 500);
    await admin.collection('posts').create({ title: 'small', n: 1 });
    const big = await admin.collection('posts').create({ title: 'big', n: 9 });
    await admin.collection('posts').update(big.id, { n: 10 }); // not an action it wants
    const first = await receiver.next();
    const second = await receiver.next();
    const third = await receiver.next();
    assert.equal(first.payload.data.record.title, 'big');
    assert.deepEqual([second.id, third.id], [first.id, first.id]);
    assert.ok([first, second, third].every((d) => d.verified));
    const log = await logWhen(admin, hook.id, (l) => l.items[0]?.status === 'delivered', { perPage: 3 });
    assert.deepEqual(
      log.items.map((item) => [item.status, item.attempt, item.httpStatus]),
      [
        ['delivered', 3, 204],
        ['retry', 2, 500],
        ['retry', 1, 503],
      ],
    );
    assert.equal(log.items[2].response, 'try later');
    // The log also holds the earlier tests' deliveries; how many depends on their timing.
    assert.ok(log.totalItems >= 3, `${log.totalItems} log rows`);

    // Redelivery: the same event again, logged as one more attempt.
    await admin.send(`/api/webhooks/${hook.id}/deliveries/${log.items[0].id}/redeliver`, { method: 'POST' });
    const again = await receiver.next();
    assert.equal(again.id, first.id);
    assert.equal(again.verified, true);
    await assert.rejects(
      admin.send(`/api/webhooks/${hook.id}/deliveries/nope/redeliver`, { method: 'POST' }),
      (error) => error.status === 404,
    );
  });

  test('a disabled or deleted webhook receives nothing', async () => {
    await admin.send(`/api/webhooks/${hook.id}`, { method: 'PATCH', body: { enabled: false } });
    await admin.collection('posts').create({ title: 'while disabled', n: 50 });
    const other = await admin.send('/api/webhooks', {
      method: 'POST',
      body: { url: receiver.url, collections: ['posts'], secret: hook.secret },
    });
    const marker = await admin.collection('posts').create({ title: 'marker 2', n: 60 });
    const next = await receiver.next();
    assert.equal(next.payload.data.record.id, marker.id);
    await admin.send(`/api/webhooks/${other.id}`, { method: 'DELETE' });
    await admin.send(`/api/webhooks/${hook.id}`, { method: 'DELETE' });
    await assert.rejects(admin.send(`/api/webhooks/${hook.id}`, { method: 'GET' }), (error) => error.status === 404);
  });
});

describe('webhooks across a crash', () => {
  test('an event committed before a kill -9 arrives after the restart', async () => {
    const receiver = await startReceiver();
    const dir = await mkdtemp(join(tmpdir(), 'basalt-e2e-webhooks-'));
    let server = await startServer({ superuser, dir, args: fastRetries });
    try {
      let admin = await signIn(server.url);
      await createPosts(admin);
      const hook = await admin.send('/api/webhooks', {
        method: 'POST',
        body: { url: receiver.url, collections: ['posts'] },
      });
      receiver.setSecret(hook.secret);
      receiver.plan.push('hold');
      const post = await admin.collection('posts').create({ title: 'survives' });
      const held = await receiver.next(); // sent, never acknowledged
      assert.equal(held.payload.data.record.id, post.id);
      await server.kill();
      server = await startServer({ dir, args: fastRetries });
      admin = await signIn(server.url);
      const after = await receiver.next();
      assert.equal(after.id, held.id, 'the same event, by its idempotency key');
      assert.equal(after.verified, true);
      const log = await logWhen(admin, hook.id, (l) => l.items[0]?.status === 'delivered');
      assert.equal(log.items[0].status, 'delivered');
    } finally {
      await server.stop();
      await receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('webhooks outbound guard', () => {
  test('a loopback target is refused unless webhooks-allow-private is on', async () => {
    const receiver = await startReceiver();
    const server = await startServer({ superuser });
    try {
      const admin = await signIn(server.url);
      await createPosts(admin);
      const hook = await admin.send('/api/webhooks', {
        method: 'POST',
        body: { url: receiver.url, collections: ['posts'] },
      });
      await admin.collection('posts').create({ title: 'never sent' });
      const log = await logWhen(admin, hook.id, (l) => l.items.length > 0);
      assert.equal(log.items[0].status, 'rejected');
      assert.match(log.items[0].response, /loopback/);
    } finally {
      await server.stop();
      await receiver.close();
    }
  });
});

describe('webhooks with two instances on one PostgreSQL database', { skip: usePostgres ? false : 'E2E_DB=postgres only' }, () => {
  test('a webhook created on one instance receives what another commits right after', async () => {
    // The second instance learns of the webhook only at its next poll (1 s by default), but
    // its writes check the destinations list in their own transaction: none is lost.
    const receiver = await startReceiver();
    const dirA = await mkdtemp(join(tmpdir(), 'basalt-e2e-webhooks-new-'));
    const first = await startServer({ superuser, dir: dirA, args: fastRetries });
    let second;
    try {
      const adminA = await signIn(first.url);
      await createPosts(adminA);
      second = await startServer({ databaseOf: dirA, args: fastRetries });
      const adminB = await signIn(second.url);
      // Committed before the webhook exists: never its to deliver.
      await adminB.collection('posts').create({ title: 'before' });
      const hook = await adminA.send('/api/webhooks', {
        method: 'POST',
        body: { url: receiver.url, collections: ['posts'] },
      });
      receiver.setSecret(hook.secret);
      const created = [];
      for (let i = 0; i < 5; i++) {
        created.push((await adminB.collection('posts').create({ title: `after ${i}` })).id);
      }
      const got = [];
      for (let i = 0; i < 5; i++) got.push(await receiver.next());
      assert.deepEqual(got.map((d) => d.payload.data.record.id), created);
      assert.ok(got.every((d) => d.verified));
      const marker = await adminA.collection('posts').create({ title: 'marker' });
      assert.equal((await receiver.next()).payload.data.record.id, marker.id, 'nothing else');
    } finally {
      await second?.stop();
      await first.stop();
      await receiver.close();
      await rm(dirA, { recursive: true, force: true });
    }
  });

  test('exactly one instance delivers each event, and the other takes over after a stop', async () => {
    const receiver = await startReceiver();
    const dirA = await mkdtemp(join(tmpdir(), 'basalt-e2e-webhooks-a-'));
    const args = [...fastRetries, '--events-poll-interval', '50ms'];
    const first = await startServer({ superuser, dir: dirA, args });
    let second;
    try {
      const adminA = await signIn(first.url);
      await createPosts(adminA);
      const hook = await adminA.send('/api/webhooks', {
        method: 'POST',
        body: { url: receiver.url, collections: ['posts'] },
      });
      receiver.setSecret(hook.secret);
      // Started after the webhook exists: it writes outbox rows from its first create.
      second = await startServer({ databaseOf: dirA, args });
      const adminB = await signIn(second.url);
      const created = [];
      for (let i = 0; i < 10; i++) {
        const admin = i % 2 === 0 ? adminA : adminB;
        created.push((await admin.collection('posts').create({ title: `p${i}` })).id);
      }
      const got = [];
      for (let i = 0; i < 10; i++) got.push(await receiver.next());
      assert.deepEqual(got.map((d) => d.payload.data.record.id), created, 'commit order, once each');
      assert.ok(got.every((d) => d.verified));
      assert.equal(new Set(got.map((d) => d.id)).size, 10);
      // No duplicate follows: the next delivery is the next event.
      const marker = await adminB.collection('posts').create({ title: 'marker' });
      assert.equal((await receiver.next()).payload.data.record.id, marker.id);
      // The first instance stops (its leases are released): the second delivers alone.
      await first.stop();
      const later = await adminB.collection('posts').create({ title: 'after the stop' });
      assert.equal((await receiver.next()).payload.data.record.id, later.id);
    } finally {
      await second?.stop();
      await first.stop().catch(() => {});
      await receiver.close();
      await rm(dirA, { recursive: true, force: true });
    }
  });
});
