// GraphQL subscriptions follow the subscriber's auth record (docs/graphql.md, "The subscriber's
// auth"): a password change (new tokenKey), a deletion or an authRule that now refuses the
// record ends the connection (graphql-transport-ws: close 4403; legacy graphql-ws:
// connection_error then 4403; graphql-sse: an error result then complete) and nothing more
// arrives; an update that keeps the token valid refreshes what the rules read. Last, a live query
// whose re-run a full read pool refuses is retried, not ended (docs/graphql.md, "Limits and
// ownership").

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient as createSseClient } from 'graphql-sse';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// A raw socket past connection_init: {socket, send, receive(), closed, inbox}.
function authSocket(server, protocol, initPayload) {
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
    socket.on('open', async () => {
      const raw = {
        socket,
        closed,
        inbox,
        send: (message) => socket.send(JSON.stringify(message)),
        receive: () => (inbox.length ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
      };
      raw.send({ type: 'connection_init', payload: initPayload });
      assert.equal((await raw.receive()).type, 'connection_ack');
      if (protocol === 'graphql-ws') assert.equal((await raw.receive()).type, 'ka');
      resolve(raw);
    });
  });
}

describe("GraphQL subscriptions follow the subscriber's auth record", { timeout: 60_000 }, () => {
  let server;
  let pb;
  let serial = 0;

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    // Only a user named "dave*" sees the notes: the rule reads the auth record's fields.
    await pb.collections.create({
      name: 'notes',
      listRule: '@request.auth.name ~ "dave"',
      fields: [{ name: 'text', type: 'text' }],
    });
  });

  after(async () => {
    await server?.stop();
  });

  // A fresh user signed in: {record, token, password}.
  async function signedInUser() {
    serial += 1;
    const email = `dave${serial}@example.com`;
    const password = `dave password ${serial}`;
    const record = await pb.collection('users').create({ email, password, passwordConfirm: password, name: 'dave' });
    const client = new PocketBase(server.url);
    await client.collection('users').authWithPassword(email, password);
    return { record, token: client.authStore.token, password };
  }

  async function liveNotes(user, protocol = 'graphql-transport-ws') {
    const legacy = protocol === 'graphql-ws';
    const raw = await authSocket(server, protocol, legacy ? { authToken: user.token } : { headers: { Authorization: user.token } });
    raw.send({ id: 'n', type: legacy ? 'start' : 'subscribe', payload: { query: 'subscription { notes_aggregate { aggregate { count } } }' } });
    const first = await raw.receive();
    assert.equal(first.type, legacy ? 'data' : 'next');
    return raw;
  }

  test('a password change through REST closes the socket with 4403; nothing more arrives', async () => {
    const user = await signedInUser();
    const raw = await liveNotes(user);
    await pb.collection('users').update(user.record.id, { password: 'a new password 1', passwordConfirm: 'a new password 1' });
    await pb.collection('notes').create({ text: 'after the password change' });
    assert.equal(await raw.closed, 4403);
    assert.deepEqual(raw.inbox, []);
  });

  test('deleting the user closes the socket with 4403; nothing more arrives', async () => {
    const user = await signedInUser();
    const raw = await liveNotes(user);
    await pb.collection('users').delete(user.record.id);
    await pb.collection('notes').create({ text: 'after the deletion' });
    assert.equal(await raw.closed, 4403);
    assert.deepEqual(raw.inbox, []);
  });

  test('legacy graphql-ws: a password change is connection_error, then 4403', async () => {
    const user = await signedInUser();
    const raw = await liveNotes(user, 'graphql-ws');
    await pb.collection('users').update(user.record.id, { password: 'a new password 2', passwordConfirm: 'a new password 2' });
    assert.deepEqual(await raw.receive(), { type: 'connection_error', payload: { message: 'Forbidden' } });
    assert.equal(await raw.closed, 4403);
    assert.deepEqual(raw.inbox, []);
  });

  test('an authRule that now refuses the user closes the socket at the next re-run', async () => {
    const user = await signedInUser();
    const raw = await liveNotes(user);
    const users = await pb.collections.getOne('users');
    await pb.collections.update('users', { authRule: 'verified = true' });
    try {
      await pb.collection('notes').create({ text: 'after the authRule change' });
      assert.equal(await raw.closed, 4403);
      assert.deepEqual(raw.inbox, []);
    } finally {
      await pb.collections.update('users', { authRule: users.authRule });
    }
  });

  test('an update that keeps the token valid refreshes the fields the rules read', async () => {
    const user = await signedInUser();
    const raw = await liveNotes(user);
    const before = (await pb.collection('notes').getFullList()).length;
    await pb.collection('notes').create({ text: 'seen while named dave' });
    assert.equal((await raw.receive()).payload.data.notes_aggregate.aggregate.count, before + 1);
    // Renamed: the listRule no longer lets this user see a note, and the socket stays open.
    await pb.collection('users').update(user.record.id, { name: 'someone else' });
    assert.equal((await raw.receive()).payload.data.notes_aggregate.aggregate.count, 0);
    // A new operation on the same socket runs as the renamed user too.
    raw.send({ id: 'again', type: 'subscribe', payload: { query: '{ notes { text } }' } });
    assert.deepEqual(await raw.receive(), { id: 'again', type: 'next', payload: { data: { notes: [] } } });
    assert.deepEqual(await raw.receive(), { id: 'again', type: 'complete' });
    raw.socket.close(1000);
    assert.equal(await raw.closed, 1000);
  });

  test('graphql-sse: a password change ends the stream with an error result, then complete', async () => {
    const user = await signedInUser();
    const client = createSseClient({
      url: `${server.url}/api/graphql/stream`,
      singleConnection: false,
      retryAttempts: 0,
      headers: { Authorization: user.token },
    });
    const received = [];
    let first;
    const firstArrived = new Promise((r) => { first = r; });
    const ended = new Promise((resolve, reject) => {
      client.subscribe({ query: 'subscription { notes_aggregate { aggregate { count } } }' }, {
        next: (value) => { received.push(value); first(); },
        error: reject,
        complete: resolve,
      });
    });
    await firstArrived;
    await pb.collection('users').update(user.record.id, { password: 'a new password 3', passwordConfirm: 'a new password 3' });
    await pb.collection('notes').create({ text: 'after the password change (sse)' });
    await ended;
    assert.equal(received.length, 2);
    assert.equal(received[1].errors[0].extensions.code, 'FORBIDDEN');
    client.dispose();
  });
});

test('a re-run refused by a full read pool is retried, not ended: every subscriber reaches the final state', { timeout: 120_000 }, async () => {
  // One read thread (on PostgreSQL: one pooled connection) and a queue of one: 60 live queries
  // woken by the same commits cannot all be queued at once, so re-runs are refused (503) and
  // must be retried after the next window.
  const server = await startServer({
    superuser,
    args: ['--db-read-threads', '1', '--db-read-queue', '1', ...(usePostgres ? ['--db-pool-size', '1'] : [])],
  });
  try {
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({ name: 'items', listRule: '', fields: [{ name: 'n', type: 'number' }] });
    // One socket after the other: on PostgreSQL every read (connection_init's token check too)
    // waits in the same queue of one, which sockets opened all at once would overflow.
    const sockets = [];
    for (let i = 0; i < 60; i += 1) {
      sockets.push(await authSocket(server, 'graphql-transport-ws', { headers: { Authorization: pb.authStore.token } }));
    }
    for (const raw of sockets) {
      raw.send({ id: 'c', type: 'subscribe', payload: { query: 'subscription { items_aggregate { aggregate { count } } }' } });
    }
    for (const raw of sockets) {
      const first = await raw.receive();
      // A first run refused by the full pool answers its field error in the next, as over HTTP.
      assert.equal(first.type, 'next', JSON.stringify(first));
    }
    // On PostgreSQL a write waits in that queue too: a 503 there is the documented "try again".
    const create = async (n) => {
      for (;;) {
        try {
          return await pb.collection('items').create({ n });
        } catch (error) {
          if (!usePostgres || error.status !== 503) throw error;
        }
      }
    };
    for (let i = 0; i < 10; i += 1) await create(i);
    for (const raw of sockets) {
      let count = -1;
      while (count !== 10) {
        const message = await raw.receive();
        assert.equal(message.type, 'next', JSON.stringify(message));
        count = message.payload.data?.items_aggregate?.aggregate.count ?? -1;
      }
      raw.socket.close(1000);
    }
  } finally {
    await server.stop();
  }
});

