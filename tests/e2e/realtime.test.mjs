// Realtime through the official SDK (docs/realtime.md): `subscribe` to every record and to one
// record, options (filter, expand), the list and view rules, unsubscribe, and a stream the
// server closes (realtime-max-lifetime) that the SDK reopens and keeps receiving on.
//
// No sleeps: every wait is for an event. "Nothing else arrived" is shown with a later marker
// record: one client's messages come in commit order on one stream, so once the marker's
// event is in, every earlier event the client was going to get is in too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

globalThis.EventSource = EventSource;

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const owner = 'owner = @request.auth.id';

// Collects what a subscription callback receives; until() resolves once `predicate` holds.
function recorder() {
  const events = [];
  const waiters = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].predicate(events)) {
        waiters[i].resolve(events);
        waiters.splice(i, 1);
      }
    }
  };
  return {
    events,
    callback: (event) => {
      events.push(event);
      check();
    },
    until(predicate) {
      return new Promise((resolve) => {
        waiters.push({ predicate, resolve });
        check();
      });
    },
    // Resolves once an event of `action` for record `id` arrived.
    untilEvent(action, id) {
      return this.until((list) => list.some((e) => e.action === action && e.record?.id === id));
    },
  };
}

const summary = (events) => events.map((e) => `${e.action}:${e.record.title ?? e.record.id}`);

describe('realtime', () => {
  let server;
  let pb; // superuser
  const clients = [];

  async function signedIn(collection, email, password) {
    const client = new PocketBase(server.url);
    await client.collection(collection).authWithPassword(email, password);
    clients.push(client);
    return client;
  }
  function guest() {
    const client = new PocketBase(server.url);
    clients.push(client);
    return client;
  }

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.update('users', { listRule: '', viewRule: '' });
    await pb.collections.create({
      name: 'posts',
      type: 'base',
      ...open,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
    await pb.collections.create({
      name: 'secrets',
      type: 'base',
      listRule: owner,
      viewRule: owner,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
  });
  after(async () => {
    for (const client of clients) client.realtime.unsubscribe().catch(() => {});
    await server?.stop();
  });

  test('a wildcard and a one-record subscription each get create, update and delete once', async () => {
    const client = guest();
    const all = recorder();
    const one = recorder();
    await client.collection('posts').subscribe('*', all.callback);
    const first = await pb.collection('posts').create({ title: 'first' });
    await all.untilEvent('create', first.id);
    await client.collection('posts').subscribe(first.id, one.callback);

    await pb.collection('posts').update(first.id, { title: 'first, edited' });
    await pb.collection('posts').delete(first.id);
    const marker = await pb.collection('posts').create({ title: 'marker' });
    await all.untilEvent('create', marker.id);

    assert.deepEqual(summary(all.events), [
      'create:first',
      'update:first, edited',
      'delete:first, edited', // the record as it was when deleted
      'create:marker',
    ]);
    assert.deepEqual(summary(one.events), ['update:first, edited', 'delete:first, edited']);
    assert.equal(all.events[0].record.collectionName, 'posts');
  });

  test('the filter option narrows, the expand option expands', async () => {
    const alice = await pb.collection('users').create({
      email: 'alice@example.com',
      password: 'alice password 123',
      passwordConfirm: 'alice password 123',
      name: 'Alice',
    });
    const client = guest();
    const kept = recorder();
    await client.collection('posts').subscribe('*', kept.callback, {
      filter: 'title ~ "keep"',
      expand: 'author',
    });
    await pb.collection('posts').create({ title: 'drop me', author: alice.id });
    const keep = await pb.collection('posts').create({ title: 'keep me', author: alice.id });
    const marker = await pb.collection('posts').create({ title: 'keep marker' });
    await kept.untilEvent('create', marker.id);

    assert.deepEqual(summary(kept.events), ['create:keep me', 'create:keep marker']);
    assert.equal(kept.events[0].record.id, keep.id);
    assert.equal(kept.events[0].record.expand?.author?.name, 'Alice');
    assert.equal(kept.events[1].record.expand, undefined); // no author to expand
  });

  test('the list and view rules hide records from a user who may not see them', async () => {
    const password = 'user password 123';
    const bobRecord = await pb.collection('users').create({
      email: 'bob@example.com',
      password,
      passwordConfirm: password,
    });
    const carolRecord = await pb.collection('users').create({
      email: 'carol@example.com',
      password,
      passwordConfirm: password,
    });
    const bob = await signedIn('users', 'bob@example.com', password);
    const bobsFirst = await pb.collection('secrets').create({ title: 'bob 1', owner: bobRecord.id });
    const carols = await pb.collection('secrets').create({ title: 'carol 1', owner: carolRecord.id });

    const list = recorder();
    const view = recorder();
    await bob.collection('secrets').subscribe('*', list.callback);
    await bob.collection('secrets').subscribe(carols.id, view.callback);

    await pb.collection('secrets').update(carols.id, { title: 'carol 2' });
    await pb.collection('secrets').create({ title: 'carol 3', owner: carolRecord.id });
    await pb.collection('secrets').update(bobsFirst.id, { title: 'bob 2' });
    await list.untilEvent('update', bobsFirst.id);

    assert.deepEqual(summary(list.events), ['update:bob 2']);
    assert.deepEqual(view.events, []);
  });

  test('a rule that needs a join is checked in SQL, for a deleted record too', async () => {
    // `owner.email` walks a relation: the in-memory evaluator cannot answer it.
    await pb.collections.create({
      name: 'joined',
      type: 'base',
      listRule: 'owner.email = @request.auth.email',
      viewRule: 'owner.email = @request.auth.email',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
      ],
    });
    const password = 'dave password 123';
    const daveRecord = await pb.collection('users').create({
      email: 'dave@example.com',
      password,
      passwordConfirm: password,
    });
    const erinRecord = await pb.collection('users').create({
      email: 'erin@example.com',
      password,
      passwordConfirm: password,
    });
    const dave = await signedIn('users', 'dave@example.com', password);
    const events = recorder();
    await dave.collection('joined').subscribe('*', events.callback);
    await pb.collection('joined').create({ title: 'erin 1', owner: erinRecord.id });
    const mine = await pb.collection('joined').create({ title: 'dave 1', owner: daveRecord.id });
    await pb.collection('joined').delete(mine.id);
    const marker = await pb.collection('joined').create({ title: 'dave 2', owner: daveRecord.id });
    await events.untilEvent('create', marker.id);
    assert.deepEqual(summary(events.events), ['create:dave 1', 'delete:dave 1', 'create:dave 2']);
  });

  test("a client's auth follows its record; a rule change applies at once", async () => {
    const password = 'frank password 123';
    const frankRecord = await pb.collection('users').create({
      email: 'frank@example.com',
      password,
      passwordConfirm: password,
    });
    const frank = await signedIn('users', 'frank@example.com', password);
    const secrets = recorder();
    const posts = recorder();
    await frank.collection('secrets').subscribe('*', secrets.callback);
    await frank.collection('posts').subscribe('*', posts.callback);
    const first = await pb.collection('secrets').create({ title: 'frank 1', owner: frankRecord.id });
    await secrets.untilEvent('create', first.id);

    // A new password rotates the tokenKey: the stored auth is dropped, frank is a guest now.
    const changed = 'frank changed 456';
    await pb.collection('users').update(frankRecord.id, { password: changed, passwordConfirm: changed });
    await pb.collection('secrets').create({ title: 'frank 2', owner: frankRecord.id });
    const marker = await pb.collection('posts').create({ title: 'auth marker' });
    await posts.untilEvent('create', marker.id);
    assert.deepEqual(summary(secrets.events), ['create:frank 1']);

    // The rules are read at delivery: opening the list rule reaches the guest at once.
    await pb.collections.update('secrets', { listRule: '' });
    const opened = await pb.collection('secrets').create({ title: 'open 1' });
    await secrets.untilEvent('create', opened.id);
    assert.deepEqual(summary(secrets.events), ['create:frank 1', 'create:open 1']);
    await pb.collections.update('secrets', { listRule: owner });
  });

  test('unsubscribing stops delivery', async () => {
    const client = guest();
    const dropped = recorder();
    const kept = recorder();
    const unsubscribe = await client.collection('posts').subscribe('*', dropped.callback);
    await client.collection('posts').subscribe('*', kept.callback, { filter: 'title ~ "u"' });
    const before = await pb.collection('posts').create({ title: 'u before' });
    await dropped.untilEvent('create', before.id);
    await kept.untilEvent('create', before.id);

    await unsubscribe();
    const afterwards = await pb.collection('posts').create({ title: 'u after' });
    await kept.untilEvent('create', afterwards.id);
    assert.deepEqual(summary(dropped.events), ['create:u before']);
    assert.deepEqual(summary(kept.events), ['create:u before', 'create:u after']);
  });
});

describe('realtime streams the server closes', () => {
  let server;
  let pb;
  let client;

  before(async () => {
    server = await startServer({ superuser, args: ['--realtime-max-lifetime', '1s'] });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({ name: 'posts', type: 'base', ...open, fields: [{ name: 'title', type: 'text' }] });
  });
  after(async () => {
    await client?.realtime.unsubscribe().catch(() => {});
    await server?.stop();
  });

  test('the SDK reconnects, subscribes again and keeps receiving', async () => {
    client = new PocketBase(server.url);
    const posts = recorder();
    const connects = recorder();
    await client.realtime.subscribe('PB_CONNECT', connects.callback);
    await client.collection('posts').subscribe('*', posts.callback);
    const clientIds = () => new Set(connects.events.map((e) => e.clientId));

    // Each new PB_CONNECT comes after the SDK re-sent its subscriptions: a record created then
    // reaches the new stream unless that one is closed first, so create one per connection
    // until an event arrives on a reopened stream.
    let seenConnects = 0;
    let received = null;
    while (!received) {
      await connects.until((events) => events.length > seenConnects);
      seenConnects = connects.events.length;
      if (seenConnects < 2) continue;
      const record = await pb.collection('posts').create({ title: `after reconnect ${seenConnects}` });
      received = await Promise.race([
        posts.untilEvent('create', record.id).then(() => record),
        connects.until((events) => events.length > seenConnects).then(() => null),
      ]);
    }
    assert.ok(clientIds().size >= 2, 'a new client id after the server closed the stream');
    assert.ok(posts.events.some((e) => e.record.id === received.id));
  });
});
