// The C++ extension API (docs/extending.md) through its example program
// (examples/posts_extension.cpp, built beside `basalt`), driven by the official SDK: a
// before-create hook computing fields and refusing with a normal API error, the record it
// leaves validated like a body, an after-create hook, custom routes with user auth and the
// caller's rules against an explicit superuser, settings.rateLimits on them, and a cron job on
// the durable scheduler run at once through POST /api/crons/{id}, and a Lua hook of the same
// event running after the C++ one (it sees what the C++ hook left).

import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { binary, startServer } from './server.mjs';

const executable = process.env.E2E_EXAMPLE_BINARY ?? join(dirname(binary), 'basalt-example-posts');
const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
// Only matters when the awaited state never comes: the failure then says what was missing.
const WAIT_MS = 20_000;

async function eventually(what, check) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function rejectsWith(promise, status, check = () => {}) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.status, status, JSON.stringify(error.response));
    check(error.response);
    return true;
  });
}

describe('C++ extension example', () => {
  let server;
  let admin;
  let ann;
  let bob;
  let guest;
  let created = 0; // posts the after-create hook should have counted
  let hooksDir;

  async function user(email) {
    const password = 'user password 1';
    await admin.collection('users').create({ email, password, passwordConfirm: password });
    const pb = new PocketBase(server.url);
    await pb.collection('users').authWithPassword(email, password);
    return pb;
  }

  before(async () => {
    // A Lua hook of the same event: it runs after the C++ one, so it sees the computed slug.
    hooksDir = await mkdtemp(join(tmpdir(), 'basalt-e2e-ext-hooks-'));
    await writeFile(
      join(hooksDir, 'order.lua'),
      'basalt.on("beforeCreate", "posts", function(e)\n' +
        '  if e.record.slug == "lua-after-cpp" then e.record.title = e.record.title .. " (lua)" end\n' +
        'end)\n' +
        // The C++ cron's id taken by a script: refused, the C++ job stays (docs/extending.md).
        'basalt.cron("example_digest", "* * * * *", function() end)\n',
    );
    server = await startServer({ superuser, executable, args: ['--hooks-dir', hooksDir] });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const users = await admin.collections.getOne('users');
    const own = 'owner = @request.auth.id';
    await admin.collections.create({
      name: 'posts',
      type: 'base',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'slug', type: 'text', max: 20 },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
      ],
      listRule: own,
      viewRule: own,
      createRule: "@request.auth.id != ''",
      updateRule: own,
      deleteRule: own,
    });
    await admin.collections.create({
      name: 'digests',
      type: 'base',
      fields: [{ name: 'posts', type: 'number' }],
    });
    ann = await user('ann@example.com');
    bob = await user('bob@example.com');
    guest = new PocketBase(server.url);
  });
  after(async () => {
    await server?.stop();
    if (hooksDir) await rm(hooksDir, { recursive: true, force: true });
  });

  test('a before-create hook computes the slug and the owner', async () => {
    const post = await ann.collection('posts').create({ title: 'Hello, World!' });
    created += 1;
    assert.equal(post.slug, 'hello-world');
    assert.equal(post.owner, ann.authStore.record.id);
    const other = await bob.collection('posts').create({ title: 'Bob writes' });
    created += 1;
    assert.equal(other.owner, bob.authStore.record.id);
  });

  test('a hook refuses with its status, message and field data; nothing is stored', async () => {
    const before = (await admin.collection('posts').getList(1, 1)).totalItems;
    await rejectsWith(ann.collection('posts').create({ title: 'ab' }), 400, (body) => {
      assert.equal(body.message, 'Title is too short.');
      assert.deepEqual(body.data, {
        title: { code: 'too_short', message: 'At least 3 characters.' },
      });
    });
    assert.equal((await admin.collection('posts').getList(1, 1)).totalItems, before);
  });

  test('the record a hook leaves is validated like a client body', async () => {
    // The computed slug is longer than the field's max of 20.
    await rejectsWith(
      ann.collection('posts').create({ title: 'A title much too long for its slug' }),
      400,
      (body) => assert.ok(body.data.slug, JSON.stringify(body)),
    );
    const page = await admin.collection('posts').getList(1, 50, { filter: "title ~ 'much too long'" });
    assert.equal(page.totalItems, 0);
  });

  test('a before-update hook recomputes the slug', async () => {
    const post = await ann.collection('posts').create({ title: 'First name' });
    created += 1;
    const updated = await ann.collection('posts').update(post.id, { title: 'Second name' });
    assert.equal(updated.slug, 'second-name');
    const untouched = await ann.collection('posts').update(post.id, {});
    assert.equal(untouched.slug, 'second-name');
  });

  test('a user route sees the caller\'s rules, and all records only as superuser', async () => {
    await rejectsWith(guest.send('/api/example/summary', {}), 401);
    const summary = await ann.send('/api/example/summary', {});
    assert.deepEqual(summary, {
      user: ann.authStore.record.id,
      visiblePosts: 2,
      allPosts: 3,
      createdSinceStart: created,
    });
    const forBob = await bob.send('/api/example/summary', {});
    assert.equal(forBob.visiblePosts, 1);
    assert.equal(forBob.allPosts, 3);
  });

  test('a route with a path parameter answers API errors', async () => {
    const found = await ann.send('/api/example/posts/hello-world', {});
    assert.equal(found.title, 'Hello, World!');
    assert.equal(found.collectionName, 'posts');
    // Bob's rules hide Ann's post; a guest sees none.
    await rejectsWith(bob.send('/api/example/posts/hello-world', {}), 404);
    await rejectsWith(guest.send('/api/example/posts/hello-world', {}), 404);
    await rejectsWith(ann.send('/api/example/posts/Not_A_Slug', {}), 400, (body) => {
      assert.equal(body.message, 'Invalid slug.');
    });
  });

  test('settings.rateLimits apply to extension routes', async () => {
    await admin.settings.update({
      rateLimits: {
        enabled: true,
        rules: [{ label: '/api/example/summary', duration: 60, maxRequests: 2 }],
      },
    });
    try {
      await ann.send('/api/example/summary', {});
      await ann.send('/api/example/summary', {});
      await rejectsWith(ann.send('/api/example/summary', {}), 429);
    } finally {
      await admin.settings.update({ rateLimits: { enabled: false } });
    }
  });

  test('the cron job is listed and runs once when asked (a script cannot take its id)', async () => {
    const crons = await admin.crons.getFullList();
    assert.deepEqual(
      crons.find((cron) => cron.id === 'example_digest'),
      { id: 'example_digest', expression: '0 3 * * *' },
    );
    await admin.crons.run('example_digest');
    const digests = await eventually('the digest record', async () => {
      const page = await admin.collection('digests').getList(1, 10);
      return page.totalItems > 0 ? page : null;
    });
    assert.equal(digests.totalItems, 1);
    assert.equal(digests.items[0].posts, 3);
    await rejectsWith(ann.crons.run('example_digest'), 403);
  });

  test('a Lua hook of the same event runs after the C++ one and sees its result', async () => {
    const post = await ann.collection('posts').create({ title: 'Lua after CPP' });
    assert.equal(post.slug, 'lua-after-cpp');
    assert.equal(post.title, 'Lua after CPP (lua)');
  });
});
