// Backups through the official SDK (pb.backups.*, docs/backups.md): create, list, download with
// a superuser file token, upload, delete, and a restore after which the server restarts itself
// in place on the same port and serves the restored data.

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// A port free right now, for a server that must come back on the same one after restarting.
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
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
