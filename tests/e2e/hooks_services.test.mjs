// Lua hooks reaching past the record service (docs/hooks.md) through the official SDK:
// beforeSignIn refusing a sign-in and seeing no password, afterAuth adding to `meta`, request
// middleware before built-in and custom routes, basalt.http.request to a loopback receiver
// (and its abuse cases: a private address refused, a huge response cut, a timeout, a bad
// URL), a call waiting on a slow receiver not holding the only worker, and
// basalt.events.publish delivered to the webhook that names the custom type only.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { startServer } from './server.mjs';
import { mailedOtp, startSmtpSink } from './smtp_sink.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

async function rejectsWith(promise, status, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClientResponseError, `${error}`);
    assert.equal(error.status, status, JSON.stringify(error.response));
    if (message) assert.match(error.response.message, message);
    return true;
  });
}

// A loopback receiver: /echo answers what it got as JSON; /huge answers 2 MiB; /hold keeps
// the request unanswered until release(); /events and /records collect webhook deliveries.
async function startReceiver() {
  const held = [];
  const holdWaiters = [];
  const deliveries = { '/events': [], '/records': [] };
  const waiters = { '/events': [], '/records': [] };
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url.split('?')[0];
      if (path === '/echo') {
        response.writeHead(201, { 'content-type': 'application/json', 'x-answer': 'yes' });
        response.end(JSON.stringify({ method: request.method, from: request.headers['x-from'] ?? null, type: request.headers['content-type'] ?? null, body }));
      } else if (path === '/huge') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('x'.repeat(2 * 1024 * 1024));
      } else if (path === '/hold') {
        held.push(response);
        const waiter = holdWaiters.shift();
        if (waiter) waiter();
      } else if (deliveries[path]) {
        const delivery = { headers: request.headers, payload: JSON.parse(body) };
        const next = waiters[path].shift();
        if (next) next(delivery);
        else deliveries[path].push(delivery);
        response.writeHead(204).end();
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    // Resolves once a request is being held.
    holding: () => (held.length > 0 ? Promise.resolve() : new Promise((resolve) => holdWaiters.push(resolve))),
    release: () => {
      for (const response of held.splice(0)) response.writeHead(200).end('released');
    },
    next: (path) =>
      deliveries[path].length > 0
        ? Promise.resolve(deliveries[path].shift())
        : new Promise((resolve) => waiters[path].push(resolve)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

const script = (base) => String.raw`
-- beforeSignIn: refuses one identity; records what it saw (as a superuser).
basalt.on("beforeSignIn", "members", function(e)
  if e.record.email == "blocked@example.com" then
    error(basalt.error(403, "This account is suspended."))
  end
  local keys = {}
  for k in pairs(e) do keys[#keys + 1] = k end
  for k in pairs(e.record) do keys[#keys + 1] = "record." .. k end
  table.sort(keys)
  basalt.records.create("signins", { method = e.method, identity = e.identity, ip = e.clientIp,
    who = e.record.id, keys = table.concat(keys, ",") }, { as = "superuser" })
end)

-- afterAuth: adds to meta; an error here would be logged, never undo the sign-in.
basalt.on("afterAuth", "members", function(e)
  e.meta.greeting = "welcome " .. e.record.email
  e.meta.tokenParts = select(2, e.token:gsub("%.", "")) + 1
end)

-- Middleware on the records API and one custom route.
basalt.middleware(function(req)
  if req.headers["x-block"] == "yes" then
    error(basalt.error(403, "Blocked by middleware."))
  end
  return { headers = { ["X-Hooked"] = req.method .. " " .. req.path } }
end, { paths = { "/api/collections/*", "/api/hello" } })

basalt.route("GET", "/api/hello", function() return { hello = true } end)

-- Outbound HTTP.
basalt.route("POST", "/api/relay", function(req)
  local res = basalt.http.request{ method = "POST", url = "${base}/echo",
    headers = { ["X-From"] = "lua" }, body = { n = req.body.n } }
  return { json = { status = res.status, answer = basalt.json.decode(res.body),
    header = res.headers["x-answer"] } }
end)
basalt.route("POST", "/api/fetch", function(req)
  local ok, res = pcall(basalt.http.request, { url = req.body.url, timeout = req.body.timeout })
  -- (answered as json = ...: a table with a status key would be the response's own status)
  if ok then return { json = { ok = true, status = res.status, size = #res.body, body = res.body:sub(1, 20) } } end
  return { json = { ok = false, status = res.status, message = res.message } }
end)

-- A hook posting to the receiver after each create of "orders".
basalt.on("afterCreate", "orders", function(e)
  basalt.http.request{ method = "POST", url = "${base}/echo", body = { order = e.id } }
  basalt.records.update("orders", e.id, { notified = true }, { as = "superuser" })
end)

-- A custom event through the outbox.
basalt.route("POST", "/api/pay", function(req)
  return basalt.events.publish("order.paid", { order = req.body.order, amount = 12.5 })
end)
basalt.route("POST", "/api/publish-bad", function(req)
  local ok, err = pcall(basalt.events.publish, req.body.type, {})
  return { json = { ok = ok, status = not ok and err.status or nil } }
end)
`;

describe('hooks: sign-in, middleware, outbound HTTP, custom events', () => {
  let sink;
  let receiver;
  let server;
  let dir;
  let admin;
  let guest;

  before(async () => {
    receiver = await startReceiver();
    sink = await startSmtpSink();
    dir = await mkdtemp(join(tmpdir(), 'basalt-hooks-services-'));
    await mkdir(join(dir, 'hooks'));
    await writeFile(join(dir, 'hooks', 'services.lua'), script(receiver.base));
    server = await startServer({
      superuser,
      dir,
      args: [
        '--threads', '1', // one worker: a held outbound call must not hold it
        '--webhooks-allow-private', 'true', // webhooks and scripts' HTTP alike
      ],
    });
    admin = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({
      meta: { appName: 'Basalt', appURL: 'http://app.test', senderName: 'Basalt', senderAddress: 'noreply@basalt.test' },
      smtp: { enabled: true, host: '127.0.0.1', port: sink.port, tls: false },
    });
    await admin.collections.create({
      name: 'members',
      type: 'auth',
      listRule: '',
      viewRule: '',
      otp: { enabled: true, duration: 180, length: 8 },
      fields: [{ name: 'name', type: 'text' }],
    });
    for (const email of ['ann@example.com', 'blocked@example.com']) {
      await admin.collection('members').create({ email, password: 'member-password-1', passwordConfirm: 'member-password-1' });
    }
    await admin.collections.create({
      name: 'signins',
      type: 'base',
      fields: ['method', 'identity', 'ip', 'who', 'keys'].map((name) => ({ name, type: 'text' })),
    });
    await admin.collections.create({
      name: 'orders',
      type: 'base',
      listRule: '',
      createRule: '',
      viewRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'notified', type: 'bool' }],
    });
  });

  after(async () => {
    await server?.stop();
    await receiver?.close();
    await sink?.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });


  test('beforeSignIn sees method, identity and address, never a password; afterAuth adds to meta', async () => {
    const ann = new PocketBase(server.url);
    const auth = await ann.collection('members').authWithPassword('ann@example.com', 'member-password-1');
    assert.ok(ann.authStore.isValid);
    assert.equal(auth.meta.greeting, 'welcome ann@example.com');
    assert.equal(auth.meta.tokenParts, 3);
    const [seen] = await admin.collection('signins').getFullList();
    assert.equal(seen.method, 'password');
    assert.equal(seen.identity, 'ann@example.com');
    assert.equal(seen.ip, '127.0.0.1');
    assert.equal(seen.who, auth.record.id);
    assert.doesNotMatch(seen.keys, /password|tokenKey/);
    const keys = seen.keys.split(',');
    for (const key of ['clientIp', 'collection', 'identity', 'method', 'mfaId', 'record', 'record.email', 'record.id']) {
      assert.ok(keys.includes(key), `${key} in ${seen.keys}`);
    }
  });

  test('beforeSignIn refuses with its own status and message; no token is issued', async () => {
    const blocked = new PocketBase(server.url);
    await rejectsWith(
      blocked.collection('members').authWithPassword('blocked@example.com', 'member-password-1'),
      403,
      /^This account is suspended\.$/,
    );
    assert.equal(blocked.authStore.isValid, false);
    // A wrong password still fails in the method, before the hook: PocketBase's 400.
    await rejectsWith(blocked.collection('members').authWithPassword('ann@example.com', 'wrong-password-1'), 400);
    assert.equal((await admin.collection('signins').getFullList()).length, 1);
  });

  test('sign-in hooks run for the OTP method too: refused before the token, meta added after', async () => {
    const ann = new PocketBase(server.url);
    const { otpId, code } = await mailedOtp(sink, ann.collection('members'), 'ann@example.com');
    const auth = await ann.collection('members').authWithOTP(otpId, code);
    assert.equal(auth.meta.greeting, 'welcome ann@example.com');
    const seen = await admin.collection('signins').getFullList({ filter: 'method = "otp"' });
    assert.deepEqual(seen.map((row) => [row.method, row.identity, row.who]), [['otp', otpId, auth.record.id]]);
    // The refused member's OTP is right, the hook still says no, and no token is issued.
    const blocked = new PocketBase(server.url);
    const other = await mailedOtp(sink, blocked.collection('members'), 'blocked@example.com');
    await rejectsWith(blocked.collection('members').authWithOTP(other.otpId, other.code), 403, /suspended/);
    assert.equal(blocked.authStore.isValid, false);
  });

  test('middleware runs before built-in and custom routes it names, and only those', async () => {
    const list = await fetch(`${server.url}/api/collections/orders/records`);
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('x-hooked'), 'GET /api/collections/orders/records');
    const custom = await fetch(`${server.url}/api/hello`);
    assert.deepEqual(await custom.json(), { hello: true });
    assert.equal(custom.headers.get('x-hooked'), 'GET /api/hello');
    const health = await fetch(`${server.url}/api/health`);
    assert.equal(health.status, 200);
    assert.equal(health.headers.get('x-hooked'), null);

    const refused = await fetch(`${server.url}/api/collections/orders/records`, { headers: { 'x-block': 'yes' } });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { status: 403, message: 'Blocked by middleware.', data: {} });
    // A write refused by middleware never reaches the record service.
    await rejectsWith(guest.collection('orders').create({ title: 'x' }, { headers: { 'x-block': 'yes' } }), 403);
    assert.equal((await admin.collection('orders').getList(1, 1)).totalItems, 0);
  });

  test('basalt.http.request posts JSON to a receiver and reads its answer', async () => {
    const answer = await guest.send('/api/relay', { method: 'POST', body: { n: 7 } });
    assert.deepEqual(answer, {
      status: 201,
      header: 'yes',
      answer: { method: 'POST', from: 'lua', type: 'application/json', body: '{"n":7}' },
    });
  });

  test('an after-create hook posts to the receiver, then updates the record', async () => {
    const created = await guest.collection('orders').create({ title: 'first' });
    const stored = await admin.collection('orders').getOne(created.id);
    assert.equal(stored.notified, true);
  });

  test('abuse: a huge response is cut, a silent receiver times out, a bad URL is refused', async () => {
    const huge = await guest.send('/api/fetch', { method: 'POST', body: { url: `${receiver.base}/huge` } });
    assert.equal(huge.ok, false);
    assert.equal(huge.status, 502);
    assert.match(huge.message, /larger than 1048576 bytes/);

    const slow = await guest.send('/api/fetch', { method: 'POST', body: { url: `${receiver.base}/hold`, timeout: 200 } });
    assert.deepEqual(slow, { ok: false, status: 504, message: 'basalt.http.request: no complete answer within 200 ms' });

    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1/', `${receiver.base}/a b`]) {
      const bad = await guest.send('/api/fetch', { method: 'POST', body: { url } });
      assert.equal(bad.ok, false, url);
      assert.equal(bad.status, 400, url);
    }
    const tooLong = await guest.send('/api/fetch', { method: 'POST', body: { url: `${receiver.base}/echo`, timeout: 60001 } });
    assert.equal(tooLong.status, 400);
    receiver.release();
  });

  test('a call waiting on a slow receiver does not hold the only worker', async () => {
    const pending = guest.send('/api/fetch', { method: 'POST', body: { url: `${receiver.base}/hold`, timeout: 20000 } });
    await receiver.holding();
    // The one worker answers other requests (and other scripts) while the call waits.
    assert.equal((await guest.health.check()).code, 200);
    assert.deepEqual(await guest.send('/api/hello', {}), { hello: true });
    receiver.release();
    assert.deepEqual(await pending, { ok: true, status: 200, size: 8, body: 'released' });
  });

  test('basalt.events.publish reaches the webhook naming the type, not one taking record events', async () => {
    const events = await admin.send('/api/webhooks', {
      method: 'POST',
      body: { url: `${receiver.base}/events`, actions: ['custom:order.paid'] },
    });
    await admin.send('/api/webhooks', {
      method: 'POST',
      body: { url: `${receiver.base}/records`, collections: ['orders'] },
    });
    assert.deepEqual(events.actions, ['custom:order.paid']);
    await rejectsWith(
      admin.send('/api/webhooks', { method: 'POST', body: { url: `${receiver.base}/x`, actions: ['custom:bad type'] } }),
      400,
    );

    const published = await guest.send('/api/pay', { method: 'POST', body: { order: 'o-1' } });
    assert.match(published.id, /^evt_[0-9a-f]{32}$/);
    const delivery = await receiver.next('/events');
    assert.equal(delivery.headers['webhook-id'], published.id);
    assert.equal(delivery.payload.id, published.id);
    assert.equal(delivery.payload.type, 'order.paid');
    assert.deepEqual(delivery.payload.data, { order: 'o-1', amount: 12.5 });

    // The record webhook's first delivery is this later create: the custom event (committed
    // before it) was never its to deliver.
    const order = await guest.collection('orders').create({ title: 'after the event' });
    const record = await receiver.next('/records');
    assert.equal(record.payload.type, 'record.create');
    assert.equal(record.payload.data.record.id, order.id);

    for (const type of ['', 'bad type', 'x'.repeat(101)]) {
      assert.deepEqual(await guest.send('/api/publish-bad', { method: 'POST', body: { type } }), { ok: false, status: 400 });
    }
  });
});

describe('hooks: outbound HTTP to private addresses is refused by default', () => {
  let receiver;
  let server;
  let dir;

  before(async () => {
    receiver = await startReceiver();
    dir = await mkdtemp(join(tmpdir(), 'basalt-hooks-private-'));
    await mkdir(join(dir, 'hooks'));
    await writeFile(join(dir, 'hooks', 'services.lua'), script(receiver.base));
    server = await startServer({ superuser, dir });
  });

  after(async () => {
    await server?.stop();
    await receiver?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('loopback and the cloud metadata address are refused after resolution', async () => {
    const guest = new PocketBase(server.url);
    for (const url of [`${receiver.base}/echo`, `http://localhost:${new URL(receiver.base).port}/echo`, 'http://169.254.169.254/latest/meta-data/']) {
      const refused = await guest.send('/api/fetch', { method: 'POST', body: { url, timeout: 2000 } });
      assert.equal(refused.ok, false, url);
      assert.equal(refused.status, 502, url);
      assert.match(refused.message, /refused: the target resolves to a (loopback|link-local) address \(webhooks-allow-private is off\)/, url);
    }
  });
});
