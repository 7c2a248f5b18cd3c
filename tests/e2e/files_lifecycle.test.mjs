// The life cycle of stored files around records and collections (docs/files.md), through the
// official SDK, against both storage backends: deleting a record (and the records a cascade
// deletes with it), dropping a file field, making a multi-file field single, deleting a
// collection — each removes exactly the files no record names any more, after the change is
// answered and without the next start; renaming a file field removes nothing. Also: how a plain
// text file is served, and the process-wide budget of upload bytes being received.

import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { bandedPng } from './png.mjs';
import { startServer } from './server.mjs';
import { BACKENDS, listFiles, useBackend } from './storage_backends.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// An image a 100x100 thumbnail is made of.
const PNG = bandedPng(120, 90);

// Resolves once check() is true: the removals run on the server's own thread after the change
// was answered, so the test waits for their outcome, not for a time.
async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const sameKeys = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

for (const backend of BACKENDS) {
  describe(`file life cycle (${backend} storage)`, () => {
    let server;
    let admin;
    let store;

    before(async () => {
      server = await startServer({ superuser });
      admin = new PocketBase(server.url);
      await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
      store = await useBackend(backend, server, admin);
    });
    after(async () => {
      await server?.stop();
      await store?.stop();
    });

    // A base collection with a single and a multiple file field, open rules.
    async function makeCollection(name, extraFields = []) {
      return admin.collections.create({
        name,
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [
          { name: 'cover', type: 'file', maxSelect: 1 },
          { name: 'files', type: 'file', maxSelect: 5 },
          ...extraFields,
        ],
      });
    }
    async function recordWithFiles(collection, extra = {}) {
      const record = await admin.collection(collection.name).create({
        ...extra,
        cover: new Blob([PNG], { type: 'image/png' }),
        files: [
          new File(['first file'], 'a.txt', { type: 'text/plain' }),
          new File(['second file'], 'b.txt', { type: 'text/plain' }),
        ],
      });
      // A thumbnail of the cover, stored beside it.
      const response = await fetch(admin.files.getURL(record, record.cover, { thumb: '100x100' }));
      assert.equal(response.status, 200);
      await response.arrayBuffer();
      return record;
    }
    const keysOf = (collection, record, names) =>
      names.map((name) => `${collection.id}/${record.id}/${name}`);
    const thumbKey = (collection, record) =>
      `${collection.id}/${record.id}/thumbs_${record.cover}/100x100_${record.cover}`;

    test('deleting a record, and the records its delete cascades to, removes their files', async () => {
      const parents = await makeCollection('lc_parents');
      const children = await makeCollection('lc_children', [
        { name: 'parent', type: 'relation', collectionId: parents.id, cascadeDelete: true, maxSelect: 1 },
      ]);
      const parent = await recordWithFiles(parents);
      const child = await recordWithFiles(children, { parent: parent.id });
      const other = await recordWithFiles(children);
      assert.ok((await store.list(`${children.id}/${child.id}/`)).length >= 4);

      await admin.collection('lc_parents').delete(parent.id);
      // Removed after the commit, before the delete is answered.
      assert.deepEqual(await store.list(`${parents.id}/${parent.id}/`), []);
      assert.deepEqual(await store.list(`${children.id}/${child.id}/`), []);
      assert.equal((await store.list(`${children.id}/${other.id}/`)).length, 4);
    });

    test('dropping a file field removes its files and thumbnails; renaming one removes nothing', async () => {
      const docs = await makeCollection('lc_drop');
      const one = await recordWithFiles(docs);
      const two = await recordWithFiles(docs);
      const before = await store.list(`${docs.id}/`);
      assert.equal(before.length, 8);

      // Rename `files` and lower its maxSelect (still multiple): names and files stay.
      let fields = (await admin.collections.getOne(docs.id)).fields;
      fields = fields.map((f) => (f.name === 'files' ? { ...f, name: 'attachments', maxSelect: 2 } : f));
      await admin.collections.update(docs.id, { fields });
      assert.deepEqual((await admin.collection('lc_drop').getOne(one.id)).attachments, one.files);
      assert.deepEqual(await store.list(`${docs.id}/`), before);

      // Drop the cover field: its files and thumbnails go, the attachments stay.
      fields = (await admin.collections.getOne(docs.id)).fields.filter((f) => f.name !== 'cover');
      await admin.collections.update(docs.id, { fields });
      const expected = [...keysOf(docs, one, one.files), ...keysOf(docs, two, two.files)];
      await eventually(async () => sameKeys(await store.list(`${docs.id}/`), expected),
        'the dropped field\'s files to be removed');
      assert.ok(!(await store.list(`${docs.id}/`)).includes(thumbKey(docs, one)));
    });

    test('a multi-file field made single keeps only the last name and its file', async () => {
      const docs = await makeCollection('lc_single');
      const record = await recordWithFiles(docs);
      const fields = (await admin.collections.getOne(docs.id)).fields.map((f) =>
        f.name === 'files' ? { ...f, maxSelect: 1 } : f);
      await admin.collections.update(docs.id, { fields });
      const after = await admin.collection('lc_single').getOne(record.id);
      assert.equal(after.files, record.files[1]);
      const expected = [
        ...keysOf(docs, record, [record.cover, record.files[1]]),
        thumbKey(docs, record),
      ];
      await eventually(async () => sameKeys(await store.list(`${docs.id}/`), expected),
        'the names the column no longer holds to be removed');
    });

    test('deleting a collection removes every file under it', async () => {
      const docs = await makeCollection('lc_gone');
      await recordWithFiles(docs);
      await recordWithFiles(docs);
      const keep = await makeCollection('lc_kept');
      const kept = await recordWithFiles(keep);
      await admin.collections.delete(docs.id);
      await eventually(async () => (await store.list(`${docs.id}/`)).length === 0,
        'the collection\'s files to be removed');
      assert.equal((await store.list(`${keep.id}/${kept.id}/`)).length, 4);
    });

    test('a view collection\'s files are served from the record of its source collection', async () => {
      const source = await admin.collections.create({
        name: 'lc_source',
        type: 'base',
        listRule: '',
        viewRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'doc', type: 'file', maxSelect: 1 },
          { name: 'gallery', type: 'file', maxSelect: 3 },
          { name: 'secret', type: 'file', maxSelect: 1, protected: true },
        ],
      });
      const record = await admin.collection('lc_source').create({
        title: 't',
        doc: new File(['the document'], 'doc.txt'),
        gallery: [new File(['picture one'], 'one.txt'), new File(['picture two'], 'two.txt')],
        secret: new File(['the secret'], 'secret.txt'),
      });
      await admin.collections.create({
        name: 'lc_view',
        type: 'view',
        listRule: '',
        viewRule: '',
        viewQuery: 'SELECT id, title, doc AS attachment, gallery, secret FROM lc_source',
      });
      await admin.collections.create({
        name: 'lc_view_locked',
        type: 'view',
        listRule: null,
        viewRule: null,
        viewQuery: 'SELECT id, secret FROM lc_view',
      });
      const guest = new PocketBase(server.url);
      const viewed = await guest.collection('lc_view').getOne(record.id);
      const body = async (url) => {
        const response = await fetch(url);
        return { status: response.status, text: await response.text() };
      };
      assert.deepEqual(await body(guest.files.getURL(viewed, viewed.attachment)),
        { status: 200, text: 'the document' });
      assert.deepEqual(await body(guest.files.getURL(viewed, viewed.gallery[1])),
        { status: 200, text: 'picture two' });
      // A name the view's record does not hold, even one its source stores: 404.
      const missing = await body(guest.files.getURL(viewed, 'nothing_0123456789.txt'));
      assert.equal(missing.status, 404);
      assert.deepEqual(JSON.parse(missing.text), {
        data: {}, message: 'The requested resource wasn\'t found.', status: 404,
      });

      // A protected file through a view over a view: the view's own viewRule decides (null:
      // superusers only), with the record of a file token.
      const locked = await admin.collection('lc_view_locked').getOne(record.id);
      assert.equal((await body(guest.files.getURL(locked, locked.secret))).status, 404);
      const token = await admin.files.getToken();
      assert.deepEqual(await body(admin.files.getURL(locked, locked.secret, { token })),
        { status: 200, text: 'the secret' });
      assert.ok(source.id);
    });

    test('a plain-text file is served as text/plain with its charset, as PocketBase does', async () => {
      const docs = await makeCollection('lc_text');
      const record = await admin.collection('lc_text').create({
        files: [
          new File(['plain ascii text\n'], 'ascii.txt'),
          new File(['caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\n'], 'utf8.txt'),
          new File([Buffer.from('caf\xe9 cr\xe8me\n', 'latin1')], 'latin.txt'),
        ],
      });
      const types = [];
      for (const name of record.files) {
        const response = await fetch(admin.files.getURL(record, name));
        assert.equal(response.status, 200);
        await response.arrayBuffer();
        types.push(response.headers.get('content-type'));
      }
      assert.deepEqual(types, [
        'text/plain; charset=utf-8',
        'text/plain; charset=utf-8',
        'text/plain; charset=iso-8859-1',
      ]);
      assert.ok(docs.id);
    });
  });
}

// --- The budget of upload bytes being received (max-upload-spool-bytes) ---

// A multipart body with one file part of `size` bytes; without its end when `open`.
function uploadBody(boundary, size, { open = false } = {}) {
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="big.txt"\r\n\r\n`;
  const tail = open ? '' : `\r\n--${boundary}--\r\n`;
  return Buffer.concat([Buffer.from(head), Buffer.alloc(size, 'x'), Buffer.from(tail)]);
}

// Sends a request head announcing `length` body bytes plus `body`, and resolves with the
// connection and a promise of everything the server answers until it closes.
function openUpload(url, path, boundary, length, body) {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  const answered = new Promise((resolve, reject) => {
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
    });
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)));
    socket.on('close', () => resolve(answer));
  });
  socket.write(
    `POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n`,
  );
  socket.write(body);
  return { socket, answered };
}

describe('upload spool budget', () => {
  const KiB = 1024;
  let server;
  let admin;

  before(async () => {
    server = await startServer({ superuser, args: ['--max-upload-spool-bytes', '1MiB'] });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({
      name: 'spooled',
      type: 'base',
      createRule: '',
      fields: [{ name: 'files', type: 'file', maxSelect: 1, maxSize: 4 << 20 }],
    });
  });
  after(async () => {
    await server?.stop();
  });

  const spoolDir = () => join(server.dir, 'uploads_tmp');
  const spooledBytes = async () => {
    let total = 0;
    for (const name of await listFiles(spoolDir())) total += (await stat(join(spoolDir(), name))).size;
    return total;
  };
  const path = '/api/collections/spooled/records';

  test('a body past the budget gets 503 with Retry-After, keeps nothing, and others go on', async () => {
    // One request holds 700 KiB of the 1 MiB budget, its body not finished yet.
    const boundary = 'budgetboundaryA';
    const full = uploadBody(boundary, 700 * KiB);
    const first = openUpload(server.url, path, boundary, full.length,
      uploadBody(boundary, 700 * KiB, { open: true }));
    // The spool writes in 64 KiB steps and reserves before it writes.
    await eventually(async () => (await spooledBytes()) >= 636 * KiB, 'the first upload to be spooled');

    // A second one of 500 KiB would pass the budget: refused at once, nothing kept.
    const second = uploadBody('budgetboundaryB', 500 * KiB);
    const refused = await openUpload(server.url, path, 'budgetboundaryB', second.length, second)
      .answered;
    assert.match(refused, /^HTTP\/1\.1 503 /, refused.slice(0, 200));
    assert.match(refused, /\r\nRetry-After: 1\r\n/i);
    const body = JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4));
    assert.equal(body.status, 503);
    assert.match(body.message, /too many uploads/i);
    assert.deepEqual(body.data, {});
    assert.ok((await spooledBytes()) < 700 * KiB, 'the refused upload left bytes behind');

    // The first one finishes and is stored.
    first.socket.end(Buffer.from(`\r\n--${boundary}--\r\n`));
    const answer = await first.answered;
    assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 200));
    await eventually(async () => (await listFiles(spoolDir())).length === 0, 'the spool to be empty');

    // With the budget free again, the same 500 KiB upload succeeds.
    const record = await admin.collection('spooled').create({
      files: new File([Buffer.alloc(500 * KiB, 'y')], 'again.txt'),
    });
    assert.match(record.files, /^again_/);
  });

  test('a single body larger than the whole budget is refused with the API error format', async () => {
    const boundary = 'budgetboundaryC';
    const body = uploadBody(boundary, 1100 * KiB);
    const { answered } = openUpload(server.url, path, boundary, body.length, body);
    const answer = await answered;
    assert.match(answer, /^HTTP\/1\.1 503 /);
    assert.match(answer, /\r\nRetry-After: 1\r\n/i);
    const json = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
    assert.equal(json.status, 503);
    assert.deepEqual(await listFiles(spoolDir()), []);
  });
});
