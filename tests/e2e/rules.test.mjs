// Collection rules as a client meets them through the official SDK (owner-only records, public
// read with signed-in write, locked collections), and auth-collection records: email
// visibility, password changes and the verified flag.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const locked = { listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };
const SUPERUSERS_ONLY = 'Only superusers can perform this action.';
const NOT_FOUND = { status: 404, message: "The requested resource wasn't found.", data: {} };
const CREATE_RULE_UNMET = { status: 400, message: 'Failed to create record.', data: {} };

const ids = (records) => records.map((r) => r.id);

describe('record rules', () => {
  let server;
  let pb; // superuser
  let guest;
  const users = {}; // name -> { record, client, email, password }

  // Signs up through the public create rule of `collection`, then signs in a fresh client.
  async function signUp(collection, name, extra = {}) {
    const email = `${name}@example.com`;
    const password = `${name} password 123`;
    const record = await guest.collection(collection).create({ email, password, passwordConfirm: password, ...extra });
    const client = new PocketBase(server.url);
    await client.collection(collection).authWithPassword(email, password);
    return { record, client, email, password };
  }

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    users.alice = await signUp('users', 'alice', { name: 'Alice' });
    users.bob = await signUp('users', 'bob', { name: 'Bob' });
  });
  after(async () => {
    await server?.stop();
  });

  describe('owner-only records', () => {
    const owner = 'author = @request.auth.id';
    const notes = {};
    before(async () => {
      const collection = await pb.collections.create({
        name: 'notes',
        type: 'base',
        listRule: owner,
        viewRule: owner,
        createRule: owner,
        updateRule: owner,
        deleteRule: owner,
        fields: [
          { name: 'body', type: 'text' },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1, required: true },
        ],
      });
      await pb.collections.create({
        name: 'bookmarks',
        type: 'base',
        ...open,
        fields: [{ name: 'note', type: 'relation', collectionId: collection.id, maxSelect: 1 }],
      });
      notes.alice = await users.alice.client.collection('notes').create({ body: 'alice 1', author: users.alice.record.id });
      notes.alice2 = await users.alice.client.collection('notes').create({ body: 'alice 2', author: users.alice.record.id });
      notes.bob = await users.bob.client.collection('notes').create({ body: 'bob 1', author: users.bob.record.id });
    });

    test('a list holds only the caller own records; a guest sees an empty list', async () => {
      const alice = await users.alice.client.collection('notes').getList(1, 10, { sort: 'body' });
      assert.deepEqual(ids(alice.items), ids([notes.alice, notes.alice2]));
      assert.equal(alice.totalItems, 2);
      const bob = await users.bob.client.collection('notes').getFullList();
      assert.deepEqual(ids(bob), ids([notes.bob]));
      const none = await guest.collection('notes').getList();
      assert.deepEqual({ items: none.items, totalItems: none.totalItems }, { items: [], totalItems: 0 });
      assert.equal((await pb.collection('notes').getList()).totalItems, 3);
    });

    test('another user record is a 404 by id and absent by filter', async () => {
      await rejectsWith(users.bob.client.collection('notes').getOne(notes.alice.id), 404, (body) => {
        assert.deepEqual(body, NOT_FOUND);
      });
      await rejectsWith(guest.collection('notes').getOne(notes.alice.id), 404);
      const filtered = await users.bob.client.collection('notes').getList(1, 10, { filter: `id = "${notes.alice.id}"` });
      assert.deepEqual({ items: filtered.items, totalItems: filtered.totalItems }, { items: [], totalItems: 0 });
      assert.equal((await users.alice.client.collection('notes').getOne(notes.alice.id)).body, 'alice 1');
    });

    test('another user record is absent from expand', async () => {
      const bookmark = await pb.collection('bookmarks').create({ note: notes.alice.id });
      const asBob = await users.bob.client.collection('bookmarks').getOne(bookmark.id, { expand: 'note' });
      assert.equal(asBob.note, notes.alice.id);
      assert.equal(asBob.expand?.note, undefined);
      const asGuest = await guest.collection('bookmarks').getOne(bookmark.id, { expand: 'note' });
      assert.equal(asGuest.expand?.note, undefined);
      const asAlice = await users.alice.client.collection('bookmarks').getOne(bookmark.id, { expand: 'note' });
      assert.equal(asAlice.expand.note.id, notes.alice.id);
    });

    test('another user record is absent from a back-relation expand', async () => {
      const topics = await pb.collections.create({ name: 'topics', type: 'base', ...open, fields: [{ name: 'title', type: 'text' }] });
      await pb.collections.create({
        name: 'replies',
        type: 'base',
        ...open,
        listRule: owner,
        viewRule: owner,
        fields: [
          { name: 'topic', type: 'relation', collectionId: topics.id, maxSelect: 1 },
          { name: 'author', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      const topic = await pb.collection('topics').create({ title: 'shared' });
      const byAlice = await pb.collection('replies').create({ topic: topic.id, author: users.alice.record.id });
      const byBob = await pb.collection('replies').create({ topic: topic.id, author: users.bob.record.id });

      const expanded = async (client) =>
        (await client.collection('topics').getOne(topic.id, { expand: 'replies_via_topic' })).expand?.replies_via_topic;
      assert.deepEqual(ids(await expanded(users.alice.client)), [byAlice.id]);
      assert.deepEqual(ids(await expanded(users.bob.client)), [byBob.id]);
      assert.equal(await expanded(guest), undefined);
      assert.deepEqual(ids(await expanded(pb)).sort(), [byAlice.id, byBob.id].sort());
    });

    test('an unmet update or delete rule is a 404 and changes nothing', async () => {
      await rejectsWith(users.bob.client.collection('notes').update(notes.alice.id, { body: 'hijacked' }), 404, (body) => {
        assert.deepEqual(body, NOT_FOUND);
      });
      await rejectsWith(users.bob.client.collection('notes').delete(notes.alice.id), 404, (body) => {
        assert.deepEqual(body, NOT_FOUND);
      });
      await rejectsWith(guest.collection('notes').update(notes.alice.id, { body: 'hijacked' }), 404);
      await rejectsWith(guest.collection('notes').delete(notes.alice.id), 404);
      assert.deepEqual(await pb.collection('notes').getOne(notes.alice.id), notes.alice);
    });

    test('an unmet create rule is a 400 and stores nothing', async () => {
      const before = (await pb.collection('notes').getList()).totalItems;
      await rejectsWith(
        users.bob.client.collection('notes').create({ body: 'forged', author: users.alice.record.id }),
        400,
        (body) => assert.deepEqual(body, CREATE_RULE_UNMET),
      );
      await rejectsWith(
        guest.collection('notes').create({ body: 'anonymous', author: users.alice.record.id }),
        400,
        (body) => assert.deepEqual(body, CREATE_RULE_UNMET),
      );
      assert.equal((await pb.collection('notes').getList()).totalItems, before);
    });

    test('a caller failing the create rule learns nothing about the data (no field errors)', async () => {
      await pb.collections.create({
        name: 'handles',
        type: 'base',
        listRule: null,
        viewRule: null,
        createRule: "@request.auth.id != ''",
        fields: [{ name: 'handle', type: 'text', required: true }],
        indexes: ['CREATE UNIQUE INDEX `idx_handles_handle` ON `handles` (`handle`)'],
      });
      await pb.collection('handles').create({ handle: 'secret-handle' });
      await rejectsWith(guest.collection('handles').create({ handle: 'secret-handle' }), 400, (body) => {
        assert.deepEqual(body, CREATE_RULE_UNMET);
      });
      await rejectsWith(guest.collection('handles').create({}), 400, (body) => {
        assert.deepEqual(body, CREATE_RULE_UNMET);
      });
      assert.equal((await pb.collection('handles').getList()).totalItems, 1);
    });

    test('the owner updates and deletes their own record', async () => {
      const notesOfAlice = users.alice.client.collection('notes');
      const draft = await notesOfAlice.create({ body: 'draft', author: users.alice.record.id });
      assert.equal((await notesOfAlice.update(draft.id, { body: 'final' })).body, 'final');
      assert.equal(await notesOfAlice.delete(draft.id), true);
      await rejectsWith(pb.collection('notes').getOne(draft.id), 404);
    });

    test('the update rule checks the stored row, so an owner can hand a record over', async () => {
      // PocketBase checks updateRule against the stored row only (spec 2.6).
      const gift = await users.alice.client
        .collection('notes')
        .create({ body: 'gift', author: users.alice.record.id });
      const given = await users.alice.client.collection('notes').update(gift.id, { author: users.bob.record.id });
      assert.equal(given.author, users.bob.record.id);
      await rejectsWith(users.alice.client.collection('notes').getOne(gift.id), 404);
      assert.equal((await users.bob.client.collection('notes').getOne(gift.id)).body, 'gift');
    });

    test('@request and @collection in a client filter or sort are superuser-only (403)', async () => {
      const notesOfAlice = users.alice.client.collection('notes');
      await rejectsWith(notesOfAlice.getList(1, 10, { filter: 'author = @request.auth.id' }), 403);
      await rejectsWith(notesOfAlice.getList(1, 10, { filter: "@collection.notes.body = 'x'" }), 403);
      await rejectsWith(notesOfAlice.getList(1, 10, { sort: '@request.auth.id' }), 403);
      const bySuperuser = await pb.collection('notes').getList(1, 10, { filter: "@request.auth.id != ''" });
      assert.equal(bySuperuser.totalItems, (await pb.collection('notes').getList()).totalItems);
    });
  });

  describe('public read, signed-in write', () => {
    const signedIn = "@request.auth.id != ''";
    before(async () => {
      await pb.collections.create({
        name: 'articles',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: signedIn,
        updateRule: signedIn,
        deleteRule: signedIn,
        fields: [{ name: 'title', type: 'text' }],
      });
    });

    test('a signed-in user writes; a guest reads', async () => {
      const article = await users.alice.client.collection('articles').create({ title: 'Public' });
      assert.deepEqual(await guest.collection('articles').getOne(article.id), article);
      assert.deepEqual(ids(await guest.collection('articles').getFullList()), [article.id]);
      const edited = await users.bob.client.collection('articles').update(article.id, { title: 'Edited' });
      assert.equal(edited.title, 'Edited');
    });

    test('a guest write fails: create 400, update and delete 404', async () => {
      const article = await users.alice.client.collection('articles').create({ title: 'Guarded' });
      await rejectsWith(guest.collection('articles').create({ title: 'Anonymous' }), 400, (body) => {
        assert.deepEqual(body, CREATE_RULE_UNMET);
      });
      await rejectsWith(guest.collection('articles').update(article.id, { title: 'Defaced' }), 404);
      await rejectsWith(guest.collection('articles').delete(article.id), 404);
      const titles = (await guest.collection('articles').getFullList()).map((r) => r.title);
      assert.ok(!titles.includes('Anonymous'));
      assert.equal((await guest.collection('articles').getOne(article.id)).title, 'Guarded');
    });

    test('a superuser bypasses the rules', async () => {
      const article = await pb.collection('articles').create({ title: 'By superuser' });
      assert.equal(article.title, 'By superuser');
      assert.equal(await pb.collection('articles').delete(article.id), true);
    });
  });

  describe('locked collection (null rules)', () => {
    let secret;
    before(async () => {
      const vault = await pb.collections.create({ name: 'vault', type: 'base', ...locked, fields: [{ name: 'code', type: 'text' }] });
      secret = await pb.collection('vault').create({ code: '1234' });
      await pb.collections.create({
        name: 'vault_refs',
        type: 'base',
        ...open,
        fields: [{ name: 'secret', type: 'relation', collectionId: vault.id, maxSelect: 1 }],
      });
    });

    test('users and guests get 403 for every operation', async () => {
      for (const client of [users.alice.client, guest]) {
        const vault = client.collection('vault');
        const superusersOnly = (body) => assert.equal(body.message, SUPERUSERS_ONLY);
        await rejectsWith(vault.getList(), 403, superusersOnly);
        await rejectsWith(vault.getOne(secret.id), 403, superusersOnly);
        await rejectsWith(vault.create({ code: 'x' }), 403, superusersOnly);
        await rejectsWith(vault.update(secret.id, { code: 'x' }), 403, superusersOnly);
        await rejectsWith(vault.delete(secret.id), 403, superusersOnly);
      }
      assert.deepEqual(await pb.collection('vault').getFullList(), [secret]);
    });

    test('a superuser lists, views, creates, updates and deletes', async () => {
      const vault = pb.collection('vault');
      const created = await vault.create({ code: '5678' });
      assert.equal((await vault.getOne(created.id)).code, '5678');
      assert.equal((await vault.update(created.id, { code: '9999' })).code, '9999');
      assert.equal((await vault.getList()).totalItems, 2);
      assert.equal(await vault.delete(created.id), true);
      assert.deepEqual(ids(await vault.getFullList()), [secret.id]);
    });

    test('a client filter or sort through a relation into a locked collection is a 400', async () => {
      const ref = await pb.collection('vault_refs').create({ secret: secret.id });
      await rejectsWith(users.alice.client.collection('vault_refs').getList(1, 10, { filter: "secret.code = '1234'" }), 400);
      await rejectsWith(guest.collection('vault_refs').getList(1, 10, { sort: 'secret.code' }), 400);
      const bySuperuser = await pb.collection('vault_refs').getFullList({ filter: "secret.code = '1234'" });
      assert.ok(ids(bySuperuser).includes(ref.id));
    });

    test('a locked collection is never expanded for a user', async () => {
      const ref = await pb.collection('vault_refs').create({ secret: secret.id });
      const asAlice = await users.alice.client.collection('vault_refs').getOne(ref.id, { expand: 'secret' });
      assert.equal(asAlice.expand?.secret, undefined);
      const asSuperuser = await pb.collection('vault_refs').getOne(ref.id, { expand: 'secret' });
      assert.deepEqual(asSuperuser.expand.secret, secret);
    });
  });

  describe('users collection defaults', () => {
    test('a user lists and views only themselves', async () => {
      const listed = await users.bob.client.collection('users').getFullList();
      assert.deepEqual(ids(listed), [users.bob.record.id]);
      assert.equal(listed[0].email, users.bob.email);
      await rejectsWith(users.bob.client.collection('users').getOne(users.alice.record.id), 404);
      await rejectsWith(guest.collection('users').getOne(users.alice.record.id), 404);
    });

    test('a user cannot update or delete another user (404)', async () => {
      const target = users.alice.record.id;
      await rejectsWith(users.bob.client.collection('users').update(target, { name: 'Mallory' }), 404);
      await rejectsWith(users.bob.client.collection('users').delete(target), 404);
      assert.equal((await pb.collection('users').getOne(target)).name, 'Alice');
    });

    test('password, tokenKey and passwordConfirm never leave the server', async () => {
      for (const record of [
        users.alice.record,
        await users.alice.client.collection('users').getOne(users.alice.record.id),
        await pb.collection('users').getOne(users.alice.record.id),
        users.alice.client.authStore.record,
      ]) {
        assert.equal(record.password, undefined);
        assert.equal(record.passwordConfirm, undefined);
        assert.equal(record.tokenKey, undefined);
      }
    });
  });

  describe('auth collection records', () => {
    const members = {};
    before(async () => {
      await pb.collections.create({
        name: 'members',
        type: 'auth',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: 'id = @request.auth.id',
        deleteRule: 'id = @request.auth.id',
        fields: [{ name: 'name', type: 'text' }],
      });
      members.carol = await signUp('members', 'carol', { name: 'Carol' });
      members.dave = await signUp('members', 'dave', { name: 'Dave', emailVisibility: true });
      await pb.collections.create({
        name: 'member_posts',
        type: 'base',
        ...open,
        fields: [{ name: 'author', type: 'relation', collectionId: members.carol.record.collectionId, maxSelect: 1 }],
      });
      members.byCarol = await pb.collection('member_posts').create({ author: members.carol.record.id });
      members.byDave = await pb.collection('member_posts').create({ author: members.dave.record.id });
    });

    test('email is hidden from others unless emailVisibility is on', async () => {
      const { carol, dave } = members;
      const carolAsDave = await dave.client.collection('members').getOne(carol.record.id);
      assert.equal(carolAsDave.name, 'Carol');
      assert.equal(carolAsDave.emailVisibility, false);
      assert.equal(carolAsDave.email, undefined);
      assert.equal((await guest.collection('members').getOne(carol.record.id)).email, undefined);

      assert.equal((await carol.client.collection('members').getOne(dave.record.id)).email, dave.email);
      assert.equal((await guest.collection('members').getOne(dave.record.id)).email, dave.email);

      const listed = await guest.collection('members').getFullList({ sort: 'name' });
      assert.deepEqual(
        listed.map((r) => [r.name, r.email]),
        [
          ['Carol', undefined],
          ['Dave', dave.email],
        ],
      );
    });

    test('an owner turning emailVisibility on shows the email to others', async () => {
      const kim = await signUp('members', 'kim');
      assert.equal((await guest.collection('members').getOne(kim.record.id)).email, undefined);
      const updated = await kim.client.collection('members').update(kim.record.id, { emailVisibility: true });
      assert.equal(updated.emailVisibility, true);
      assert.equal((await guest.collection('members').getOne(kim.record.id)).email, kim.email);
    });

    test('a client filter on email only matches records whose email is visible', async () => {
      const { carol, dave } = members;
      const matches = async (client, collection, filter) =>
        (await client.collection(collection).getFullList({ filter, sort: 'id' })).map((r) => r.id);
      assert.deepEqual(await matches(guest, 'members', `email = "${carol.email}"`), []);
      assert.deepEqual(await matches(guest, 'members', 'email ~ "carol"'), []);
      assert.deepEqual(await matches(dave.client, 'members', `email = "${carol.email}"`), []);
      assert.deepEqual(await matches(guest, 'members', `email = "${dave.email}"`), [dave.record.id]);
      assert.deepEqual(await matches(pb, 'members', `email = "${carol.email}"`), [carol.record.id]);
      assert.deepEqual(await matches(guest, 'member_posts', `author.email = "${carol.email}"`), []);
      assert.deepEqual(await matches(guest, 'member_posts', `author.email = "${dave.email}"`), [members.byDave.id]);
    });

    test('email is visible to its owner and to superusers', async () => {
      const { carol } = members;
      assert.equal((await carol.client.collection('members').getOne(carol.record.id)).email, carol.email);
      assert.equal((await pb.collection('members').getOne(carol.record.id)).email, carol.email);
      const listedBySuperuser = await pb.collection('members').getFullList({ filter: `id = "${carol.record.id}"` });
      assert.equal(listedBySuperuser[0].email, carol.email);
      assert.equal(carol.client.authStore.record.email, carol.email);
    });

    test('expanded auth records follow the same email rules', async () => {
      const { carol, dave, byCarol, byDave } = members;
      const authorOf = async (client, post) =>
        (await client.collection('member_posts').getOne(post.id, { expand: 'author' })).expand.author;

      assert.equal((await authorOf(dave.client, byCarol)).name, 'Carol');
      assert.equal((await authorOf(dave.client, byCarol)).email, undefined);
      assert.equal((await authorOf(guest, byCarol)).email, undefined);
      assert.equal((await authorOf(carol.client, byCarol)).email, carol.email);
      assert.equal((await authorOf(pb, byCarol)).email, carol.email);
      assert.equal((await authorOf(guest, byDave)).email, dave.email);
    });

    test('a password change needs the right oldPassword', async () => {
      const erin = await signUp('members', 'erin');
      const change = (body) => erin.client.collection('members').update(erin.record.id, body);
      const next = 'erin brand new password';

      await rejectsWith(change({ password: next, passwordConfirm: next, oldPassword: 'not my password' }), 400, (body) => {
        assert.equal(body.message, 'Failed to update record.');
        assert.equal(body.data.oldPassword.code, 'validation_invalid_old_password');
      });
      await rejectsWith(change({ password: next, passwordConfirm: next }), 400, (body) => {
        assert.ok(body.data.oldPassword, JSON.stringify(body));
      });
      await rejectsWith(change({ password: next, passwordConfirm: 'something else', oldPassword: erin.password }), 400, (body) => {
        assert.ok(body.data.passwordConfirm, JSON.stringify(body));
      });
      // Every refused change left the old password and the session working.
      await erin.client.collection('members').authRefresh();
      await new PocketBase(server.url).collection('members').authWithPassword(erin.email, erin.password);
    });

    test('a password change signs out old tokens; the new password signs in', async () => {
      const frank = await signUp('members', 'frank');
      const otherSession = new PocketBase(server.url);
      await otherSession.collection('members').authWithPassword(frank.email, frank.password);
      const next = 'frank brand new password';

      const updated = await frank.client
        .collection('members')
        .update(frank.record.id, { password: next, passwordConfirm: next, oldPassword: frank.password });
      assert.equal(updated.id, frank.record.id);
      assert.equal(updated.password, undefined);

      await rejectsWith(frank.client.collection('members').authRefresh(), 401);
      await rejectsWith(otherSession.collection('members').authRefresh(), 401);
      await rejectsWith(
        new PocketBase(server.url).collection('members').authWithPassword(frank.email, frank.password),
        400,
      );
      const fresh = new PocketBase(server.url);
      const auth = await fresh.collection('members').authWithPassword(frank.email, next);
      assert.equal(auth.record.id, frank.record.id);
      assert.equal((await fresh.collection('members').authRefresh()).record.id, frank.record.id);
    });

    test('a superuser changes a password without oldPassword', async () => {
      const gina = await signUp('members', 'gina');
      const next = 'gina reset by admin';
      await pb.collection('members').update(gina.record.id, { password: next, passwordConfirm: next });
      await rejectsWith(gina.client.collection('members').authRefresh(), 401);
      await new PocketBase(server.url).collection('members').authWithPassword(gina.email, next);
    });

    test('an email change by a superuser signs out old tokens too', async () => {
      const lee = await signUp('members', 'lee');
      const moved = await pb.collection('members').update(lee.record.id, { email: 'lee.moved@example.com' });
      assert.equal(moved.email, 'lee.moved@example.com');
      await rejectsWith(lee.client.collection('members').authRefresh(), 401);
      await new PocketBase(server.url).collection('members').authWithPassword('lee.moved@example.com', lee.password);
    });

    test(
      'an auth record id cannot repeat in another auth collection',
      {},
      async () => {
        const password = 'twin password 1';
        const twin = (id, email) => guest.collection('members').create({ id, email, password, passwordConfirm: password });
        const invalidAuthId = (body) => {
          assert.equal(body.message, 'Failed to create record.');
          assert.equal(body.data.id?.code, 'validation_invalid_auth_id', JSON.stringify(body));
        };
        await rejectsWith(twin(users.alice.record.id, 'twin.alice@example.com'), 400, invalidAuthId);
        await rejectsWith(twin(pb.authStore.record.id, 'twin.admin@example.com'), 400, invalidAuthId);
        const stored = await pb.collection('members').getFullList({ filter: "email ~ 'twin.'" });
        assert.deepEqual(stored, []);
      },
    );

    test('verified cannot be set by a normal user, only by a superuser', async () => {
      const email = 'sneaky@example.com';
      const password = 'sneaky password 1';
      await rejectsWith(
        guest.collection('members').create({ email, password, passwordConfirm: password, verified: true }),
        400,
        (body) => {
          assert.equal(body.message, 'Failed to create record.');
          assert.ok(body.data.verified, JSON.stringify(body));
        },
      );
      assert.deepEqual(await pb.collection('members').getFullList({ filter: `email = "${email}"` }), []);

      const { carol } = members;
      await rejectsWith(carol.client.collection('members').update(carol.record.id, { verified: true }), 400, (body) => {
        assert.equal(body.message, 'Failed to update record.');
        assert.ok(body.data.verified, JSON.stringify(body));
      });
      assert.equal((await pb.collection('members').getOne(carol.record.id)).verified, false);

      const verified = await pb.collection('members').update(carol.record.id, { verified: true });
      assert.equal(verified.verified, true);
      assert.equal((await carol.client.collection('members').getOne(carol.record.id)).verified, true);
    });

    test('a user cannot change their email directly', async () => {
      const { dave } = members;
      await rejectsWith(
        dave.client.collection('members').update(dave.record.id, { email: 'dave.new@example.com' }),
        400,
        (body) => assert.ok(body.data.email, JSON.stringify(body)),
      );
      assert.equal((await pb.collection('members').getOne(dave.record.id)).email, dave.email);
    });

    test('a user deletes their own account and its token stops working', async () => {
      const hank = await signUp('members', 'hank');
      await rejectsWith(members.carol.client.collection('members').delete(hank.record.id), 404);
      const token = hank.client.authStore.token;
      assert.equal(await hank.client.collection('members').delete(hank.record.id), true);
      const stale = new PocketBase(server.url);
      stale.authStore.save(token, hank.record);
      await rejectsWith(stale.collection('members').authRefresh(), 401);
      await rejectsWith(pb.collection('members').getOne(hank.record.id), 404);
    });
  });

  describe('auth collection manageRule', () => {
    const crew = {};
    before(async () => {
      const manager = "@request.auth.role = 'manager'";
      await pb.collections.create({
        name: 'crew',
        type: 'auth',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: `id = @request.auth.id || ${manager}`,
        deleteRule: null,
        manageRule: manager,
        fields: [{ name: 'role', type: 'text' }],
      });
      const password = 'boss password 123';
      await pb.collection('crew').create({ email: 'boss@example.com', password, passwordConfirm: password, role: 'manager' });
      crew.boss = new PocketBase(server.url);
      await crew.boss.collection('crew').authWithPassword('boss@example.com', password);
      crew.ivy = await signUp('crew', 'ivy');
      crew.jay = await signUp('crew', 'jay');
    });

    test('a manager sees hidden emails; a peer does not', async () => {
      assert.equal((await crew.boss.collection('crew').getOne(crew.ivy.record.id)).email, crew.ivy.email);
      assert.equal((await crew.jay.client.collection('crew').getOne(crew.ivy.record.id)).email, undefined);
    });

    test('a manager sets verified, email and password without oldPassword', async () => {
      const next = 'ivy set by manager';
      const updated = await crew.boss
        .collection('crew')
        .update(crew.ivy.record.id, { verified: true, email: 'ivy.new@example.com', password: next, passwordConfirm: next });
      assert.equal(updated.verified, true);
      assert.equal(updated.email, 'ivy.new@example.com');
      await new PocketBase(server.url).collection('crew').authWithPassword('ivy.new@example.com', next);
      await rejectsWith(crew.ivy.client.collection('crew').authRefresh(), 401);
    });

    test('a peer passing the update rule for themselves still cannot self-verify', async () => {
      await rejectsWith(crew.jay.client.collection('crew').update(crew.jay.record.id, { verified: true }), 400, (body) => {
        assert.ok(body.data.verified, JSON.stringify(body));
      });
    });
  });

  describe('rules that read the request body and other collections', () => {
    const tickets = {};
    before(async () => {
      const owner = 'owner = @request.auth.id';
      await pb.collections.create({
        name: 'tickets',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: `${owner} && status = 'open'`,
        updateRule: `${owner} && @request.body.owner:isset = false && @request.body.status:changed = false`,
        deleteRule: null,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'status', type: 'select', values: ['open', 'closed'], maxSelect: 1 },
          { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        ],
      });
      tickets.alice = await pb.collection('tickets').create({ title: 'mine', status: 'open', owner: users.alice.record.id });
    });

    test('a create rule sees the submitted record', async () => {
      const mine = users.alice.client.collection('tickets');
      const ok = await mine.create({ title: 'new', status: 'open', owner: users.alice.record.id });
      assert.equal(ok.status, 'open');
      await rejectsWith(mine.create({ title: 'closed', status: 'closed', owner: users.alice.record.id }), 400, (body) => {
        assert.deepEqual(body, CREATE_RULE_UNMET);
      });
      await rejectsWith(mine.create({ title: 'no status', owner: users.alice.record.id }), 400);
      const titles = (await guest.collection('tickets').getFullList()).map((r) => r.title);
      assert.ok(!titles.includes('closed') && !titles.includes('no status'), JSON.stringify(titles));
    });

    test('an update rule sees @request.body with :isset and :changed', async () => {
      const mine = users.alice.client.collection('tickets');
      assert.equal((await mine.update(tickets.alice.id, { title: 'renamed' })).title, 'renamed');
      assert.equal((await mine.update(tickets.alice.id, { status: 'open' })).status, 'open');
      await rejectsWith(mine.update(tickets.alice.id, { status: 'closed' }), 404);
      await rejectsWith(mine.update(tickets.alice.id, { owner: users.alice.record.id }), 404);
      await rejectsWith(mine.update(tickets.alice.id, { owner: users.bob.record.id }), 404);
      const stored = await pb.collection('tickets').getOne(tickets.alice.id);
      assert.deepEqual([stored.title, stored.status, stored.owner], ['renamed', 'open', users.alice.record.id]);
    });

    test('a rule joins another collection with @collection', async () => {
      const grants = await pb.collections.create({
        name: 'grants',
        type: 'base',
        ...locked,
        fields: [
          { name: 'user', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
          { name: 'doc', type: 'text' },
        ],
      });
      assert.equal(grants.listRule, null);
      const shared = "@collection.grants.doc ?= id && @collection.grants.user ?= @request.auth.id";
      await pb.collections.create({
        name: 'docs',
        type: 'base',
        listRule: shared,
        viewRule: shared,
        fields: [{ name: 'body', type: 'text' }],
      });
      const one = await pb.collection('docs').create({ body: 'one' });
      const two = await pb.collection('docs').create({ body: 'two' });
      await pb.collection('grants').create({ user: users.alice.record.id, doc: one.id });
      await pb.collection('grants').create({ user: users.bob.record.id, doc: two.id });

      assert.deepEqual(ids(await users.alice.client.collection('docs').getFullList()), [one.id]);
      assert.deepEqual(ids(await users.bob.client.collection('docs').getFullList()), [two.id]);
      await rejectsWith(users.bob.client.collection('docs').getOne(one.id), 404);
      assert.deepEqual(await guest.collection('docs').getFullList(), []);
    });
  });
});
