// Batch writes, multipart bodies and the `fields` projection through the official SDK.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('batch, multipart and fields', () => {
  let server;
  let admin;
  let ann;
  let annId;
  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: "@request.auth.id != '' && owner = @request.auth.id",
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'body', type: 'editor' },
        { name: 'count', type: 'number' },
        { name: 'flags', type: 'select', values: ['a', 'b', 'c'], maxSelect: 3 },
        { name: 'owner', type: 'relation', collectionId: '_pb_users_auth_', maxSelect: 1 },
        { name: 'attachment', type: 'file', maxSelect: 1 },
      ],
    });
    const user = await admin.collection('users').create({
      email: 'ann@example.com',
      password: 'ann-password',
      passwordConfirm: 'ann-password',
    });
    annId = user.id;
    ann = new PocketBase(server.url);
    await ann.collection('users').authWithPassword('ann@example.com', 'ann-password');
  });
  after(async () => {
    await server?.stop();
  });

  test('batch is 403 until a superuser enables it in the settings', async () => {
    const batch = ann.createBatch();
    batch.collection('notes').create({ title: 'x', owner: annId });
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.status, 403);
      assert.equal(error.response.message, 'Batch requests are not allowed.');
      return true;
    });
    const settings = await admin.settings.update({ batch: { enabled: true, maxRequests: 5 } });
    assert.equal(settings.batch.enabled, true);
  });

  test('createBatch runs create, upsert, update and delete in one transaction', async () => {
    const batch = ann.createBatch();
    batch.collection('notes').create({ title: 'first', owner: annId });
    batch.collection('notes').upsert({ id: 'batchupsert0001', title: 'second', owner: annId });
    batch.collection('notes').update('batchupsert0001', { 'count+': 2 });
    const results = await batch.send();
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200],
    );
    assert.equal(results[0].body.title, 'first');
    assert.equal(results[2].body.count, 2);

    const cleanup = ann.createBatch();
    cleanup.collection('notes').delete(results[0].body.id);
    const deleted = await cleanup.send();
    assert.deepEqual(deleted, [{ body: null, status: 204 }]);
    const left = await ann.collection('notes').getFullList();
    assert.deepEqual(
      left.map((n) => n.id),
      ['batchupsert0001'],
    );
  });

  test('one failing sub-request rolls back the whole batch', async () => {
    const batch = ann.createBatch();
    batch.collection('notes').create({ title: 'kept?', owner: annId });
    batch.collection('notes').create({ title: '', owner: annId }); // title is required
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.response.message, 'Batch transaction failed.');
      const failed = error.response.data.requests['1'];
      assert.equal(failed.code, 'batch_request_failed');
      assert.equal(failed.response.status, 400);
      assert.equal(failed.response.data.title.code, 'validation_required');
      return true;
    });
    const titles = (await ann.collection('notes').getFullList()).map((n) => n.title);
    assert.ok(!titles.includes('kept?'));
  });

  test('a batch cannot do what its caller may not: rules apply to every sub-request', async () => {
    const guest = new PocketBase(server.url);
    const batch = guest.createBatch();
    batch.collection('notes').create({ title: 'anonymous', owner: annId });
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.response.data.requests['0'].response.message, 'Failed to create record.');
      return true;
    });
    const other = guest.createBatch();
    other.collection('notes').delete('batchupsert0001');
    await assert.rejects(other.send(), (error) => {
      assert.equal(error.response.data.requests['0'].response.status, 404);
      return true;
    });
  });

  test('more than maxRequests sub-requests is a 400 on requests', async () => {
    const batch = ann.createBatch();
    for (let i = 0; i < 6; i++) batch.collection('notes').create({ title: `n${i}`, owner: annId });
    await assert.rejects(batch.send(), (error) => {
      assert.equal(error.status, 400);
      assert.ok(error.response.data.requests);
      return true;
    });
  });

  test('multipart create: @jsonPayload values, inferred strings, and a file part is stored', async () => {
    // A Blob value makes the SDK send multipart/form-data with the other values as strings.
    const withFile = await ann.collection('notes').create({
      title: 'with file',
      owner: annId,
      attachment: new Blob(['hello'], { type: 'text/plain' }),
    });
    // A Blob is sent as "blob": no extension, so the content's type gives one.
    assert.match(withFile.attachment, /^blob_[a-z0-9]{10}\.txt$/);
    const form = new FormData();
    form.append('title', 'form note');
    form.append('owner', annId);
    form.append('count', '7');
    form.append('@jsonPayload', JSON.stringify({ flags: ['a', 'c'] }));
    const created = await ann.collection('notes').create(form);
    assert.equal(created.count, 7);
    assert.deepEqual(created.flags, ['a', 'c']);
  });

  test('a 10,000-part multipart body is a clear 400 and stores nothing', async () => {
    const boundary = 'basalt-e2e-boundary';
    let body = '';
    for (let i = 0; i < 10_000; i++) {
      body += `--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nt${i}\r\n`;
    }
    body += `--${boundary}--\r\n`;
    const before = await ann.collection('notes').getList(1, 1);
    const response = await fetch(`${server.url}/api/collections/notes/records`, {
      method: 'POST',
      headers: {
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        Authorization: ann.authStore.token,
      },
      body,
    });
    assert.equal(response.status, 400);
    const error = await response.json();
    assert.match(error.message, /multipart parts/i);
    assert.deepEqual(error.data, {});
    const after = await ann.collection('notes').getList(1, 1);
    assert.equal(after.totalItems, before.totalItems);
  });

  test('fields picks keys and excerpts HTML on list and view', async () => {
    const note = await ann.collection('notes').create({
      title: 'long',
      owner: annId,
      body: '<p>Hello <b>brave</b> new world</p><script>alert(1)</script>',
    });
    const one = await ann.collection('notes').getOne(note.id, {
      fields: 'id,body:excerpt(11,true)',
    });
    assert.deepEqual(one, { id: note.id, body: 'Hello brave...' });
    const page = await ann.collection('notes').getList(1, 50, { fields: 'title', sort: 'title' });
    assert.ok(page.items.every((item) => Object.keys(item).join() === 'title'));
    assert.equal(typeof page.totalItems, 'number'); // the envelope is never projected
  });
});
