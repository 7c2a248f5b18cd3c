// The realtime protocol at the HTTP level (docs/realtime.md): the stream's framing, and every
// answer of POST /api/realtime - 204, unknown client 404, another address 400, changed auth
// 403, bounds on topics, malformed options, unknown collections, forbidden filters - with the
// stream still delivering after each. Raw node:http, no SDK, so the bytes are what is checked.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { assertErrorBody } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

// One SSE stream: parsed messages, waits for them, and whether the server ended it.
function openStream(baseUrl, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/api/realtime`, { localAddress }, (response) => {
      const stream = {
        status: response.statusCode,
        headers: response.headers,
        messages: [],
        ended: false,
        waiters: [],
        notify() {
          this.waiters = this.waiters.filter((w) => !w(this));
        },
        until(predicate) {
          return new Promise((done) => {
            const waiter = (s) => (predicate(s) ? (done(s), true) : false);
            if (!waiter(this)) this.waiters.push(waiter);
          });
        },
        untilMessage(predicate) {
          return this.until((s) => s.messages.some(predicate));
        },
        close() {
          request.destroy();
        },
      };
      if (response.statusCode !== 200) {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ ...stream, body: JSON.parse(body) }));
        return;
      }
      let buffered = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        buffered += chunk;
        let end;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const block = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const message = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            message[line.slice(0, colon)] = line.slice(colon + 1);
          }
          stream.messages.push(message);
          if (message.event === 'PB_CONNECT') {
            stream.clientId = JSON.parse(message.data).clientId;
            resolve(stream);
          }
          stream.notify();
        }
      });
      const finish = () => {
        stream.ended = true;
        stream.notify();
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
    });
    request.on('error', reject);
  });
}

// POST /api/realtime with `body` (an object, or raw text); resolves {status, body}.
function post(baseUrl, body, { token, localAddress, contentType = 'application/json' } = {}) {
  return new Promise((resolve, reject) => {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    const headers = { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) };
    if (token) headers.Authorization = token;
    const request = http.request(
      `${baseUrl}/api/realtime`,
      { method: 'POST', headers, localAddress },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode, body: text ? JSON.parse(text) : null }),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

async function json(baseUrl, method, path, body, token) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: token } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

const options = (value) => `?options=${encodeURIComponent(JSON.stringify(value))}`;

describe('realtime protocol', () => {
  let server;
  let url;
  let token; // superuser

  async function expectError(body, status, extra) {
    const response = await post(url, body, extra);
    assert.equal(response.status, status, JSON.stringify(response.body));
    assertErrorBody(response.body, status);
    return response.body;
  }

  // The stream still delivers: subscribe it to posts/* and see a new record arrive.
  async function stillDelivers(stream, postOptions) {
    const response = await post(url, { clientId: stream.clientId, subscriptions: ['posts/*'] }, postOptions);
    assert.equal(response.status, 204, JSON.stringify(response.body));
    const record = await json(url, 'POST', '/api/collections/posts/records', { title: 'probe' });
    await stream.untilMessage((m) => m.event === 'posts/*' && JSON.parse(m.data).record.id === record.id);
    assert.equal(stream.ended, false);
  }

  before(async () => {
    server = await startServer({ superuser });
    url = server.url;
    const auth = await json(url, 'POST', '/api/collections/_superusers/auth-with-password', {
      identity: superuser.email,
      password: superuser.password,
    });
    token = auth.token;
    await json(url, 'POST', '/api/collections', {
      name: 'posts',
      type: 'base',
      ...open,
      fields: [{ name: 'title', type: 'text' }],
    }, token);
  });
  after(async () => {
    await server?.stop();
  });

  test('the stream starts with PB_CONNECT, framed as PocketBase frames it', async () => {
    const stream = await openStream(url);
    assert.equal(stream.status, 200);
    assert.match(stream.headers['content-type'], /^text\/event-stream/);
    assert.equal(stream.headers['cache-control'], 'no-store');
    assert.equal(stream.headers['x-accel-buffering'], 'no');
    assert.match(stream.clientId, /^[A-Za-z0-9]{40}$/);
    assert.deepEqual(stream.messages[0], {
      id: stream.clientId,
      event: 'PB_CONNECT',
      data: JSON.stringify({ clientId: stream.clientId }),
    });

    // The event name echoes the subscription exactly, options included; data is {record, action}.
    const topic = `posts/*${options({ query: { fields: 'id,title' } })}`;
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: [topic] })).status, 204);
    const record = await json(url, 'POST', '/api/collections/posts/records', { title: 'hello' });
    await stream.untilMessage((m) => m.event === topic);
    const message = stream.messages.find((m) => m.event === topic);
    assert.equal(message.id, stream.clientId);
    assert.deepEqual(JSON.parse(message.data), { record: { id: record.id, title: 'hello' }, action: 'create' });
    stream.close();
  });

  test('an unknown client id is 404, a missing one 400', async () => {
    const body = await expectError({ clientId: 'nobody', subscriptions: ['posts/*'] }, 404);
    assert.equal(body.message, 'Missing or invalid client id.');
    const missing = await expectError({ subscriptions: ['posts/*'] }, 400);
    assert.ok(missing.data.clientId);
    await expectError('{not json', 400);
  });

  test('a POST from another address than the stream is 400', async () => {
    const stream = await openStream(url);
    const body = await expectError(
      { clientId: stream.clientId, subscriptions: ['posts/*'] },
      400,
      { localAddress: '127.0.0.2' },
    );
    assert.equal(body.message, 'Invalid realtime client.');
    await stillDelivers(stream);
    stream.close();
  });

  test('once a client stored an auth, a POST with another auth is 403', async () => {
    const stream = await openStream(url);
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: [] }, { token })).status, 204);
    const body = await expectError({ clientId: stream.clientId, subscriptions: ['posts/*'] }, 403);
    assert.equal(body.message, "The current and the previous request authorization don't match.");
    await stillDelivers(stream, { token });
    stream.close();
  });

  test('bounds: 1,000 topics of 2,500 characters pass, 1,001 topics or 2,501 characters are 400', async () => {
    const stream = await openStream(url);
    const topics = Array.from({ length: 1000 }, (_, i) => `posts/${i}`);
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: topics })).status, 204);
    const tooMany = await expectError(
      { clientId: stream.clientId, subscriptions: [...topics, 'posts/1000'] },
      400,
    );
    assert.ok(tooMany.data.subscriptions);
    const longest = `posts/${'a'.repeat(2500 - 'posts/'.length)}`;
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: [longest] })).status, 204);
    await expectError({ clientId: stream.clientId, subscriptions: [`${longest}b`] }, 400);
    await expectError({ clientId: stream.clientId, subscriptions: ['posts/*\nevent:x'] }, 400);
    await expectError({ clientId: stream.clientId, subscriptions: 'posts/*' }, 400);
    await stillDelivers(stream);
    stream.close();
  });

  test('malformed options are 400; an unknown collection is accepted and matches nothing', async () => {
    const stream = await openStream(url);
    const malformed = await expectError(
      { clientId: stream.clientId, subscriptions: ['posts/*?options=%7Bnot-json'] },
      400,
    );
    assert.ok(malformed.data.subscriptions);
    await expectError({ clientId: stream.clientId, subscriptions: ['posts/*?options=%ZZ'] }, 400);
    await expectError({ clientId: stream.clientId, subscriptions: [`posts/*${options({ query: 'x' })}`] }, 400);
    assert.equal(
      (await post(url, { clientId: stream.clientId, subscriptions: ['missing/*', 'posts/*'] })).status,
      204,
    );
    await stillDelivers(stream);
    assert.ok(stream.messages.every((m) => m.event !== 'missing/*'));
    stream.close();
  });

  test('a deleted collection ends its subscriptions, even if a new one takes its name', async () => {
    const temp = { name: 'temp', type: 'base', ...open, fields: [{ name: 'title', type: 'text' }] };
    const created = await json(url, 'POST', '/api/collections', temp, token);
    const stream = await openStream(url);
    const topics = ['temp/*', 'posts/*'];
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: topics })).status, 204);
    const first = await json(url, 'POST', '/api/collections/temp/records', { title: 'one' });
    await stream.untilMessage((m) => m.event === 'temp/*' && JSON.parse(m.data).record.id === first.id);

    await fetch(`${url}/api/collections/${created.id}`, { method: 'DELETE', headers: { Authorization: token } });
    await json(url, 'POST', '/api/collections', temp, token);
    await json(url, 'POST', '/api/collections/temp/records', { title: 'two' });
    const probe = await json(url, 'POST', '/api/collections/posts/records', { title: 'probe' });
    await stream.untilMessage((m) => m.event === 'posts/*' && JSON.parse(m.data).record.id === probe.id);
    assert.deepEqual(
      stream.messages.filter((m) => m.event === 'temp/*').map((m) => JSON.parse(m.data).record.title),
      ['one'],
    );
    stream.close();
  });

  test('a filter a guest may not use is 403, one that does not parse 400; superusers may', async () => {
    const stream = await openStream(url);
    const byRequest = `posts/*${options({ query: { filter: "@request.auth.id = ''" } })}`;
    const body = await expectError({ clientId: stream.clientId, subscriptions: [byRequest] }, 403);
    assert.match(body.message, /superusers/);
    await expectError(
      { clientId: stream.clientId, subscriptions: [`posts/*${options({ query: { filter: 'title =' } })}`] },
      400,
    );
    await expectError(
      { clientId: stream.clientId, subscriptions: [`posts/*${options({ query: { filter: 'nope = 1' } })}`] },
      400,
    );
    await stillDelivers(stream);
    stream.close();

    const admin = await openStream(url);
    assert.equal(
      (await post(url, { clientId: admin.clientId, subscriptions: [byRequest] }, { token })).status,
      204,
    );
    admin.close();
  });
});

describe('realtime idle streams', () => {
  let server;
  before(async () => {
    server = await startServer({ superuser, args: ['--realtime-idle-timeout', '1s'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('a stream sent nothing for realtime-idle-timeout is closed, and its id forgotten', async () => {
    const stream = await openStream(server.url);
    await stream.until((s) => s.ended);
    const response = await post(server.url, { clientId: stream.clientId, subscriptions: [] });
    assert.equal(response.status, 404);
  });

  test('HEAD /api/realtime answers the headers and ends', async () => {
    const response = await new Promise((resolve, reject) => {
      const request = http.request(`${server.url}/api/realtime`, { method: 'HEAD' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      });
      request.on('error', reject);
      request.end();
    });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'], /^text\/event-stream/);
  });
});

describe('realtime shutdown', () => {
  test('a graceful shutdown closes open streams instead of waiting out its grace period', async () => {
    // A grace longer than server.mjs waits for the exit: only closing the stream passes.
    const server = await startServer({ superuser, args: ['--shutdown-timeout', '60s'] });
    const stream = await openStream(server.url);
    await server.stop();
    await stream.until((s) => s.ended);
  });
});

describe('realtime limits', () => {
  let server;
  let url;

  before(async () => {
    server = await startServer({
      superuser,
      args: ['--realtime-max-clients', '2', '--realtime-send-buffer', '1KiB'],
    });
    url = server.url;
    const auth = await json(url, 'POST', '/api/collections/_superusers/auth-with-password', {
      identity: superuser.email,
      password: superuser.password,
    });
    await json(url, 'POST', '/api/collections', {
      name: 'posts',
      type: 'base',
      ...open,
      fields: [{ name: 'title', type: 'text', max: 5000 }],
    }, auth.token);
  });
  after(async () => {
    await server?.stop();
  });

  // Resolves once the server forgot `stream`'s client id (its slot is free by then).
  async function untilGone(stream) {
    stream.close();
    while ((await post(url, { clientId: stream.clientId, subscriptions: [] })).status !== 404);
  }

  test('past realtime-max-clients a new stream is 503', async () => {
    const first = await openStream(url);
    const second = await openStream(url);
    const third = await openStream(url);
    assert.equal(third.status, 503);
    assertErrorBody(third.body, 503);
    await untilGone(first);
    await untilGone(second);
  });

  test('a client whose messages exceed realtime-send-buffer is disconnected', async () => {
    const stream = await openStream(url);
    assert.equal((await post(url, { clientId: stream.clientId, subscriptions: ['posts/*'] })).status, 204);
    await json(url, 'POST', '/api/collections/posts/records', { title: 'x'.repeat(2000) });
    await stream.until((s) => s.ended);
    assert.ok(stream.messages.every((m) => m.event !== 'posts/*'));
    // Its id is gone with it.
    const response = await post(url, { clientId: stream.clientId, subscriptions: ['posts/*'] });
    assert.equal(response.status, 404);
  });
});

describe('realtime write coalescing', () => {
  // A long flush interval: after the first message, each client's next ones wait for the
  // interval and leave together. Nothing here depends on timing: it checks what arrives.
  for (const interval of ['300ms', '0']) {
    test(`with realtime-flush-interval ${interval} a burst reaches every client whole and in commit order`, async () => {
      const server = await startServer({ superuser, args: ['--realtime-flush-interval', interval] });
      try {
        const url = server.url;
        const auth = await json(url, 'POST', '/api/collections/_superusers/auth-with-password', {
          identity: superuser.email,
          password: superuser.password,
        });
        await json(url, 'POST', '/api/collections', {
          name: 'posts',
          type: 'base',
          ...open,
          fields: [{ name: 'title', type: 'text' }],
        }, auth.token);
        // Two clients in different delivery groups (guest, superuser), one with two topics.
        const guest = await openStream(url);
        const admin = await openStream(url);
        assert.equal((await post(url, { clientId: guest.clientId, subscriptions: ['posts/*'] })).status, 204);
        assert.equal(
          (await post(url, { clientId: admin.clientId, subscriptions: ['posts/*', 'posts'] }, { token: auth.token })).status,
          204,
        );
        const ids = [];
        for (let i = 0; i < 20; i++) {
          ids.push((await json(url, 'POST', '/api/collections/posts/records', { title: `t${i}` })).id);
        }
        const received = (stream, event) =>
          stream.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data).record.id);
        await guest.until((s) => received(s, 'posts/*').length === ids.length);
        await admin.until((s) => received(s, 'posts').length === ids.length && received(s, 'posts/*').length === ids.length);
        assert.deepEqual(received(guest, 'posts/*'), ids);
        assert.deepEqual(received(admin, 'posts/*'), ids);
        assert.deepEqual(received(admin, 'posts'), ids);
        // Across its two topics too, the client sees the records in commit order.
        const commitOrder = admin.messages
          .filter((m) => m.event !== 'PB_CONNECT')
          .map((m) => ids.indexOf(JSON.parse(m.data).record.id));
        assert.deepEqual(commitOrder, [...commitOrder].sort((a, b) => a - b));
        assert.ok(guest.messages.every((m) => m.id === guest.clientId));
        assert.ok(admin.messages.every((m) => m.id === admin.clientId));
        guest.close();
        admin.close();
      } finally {
        await server.stop();
      }
    });
  }
});
