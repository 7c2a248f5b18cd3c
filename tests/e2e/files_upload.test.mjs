// File uploads through the official SDK (docs/files.md), against both storage backends (the
// data directory and an S3 bucket on a signature-checking s3rver): what reaches the storage,
// what a failed request leaves there (nothing), and what a crash mid-upload leaves after a
// restart (nothing the records do not name).
//
// Stored objects are read by key (<collectionId>/<recordId>/<name>) through storage_backends.mjs:
// from <data dir>/storage, or from the bucket through the S3 API. Uploads in progress live in
// <data dir>/uploads_tmp with either backend.

import assert from 'node:assert/strict';
import { rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';
import { BACKENDS, listFiles, useBackend } from './storage_backends.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// A 1x1 PNG: libmagic calls it image/png whatever the name says.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4e80000000049454e44ae426082',
  'hex',
);
const NAME = /^[a-z0-9_]+_[a-z0-9]{10}(\.[A-Za-z0-9_.*+=#-]+)?$/;

// Resolves once check() is true, polling the file system (the server works on its own).
async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

// Sends raw bytes on a new connection and resolves with what the server answered (until it
// closes or `untilText` shows up).
function rawRequest(url, bytes, untilText) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (untilText && answer.includes(untilText)) {
        socket.destroy();
        resolve(answer);
      }
    });
    socket.on('error', (error) => (answer ? resolve(answer) : reject(error)));
    socket.on('close', () => resolve(answer));
    socket.write(bytes);
  });
}

function multipart(boundary, parts, { close = true } = {}) {
  let body = '';
  for (const part of parts) {
    body += `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) body += `; filename="${part.filename}"`;
    if (part.filenameStar !== undefined) body += `; filename*=${part.filenameStar}`;
    body += '\r\n';
    if (part.type) body += `Content-Type: ${part.type}\r\n`;
    body += `\r\n${part.data}\r\n`;
  }
  if (close) body += `--${boundary}--\r\n`;
  return Buffer.from(body, 'latin1');
}

for (const backend of BACKENDS) {
  describe(`file uploads (${backend} storage)`, () => {
    let server;
    let admin;
    let docs;
    let store;
    let spoolDir;

    const recordKey = (id) => `${docs.id}/${id}/`;
    // The names stored under a record (its files, and thumbnails as thumbs_<name>/<size>_<name>).
    const recordFiles = async (id) =>
      (await store.list(recordKey(id))).map((key) => key.slice(recordKey(id).length));
    const storedBytes = async (id, name) => {
      const bytes = await store.read(recordKey(id) + name);
      assert.ok(bytes, `${recordKey(id)}${name} is not stored`);
      return bytes.toString('utf8');
    };
    const isStored = async (id, name) => (await store.read(recordKey(id) + name)) !== null;

    before(async () => {
      server = await startServer({ superuser });
      spoolDir = join(server.dir, 'uploads_tmp');
      admin = new PocketBase(server.url);
      await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
      store = await useBackend(backend, server, admin);
      docs = await admin.collections.create({
        name: 'docs',
        type: 'base',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1000 },
          { name: 'files', type: 'file', maxSelect: 5, maxSize: 1000 },
          { name: 'pdf', type: 'file', maxSelect: 1, mimeTypes: ['application/pdf'] },
        ],
      });
      await admin.settings.update({ batch: { enabled: true } });
    });
    after(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('create with a Blob stores its bytes under the record', async () => {
      const record = await admin.collection('docs').create({
        title: 'one',
        cover: new File(['cover bytes'], 'My Cover.txt', { type: 'text/plain' }),
      });
      assert.match(record.cover, /^my_cover_[a-z0-9]{10}\.txt$/);
      assert.equal(await storedBytes(record.id, record.cover), 'cover bytes');
      assert.deepEqual(await listFiles(spoolDir), []);
    });

    test('replace, append, prepend, keep and remove', async () => {
      const created = await admin.collection('docs').create({
        cover: new File(['v1'], 'a.txt'),
        files: [new File(['f1'], 'one.txt'), new File(['f2'], 'two.txt')],
      });
      assert.equal(created.files.length, 2);
      assert.match(created.files[0], /^one_/);
      assert.match(created.files[1], /^two_/);

      // Replace: the new file is in, the old one is gone once the update committed.
      const replaced = await admin
        .collection('docs')
        .update(created.id, { cover: new File(['v2'], 'b.txt') });
      assert.notEqual(replaced.cover, created.cover);
      assert.equal(await storedBytes(created.id, replaced.cover), 'v2');
      assert.equal(await isStored(created.id, created.cover), false);

      // Append and prepend.
      const appended = await admin
        .collection('docs')
        .update(created.id, { 'files+': new File(['f3'], 'three.txt') });
      assert.deepEqual(appended.files.slice(0, 2), created.files);
      assert.match(appended.files[2], /^three_/);
      const prepended = await admin
        .collection('docs')
        .update(created.id, { '+files': new File(['f0'], 'zero.txt') });
      assert.match(prepended.files[0], /^zero_/);
      assert.deepEqual(prepended.files.slice(1), appended.files);

      // Existing names sent as strings are kept beside a new upload; the others go.
      const form = new FormData();
      form.append('files', prepended.files[1]);
      form.append('files', prepended.files[3]);
      form.append('files', new File(['f4'], 'four.txt'));
      const kept = await admin.collection('docs').update(created.id, form);
      assert.deepEqual(kept.files.slice(0, 2), [prepended.files[1], prepended.files[3]]);
      assert.match(kept.files[2], /^four_/);
      const onDisk = await recordFiles(created.id);
      assert.deepEqual(onDisk, [...kept.files, kept.cover].sort());

      // Remove by name, then clear.
      const removed = await admin.collection('docs').update(created.id, { 'files-': [kept.files[0]] });
      assert.deepEqual(removed.files, kept.files.slice(1));
      assert.equal(await isStored(created.id, kept.files[0]), false);
      const cleared = await admin.collection('docs').update(created.id, { files: [] });
      assert.deepEqual(cleared.files, []);
      assert.deepEqual(await recordFiles(created.id), [cleared.cover]);

      // Deleting the record deletes its directory.
      await admin.collection('docs').delete(created.id);
      assert.deepEqual(await recordFiles(created.id), []);
      if (backend === 'local') {
        await assert.rejects(stat(join(server.dir, 'storage', docs.id, created.id)), { code: 'ENOENT' });
      }
    });

    test('bad uploads are clear errors and leave nothing stored', async () => {
      const before = await store.list();
      const expectError = async (data, field, code) => {
        await assert.rejects(admin.collection('docs').create(data), (error) => {
          assert.equal(error.status, 400, JSON.stringify(error.response));
          assert.equal(error.response.data[field]?.code, code, JSON.stringify(error.response));
          return true;
        });
      };
      // Over the field's maxSize (1000): the field error, and the part was not even kept.
      await expectError({ cover: new File([Buffer.alloc(5000, 'x')], 'big.txt') }, 'cover',
        'validation_file_size_limit');
      // Content says PNG, the field allows only PDF (the name and the client's type lie).
      await expectError({ pdf: new File([PNG], 'doc.pdf', { type: 'application/pdf' }) }, 'pdf',
        'validation_invalid_mime_type');
      // A file for a text field, and for a field that does not exist.
      await expectError({ title: new File(['x'], 'x.txt') }, 'title', 'validation_invalid_file_part');
      await expectError({ nope: new File(['x'], 'x.txt') }, 'nope', 'validation_invalid_file_part');
      // More files than maxSelect.
      await expectError({ files: Array.from({ length: 6 }, (_, i) => new File([`${i}`], `${i}.txt`)) },
        'files', 'validation_too_many_files');

      // A truncated body (no final boundary).
      const boundary = 'e2e-truncated';
      const response = await fetch(`${server.url}/api/collections/docs/records`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        body: multipart(boundary, [{ name: 'cover', filename: 'a.txt', data: 'abc' }], { close: false }),
      });
      assert.equal(response.status, 400);
      const error = await response.json();
      assert.deepEqual(Object.keys(error).sort(), ['data', 'message', 'status']);
      assert.match(error.message, /final boundary/);

      assert.deepEqual(await store.list(), before);
      assert.deepEqual(await listFiles(spoolDir), []);
    });

    test('a body over the collection limit is 413 before it is read', async () => {
      // 32 MiB + 1000 + 5 * 1000 + 5 MiB (pdf) is the limit: announce 100 MiB, send nothing.
      const answer = await rawRequest(
        server.url,
        'POST /api/collections/docs/records HTTP/1.1\r\nHost: x\r\n' +
          'Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 104857600\r\n\r\n',
        '\r\n\r\n',
      );
      assert.match(answer, /^HTTP\/1\.1 413 /);
      assert.deepEqual(await listFiles(spoolDir), []);
    });

    test('path-traversal file names are stored under safe normalised names', async () => {
      const boundary = 'e2e-traversal';
      const names = ['../x.txt', '%2e%2e/y.txt', '/etc/passwd', '..\\\\..\\\\w.txt'];
      const parts = names.map((filename, i) => ({ name: 'files', filename, data: `payload ${i}` }));
      // A NUL (and a '/') can only arrive percent-encoded, in an RFC 5987 filename*.
      parts.push({ name: 'files', filenameStar: "UTF-8''a%00b%2F..%2Fc.txt", data: `payload ${names.length}` });
      names.push('a\0b/../c.txt');
      const response = await fetch(`${server.url}/api/collections/docs/records`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        body: multipart(boundary, parts),
      });
      assert.equal(response.status, 200, await response.clone().text());
      const record = await response.json();
      assert.equal(record.files.length, names.length);
      for (const name of record.files) assert.match(name, NAME);
      // Everything is inside the record's directory, with the bytes sent.
      assert.deepEqual(await recordFiles(record.id), [...record.files].sort());
      for (let i = 0; i < names.length; i++) {
        assert.equal(await storedBytes(record.id, record.files[i]), `payload ${i}`);
      }
      await assert.rejects(stat(join(server.dir, 'x.txt')), { code: 'ENOENT' });

      // A raw NUL in a part's header is a malformed body: a clear 400, nothing stored.
      const before = await store.list();
      const raw = await fetch(`${server.url}/api/collections/docs/records`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
        body: multipart(boundary, [{ name: 'files', filename: 'a\0b.txt', data: 'x' }]),
      });
      assert.equal(raw.status, 400);
      assert.match((await raw.json()).message, /control character/);
      assert.deepEqual(await store.list(), before);
      assert.deepEqual(await listFiles(spoolDir), []);
    });

    test('cascade deletes and collection deletes remove their files after the commit', async () => {
      const parents = await admin.collections.create({ name: 'parents', type: 'base' });
      const children = await admin.collections.create({
        name: 'children',
        type: 'base',
        fields: [
          { name: 'parent', type: 'relation', collectionId: parents.id, cascadeDelete: true, maxSelect: 1 },
          { name: 'doc', type: 'file', maxSelect: 1 },
        ],
      });
      const parent = await admin.collection('parents').create({});
      const child = await admin
        .collection('children')
        .create({ parent: parent.id, doc: new File(['child doc'], 'c.txt') });
      const childPrefix = `${children.id}/${child.id}/`;
      assert.deepEqual(await store.list(childPrefix), [childPrefix + child.doc]);
      await admin.collection('parents').delete(parent.id);
      assert.deepEqual(await store.list(childPrefix), []);

      const other = await admin
        .collection('children')
        .create({ doc: new File(['kept until the collection goes'], 'k.txt') });
      assert.equal((await store.list(`${children.id}/`)).length, 1, other.id);
      // A collection's files go after its delete is answered, from the removal queue the
      // delete's commit wrote (docs/files.md, "Files of removed fields and collections").
      await admin.collections.delete('children');
      await eventually(async () => (await store.list(`${children.id}/`)).length === 0,
        'the deleted collection\'s files to be removed');
      if (backend === 'local') {
        await eventually(
          () => stat(join(server.dir, 'storage', children.id)).then(
            () => false,
            (error) => error.code === 'ENOENT',
          ),
          'the deleted collection\'s directory to be removed',
        );
      }
    });

    test('names whose extension needs escaping in a URL are stored and served', async () => {
      // The extension keeps [A-Za-z0-9_.*+=#-]: '+', '=', '*' and '#' must be percent-encoded
      // in a request path (and in an S3 signature's canonical URI).
      const record = await admin.collection('docs').create({
        files: [new File(['odd ext'], 'odd.a+b=c*d#e'), new File(['two dots'], 'xyz.tar.g=z')],
      });
      assert.match(record.files[0], /^odd_[a-z0-9]{10}\.a\+b=c\*d#e$/);
      assert.match(record.files[1], /^xyz_[a-z0-9]{10}\.tar\.g=z$/);
      assert.equal(await storedBytes(record.id, record.files[0]), 'odd ext');
      assert.equal(await storedBytes(record.id, record.files[1]), 'two dots');
      for (const [i, content] of ['odd ext', 'two dots'].entries()) {
        const response = await fetch(admin.files.getURL(record, record.files[i]));
        assert.equal(response.status, 200, record.files[i]);
        assert.equal(await response.text(), content);
      }
      await admin.collection('docs').update(record.id, { 'files-': [record.files[0]] });
      assert.equal(await isStored(record.id, record.files[0]), false);
      await admin.collection('docs').delete(record.id);
      assert.deepEqual(await recordFiles(record.id), []);
    });

    test('a file above the S3 multipart threshold (32 MiB) is stored whole', async () => {
      const big = await admin.collections.create({
        name: 'big',
        type: 'base',
        fields: [{ name: 'blob', type: 'file', maxSelect: 1, maxSize: 48 << 20 }],
      });
      // 32 MiB + 1 byte: two parts on S3 (s3rver gives a multipart object a plain MD5 ETag, so
      // only the bytes tell; files_s3_test checks the requests). Each MiB is marked so a
      // misplaced or repeated part shows.
      const bytes = Buffer.alloc((32 << 20) + 1, 'b');
      for (let mib = 0; mib < 32; mib++) bytes.writeUInt32BE(mib, mib << 20);
      const record = await admin.collection('big').create({ blob: new File([bytes], 'big.bin') });
      const key = `${big.id}/${record.id}/${record.blob}`;
      const stored = await store.read(key);
      assert.equal(stored?.length, bytes.length);
      assert.ok(stored.equals(bytes));
      assert.deepEqual(await store.list(`${big.id}/`), [key]);
      await admin.collections.delete('big');
      await eventually(async () => (await store.list(`${big.id}/`)).length === 0,
        'the deleted collection\'s files to be removed');
    });

    if (backend === 's3') {
      test('a bucket that refuses the upload is a 500 and leaves no record and no file', async () => {
        const before = await store.list();
        const count = (await admin.collection('docs').getList(1, 1)).totalItems;
        await admin.settings.update({ s3: { ...store.settings, secret: 'not-the-secret' } });
        try {
          await assert.rejects(
            admin.collection('docs').create({ title: 'refused', cover: new File(['x'], 'r.txt') }),
            (error) => {
              assert.equal(error.status, 500, JSON.stringify(error.response));
              assert.ok(!JSON.stringify(error.response).includes('not-the-secret'));
              return true;
            },
          );
        } finally {
          await admin.settings.update({ s3: store.settings });
        }
        assert.equal((await admin.collection('docs').getList(1, 1)).totalItems, count);
        assert.deepEqual(await store.list(), before);
        assert.deepEqual(await listFiles(spoolDir), []);
        // With the right secret again, uploads work.
        const record = await admin.collection('docs').create({ cover: new File(['ok'], 'ok.txt') });
        assert.equal(await storedBytes(record.id, record.cover), 'ok');
      });
    }

    test('a batch carries file parts to its sub-requests', async () => {
      const batch = admin.createBatch();
      batch.collection('docs').create({ title: 'b0', cover: new File(['batch zero'], 'zero.txt') });
      batch.collection('docs').create({ title: 'b1', files: [new File(['batch one'], 'one.txt')] });
      const results = await batch.send();
      assert.equal(results.length, 2);
      const [first, second] = results.map((result) => result.body);
      assert.equal(await storedBytes(first.id, first.cover), 'batch zero');
      assert.equal(await storedBytes(second.id, second.files[0]), 'batch one');

      // The bracket spelling, and a failing batch leaves no file.
      const before = await store.list();
      const form = new FormData();
      form.append(
        '@jsonPayload',
        JSON.stringify({
          requests: [
            { method: 'POST', url: '/api/collections/docs/records', body: { title: 'ok' } },
            { method: 'POST', url: '/api/collections/docs/records', body: { title: 'x'.repeat(6000) } },
          ],
        }),
      );
      form.append('requests[0].cover', new File(['never stored'], 'n.txt'));
      const failed = await fetch(`${server.url}/api/batch`, {
        method: 'POST',
        headers: { Authorization: admin.authStore.token },
        body: form,
      });
      assert.equal(failed.status, 400);
      assert.deepEqual(await store.list(), before);
      assert.deepEqual(await listFiles(spoolDir), []);
    });
  });

  describe(`a crash mid-upload (${backend} storage)`, () => {
    test('leaves the records and the storage consistent after a restart', async () => {
      let server = await startServer({ superuser });
      const dir = server.dir;
      let store;
      try {
        const admin = new PocketBase(server.url);
        await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
        store = await useBackend(backend, server, admin);
        const docs = await admin.collections.create({
          name: 'docs',
          type: 'base',
          createRule: '',
          fields: [{ name: 'files', type: 'file', maxSelect: 3, maxSize: 10 << 20 }],
        });
        const kept = await admin.collection('docs').create({ files: [new File(['keep me'], 'k.txt')] });

        // Half of a 4 MiB upload, then nothing more: the server is spooling it when killed.
        const boundary = 'e2e-crash';
        const head = multipart(boundary, [{ name: 'files', filename: 'big.bin', data: '' }], {
          close: false,
        });
        const total = 4 << 20;
        const { hostname, port } = new URL(server.url);
        const socket = connect({ host: hostname, port: Number(port) });
        socket.on('error', () => {});
        socket.write(
          `POST /api/collections/docs/records HTTP/1.1\r\nHost: x\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
            `Content-Length: ${head.length - 2 + total}\r\n\r\n`,
        );
        socket.write(head.subarray(0, head.length - 2)); // up to the part's data
        socket.write(Buffer.alloc(total / 2, 'z'));
        const spool = join(dir, 'uploads_tmp');
        await eventually(async () => {
          const files = await listFiles(spool);
          if (files.length !== 1) return false;
          return (await stat(join(spool, files[0]))).size >= (1 << 20);
        }, 'the upload to reach the spool');

        // An orphan a crash could have left: stored, named by no record, older than the start.
        const orphan = `${docs.id}/orphanrecord123/lost_abcdefghij.txt`;
        await store.plant(orphan, 'orphan', { old: true });
        assert.equal((await store.read(orphan)).toString('utf8'), 'orphan');
        // Objects that are not Basalt's (a shared bucket): never swept, however old.
        const foreign = ['pb_backup_acme_20250102030405.zip', 'other-app/2024/photo.png'];
        for (const key of foreign) await store.plant(key, 'not ours', { old: true });

        await server.kill();
        socket.destroy();

        server = await startServer({ dir });
        const again = new PocketBase(server.url);
        await again.collection('_superusers').authWithPassword(superuser.email, superuser.password);
        const list = await again.collection('docs').getFullList();
        assert.deepEqual(list.map((record) => record.id), [kept.id]);
        // The spool starts empty; the sweep takes the orphan and keeps the named file.
        assert.deepEqual(await listFiles(spool), []);
        await eventually(
          async () => !(await store.list()).some((key) => key.includes('orphanrecord123')),
          'the sweep to remove the orphan',
        );
        const keptKey = `${docs.id}/${kept.id}/${kept.files[0]}`;
        assert.deepEqual(await store.list(), [keptKey, ...foreign].sort());
        assert.equal((await store.read(keptKey)).toString('utf8'), 'keep me');
      } finally {
        await server.stop();
        await store?.stop();
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}
