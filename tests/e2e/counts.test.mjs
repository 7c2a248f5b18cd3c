// List totals through the SDK while the server caches counts (docs/storage.md, "Counts"): a
// total reflects every committed create, delete and update at once — of the listed collection
// and of the collections its filter and rule read — and repeated lists agree.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

describe('list totals', () => {
  let server;
  let pb;
  let guest;
  const owners = {};

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const ownersCollection = await pb.collections.create({
      name: 'owners', type: 'base', ...open, fields: [{ name: 'name', type: 'text' }],
    });
    await pb.collections.create({
      name: 'items',
      type: 'base',
      ...open,
      // The rule reads the owners table too: a write there must reach the total.
      listRule: 'owner.name != "hidden"',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'owner', type: 'relation', collectionId: ownersCollection.id, maxSelect: 1 },
      ],
    });
    for (const name of ['ann', 'bob']) owners[name] = await pb.collection('owners').create({ name });
    for (const owner of ['ann', 'ann', 'bob']) {
      await guest.collection('items').create({ title: owner, owner: owners[owner].id });
    }
  });
  after(async () => {
    await server?.stop();
  });

  // perPage 1 keeps the page full, so the total is counted rather than read off the page.
  const total = async (filter = '') =>
    (await guest.collection('items').getList(1, 1, filter ? { filter } : {})).totalItems;

  test('a repeated list gives the same total', async () => {
    assert.equal(await total(), 3);
    assert.equal(await total(), 3);
  });

  test('a create and a delete show in the very next total', async () => {
    assert.equal(await total(), 3);
    const created = await guest.collection('items').create({ title: 'new', owner: owners.bob.id });
    assert.equal(await total(), 4);
    await guest.collection('items').delete(created.id);
    assert.equal(await total(), 3);
  });

  test('an update of a related collection shows in a filtered total', async () => {
    assert.equal(await total('owner.name = "ann"'), 2);
    await pb.collection('owners').update(owners.bob.id, { name: 'ann' });
    assert.equal(await total('owner.name = "ann"'), 3);
    await pb.collection('owners').update(owners.bob.id, { name: 'bob' });
    assert.equal(await total('owner.name = "ann"'), 2);
  });

  test('an update of a table the list rule reads shows in the total', async () => {
    assert.equal(await total(), 3);
    await pb.collection('owners').update(owners.bob.id, { name: 'hidden' });
    assert.equal(await total(), 2);
    await pb.collection('owners').update(owners.bob.id, { name: 'bob' });
    assert.equal(await total(), 3);
  });

  test('a batch of creates shows in the next total', async () => {
    await pb.settings.update({ batch: { enabled: true, maxRequests: 5 } });
    const batch = pb.createBatch();
    batch.collection('items').create({ title: 'b1', owner: owners.ann.id });
    batch.collection('items').create({ title: 'b2', owner: owners.ann.id });
    const results = await batch.send();
    assert.equal(await total(), 5);
    for (const result of results) await pb.collection('items').delete(result.body.id);
    assert.equal(await total(), 3);
  });
});
