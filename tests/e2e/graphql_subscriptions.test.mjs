// GraphQL subscriptions over WebSocket (docs/graphql.md, "Subscriptions"): live queries that
// follow REST commits through the `graphql-ws` client, rules per subscriber (a record the rule
// hides never arrives), queries over the socket, the legacy `graphql-ws` protocol, and every
// close code of graphql-transport-ws produced with a raw `ws` socket.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// Messages of a graphql-ws client subscription, awaited one at a time.
function subscribeQueue(client, payload) {
  const items = [];
  const waiters = [];
  const push = (item) => {
    const waiter = waiters.shift();
    if (waiter) waiter(item);
    else items.push(item);
  };
  const dispose = client.subscribe(payload, {
    next: (value) => push({ next: value }),
    error: (error) => push({ error }),
    complete: () => push({ complete: true }),
  });
  return {
    dispose,
    next: () => (items.length ? Promise.resolve(items.shift()) : new Promise((r) => waiters.push(r))),
  };
}

function wsClient(server, token) {
  return createClient({
    url: `${server.url.replace('http', 'ws')}/api/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => {},
    connectionParams: token ? { headers: { Authorization: token } } : {},
  });
}

// A raw socket: resolves with {socket, messages(), closed} once open.
function rawSocket(server, protocols = ['graphql-transport-ws'], headers = {}) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/graphql`, protocols, { headers });
    const inbox = [];
    const waiters = [];
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    });
    const closed = new Promise((r) => socket.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    socket.on('open', () =>
      resolve({
        socket,
        closed,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        receive: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
      }),
    );
    socket.on('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    socket.on('error', reject);
  });
}

async function initialised(server, token) {
  const raw = await rawSocket(server);
  raw.send({ type: 'connection_init', payload: token ? { headers: { Authorization: token } } : {} });
  assert.deepEqual(await raw.receive(), { type: 'connection_ack' });
  return raw;
}

describe('GraphQL subscriptions over WebSocket', () => {
  let server;
  let pb;
  const people = {};

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.update('users', { listRule: '', viewRule: '' });
    for (const name of ['alice', 'bob']) {
      const password = `${name} password 123`;
      const record = await pb.collection('users').create({
        email: `${name}@example.com`, password, passwordConfirm: password, name,
      });
      const client = new PocketBase(server.url);
      await client.collection('users').authWithPassword(`${name}@example.com`, password);
      people[name] = { record, client };
    }
    const users = await pb.collections.getOne('users');
    await pb.collections.create({
      name: 'posts',
      listRule: 'published = true || author = @request.auth.id',
      viewRule: 'published = true || author = @request.auth.id',
      createRule: '@request.auth.id != ""',
      updateRule: 'author = @request.auth.id',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'published', type: 'bool' },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
      ],
    });
    await pb.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'text', type: 'text' }] });
    await pb.collection('posts').create({ title: 'first', published: true, author: people.alice.record.id });
  });

  after(async () => {
    await server?.stop();
  });

  test('a live query sends its result, then a new one after each REST commit that changes it', async () => {
    const client = wsClient(server, people.alice.client.authStore.token);
    const live = subscribeQueue(client, {
      query: 'subscription { posts(order_by: {title: asc}) { title published } }',
    });
    assert.deepEqual((await live.next()).next, { data: { posts: [{ title: 'first', published: true }] } });
    const created = await people.alice.client.collection('posts').create({
      title: 'second', published: true, author: people.alice.record.id,
    });
    assert.deepEqual((await live.next()).next.data.posts.map((p) => p.title), ['first', 'second']);
    // A commit to a collection the query does not read sends nothing; the next change does.
    await pb.collection('notes').create({ text: 'unrelated' });
    await people.alice.client.collection('posts').update(created.id, { title: 'renamed' });
    assert.deepEqual((await live.next()).next.data.posts.map((p) => p.title), ['first', 'renamed']);
    await pb.collection('posts').delete(created.id);
    assert.deepEqual((await live.next()).next.data.posts.map((p) => p.title), ['first']);
    live.dispose();
    await client.dispose();
  });

  test("a record the subscriber's rule hides never arrives", async () => {
    const client = wsClient(server, people.bob.client.authStore.token);
    const live = subscribeQueue(client, { query: 'subscription { posts { title author { id } } }' });
    const seen = [(await live.next()).next];
    // Alice's draft: bob's result does not change, so nothing is pushed for it; the published
    // post after it is the next message bob gets, without the draft.
    await people.alice.client.collection('posts').create({
      title: 'alice draft', published: false, author: people.alice.record.id,
    });
    const published = await people.alice.client.collection('posts').create({
      title: 'alice public', published: true, author: people.alice.record.id,
    });
    seen.push((await live.next()).next);
    for (const message of seen) {
      assert.ok(!message.data.posts.some((p) => p.title === 'alice draft'), JSON.stringify(message));
    }
    assert.ok(seen[1].data.posts.some((p) => p.title === 'alice public'));
    // Alice sees her own draft through the same subscription.
    const aliceClient = wsClient(server, people.alice.client.authStore.token);
    const aliceLive = subscribeQueue(aliceClient, { query: 'subscription { posts { title } }' });
    assert.ok((await aliceLive.next()).next.data.posts.some((p) => p.title === 'alice draft'));
    aliceLive.dispose();
    await aliceClient.dispose();
    await pb.collection('posts').delete(published.id);
    live.dispose();
    await client.dispose();
  });

  test('a guest subscribes without a token and sees only published posts', async () => {
    const client = wsClient(server, null);
    const live = subscribeQueue(client, { query: 'subscription { posts { title published } }' });
    const { next } = await live.next();
    assert.ok(next.data.posts.length > 0);
    assert.ok(next.data.posts.every((p) => p.published));
    live.dispose();
    await client.dispose();
  });

  test('a query over the socket runs once: next then complete', async () => {
    const client = wsClient(server, null);
    const once = subscribeQueue(client, { query: 'query { posts(where: {title: {_eq: "first"}}) { title } }' });
    assert.deepEqual((await once.next()).next, { data: { posts: [{ title: 'first' }] } });
    assert.deepEqual(await once.next(), { complete: true });
    await client.dispose();
  });

  test('an invalid operation gets an error message and the socket stays usable', async () => {
    const raw = await initialised(server);
    raw.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { nope }' } });
    const error = await raw.receive();
    assert.equal(error.type, 'error');
    assert.equal(error.id, 'a');
    assert.equal(error.payload[0].extensions.code, 'validation-failed');
    raw.send({ type: 'ping' });
    assert.deepEqual(await raw.receive(), { type: 'pong' });
    raw.socket.close(1000);
    assert.equal((await raw.closed).code, 1000);
  });

  test('complete stops a live query; the id may then be used again', async () => {
    const raw = await initialised(server);
    raw.send({ id: 'x', type: 'subscribe', payload: { query: 'subscription { notes { text } }' } });
    assert.equal((await raw.receive()).type, 'next');
    raw.send({ id: 'x', type: 'complete' });
    raw.send({ id: 'x', type: 'subscribe', payload: { query: 'subscription { notes_aggregate { aggregate { count } } }' } });
    const next = await raw.receive();
    assert.equal(next.type, 'next');
    assert.ok(next.payload.data.notes_aggregate, JSON.stringify(next));
    raw.socket.close(1000);
  });

  test('4400: a message that is not a protocol message', async () => {
    const raw = await initialised(server);
    raw.send('not json');
    assert.equal((await raw.closed).code, 4400);
    const other = await initialised(server);
    other.send({ type: 'next', id: '1', payload: {} });
    assert.equal((await other.closed).code, 4400);
  });

  test('4401: subscribe before the connection was acknowledged', async () => {
    const raw = await rawSocket(server);
    raw.send({ id: '1', type: 'subscribe', payload: { query: '{ posts { title } }' } });
    assert.equal((await raw.closed).code, 4401);
  });

  test('4403: connection_init with a token that does not authenticate', async () => {
    const raw = await rawSocket(server);
    raw.send({ type: 'connection_init', payload: { headers: { Authorization: 'not-a-token' } } });
    assert.equal((await raw.closed).code, 4403);
    // The graphql-ws client reports it as the close event.
    const client = wsClient(server, 'forged.token.value');
    const live = subscribeQueue(client, { query: 'subscription { posts { title } }' });
    const { error } = await live.next();
    assert.equal(error.code, 4403);
    await client.dispose();
  });

  test('the token of the upgrade request authenticates when connection_init has none', async () => {
    const raw = await rawSocket(server, ['graphql-transport-ws'], {
      Authorization: people.alice.client.authStore.token,
    });
    raw.send({ type: 'connection_init' });
    assert.deepEqual(await raw.receive(), { type: 'connection_ack' });
    raw.send({ id: 'me', type: 'subscribe', payload: { query: 'subscription { posts(where: {published: {_eq: false}}) { title } }' } });
    const next = await raw.receive();
    assert.ok(next.payload.data.posts.some((p) => p.title === 'alice draft'), JSON.stringify(next));
    raw.socket.close(1000);
  });

  test('4406: a socket without the graphql-transport-ws sub-protocol; an unknown one is refused at upgrade', async () => {
    const raw = await rawSocket(server, []);
    assert.equal((await raw.closed).code, 4406);
    await assert.rejects(rawSocket(server, ['mqtt']), /HTTP 400/);
  });

  test('4408: no connection_init within the wait', async () => {
    const raw = await rawSocket(server);
    const closed = await raw.closed;
    assert.equal(closed.code, 4408);
  });

  test('4409: a second subscribe with an id in use', async () => {
    const raw = await initialised(server);
    raw.send({ id: 'same', type: 'subscribe', payload: { query: 'subscription { posts { title } }' } });
    assert.equal((await raw.receive()).type, 'next');
    raw.send({ id: 'same', type: 'subscribe', payload: { query: 'subscription { posts { title } }' } });
    const closed = await raw.closed;
    assert.equal(closed.code, 4409);
    assert.equal(closed.reason, 'Subscriber for same already exists');
  });

  test('4429: a second connection_init', async () => {
    const raw = await initialised(server);
    raw.send({ type: 'connection_init' });
    assert.equal((await raw.closed).code, 4429);
  });

  test('a message larger than the limit closes the socket (1009)', async () => {
    const raw = await initialised(server);
    raw.send({ id: 'big', type: 'subscribe', payload: { query: `{ posts { title } } #${'x'.repeat(2_200_000)}` } });
    // Beast fails the connection with 1009; a client still sending its message may see the
    // TCP reset first (1006). Either way nothing ran and the server goes on.
    assert.ok([1006, 1009].includes((await raw.closed).code));
    const after = await initialised(server);
    after.socket.close(1000);
  });

  test('at most 100 operations per socket: the 101st gets an error and the socket stays open', async () => {
    const raw = await initialised(server);
    for (let i = 0; i < 101; i++) {
      raw.send({ id: `op${i}`, type: 'subscribe', payload: { query: 'subscription { notes { id } }' } });
    }
    const byType = {};
    let refused;
    for (let i = 0; i < 101; i++) {
      const message = await raw.receive();
      byType[message.type] = (byType[message.type] ?? 0) + 1;
      if (message.type === 'error') refused = message;
    }
    assert.deepEqual(byType, { next: 100, error: 1 });
    assert.equal(refused.id, 'op100');
    assert.equal(refused.payload[0].extensions.code, 'limit-exceeded');
    raw.send({ type: 'ping' });
    assert.deepEqual(await raw.receive(), { type: 'pong' });
    raw.socket.close(1000);
  });

  test('the legacy graphql-ws protocol: init, start, data after a commit, stop', async () => {
    const raw = await rawSocket(server, ['graphql-ws']);
    assert.equal(raw.socket.protocol, 'graphql-ws');
    raw.send({ type: 'connection_init', payload: { authToken: people.alice.client.authStore.token } });
    assert.deepEqual(await raw.receive(), { type: 'connection_ack' });
    assert.deepEqual(await raw.receive(), { type: 'ka' });
    raw.send({ id: '1', type: 'start', payload: { query: 'subscription { notes(order_by: {text: asc}) { text } }' } });
    const first = await raw.receive();
    assert.equal(first.type, 'data');
    assert.deepEqual(first.payload.data.notes, [{ text: 'unrelated' }]);
    await pb.collection('notes').create({ text: 'zebra' });
    const second = await raw.receive();
    assert.deepEqual(second.payload.data.notes.map((n) => n.text), ['unrelated', 'zebra']);
    raw.send({ id: '1', type: 'stop' });
    assert.deepEqual(await raw.receive(), { id: '1', type: 'complete' });
    raw.send({ type: 'connection_terminate' });
    assert.equal((await raw.closed).code, 1000);
  });

  test('the legacy protocol: a bad token is connection_error then 4403; a bad message an error', async () => {
    const raw = await rawSocket(server, ['graphql-ws']);
    raw.send('{"no type": true}');
    assert.deepEqual(await raw.receive(), { type: 'error', payload: { message: 'Invalid message.' } });
    raw.send({ id: '1', type: 'start', payload: { query: '{ notes { text } }' } });
    assert.equal((await raw.receive()).type, 'error'); // not initialised yet
    raw.send({ type: 'connection_init', payload: { authToken: 'forged' } });
    assert.deepEqual(await raw.receive(), { type: 'connection_error', payload: { message: 'Forbidden' } });
    assert.equal((await raw.closed).code, 4403);
  });

  test('WebSocket pings are answered between live results of every frame size, none cut', async () => {
    // The server frames its messages itself and sends them beside Beast's pongs
    // (api/ws_gated_socket.hpp): results of about 0.1, 4 and 100 KB use the three lengths of a
    // frame header, and a pong cutting into one (or one into a pong) fails the client's parser.
    await pb.collections.create({ name: 'bulky', listRule: '', fields: [{ name: 'text', type: 'text' }] });
    const raw = await initialised(server);
    const pongs = [];
    raw.socket.on('pong', (data) => pongs.push(data.toString()));
    raw.send({ id: 'b', type: 'subscribe', payload: { query: 'subscription { bulky { text } }' } });
    assert.deepEqual((await raw.receive()).payload, { data: { bulky: [] } });
    const sizes = [100, ...Array(26).fill(4_000)];
    let pinged = 0;
    let total = 0;
    for (const size of sizes) {
      for (let i = 0; i < 5; i++) raw.socket.ping(`ping ${pinged++}`);
      await pb.collection('bulky').create({ text: 'x'.repeat(size) });
      total += size;
    }
    let received = 0;
    while (received < total) {
      const message = await raw.receive();
      assert.equal(message.type, 'next');
      received = message.payload.data.bulky.reduce((n, record) => n + record.text.length, 0);
    }
    assert.equal(received, total);
    // A ping sent now is answered after every pong before it: all arrived, in order.
    await new Promise((resolve) => { raw.socket.once('pong', resolve); raw.socket.ping('last'); });
    assert.deepEqual(pongs, [...Array.from({ length: pinged }, (_, i) => `ping ${i}`), 'last']);
    raw.socket.close(1000);
  });

  test('a burst of commits is coalesced: the subscriber ends at the final state', async () => {
    const raw = await initialised(server);
    raw.send({ id: 'n', type: 'subscribe', payload: { query: 'subscription { notes_aggregate { aggregate { count } } }' } });
    const start = (await raw.receive()).payload.data.notes_aggregate.aggregate.count;
    await Promise.all(Array.from({ length: 20 }, (_, i) =>
      pb.collection('notes').create({ text: `burst ${i}` }, { requestKey: null })));
    let count = start;
    let messages = 0;
    while (count < start + 20) {
      const message = await raw.receive();
      assert.equal(message.type, 'next');
      count = message.payload.data.notes_aggregate.aggregate.count;
      messages += 1;
    }
    assert.equal(count, start + 20);
    assert.ok(messages <= 20, `${messages} messages for 20 commits`);
    raw.socket.close(1000);
  });
});

describe('GraphQL subscriptions over server-sent events (graphql-sse)', () => {
  let server;
  let pb;
  let user;

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({
      name: 'tasks',
      listRule: '@request.auth.id != "" && owner = @request.auth.id',
      fields: [{ name: 'title', type: 'text' }, { name: 'owner', type: 'text' }],
    });
    const password = 'carol password 123';
    const carol = await pb.collection('users').create({ email: 'carol@example.com', password, passwordConfirm: password });
    user = new PocketBase(server.url);
    await user.collection('users').authWithPassword('carol@example.com', password);
    user.id = carol.id;
  });

  after(async () => {
    await server?.stop();
  });

  function sseClient(token) {
    return createSseClient({
      url: `${server.url}/api/graphql/stream`,
      singleConnection: false,
      retryAttempts: 0,
      headers: token ? { Authorization: token } : {},
    });
  }

  test('a live query over graphql-sse follows REST commits under the caller rules', async () => {
    const client = sseClient(user.authStore.token);
    const live = subscribeQueue(client, { query: 'subscription { tasks(order_by: {title: asc}) { title } }' });
    assert.deepEqual((await live.next()).next, { data: { tasks: [] } });
    await pb.collection('tasks').create({ title: 'someone else', owner: 'nobody' });
    await pb.collection('tasks').create({ title: 'mine', owner: user.id });
    assert.deepEqual((await live.next()).next, { data: { tasks: [{ title: 'mine' }] } });
    live.dispose();
    client.dispose();
  });

  test('a query over graphql-sse is one next event, then complete', async () => {
    const client = sseClient(null);
    const once = subscribeQueue(client, { query: '{ tasks { title } }' });
    assert.deepEqual((await once.next()).next, { data: { tasks: [] } });
    assert.deepEqual(await once.next(), { complete: true });
    client.dispose();
  });

  test('validation errors arrive in the stream; a malformed request is a 400', async () => {
    const client = sseClient(null);
    const failed = subscribeQueue(client, { query: 'subscription { nope }' });
    const first = await failed.next();
    assert.equal(first.next.errors[0].extensions.code, 'validation-failed');
    assert.deepEqual(await failed.next(), { complete: true });
    client.dispose();
    const res = await fetch(`${server.url}/api/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ variables: {} }),
    });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).status, 400);
  });

  test('GET /api/graphql/stream runs queries; a mutation over GET is refused in the stream', async () => {
    const query = encodeURIComponent('{ tasks { title } }');
    const res = await fetch(`${server.url}/api/graphql/stream?query=${query}`, { headers: { accept: 'text/event-stream' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    assert.equal(await res.text(), 'event: next\ndata: {"data":{"tasks":[]}}\n\nevent: complete\ndata: \n\n');
    const mutation = encodeURIComponent('mutation { anything }');
    const refused = await (await fetch(`${server.url}/api/graphql/stream?query=${mutation}`)).text();
    const [next] = refused.split('\n\n');
    const result = JSON.parse(next.replace('event: next\ndata: ', ''));
    assert.match(result.errors[0].message, /GET/);
    assert.ok(refused.endsWith('event: complete\ndata: \n\n'));
  });

  test('a subscription over plain POST /api/graphql is refused', async () => {
    const res = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'subscription { tasks { title } }' }),
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).errors[0].message, /\/api\/graphql\/stream/);
  });
});

test('the server stops cleanly with live queries open on a socket and a stream', async () => {
  const server = await startServer({ superuser });
  const pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  const ws = wsClient(server, pb.authStore.token);
  const overWs = subscribeQueue(ws, { query: 'subscription { _superusers { email } }' });
  assert.equal((await overWs.next()).next.data._superusers.length, 1);
  const sse = createSseClient({
    url: `${server.url}/api/graphql/stream`,
    retryAttempts: 0,
    headers: { Authorization: pb.authStore.token },
  });
  const overSse = subscribeQueue(sse, { query: 'subscription { _superusers { email } }' });
  assert.equal((await overSse.next()).next.data._superusers.length, 1);
  await server.stop(); // asserts exit code 0
  await ws.dispose();
  sse.dispose();
});
