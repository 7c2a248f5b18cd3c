// The collections API through the official SDK, as a superuser; and who else may not use it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('collections API', () => {
  let server;
  let pb;
  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
  });

  test('create, getOne, update and delete a collection', async () => {
    const created = await pb.collections.create({
      name: 'posts',
      type: 'base',
      listRule: '',
      fields: [{ name: 'title', type: 'text', required: true }],
    });
    assert.equal(created.name, 'posts');
    assert.ok(created.id.startsWith('pbc_'));
    assert.ok(created.fields.some((f) => f.name === 'title'));

    const fetched = await pb.collections.getOne('posts');
    assert.equal(fetched.id, created.id);

    const updated = await pb.collections.update(created.id, { viewRule: "title != ''" });
    assert.equal(updated.viewRule, "title != ''");

    await pb.collections.delete(created.id);
    await assert.rejects(pb.collections.getOne('posts'), (error) => error.status === 404);
  });

  test('an invalid collection is a 400 with every problem', async () => {
    await assert.rejects(
      pb.collections.create({ name: 'bad name', type: 'base', listRule: 'nosuchfield = 1' }),
      (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.message, 'Failed to create collection.');
        assert.ok(error.response.data.name);
        assert.ok(error.response.data.listRule);
        return true;
      },
    );
  });

  test('getList pages, filters and sorts; getFullList sees the system collections', async () => {
    await pb.collections.create({ name: 'alpha', type: 'base' });
    await pb.collections.create({ name: 'beta', type: 'base' });
    const page = await pb.collections.getList(1, 1, { filter: "system = false && name ~ 'a'", sort: '-name' });
    assert.equal(page.perPage, 1);
    assert.equal(page.totalItems, 2);
    assert.equal(page.totalPages, 2);
    assert.equal(page.items[0].name, 'beta');
    const skipped = await pb.collections.getList(1, 10, { skipTotal: true });
    assert.equal(skipped.totalItems, -1);
    const all = await pb.collections.getFullList();
    assert.ok(all.some((c) => c.name === '_superusers'));
    await assert.rejects(pb.collections.getList(1, 10, { filter: 'nosuchfield = 1' }), (e) => e.status === 400);
  });

  test('import creates collections in one go; scaffolds describe the defaults', async () => {
    await pb.collections.import([
      { name: 'imported_a', type: 'base', fields: [{ name: 'note', type: 'text' }] },
      { name: 'imported_b', type: 'base' },
    ]);
    assert.equal((await pb.collections.getOne('imported_a')).name, 'imported_a');
    const scaffolds = await pb.collections.getScaffolds();
    assert.deepEqual(Object.keys(scaffolds).sort(), ['auth', 'base', 'view']);
    assert.equal(scaffolds.auth.type, 'auth');
  });

  test('guests get 401', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.collections.getList(), (error) => error.status === 401);
  });
});
