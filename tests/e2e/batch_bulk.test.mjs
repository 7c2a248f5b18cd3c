// Large batches of plain creates (the bulk path, docs/records.md "Bulk creates") through the
// official SDK: many rows a statement, relations to records of the same batch, and a failing
// create reported at its own index with nothing stored.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// A 15-character id of its own for each number.
const idOf = (prefix, n) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;

describe('batch bulk creates', () => {
  let server;
  let admin;
  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({ batch: { enabled: true, maxRequests: 1000 } });
    const people = await admin.collections.create({
      name: 'people',
      type: 'base',
      listRule: '',
      createRule: '',
      updateRule: '',
      fields: [{ name: 'name', type: 'text', max: 50 }],
    });
    await admin.collections.create({
      name: 'links',
      type: 'base',
      listRule: '',
      createRule: '',
      fields: [{ name: 'to', type: 'relation', collectionId: people.id, maxSelect: 1 }],
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('hundreds of creates, relations to records of the same batch and an update between', async () => {
    const guest = new PocketBase(server.url);
    const batch = guest.createBatch();
    for (let i = 0; i < 100; i++) {
      batch.collection('people').create({ id: idOf('person', i), name: `p${i}` });
    }
    batch.collection('people').update(idOf('person', 7), { name: 'renamed' });
    for (let i = 0; i < 200; i++) {
      batch.collection('links').create({ to: idOf('person', i % 100) });
    }
    const results = await batch.send();
    assert.equal(results.length, 301);
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(results[42].body.id, idOf('person', 42));
    assert.equal(results[100].body.name, 'renamed');
    assert.equal(results[150].body.to, idOf('person', 49));
    assert.equal(results[150].body.collectionName, 'links');
    const links = await guest.collection('links').getList(1, 1);
    assert.equal(links.totalItems, 200);
    const renamed = await admin.collection('people').getOne(idOf('person', 7));
    assert.equal(renamed.name, 'renamed');
  });

  test('a missing related record fails the batch at its index and stores nothing', async () => {
    const guest = new PocketBase(server.url);
    const batch = guest.createBatch();
    for (let i = 0; i < 100; i++) {
      batch.collection('links').create({ to: i === 70 ? 'nosuchperson001' : idOf('person', i) });
    }
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.response.message, 'Batch transaction failed.');
      const failed = error.response.data.requests['70'];
      assert.equal(failed.code, 'batch_request_failed');
      assert.equal(failed.response.data.to.code, 'validation_missing_rel_records');
      assert.deepEqual(Object.keys(error.response.data.requests), ['70']);
      return true;
    });
    const links = await guest.collection('links').getList(1, 1);
    assert.equal(links.totalItems, 200);
  });

  test('an id taken inside a multi-row statement is reported at the second create', async () => {
    const guest = new PocketBase(server.url);
    const batch = guest.createBatch();
    for (let i = 0; i < 64; i++) {
      const id = i === 10 || i === 20 ? 'twice0000000001' : idOf('again', i);
      batch.collection('people').create({ id, name: 'x' });
    }
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.status, 400);
      const failed = error.response.data.requests['20'];
      assert.equal(failed.response.data.id.code, 'validation_not_unique');
      return true;
    });
    const people = await guest.collection('people').getList(1, 1);
    assert.equal(people.totalItems, 100);
  });
});
