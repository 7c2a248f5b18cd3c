// The auth path of issue M1.7 through the official SDK: auth records are cached per worker
// thread, and every change that must sign someone out does so on the very next request — a
// password change, a deleted user, an authRule that now refuses a user (others stay signed in,
// the collection secret is kept), an explicit new collection secret (everyone is signed out).
// The server runs two worker threads and each client warms its token on several connections
// first, so both workers hold the record when the change happens.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const owner = 'author = @request.auth.id';
const AUTH_RULE_REFUSED = "The request doesn't satisfy the collection requirements to authenticate.";

describe('auth record cache', () => {
  let server;
  let pb; // superuser
  let users;

  // A user of `users` with one owner-only note, signed in on its own client.
  async function signUp(name, extra = {}) {
    const email = `${name}@example.com`;
    const password = `${name} password 123`;
    const record = await pb.collection('users').create({ email, password, passwordConfirm: password, ...extra });
    const client = new PocketBase(server.url);
    await client.collection('users').authWithPassword(email, password);
    const note = await pb.collection('notes').create({ body: `${name}'s note`, author: record.id });
    return { record, client, email, password, note };
  }

  // Authenticated reads on many connections at once: spread over both workers, each caches.
  async function warm(user) {
    const reads = Array.from({ length: 16 }, () => user.client.collection('notes').getOne(user.note.id, { requestKey: null }));
    for (const note of await Promise.all(reads)) assert.equal(note.id, user.note.id);
  }

  // The owner reads its note (200) or, as a guest, gets 404.
  const readsOwnNote = (user) => user.client.collection('notes').getOne(user.note.id);

  before(async () => {
    server = await startServer({ superuser, args: ['--threads', '2'] });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({
      name: 'notes',
      type: 'base',
      listRule: owner,
      viewRule: owner,
      fields: [
        { name: 'body', type: 'text' },
        { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, cascadeDelete: true },
      ],
    });
    users = pb.collection('users');
  });
  after(async () => {
    await server?.stop();
  });

  test('a password change refuses the old token on the next request', async () => {
    const ann = await signUp('ann');
    await warm(ann);
    const next = 'ann brand new password';
    await users.update(ann.record.id, { password: next, passwordConfirm: next });
    await rejectsWith(readsOwnNote(ann), 404);
    await rejectsWith(ann.client.collection('users').authRefresh(), 401);
    const fresh = new PocketBase(server.url);
    await fresh.collection('users').authWithPassword(ann.email, next);
    assert.equal((await fresh.collection('notes').getOne(ann.note.id)).id, ann.note.id);
  });

  test('a password change by the user itself refuses its other sessions', async () => {
    const ben = await signUp('ben');
    const other = new PocketBase(server.url);
    await other.collection('users').authWithPassword(ben.email, ben.password);
    await warm(ben);
    await warm({ ...ben, client: other });
    const next = 'ben brand new password';
    await ben.client
      .collection('users')
      .update(ben.record.id, { password: next, passwordConfirm: next, oldPassword: ben.password });
    await rejectsWith(other.collection('notes').getOne(ben.note.id), 404);
    await rejectsWith(other.collection('users').authRefresh(), 401);
  });

  test('a deleted user is refused on the next request', async () => {
    const cal = await signUp('cal');
    await warm(cal);
    const token = cal.client.authStore.token;
    await users.delete(cal.record.id);
    await rejectsWith(cal.client.collection('users').authRefresh(), 401);
    // Its token names a record that is gone: a guest everywhere, on every worker.
    const list = await Promise.all(
      Array.from({ length: 8 }, () => {
        const client = new PocketBase(server.url);
        client.authStore.save(token, cal.record);
        return client.collection('users').getList(1, 10, { requestKey: null });
      }),
    );
    for (const page of list) assert.equal(page.totalItems, 0);
  });

  test('an authRule change refuses the users it excludes on their next request; others stay signed in', async () => {
    const dee = await signUp('dee', { verified: true });
    const eve = await signUp('eve', { verified: false });
    await warm(dee);
    await warm(eve);
    const deeToken = dee.client.authStore.token;
    try {
      await pb.collections.update('users', { authRule: 'verified = true' });
      // Eve is a guest now: her note is not found, and a refresh says why.
      await rejectsWith(readsOwnNote(eve), 404);
      await rejectsWith(eve.client.collection('users').authRefresh(), 403, (body) => {
        assert.equal(body.message, AUTH_RULE_REFUSED);
      });
      // Dee keeps her session: the same token still works (the secret was not rotated).
      assert.equal((await readsOwnNote(dee)).id, dee.note.id);
      assert.equal(dee.client.authStore.token, deeToken);
      assert.equal((await dee.client.collection('users').authRefresh()).record.id, dee.record.id);
      // A change of Eve's record is checked against the rule again: verified, she is back.
      await users.update(eve.record.id, { verified: true });
      assert.equal((await readsOwnNote(eve)).id, eve.note.id);
      // And a change that the rule refuses signs Dee out on her next request.
      await users.update(dee.record.id, { verified: false });
      await rejectsWith(readsOwnNote(dee), 404);
    } finally {
      await pb.collections.update('users', { authRule: '' });
    }
  });

  test('an explicit new collection secret signs everyone of that collection out', async () => {
    const fay = await signUp('fay');
    const gus = await signUp('gus');
    await warm(fay);
    await warm(gus);
    const before = await pb.collections.getOne('users');
    const secret = 'x'.repeat(50);
    await pb.collections.update('users', { authToken: { ...before.authToken, secret } });
    for (const user of [fay, gus]) {
      await rejectsWith(readsOwnNote(user), 404);
      await rejectsWith(user.client.collection('users').authRefresh(), 401);
    }
    // Other collections' sessions are untouched; new sign-ins work.
    assert.equal((await pb.collection('_superusers').authRefresh()).record.email, superuser.email);
    const fresh = new PocketBase(server.url);
    await fresh.collection('users').authWithPassword(fay.email, fay.password);
    assert.equal((await fresh.collection('notes').getOne(fay.note.id)).id, fay.note.id);
  });
});
