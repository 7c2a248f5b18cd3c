// Backups through the official SDK (pb.backups.*, docs/backups.md): create, list, download with
// a superuser file token, upload, delete, and a restore after which the server restarts itself
// in place on the same port and serves the restored data.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inflateRawSync } from 'node:zlib';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';
import { listFiles, useBackend } from './storage_backends.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// A port free right now, for a server that must come back on the same one after restarting.
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// The entries of a zip archive (no Zip64: the archives here are small): name -> bytes.
function unzip(archive) {
  let eocd = archive.length - 22;
  while (eocd >= 0 && archive.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'no end of central directory');
  const count = archive.readUInt16LE(eocd + 10);
  let at = archive.readUInt32LE(eocd + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    assert.equal(archive.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const method = archive.readUInt16LE(at + 10);
    const compressed = archive.readUInt32LE(at + 20);
    const nameLength = archive.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
    const local = archive.readUInt32LE(at + 42);
    const name = archive.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const data = local + 30 + archive.readUInt16LE(local + 26) + archive.readUInt16LE(local + 28);
    const raw = archive.subarray(data, data + compressed);
    entries.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    at = next;
  }
  return entries;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('backups API', () => {
  let server;
  let pb;
  const kept = [];
  before(async () => {
    server = await startServer({ superuser, port: await freePort() });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: '',
      fields: [{ name: 'title', type: 'text' }],
    });
    for (let i = 0; i < 5; i++) kept.push((await pb.collection('notes').create({ title: `n${i}` })).id);
  });
  after(async () => {
    await server?.stop();
  });

  test('create, list and name rules', async () => {
    assert.equal(await pb.backups.create('first.zip'), true);
    assert.equal(await pb.backups.create(''), true); // the default name
    const list = await pb.backups.getFullList();
    assert.equal(list.length, 2);
    const first = list.find((item) => item.key === 'first.zip');
    assert.ok(first.size > 0);
    assert.match(first.modified, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(list.some((item) => /^pb_backup_acme_\d{14}\.zip$/.test(item.key)));

    const bad = await rejection(pb.backups.create('Not Valid'));
    assert.equal(bad.status, 400);
    assert.equal(bad.response.data.name.code, 'validation_match_invalid');
    const taken = await rejection(pb.backups.create('first.zip'));
    assert.equal(taken.response.data.name.code, 'validation_backup_name_exists');
  });

  test('download needs a superuser file token', async () => {
    const token = await pb.files.getToken();
    const response = await fetch(pb.backups.getDownloadURL(token, 'first.zip'));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename=first.zip');
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 2)], [0x50, 0x4b]); // "PK"
    const refused = await fetch(pb.backups.getDownloadURL('not-a-token', 'first.zip'));
    assert.equal(refused.status, 403);
    // An auth token is not a file token.
    const auth = await fetch(pb.backups.getDownloadURL(pb.authStore.token, 'first.zip'));
    assert.equal(auth.status, 403);
  });

  test('upload checks the archive; delete', async () => {
    const token = await pb.files.getToken();
    const bytes = await (await fetch(pb.backups.getDownloadURL(token, 'first.zip'))).arrayBuffer();
    assert.equal(await pb.backups.upload({ file: new File([bytes], 'copy.zip') }), true);
    assert.ok((await pb.backups.getFullList()).some((item) => item.key === 'copy.zip'));

    const truncated = await rejection(
      pb.backups.upload({ file: new File([bytes.slice(0, bytes.byteLength / 2)], 'half.zip') }),
    );
    assert.equal(truncated.status, 400);
    assert.ok(truncated.response.data.file, JSON.stringify(truncated.response));
    const exists = await rejection(pb.backups.upload({ file: new File([bytes], 'copy.zip') }));
    assert.equal(exists.response.data.file.code, 'validation_backup_name_exists');

    assert.equal(await pb.backups.delete('copy.zip'), true);
    const gone = await rejection(pb.backups.delete('copy.zip'));
    assert.equal(gone.status, 400);
    assert.ok(!(await pb.backups.getFullList()).some((item) => item.key === 'copy.zip'));
  });

  test('restore restarts the server in place on the restored data', async () => {
    const later = await pb.collection('notes').create({ title: 'after the backup' });
    const back = server.restarted(); // listening before the restart can announce itself
    assert.equal(await pb.backups.restore('first.zip'), true);
    assert.equal(await back, server.url);
    const restored = await pb.collection('notes').getFullList({ fields: 'id' });
    assert.deepEqual(restored.map((r) => r.id).sort(), [...kept].sort());
    assert.ok(!restored.some((r) => r.id === later.id));
    // The superuser token still works: the restored database holds the same superuser.
    assert.equal((await pb.backups.getFullList()).length, 2);
  });
});

describe('backups with S3 file storage', () => {
  let server;
  let pb;
  let store;
  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    store = await useBackend('s3', server, pb);
  });
  after(async () => {
    await server?.stop();
    await store?.stop();
  });

  test('a backup packs the files of the bucket under storage/<key>', async () => {
    await pb.collections.create({
      name: 'albums',
      type: 'base',
      viewRule: '',
      fields: [{ name: 'files', type: 'file', maxSelect: 3 }],
    });
    const record = await pb.collection('albums').create({
      // An empty one too: a remote object with no bytes to read.
      files: [new File(['first file'], 'one.txt'), new File(['second file'], 'two.txt'),
        new File([], 'empty.txt')],
    });
    const keys = await store.list();
    assert.deepEqual(
      keys,
      record.files.map((name) => `${record.collectionId}/${record.id}/${name}`).sort(),
    );
    // Nothing of it is in the data directory: the archive can only have it from the bucket.
    assert.deepEqual(await listFiles(join(server.dir, 'storage')), []);

    assert.equal(await pb.backups.create('with_s3.zip'), true);
    const token = await pb.files.getToken();
    const response = await fetch(pb.backups.getDownloadURL(token, 'with_s3.zip'));
    assert.equal(response.status, 200);
    const entries = unzip(Buffer.from(await response.arrayBuffer()));
    assert.deepEqual(
      [...entries.keys()].filter((name) => name.startsWith('storage/')).sort(),
      keys.map((key) => `storage/${key}`),
    );
    for (const key of keys) {
      assert.ok(entries.get(`storage/${key}`).equals(await store.read(key)), key);
    }
    assert.ok(entries.has('data.db'));
  });
});
