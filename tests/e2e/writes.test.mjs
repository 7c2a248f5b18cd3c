// Limits of the write path through the official SDK and plain fetch: a huge relation list is
// refused before the single writer, password hashing is bounded per client address (429 with
// Retry-After), and a full disk is a 507 while reads keep working. The disk is a 4 MiB tmpfs:
// on SQLite the data directory (where data.db lives), on PostgreSQL (E2E_DB=postgres) a
// tablespace the server's tables are created in, so that the server itself fails to extend a
// table (SQLSTATE 53100).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { querySql, runSql, usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const OUT_OF_SPACE = 'The server is out of storage space; the change was not saved.';

describe('write limits', () => {
  let server;
  let pb;

  before(async () => {
    // The production argon2id cost, not the suite's cheapest (tests/e2e/README.md): the hashing
    // bound below is only reached while hashes take as long as they do in production.
    server = await startServer({
      superuser,
      env: { BASALT_AUTH_ARGON2_MEMORY: '32MiB', BASALT_AUTH_ARGON2_PASSES: '3' },
    });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const orgs = await pb.collections.create({ name: 'orgs', type: 'base', ...open, fields: [] });
    await pb.collections.create({
      name: 'picks',
      type: 'base',
      ...open,
      fields: [{ name: 'orgs', type: 'relation', collectionId: orgs.id, maxSelect: 3 }],
    });
  });
  after(async () => server?.stop());

  test('a relation list past maxSelect is a field error and stores nothing, however long', async () => {
    const orgs = Array.from({ length: 300_000 }, (_, i) => `o${String(i).padStart(14, '0')}`);
    await assert.rejects(pb.collection('picks').create({ orgs }), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.response.message, 'Failed to create record.');
      assert.equal(error.response.data.orgs.code, 'validation_too_many_values');
      return true;
    });
    assert.equal((await pb.collection('picks').getList(1, 1)).totalItems, 0);
  });

  test('one address gets a bounded share of password hashing: past it 429 with Retry-After', async () => {
    const attempts = Array.from({ length: 30 }, (_, i) =>
      fetch(`${server.url}/api/collections/users/records`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `flood${i}@example.com`,
          password: 'secret123',
          passwordConfirm: 'secret123',
        }),
      }),
    );
    const responses = await Promise.all(attempts);
    const refused = responses.filter((r) => r.status === 429);
    assert.ok(refused.length > 0, `statuses: ${responses.map((r) => r.status)}`);
    assert.ok(responses.some((r) => r.status === 200));
    assert.ok(responses.every((r) => r.status === 200 || r.status === 429));
    assert.equal(refused[0].headers.get('retry-after'), '1');
    assert.deepEqual(await refused[0].json(), {
      status: 429,
      message: 'Too Many Requests.',
      data: {},
    });
  });
});

describe('a full disk', () => {
  let mountpoint;
  let mounted = false;
  let tablespace;
  let server;
  let pb;

  // E2E_DB=postgres: a tablespace on the tmpfs, owned by the PostgreSQL server's system user
  // (the owner of its data directory), which must own the directory it writes to.
  async function mountForPostgres() {
    const dataDirectory = querySql('SHOW data_directory');
    const { uid, gid } = await stat(dataDirectory);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=4m,uid=${uid},gid=${gid},mode=0700`, 'tmpfs', mountpoint], {
      stdio: 'ignore',
    });
    mounted = true;
    tablespace = `e2e_full_${process.pid}`;
    runSql(`CREATE TABLESPACE "${tablespace}" LOCATION '${mountpoint}'`);
  }

  before(async () => {
    mountpoint = await mkdtemp(join(tmpdir(), 'basalt-full-'));
    try {
      if (usePostgres) {
        await mountForPostgres();
      } else {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountpoint], {
          stdio: 'ignore',
        });
        mounted = true;
      }
    } catch {
      return; // not permitted here: the tests below skip
    }
    const saved = process.env.TMPDIR;
    // SQLite: startServer makes its data directory under tmpdir(), on the tmpfs.
    if (!usePostgres) process.env.TMPDIR = mountpoint;
    try {
      server = await startServer({ superuser, postgresTablespace: tablespace });
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({
      name: 'blobs',
      type: 'base',
      ...open,
      fields: [{ name: 'text', type: 'text', max: 100000 }],
    });
  });
  after(async () => {
    await server?.stop(); // drops the server's database, and with it its tables on the tmpfs
    if (tablespace) runSql(`DROP TABLESPACE IF EXISTS "${tablespace}"`);
    if (mounted) execFileSync('umount', [mountpoint]);
    await rm(mountpoint, { recursive: true, force: true });
  });

  test('writes get 507 with a clear message, reads still answer', async (t) => {
    if (!mounted) {
      t.skip('mounting a 4 MiB tmpfs is not permitted here (needs root)');
      return;
    }
    // PostgreSQL compresses long values: random text (base64) stays about as large as it is.
    const text = () => (usePostgres ? randomBytes(68_000).toString('base64') : 'x'.repeat(90_000));
    let failure;
    for (let i = 0; i < 200 && !failure; ++i) {
      try {
        await pb.collection('blobs').create({ text: text() });
      } catch (error) {
        failure = error;
      }
    }
    assert.ok(failure, 'the 4 MiB disk never filled up');
    assert.equal(failure.status, 507);
    assert.deepEqual(failure.response, { status: 507, message: OUT_OF_SPACE, data: {} });
    const page = await pb.collection('blobs').getList(1, 1);
    assert.ok(page.totalItems > 0);
  });
});
