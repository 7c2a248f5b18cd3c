// GraphQL change feeds, `<c>_events(where, actions)` (docs/graphql.md, "Change feeds"): REST
// commits arrive as {action, record} with the subscription's selection, under the subscriber's
// listRule (a record the rule hides never arrives), relations under their own viewRule, over
// graphql-transport-ws (the `graphql-ws` client), the legacy graphql-ws protocol and graphql-sse;
// a subscriber whose auth record goes away is closed with 4403.
//
// A feed sends nothing until an event: a test knows its feed is live when the server answered a
// later operation on the same socket (operations of one socket start in order, and a feed
// listens before the next message is read). graphql-sse has one connection per operation, so
// its test commits probes until the first one arrives.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// Messages of a client subscription (graphql-ws or graphql-sse), awaited one at a time.
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
    pending: () => items.length,
    next: () => (items.length ? Promise.resolve(items.shift()) : new Promise((r) => waiters.push(r))),
  };
}

// Resolves once the server answered a query sent after every earlier subscribe of `client`.
async function barrier(client) {
  const done = subscribeQueue(client, { query: '{ _schema_version }' });
  assert.ok((await done.next()).next.data._schema_version);
  assert.deepEqual(await done.next(), { complete: true });
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

// A raw socket past connection_init with `protocol`: {socket, send, receive(), closed}.
function rawSocket(server, protocol, initPayload) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/graphql`, [protocol]);
    const inbox = [];
    const waiters = [];
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    });
    const closed = new Promise((r) => socket.on('close', (code) => r(code)));
    socket.on('error', reject);
    socket.on('open', () => {
      const raw = {
        socket,
        closed,
        send: (message) => socket.send(JSON.stringify(message)),
        receive: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
      };
      raw.send({ type: 'connection_init', payload: initPayload });
      resolve(raw);
    });
  });
}

describe('GraphQL change feeds', () => {
  let server;
  let pb;
  const people = {};

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.update('users', { listRule: '', viewRule: '' });
    for (const name of ['alice', 'bob', 'carol']) {
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
      fields: [
        { name: 'title', type: 'text' },
        { name: 'published', type: 'bool' },
        { name: 'secret', type: 'text', hidden: true },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
      ],
    });
    const posts = await pb.collections.getOne('posts');
    await pb.collections.create({
      name: 'comments',
      listRule: '',
      viewRule: '',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 },
      ],
    });
    await pb.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'text', type: 'text' }] });
  });

  after(async () => {
    await server?.stop();
  });

  test('create, update and delete arrive with the selection; a record the rule hides never arrives', async () => {
    const client = wsClient(server, people.alice.client.authStore.token);
    const feed = subscribeQueue(client, {
      query: 'subscription { posts_events { action record { title published author { name } } } }',
    });
    await barrier(client);
    // bob's draft: alice's listRule hides it; then a published one, then alice's own draft.
    const hidden = await pb.collection('posts').create({ title: 'bob draft', published: false, author: people.bob.record.id });
    const shown = await pb.collection('posts').create({ title: 'bob public', published: true, author: people.bob.record.id });
    await pb.collection('posts').create({ title: 'alice draft', published: false, author: people.alice.record.id });
    await pb.collection('posts').update(hidden.id, { title: 'bob draft, edited' });
    await pb.collection('posts').update(shown.id, { title: 'bob public, edited' });
    await pb.collection('posts').delete(shown.id);
    const seen = [];
    for (let i = 0; i < 4; i += 1) seen.push((await feed.next()).next.data.posts_events);
    assert.deepEqual(seen, [
      { action: 'create', record: { title: 'bob public', published: true, author: { name: 'bob' } } },
      { action: 'create', record: { title: 'alice draft', published: false, author: { name: 'alice' } } },
      { action: 'update', record: { title: 'bob public, edited', published: true, author: { name: 'bob' } } },
      // A deleted record arrives as it was.
      { action: 'delete', record: { title: 'bob public, edited', published: true, author: { name: 'bob' } } },
    ]);
    // Nothing else was queued for alice: the hidden draft's create and update never arrived.
    await barrier(client);
    assert.equal(feed.pending(), 0);
    feed.dispose();
    await client.dispose();
  });

  test('where and actions choose the events; relations follow their own viewRule', async () => {
    const client = wsClient(server, people.carol.client.authStore.token);
    const feed = subscribeQueue(client, {
      query: `subscription Comments($word: String!) {
        comments_events(where: {body: {_like: $word}}, actions: [create]) { action record { body post { title } } }
      }`,
      variables: { word: '%keep%' },
    });
    await barrier(client);
    const draft = await pb.collection('posts').create({ title: 'draft', published: false, author: people.bob.record.id });
    const open = await pb.collection('posts').create({ title: 'open', published: true, author: people.bob.record.id });
    const dropped = await pb.collection('comments').create({ body: 'drop me', post: open.id });
    await pb.collection('comments').update(dropped.id, { body: 'keep? no: an update' });
    await pb.collection('comments').create({ body: 'keep on draft', post: draft.id });
    await pb.collection('comments').create({ body: 'keep on open', post: open.id });
    assert.deepEqual((await feed.next()).next.data.comments_events, {
      action: 'create', record: { body: 'keep on draft', post: null },
    });
    assert.deepEqual((await feed.next()).next.data.comments_events, {
      action: 'create', record: { body: 'keep on open', post: { title: 'open' } },
    });
    await barrier(client);
    assert.equal(feed.pending(), 0);
    feed.dispose();
    await client.dispose();
  });

  test('a hidden field in where is a validation error for a user; a superuser may use it', async () => {
    const client = wsClient(server, people.alice.client.authStore.token);
    const refused = subscribeQueue(client, {
      query: 'subscription { posts_events(where: {secret: {_eq: "x"}}) { action } }',
    });
    const { error } = await refused.next();
    assert.equal(error[0].extensions.code, 'validation-failed');
    await client.dispose();
    const admin = wsClient(server, pb.authStore.token);
    const feed = subscribeQueue(admin, {
      query: 'subscription { posts_events(where: {secret: {_eq: "x"}}) { record { title secret } } }',
    });
    await barrier(admin);
    await pb.collection('posts').create({ title: 'not secret', secret: 'y', author: people.bob.record.id });
    await pb.collection('posts').create({ title: 'secret', secret: 'x', author: people.bob.record.id });
    assert.deepEqual((await feed.next()).next.data.posts_events.record, { title: 'secret', secret: 'x' });
    feed.dispose();
    await admin.dispose();
  });

  test('the legacy graphql-ws protocol delivers a feed as data messages', async () => {
    const raw = await rawSocket(server, 'graphql-ws', {});
    assert.deepEqual(await raw.receive(), { type: 'connection_ack' });
    assert.deepEqual(await raw.receive(), { type: 'ka' });
    raw.send({ id: 'feed', type: 'start', payload: { query: 'subscription { notes_events { action record { text } } }' } });
    raw.send({ id: 'q', type: 'start', payload: { query: '{ _schema_version }' } });
    assert.equal((await raw.receive()).id, 'q');
    assert.deepEqual(await raw.receive(), { id: 'q', type: 'complete' });
    await pb.collection('notes').create({ text: 'legacy' });
    assert.deepEqual(await raw.receive(), {
      id: 'feed', type: 'data', payload: { data: { notes_events: { action: 'create', record: { text: 'legacy' } } } },
    });
    raw.send({ id: 'feed', type: 'stop' });
    assert.deepEqual(await raw.receive(), { id: 'feed', type: 'complete' });
    raw.socket.close(1000);
  });

  test('graphql-sse delivers a feed under the subscriber rules', async () => {
    const sse = createSseClient({
      url: `${server.url}/api/graphql/stream`,
      singleConnection: false,
      retryAttempts: 0,
      headers: { Authorization: people.alice.client.authStore.token },
    });
    const feed = subscribeQueue(sse, {
      query: 'subscription { posts_events(actions: [create]) { record { title } } }',
    });
    // The stream cannot say when its feed listens: commit probes until one arrives. Every probe
    // after the first that arrives arrives too, in order.
    let probes = 0;
    while (feed.pending() === 0) {
      probes += 1;
      await pb.collection('posts').create({ title: `probe ${probes}`, published: true, author: people.bob.record.id });
    }
    let last = '';
    while (last !== `probe ${probes}`) last = (await feed.next()).next.data.posts_events.record.title;
    await pb.collection('posts').create({ title: 'carol draft', published: false, author: people.carol.record.id });
    await pb.collection('posts').create({ title: 'after the draft', published: true, author: people.bob.record.id });
    assert.deepEqual((await feed.next()).next.data.posts_events.record, { title: 'after the draft' });
    feed.dispose();
    sse.dispose();
  });

  test("a subscriber whose auth record is deleted is closed with 4403", async () => {
    const password = 'dave password 123';
    const dave = await pb.collection('users').create({ email: 'dave@example.com', password, passwordConfirm: password });
    const client = new PocketBase(server.url);
    await client.collection('users').authWithPassword('dave@example.com', password);
    const raw = await rawSocket(server, 'graphql-transport-ws', { headers: { Authorization: client.authStore.token } });
    assert.deepEqual(await raw.receive(), { type: 'connection_ack' });
    raw.send({ id: 'feed', type: 'subscribe', payload: { query: 'subscription { notes_events { action } }' } });
    raw.send({ id: 'q', type: 'subscribe', payload: { query: '{ _schema_version }' } });
    assert.equal((await raw.receive()).type, 'next');
    assert.deepEqual(await raw.receive(), { id: 'q', type: 'complete' });
    await pb.collection('users').delete(dave.id);
    assert.equal(await raw.closed, 4403);
  });
});
