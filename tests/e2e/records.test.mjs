// The records API through the official SDK: CRUD with field modifiers, paging, filter and sort,
// expand, cascading deletes, truncate, unique indexes and bodies the server must refuse.
// Access rules and auth-collection records are in rules.test.mjs.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { assertErrorBody, rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const REQUIRED_REFERENCE =
  'Failed to delete record. Make sure that the record is not part of a required relation reference.';

const ids = (records) => records.map((r) => r.id);
const sortedIds = (records) => ids(records).sort();

describe('records API', () => {
  let server;
  let pb; // superuser
  let guest;
  const collections = {};

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);

    const create = async (definition) => {
      collections[definition.name] = await pb.collections.create({ type: 'base', ...definition });
    };
    await create({ name: 'orgs', ...open, fields: [{ name: 'name', type: 'text' }] });
    await create({
      name: 'people',
      ...open,
      listRule: 'secret = false',
      viewRule: 'secret = false',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'secret', type: 'bool' },
        { name: 'org', type: 'relation', collectionId: collections.orgs.id, maxSelect: 1 },
      ],
    });
    await create({
      name: 'posts',
      ...open,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'views', type: 'number' },
        { name: 'tags', type: 'select', values: ['a', 'b', 'c', 'd', 'e'], maxSelect: 5 },
        { name: 'author', type: 'relation', collectionId: collections.people.id, maxSelect: 1 },
        { name: 'editors', type: 'relation', collectionId: collections.people.id, maxSelect: 5 },
        { name: 'created', type: 'autodate', onCreate: true, onUpdate: false },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
    });
    await create({
      name: 'comments',
      ...open,
      fields: [
        { name: 'body', type: 'text' },
        { name: 'post', type: 'relation', collectionId: collections.posts.id, maxSelect: 1, cascadeDelete: true },
      ],
    });
  });
  after(async () => {
    await server?.stop();
  });

  describe('create, read, update, delete', () => {
    test('new ids sort by creation time; another autogeneratePattern gives random ids', async () => {
      // docs/records.md "Record ids": the default pattern's ids start with the create's
      // millisecond (8 base-36 digits), so one batch's ids share a prefix that grows with time.
      const settings = await pb.settings.getAll();
      await pb.settings.update({ batch: { ...settings.batch, enabled: true, maxRequests: 50 } });
      let random;
      try {
        const first = await guest.collection('posts').create({ title: 'first' });
        const batch = pb.createBatch();
        for (let i = 0; i < 20; i++) batch.collection('posts').create({ title: `batched ${i}` });
        const batched = (await batch.send()).map((item) => item.body.id);
        const last = await guest.collection('posts').create({ title: 'last' });
        for (const id of [first.id, ...batched, last.id]) assert.match(id, /^[a-z0-9]{15}$/);
        // Prefixes only: two creates may share a millisecond, and then their suffixes are random.
        const prefix = (id) => id.slice(0, 8);
        for (const id of batched) {
          assert.ok(prefix(first.id) <= prefix(id) && prefix(id) <= prefix(last.id),
            `${first.id} <= ${id} <= ${last.id} (first 8 characters)`);
        }
        assert.equal(new Set(batched).size, batched.length);
        assert.ok(first.created <= last.created);

        // The same shape written differently is not the default: its ids are drawn at random.
        random = await pb.collections.create({
          name: 'random_ids',
          type: 'base',
          ...open,
          fields: [
            { name: 'id', type: 'text', primaryKey: true, required: true, min: 15, max: 15,
              pattern: '^[a-z0-9]+$', autogeneratePattern: '[0-9a-z]{15}' },
            { name: 'n', type: 'number' },
          ],
        });
        const randomBatch = pb.createBatch();
        for (let i = 0; i < 20; i++) randomBatch.collection(random.name).create({ n: i });
        const randomIds = (await randomBatch.send()).map((item) => item.body.id);
        for (const id of randomIds) assert.match(id, /^[a-z0-9]{15}$/);
        // Twenty ids of one instant: time-ordered ones share their first 7 characters.
        assert.ok(new Set(randomIds.map((id) => id.slice(0, 7))).size > 10);
      } finally {
        if (random) await pb.collections.delete(random.id);
        await pb.settings.update({ batch: settings.batch });
      }
    });

    test('create returns the stored record with its system fields; getOne reads it back', async () => {
      const created = await guest.collection('posts').create({ title: 'Hello', views: 2, tags: ['b', 'a'] });
      assert.match(created.id, /^[a-z0-9]{15}$/);
      assert.equal(created.collectionId, collections.posts.id);
      assert.equal(created.collectionName, 'posts');
      assert.equal(created.title, 'Hello');
      assert.equal(created.views, 2);
      assert.deepEqual(created.tags, ['b', 'a']);
      assert.equal(created.author, '');
      assert.deepEqual(created.editors, []);
      assert.match(created.created, DATETIME);
      assert.match(created.updated, DATETIME);
      assert.equal(created.expand, undefined);

      assert.deepEqual(await guest.collection('posts').getOne(created.id), created);
      assert.deepEqual(await guest.collection(collections.posts.id).getOne(created.id), created);
    });

    test('create keeps a client-chosen id and refuses it a second time', async () => {
      const id = 'chosenid0000001';
      const created = await guest.collection('posts').create({ id, title: 'Chosen' });
      assert.equal(created.id, id);
      await rejectsWith(guest.collection('posts').create({ id, title: 'Again' }), 400, (body) => {
        assert.equal(body.message, 'Failed to create record.');
      });
      const stored = await pb.collection('posts').getList(1, 10, { filter: `id = "${id}"` });
      assert.deepEqual(stored.items.map((r) => r.title), ['Chosen']);
    });

    test('update changes only the given fields and applies number and select modifiers', async () => {
      const posts = guest.collection('posts');
      const post = await posts.create({ title: 'Counter', views: 5, tags: ['a', 'b'] });

      assert.equal((await posts.update(post.id, { 'views+': 3 })).views, 8);
      assert.equal((await posts.update(post.id, { 'views-': 10 })).views, -2);
      assert.deepEqual((await posts.update(post.id, { 'tags+': ['c'] })).tags, ['a', 'b', 'c']);
      assert.deepEqual((await posts.update(post.id, { '+tags': ['d'] })).tags, ['d', 'a', 'b', 'c']);
      assert.deepEqual((await posts.update(post.id, { 'tags-': ['a', 'c'] })).tags, ['d', 'b']);
      assert.deepEqual((await posts.update(post.id, { tags: ['e'] })).tags, ['e']);

      const renamed = await posts.update(post.id, { title: 'Renamed' });
      assert.equal(renamed.title, 'Renamed');
      assert.equal(renamed.views, -2);
      assert.deepEqual(renamed.tags, ['e']);
      assert.equal(renamed.created, post.created);
      assert.deepEqual(await posts.getOne(post.id), renamed);
    });

    test('delete answers 204 (SDK true); the record is gone and a second delete is a 404', async () => {
      const posts = guest.collection('posts');
      const post = await posts.create({ title: 'Short-lived' });
      assert.equal(await posts.delete(post.id), true);
      await rejectsWith(posts.getOne(post.id), 404, (body) => {
        assert.deepEqual(body, { status: 404, message: "The requested resource wasn't found.", data: {} });
      });
      await rejectsWith(posts.delete(post.id), 404);
      await rejectsWith(posts.update(post.id, { title: 'Zombie' }), 404);
    });

    test('hidden fields are read, written and filtered by superusers only', async () => {
      const notes = await pb.collections.create({
        name: 'private_notes',
        type: 'base',
        ...open,
        fields: [
          { name: 'title', type: 'text' },
          { name: 'internal', type: 'text', hidden: true },
        ],
      });
      assert.equal(notes.fields.find((f) => f.name === 'internal').hidden, true);

      const byGuest = await guest.collection('private_notes').create({ title: 'guest', internal: 'smuggled' });
      assert.equal(byGuest.internal, undefined);
      assert.equal((await pb.collection('private_notes').getOne(byGuest.id)).internal, '');

      const bySuperuser = await pb.collection('private_notes').create({ title: 'admin', internal: 'kept' });
      assert.equal(bySuperuser.internal, 'kept');
      assert.equal((await guest.collection('private_notes').getOne(bySuperuser.id)).internal, undefined);
      await guest.collection('private_notes').update(bySuperuser.id, { title: 'renamed', internal: 'overwritten' });
      assert.equal((await pb.collection('private_notes').getOne(bySuperuser.id)).internal, 'kept');

      await rejectsWith(guest.collection('private_notes').getList(1, 10, { filter: "internal = 'kept'" }), 400);
      await rejectsWith(guest.collection('private_notes').getList(1, 10, { sort: 'internal' }), 400);
      const found = await pb.collection('private_notes').getFullList({ filter: "internal = 'kept'" });
      assert.deepEqual(ids(found), [bySuperuser.id]);
    });

    test('an unknown collection is a 404', async () => {
      await rejectsWith(guest.collection('nosuch').getList(), 404, (body) => {
        assert.equal(body.message, 'Missing collection context.');
      });
      await rejectsWith(guest.collection('nosuch').create({ title: 'x' }), 404);
    });
  });

  describe('list, paging, filter and sort', () => {
    before(async () => {
      collections.items = await pb.collections.create({
        name: 'items',
        type: 'base',
        ...open,
        fields: [{ name: 'n', type: 'number' }],
      });
      for (const n of [3, 1, 5, 2, 4]) await pb.collection('items').create({ n });
    });

    test('getList reports page, perPage, totalItems and totalPages', async () => {
      const items = guest.collection('items');
      const second = await items.getList(2, 2, { sort: 'n' });
      assert.equal(second.page, 2);
      assert.equal(second.perPage, 2);
      assert.equal(second.totalItems, 5);
      assert.equal(second.totalPages, 3);
      assert.deepEqual(second.items.map((r) => r.n), [3, 4]);

      const last = await items.getList(3, 2, { sort: 'n' });
      assert.deepEqual(last.items.map((r) => r.n), [5]);

      const beyond = await items.getList(4, 2, { sort: 'n' });
      assert.deepEqual(
        { page: beyond.page, items: beyond.items, totalItems: beyond.totalItems, totalPages: beyond.totalPages },
        { page: 4, items: [], totalItems: 5, totalPages: 3 },
      );
    });

    test('page and perPage fall back to 1 and 30; perPage is capped at 1000', async () => {
      const items = guest.collection('items');
      const defaults = await items.getList(0, 0);
      assert.deepEqual([defaults.page, defaults.perPage, defaults.items.length], [1, 30, 5]);
      const capped = await items.getList(1, 5000);
      assert.equal(capped.perPage, 1000);
      await rejectsWith(guest.send('/api/collections/items/records', { query: { page: 'two' } }), 400);
      await rejectsWith(guest.send('/api/collections/items/records', { query: { perPage: '1.5' } }), 400);
    });

    test('skipTotal answers -1 totals but still pages', async () => {
      const list = await guest.collection('items').getList(1, 2, { sort: '-n', skipTotal: true });
      assert.equal(list.totalItems, -1);
      assert.equal(list.totalPages, -1);
      assert.deepEqual(list.items.map((r) => r.n), [5, 4]);
    });

    test('getFullList with a batch smaller than the count fetches every page once', async () => {
      const client = new PocketBase(server.url);
      const pages = [];
      // beforeSend runs before the SDK moves options.query into the URL.
      client.beforeSend = (url, options) => {
        pages.push(options.query.page);
        if (pages.length > 10) throw new Error(`getFullList does not stop: pages ${pages}`);
        return { url, options };
      };
      const all = await client.collection('items').getFullList({ batch: 2, sort: 'n' });
      assert.deepEqual(all.map((r) => r.n), [1, 2, 3, 4, 5]);
      assert.deepEqual(pages, [1, 2, 3]);
    });

    test('getFirstListItem returns the first match and 404s when nothing matches', async () => {
      const first = await guest.collection('items').getFirstListItem('n >= 4', { sort: 'n' });
      assert.equal(first.n, 4);
      // The SDK turns the server's empty page into its own 404 (it has `code`, not `status`).
      await assert.rejects(guest.collection('items').getFirstListItem('n > 100'), (error) => {
        assert.deepEqual(error.response, { code: 404, message: "The requested resource wasn't found.", data: {} });
        return true;
      });
    });

    test('filter combines conditions; sort orders by several keys', async () => {
      const list = await guest.collection('items').getList(1, 10, { filter: 'n > 1 && n != 4', sort: '-n' });
      assert.deepEqual(list.items.map((r) => r.n), [5, 3, 2]);
      assert.equal(list.totalItems, 3);
      const either = await guest.collection('items').getFullList({ filter: 'n = 1 || n = 5', sort: 'n' });
      assert.deepEqual(either.map((r) => r.n), [1, 5]);
    });

    test('an invalid filter or sort is a 400; @request in a client filter is a 403', async () => {
      await rejectsWith(guest.collection('items').getList(1, 10, { filter: 'nosuchfield = 1' }), 400, (body) => {
        assert.deepEqual(body.data, {});
      });
      await rejectsWith(guest.collection('items').getList(1, 10, { sort: 'nosuchfield' }), 400, (body) => {
        assert.deepEqual(body.data, {});
      });
      // Basalt's extension (docs/api.md, "Where a filter went wrong"): a syntax error's place for
      // anyone, a resolve error's for superusers; the message stays PocketBase's generic one.
      await rejectsWith(guest.collection('items').getList(1, 10, { filter: 'n = 1 && (n > 2' }), 400, (body) => {
        assert.equal(body.message, 'Something went wrong while processing your request.');
        assert.equal(body.data.filter.code, 'unbalanced_parenthesis');
        assert.equal(body.data.filter.position, 15); // where the missing ')' should be
        assert.equal(typeof body.data.filter.message, 'string');
      });
      await rejectsWith(guest.collection('items').getList(1, 10, { filter: "n = 'é' && n ~" }), 400, (body) => {
        assert.equal(body.data.filter.position, Buffer.byteLength("n = 'é' && n ~")); // bytes, at the end
      });
      await rejectsWith(pb.collection('items').getList(1, 10, { filter: 'n > 1 && nosuchfield = 1' }), 400, (body) => {
        assert.deepEqual(
          { code: body.data.filter.code, position: body.data.filter.position, length: body.data.filter.length },
          { code: 'unknown_field', position: 9, length: 11 },
        );
      });
      await rejectsWith(pb.collection('items').getList(1, 10, { sort: 'n,-nosuchfield' }), 400, (body) => {
        assert.equal(body.data.sort.code, 'unknown_field');
        assert.equal(body.data.sort.position, 3);
      });
      await rejectsWith(guest.collection('items').getList(1, 10, { filter: "@request.auth.id = ''" }), 403);
    });
  });

  describe('relations: filter, sort and expand', () => {
    const people = {};
    const posts = {};
    let acme;
    before(async () => {
      acme = await pb.collection('orgs').create({ name: 'Acme' });
      const initech = await pb.collection('orgs').create({ name: 'Initech' });
      people.ann = await pb.collection('people').create({ name: 'Ann', org: acme.id });
      people.bob = await pb.collection('people').create({ name: 'Bob', org: initech.id });
      people.cid = await pb.collection('people').create({ name: 'Cid', org: acme.id });
      people.spy = await pb.collection('people').create({ name: 'Spy', secret: true, org: acme.id });
      const post = (title, author, editors = []) =>
        pb.collection('posts').create({ title, author: author.id, editors: ids(editors) });
      posts.bob1 = await post('rel-bob-1', people.bob, [people.cid, people.ann]);
      posts.ann1 = await post('rel-ann-1', people.ann, [people.ann, people.spy, people.bob]);
      posts.cid1 = await post('rel-cid-1', people.cid);
      posts.bob2 = await post('rel-bob-2', people.bob);
      posts.spy1 = await post('rel-spy-1', people.spy);
    });

    test('filter through a relation path', async () => {
      const byBob = await guest.collection('posts').getFullList({ filter: "author.name = 'Bob'", sort: 'title' });
      assert.deepEqual(byBob.map((r) => r.title), ['rel-bob-1', 'rel-bob-2']);
      const atAcme = await guest
        .collection('posts')
        .getFullList({ filter: "title ~ 'rel-' && author.org.name = 'Acme'", sort: 'title' });
      assert.deepEqual(atAcme.map((r) => r.title), ['rel-ann-1', 'rel-cid-1']);
    });

    test('sort by a relation path, then by a field', async () => {
      const sorted = await pb
        .collection('posts')
        .getFullList({ filter: "title ~ 'rel-'", sort: '-author.name,-title' });
      assert.deepEqual(
        sorted.map((r) => r.title),
        ['rel-spy-1', 'rel-cid-1', 'rel-bob-2', 'rel-bob-1', 'rel-ann-1'],
      );
    });

    test('expand a single relation into an object', async () => {
      const post = await guest.collection('posts').getOne(posts.bob1.id, { expand: 'author' });
      assert.equal(post.author, people.bob.id);
      assert.deepEqual(post.expand.author, people.bob);
    });

    test('expand a multiple relation into an array in the stored order', async () => {
      const post = await guest.collection('posts').getOne(posts.bob1.id, { expand: 'editors' });
      assert.deepEqual(post.expand.editors, [people.cid, people.ann]);
    });

    test('expand nested relations and several paths at once', async () => {
      const post = await guest.collection('posts').getOne(posts.bob1.id, { expand: 'author.org,editors' });
      assert.equal(post.expand.author.id, people.bob.id);
      assert.equal(post.expand.author.expand.org.name, 'Initech');
      assert.deepEqual(ids(post.expand.editors), ids([people.cid, people.ann]));
      const list = await guest.collection('posts').getList(1, 10, { filter: "title = 'rel-cid-1'", expand: 'author.org' });
      assert.equal(list.items[0].expand.author.expand.org.id, acme.id);
    });

    test('expand a back-relation (comments_via_post) into an array', async () => {
      const c1 = await guest.collection('comments').create({ body: 'first', post: posts.cid1.id });
      const c2 = await guest.collection('comments').create({ body: 'second', post: posts.cid1.id });
      await guest.collection('comments').create({ body: 'elsewhere', post: posts.bob2.id });
      const post = await guest.collection('posts').getOne(posts.cid1.id, { expand: 'comments_via_post' });
      assert.ok(Array.isArray(post.expand.comments_via_post));
      assert.deepEqual(sortedIds(post.expand.comments_via_post), sortedIds([c1, c2]));
      const lonely = await guest.collection('posts').getOne(posts.ann1.id, { expand: 'comments_via_post' });
      assert.equal(lonely.expand?.comments_via_post, undefined);
    });

    test('create and update responses honour expand', async () => {
      const created = await guest
        .collection('posts')
        .create({ title: 'rel-expanded', author: people.ann.id }, { expand: 'author.org' });
      assert.equal(created.expand.author.id, people.ann.id);
      assert.equal(created.expand.author.expand.org.id, acme.id);
      const updated = await guest
        .collection('posts')
        .update(created.id, { editors: [people.bob.id] }, { expand: 'editors' });
      assert.deepEqual(updated.expand.editors, [people.bob]);
      await guest.collection('posts').delete(created.id);
    });

    test('expand paths tolerate spaces and repeat prefixes', async () => {
      const post = await guest.collection('posts').getOne(posts.bob1.id, { expand: ' author , author.org , editors ' });
      assert.equal(post.expand.author.expand.org.name, 'Initech');
      assert.deepEqual(ids(post.expand.editors), ids([people.cid, people.ann]));
    });

    test('expand stops silently after 6 levels', async () => {
      const links = await pb.collections.create({ name: 'links', type: 'base', ...open, fields: [{ name: 'n', type: 'number' }] });
      await pb.collections.update(links.id, {
        fields: [...links.fields, { name: 'next', type: 'relation', collectionId: links.id, maxSelect: 1 }],
      });
      let head = null;
      for (let n = 8; n >= 0; n--) head = await guest.collection('links').create({ n, next: head?.id ?? '' });
      const depth = (record) => {
        let levels = 0;
        for (let r = record; r.expand?.next; r = r.expand.next) levels++;
        return levels;
      };
      const path = (levels) => Array(levels).fill('next').join('.');
      assert.equal(depth(await guest.collection('links').getOne(head.id, { expand: path(3) })), 3);
      assert.equal(depth(await guest.collection('links').getOne(head.id, { expand: path(6) })), 6);
      assert.equal(depth(await guest.collection('links').getOne(head.id, { expand: path(8) })), 6);
    });

    test('an unknown expand path is ignored; the known ones are still expanded', async () => {
      const post = await guest.collection('posts').getOne(posts.bob1.id, { expand: 'nosuchfield,author,title' });
      assert.deepEqual(Object.keys(post.expand), ['author']);
      assert.equal(post.expand.author.id, people.bob.id);
    });

    test('a back-relation through a field with a unique index expands to one object', async () => {
      await pb.collections.create({
        name: 'profiles',
        type: 'base',
        ...open,
        fields: [
          { name: 'bio', type: 'text' },
          { name: 'person', type: 'relation', collectionId: collections.people.id, maxSelect: 1 },
        ],
        indexes: ['CREATE UNIQUE INDEX `idx_profiles_person` ON `profiles` (`person`)'],
      });
      const profile = await guest.collection('profiles').create({ bio: 'hello', person: people.cid.id });
      const person = await guest.collection('people').getOne(people.cid.id, { expand: 'profiles_via_person' });
      assert.deepEqual(person.expand.profiles_via_person, profile);
    });

    test('a related record the caller cannot view is left out of expand', async () => {
      const single = await guest.collection('posts').getOne(posts.spy1.id, { expand: 'author' });
      assert.equal(single.author, people.spy.id);
      assert.equal(single.expand?.author, undefined);
      const multi = await guest.collection('posts').getOne(posts.ann1.id, { expand: 'editors' });
      assert.deepEqual(ids(multi.expand.editors), ids([people.ann, people.bob]));

      const bySuperuser = await pb.collection('posts').getOne(posts.ann1.id, { expand: 'editors' });
      assert.deepEqual(ids(bySuperuser.expand.editors), ids([people.ann, people.spy, people.bob]));
    });

    test('a client filter or sort through a relation respects that collection listRule', async () => {
      const bySpy = await guest.collection('posts').getFullList({ filter: "author.name = 'Spy'" });
      assert.deepEqual(bySpy, []);
      // An author the guest cannot list reads as no author at all: the post stays and sorts as
      // one without an author (PocketBase drops it from the page, which tells the guest that a
      // hidden author is there; docs/security.md).
      const sorted = await guest.collection('posts').getFullList({ filter: "title ~ 'rel-'", sort: 'author.name' });
      assert.deepEqual(
        sorted.map((r) => r.title),
        ['rel-spy-1', 'rel-ann-1', 'rel-bob-1', 'rel-bob-2', 'rel-cid-1'],
      );
      const bySuperuser = await pb.collection('posts').getFullList({ filter: "author.name = 'Spy'" });
      assert.deepEqual(ids(bySuperuser), ids([posts.spy1]));
    });
  });

  describe('delete cascades', () => {
    before(async () => {
      const parents = await pb.collections.create({
        name: 'parents',
        type: 'base',
        ...open,
        fields: [{ name: 'name', type: 'text' }],
      });
      const relation = (name, options) => ({ name, type: 'relation', collectionId: parents.id, maxSelect: 1, ...options });
      await pb.collections.create({
        name: 'children',
        type: 'base',
        ...open,
        fields: [{ name: 'name', type: 'text' }, relation('parent', { required: true, cascadeDelete: true })],
      });
      await pb.collections.create({
        name: 'mentions',
        type: 'base',
        ...open,
        fields: [{ name: 'name', type: 'text' }, relation('parent'), relation('parents', { maxSelect: 5 })],
      });
      await pb.collections.create({
        name: 'anchors',
        type: 'base',
        ...open,
        fields: [{ name: 'name', type: 'text' }, relation('parent', { required: true })],
      });
    });

    test('a cascadeDelete relation deletes the records that reference the deleted one', async () => {
      const parent = await guest.collection('parents').create({ name: 'cascading' });
      const other = await guest.collection('parents').create({ name: 'bystander' });
      const a = await guest.collection('children').create({ name: 'a', parent: parent.id });
      const b = await guest.collection('children').create({ name: 'b', parent: parent.id });
      const kept = await guest.collection('children').create({ name: 'kept', parent: other.id });

      await guest.collection('parents').delete(parent.id);
      await rejectsWith(guest.collection('children').getOne(a.id), 404);
      await rejectsWith(guest.collection('children').getOne(b.id), 404);
      assert.deepEqual(await guest.collection('children').getOne(kept.id), kept);
    });

    test('an optional relation to the deleted record is cleared, single and multiple', async () => {
      const gone = await guest.collection('parents').create({ name: 'gone' });
      const stays = await guest.collection('parents').create({ name: 'stays' });
      const mention = await guest
        .collection('mentions')
        .create({ name: 'm', parent: gone.id, parents: [stays.id, gone.id] });

      await guest.collection('parents').delete(gone.id);
      const after = await guest.collection('mentions').getOne(mention.id);
      assert.equal(after.parent, '');
      assert.deepEqual(after.parents, [stays.id]);
    });

    test('a required relation without cascade blocks the delete, and nothing else changes', async () => {
      const held = await guest.collection('parents').create({ name: 'held' });
      const anchor = await guest.collection('anchors').create({ name: 'anchor', parent: held.id });
      const child = await guest.collection('children').create({ name: 'child', parent: held.id });
      const mention = await guest.collection('mentions').create({ name: 'm', parent: held.id, parents: [held.id] });

      await rejectsWith(guest.collection('parents').delete(held.id), 400, (body) => {
        assert.deepEqual(body, { status: 400, message: REQUIRED_REFERENCE, data: {} });
      });
      assert.deepEqual(await guest.collection('parents').getOne(held.id), held);
      assert.deepEqual(await guest.collection('anchors').getOne(anchor.id), anchor);
      assert.deepEqual(await guest.collection('children').getOne(child.id), child);
      assert.deepEqual(await guest.collection('mentions').getOne(mention.id), mention);
    });

    test(
      'a multiple cascadeDelete relation deletes a record only once no reference is left',
      {},
      async () => {
        await pb.collections.create({
          name: 'shared_children',
          type: 'base',
          ...open,
          fields: [
            {
              name: 'parents',
              type: 'relation',
              collectionId: (await pb.collections.getOne('parents')).id,
              maxSelect: 5,
              cascadeDelete: true,
            },
          ],
        });
        const a = await guest.collection('parents').create({ name: 'shared a' });
        const b = await guest.collection('parents').create({ name: 'shared b' });
        const child = await guest.collection('shared_children').create({ parents: [a.id, b.id] });

        await guest.collection('parents').delete(a.id);
        assert.deepEqual((await guest.collection('shared_children').getOne(child.id)).parents, [b.id]);
        await guest.collection('parents').delete(b.id);
        await rejectsWith(guest.collection('shared_children').getOne(child.id), 404);
      },
    );

    test('a required multiple relation only blocks the delete of its last reference', async () => {
      await pb.collections.create({
        name: 'required_lists',
        type: 'base',
        ...open,
        fields: [
          {
            name: 'parents',
            type: 'relation',
            collectionId: (await pb.collections.getOne('parents')).id,
            maxSelect: 5,
            required: true,
          },
        ],
      });
      const a = await guest.collection('parents').create({ name: 'list a' });
      const b = await guest.collection('parents').create({ name: 'list b' });
      const list = await guest.collection('required_lists').create({ parents: [a.id, b.id] });

      await guest.collection('parents').delete(a.id);
      assert.deepEqual((await guest.collection('required_lists').getOne(list.id)).parents, [b.id]);
      await rejectsWith(guest.collection('parents').delete(b.id), 400, (body) => {
        assert.equal(body.message, REQUIRED_REFERENCE);
      });
      assert.deepEqual((await guest.collection('required_lists').getOne(list.id)).parents, [b.id]);
    });

    test('cascades chain through collections; a blocked link anywhere rolls the whole delete back', async () => {
      const parents = await pb.collections.getOne('parents');
      const level1 = await pb.collections.create({
        name: 'chain_level1',
        type: 'base',
        ...open,
        fields: [{ name: 'parent', type: 'relation', collectionId: parents.id, maxSelect: 1, cascadeDelete: true }],
      });
      const level2 = await pb.collections.create({
        name: 'chain_level2',
        type: 'base',
        ...open,
        fields: [{ name: 'up', type: 'relation', collectionId: level1.id, maxSelect: 1, cascadeDelete: true }],
      });
      await pb.collections.create({
        name: 'chain_anchor',
        type: 'base',
        ...open,
        fields: [{ name: 'up', type: 'relation', collectionId: level2.id, maxSelect: 1, required: true }],
      });

      const top = await guest.collection('parents').create({ name: 'chain top' });
      const one = await guest.collection('chain_level1').create({ parent: top.id });
      const two = await guest.collection('chain_level2').create({ up: one.id });
      await guest.collection('parents').delete(top.id);
      await rejectsWith(guest.collection('chain_level1').getOne(one.id), 404);
      await rejectsWith(guest.collection('chain_level2').getOne(two.id), 404);

      const held = await guest.collection('parents').create({ name: 'chain held' });
      const heldOne = await guest.collection('chain_level1').create({ parent: held.id });
      const heldTwo = await guest.collection('chain_level2').create({ up: heldOne.id });
      const anchor = await guest.collection('chain_anchor').create({ up: heldTwo.id });
      await rejectsWith(guest.collection('parents').delete(held.id), 400, (body) => {
        assert.equal(body.message, REQUIRED_REFERENCE);
      });
      assert.deepEqual(await guest.collection('parents').getOne(held.id), held);
      assert.deepEqual(await guest.collection('chain_level1').getOne(heldOne.id), heldOne);
      assert.deepEqual(await guest.collection('chain_level2').getOne(heldTwo.id), heldTwo);
      assert.deepEqual(await guest.collection('chain_anchor').getOne(anchor.id), anchor);
    });

    test('a relation to the same collection: cascades to other records, never blocks on itself', async () => {
      const nodes = await pb.collections.create({ name: 'nodes', type: 'base', ...open, fields: [{ name: 'name', type: 'text' }] });
      await pb.collections.update(nodes.id, {
        fields: [
          ...nodes.fields,
          { name: 'parent', type: 'relation', collectionId: nodes.id, maxSelect: 1, cascadeDelete: true },
          { name: 'buddy', type: 'relation', collectionId: nodes.id, maxSelect: 1 },
        ],
      });
      const root = await guest.collection('nodes').create({ name: 'root' });
      const self = await guest.collection('nodes').update(root.id, { parent: root.id, buddy: root.id });
      assert.equal(self.parent, root.id);
      const leaf = await guest.collection('nodes').create({ name: 'leaf', parent: root.id });
      const grandleaf = await guest.collection('nodes').create({ name: 'grandleaf', parent: leaf.id });
      const friend = await guest.collection('nodes').create({ name: 'friend', buddy: leaf.id });

      await guest.collection('nodes').delete(root.id);
      await rejectsWith(guest.collection('nodes').getOne(root.id), 404);
      await rejectsWith(guest.collection('nodes').getOne(leaf.id), 404);
      await rejectsWith(guest.collection('nodes').getOne(grandleaf.id), 404);
      assert.equal((await guest.collection('nodes').getOne(friend.id)).buddy, '');
    });

    test('deleting a post cascades to its comments', async () => {
      const post = await guest.collection('posts').create({ title: 'with comments' });
      const comment = await guest.collection('comments').create({ body: 'hi', post: post.id });
      await guest.collection('posts').delete(post.id);
      await rejectsWith(guest.collection('comments').getOne(comment.id), 404);
    });
  });

  describe('truncate', () => {
    let user;
    before(async () => {
      await pb.collections.create({ name: 'scratch', type: 'base', ...open, fields: [{ name: 'name', type: 'text' }] });
      const credentials = { email: 'truncator@example.com', password: 'truncator password' };
      await guest.collection('users').create({ ...credentials, passwordConfirm: credentials.password });
      user = new PocketBase(server.url);
      await user.collection('users').authWithPassword(credentials.email, credentials.password);
    });

    test('guests get 401 and users 403; nothing is deleted', async () => {
      await guest.collection('scratch').create({ name: 'survivor' });
      await rejectsWith(guest.collections.truncate('scratch'), 401);
      await rejectsWith(user.collections.truncate('scratch'), 403);
      assert.equal((await guest.collection('scratch').getList()).totalItems, 1);
    });

    test('a superuser empties the collection and it stays usable', async () => {
      for (const name of ['one', 'two', 'three']) await guest.collection('scratch').create({ name });
      assert.equal(await pb.collections.truncate('scratch'), true);
      const list = await guest.collection('scratch').getList();
      assert.deepEqual({ items: list.items, totalItems: list.totalItems }, { items: [], totalItems: 0 });
      const again = await guest.collection('scratch').create({ name: 'after' });
      assert.deepEqual(ids((await guest.collection('scratch').getList()).items), [again.id]);
    });

    test('truncate runs the delete cascades of every record', async () => {
      const heads = await pb.collections.create({ name: 'trunc_heads', type: 'base', ...open, fields: [{ name: 'name', type: 'text' }] });
      await pb.collections.create({
        name: 'trunc_tails',
        type: 'base',
        ...open,
        fields: [{ name: 'head', type: 'relation', collectionId: heads.id, maxSelect: 1, cascadeDelete: true }],
      });
      await pb.collections.create({
        name: 'trunc_refs',
        type: 'base',
        ...open,
        fields: [{ name: 'head', type: 'relation', collectionId: heads.id, maxSelect: 1 }],
      });
      const head = await guest.collection('trunc_heads').create({ name: 'h' });
      await guest.collection('trunc_tails').create({ head: head.id });
      const ref = await guest.collection('trunc_refs').create({ head: head.id });

      await pb.collections.truncate('trunc_heads');
      assert.equal((await guest.collection('trunc_tails').getList()).totalItems, 0);
      assert.equal((await guest.collection('trunc_refs').getOne(ref.id)).head, '');
    });

    test(
      'a required reference makes truncate fail as a whole with a 400',
      {},
      async () => {
        const held = await pb.collections.create({ name: 'trunc_held', type: 'base', ...open, fields: [{ name: 'name', type: 'text' }] });
        await pb.collections.create({
          name: 'trunc_holders',
          type: 'base',
          ...open,
          fields: [{ name: 'held', type: 'relation', collectionId: held.id, maxSelect: 1, required: true }],
        });
        const free = await guest.collection('trunc_held').create({ name: 'free' });
        const taken = await guest.collection('trunc_held').create({ name: 'taken' });
        await guest.collection('trunc_holders').create({ held: taken.id });

        await rejectsWith(pb.collections.truncate('trunc_held'), 400, (body) => {
          assert.deepEqual(body, {
            status: 400,
            message: 'Failed to truncate collection (most likely due to required cascade delete record references).',
            data: {},
          });
        });
        const left = await guest.collection('trunc_held').getFullList({ sort: 'name' });
        assert.deepEqual(ids(left), [free.id, taken.id]);
      },
    );

    test('truncating an unknown collection is a 404', async () => {
      await rejectsWith(pb.collections.truncate('nosuch'), 404);
    });
  });

  describe('unique indexes', () => {
    before(async () => {
      await pb.collections.create({
        name: 'slugs',
        type: 'base',
        ...open,
        fields: [{ name: 'slug', type: 'text', required: true }],
        indexes: ['CREATE UNIQUE INDEX `idx_slugs_slug` ON `slugs` (`slug`)'],
      });
    });

    test('a duplicate value on create or update is a 400 validation_not_unique on the field', async () => {
      const first = await guest.collection('slugs').create({ slug: 'taken' });
      await rejectsWith(guest.collection('slugs').create({ slug: 'taken' }), 400, (body) => {
        assert.equal(body.message, 'Failed to create record.');
        assert.equal(body.data.slug.code, 'validation_not_unique');
      });
      const second = await guest.collection('slugs').create({ slug: 'free' });
      await rejectsWith(guest.collection('slugs').update(second.id, { slug: 'taken' }), 400, (body) => {
        assert.equal(body.message, 'Failed to update record.');
        assert.equal(body.data.slug.code, 'validation_not_unique');
      });
      const stored = await guest.collection('slugs').getFullList({ sort: 'slug' });
      assert.deepEqual(stored.map((r) => [r.id, r.slug]), [[second.id, 'free'], [first.id, 'taken']]);
    });
  });

  describe('bodies the server must refuse', () => {
    const path = '/api/collections/strict/records';
    before(async () => {
      await pb.collections.create({
        name: 'strict',
        type: 'base',
        ...open,
        fields: [
          { name: 'title', type: 'text', required: true },
          { name: 'views', type: 'number' },
        ],
      });
    });

    // Nothing but the records a test meant to store may be in `strict`.
    const storedTitles = async () => (await pb.collection('strict').getFullList({ sort: 'title' })).map((r) => r.title);

    // `pb.send` with a string body posts it as is, with Content-Type: application/json.
    const postRaw = (body) => guest.send(path, { method: 'POST', body });

    test('malformed JSON is a 400 and stores nothing', async () => {
      for (const body of ['{"title": "broken",', '{title: "unquoted"}', '{"title": "x"} trailing']) {
        await rejectsWith(postRaw(body), 400, (response) => {
          assert.equal(response.status, 400);
          assert.deepEqual(response.data, {});
        });
      }
      assert.deepEqual(await storedTitles(), []);
    });

    test('a JSON body that is not an object is a 400', async () => {
      for (const body of ['[{"title": "in an array"}]', '"just a string"', '42', 'null']) {
        await rejectsWith(postRaw(body), 400);
      }
      assert.deepEqual(await storedTitles(), []);
    });

    test('a wrong type for a required text field is a 400 on that field', async () => {
      await rejectsWith(guest.collection('strict').create({ title: { nested: 'object' } }), 400, (body) => {
        assert.equal(body.message, 'Failed to create record.');
        assert.ok(body.data.title, JSON.stringify(body));
      });
      await rejectsWith(guest.collection('strict').create({ title: ['an', 'array'] }), 400, (body) => {
        assert.ok(body.data.title, JSON.stringify(body));
      });
      assert.deepEqual(await storedTitles(), []);
    });

    test('a number too large for a double (1e400) is a 400', async () => {
      await rejectsWith(postRaw('{"title": "huge", "views": 1e400}'), 400);
      await rejectsWith(postRaw('{"title": "huge negative", "views": -1e400}'), 400);
      assert.deepEqual(await storedTitles(), []);
    });

    test('invalid UTF-8 in a JSON body is a 400', async () => {
      // The SDK always sends text; raw bytes need fetch.
      const body = Buffer.concat([Buffer.from('{"title": "bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      const response = await fetch(server.url + path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400);
      assertErrorBody(await response.json(), 400);
      assert.deepEqual(await storedTitles(), []);
    });

    test(
      'a body that is neither JSON nor a form is a 400',
      {},
      async () => {
        const send = (contentType) =>
          guest.send(path, { method: 'POST', body: '{"title": "typed"}', headers: { 'Content-Type': contentType } });
        for (const contentType of ['text/plain', 'application/octet-stream']) {
          await rejectsWith(send(contentType), 400, (body) => {
            assert.equal(body.message, 'Unsupported Content-Type.');
          });
        }
        assert.deepEqual(await storedTitles(), []);
      },
    );

    test('unknown fields are ignored and system fields cannot be overridden', async () => {
      const created = await guest
        .collection('strict')
        .create({ title: 'known', nosuchfield: 1, collectionName: 'other', collectionId: 'other', expand: { x: 1 } });
      assert.equal(created.title, 'known');
      assert.equal(created.nosuchfield, undefined);
      assert.equal(created.collectionName, 'strict');
      assert.equal(created.expand, undefined);
      const stored = await guest.collection('strict').getOne(created.id);
      assert.deepEqual(stored, created);
      assert.deepEqual(await storedTitles(), ['known']);
    });
  });
});
