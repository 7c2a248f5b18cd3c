// The CLI on PostgreSQL (docs/postgres.md, "Running on PostgreSQL"): `collections import|export`
// and `superuser upsert` with --db, on their own and through a running server's admin socket;
// backups refused.
// Runs only under E2E_DB=postgres (scripts/test.sh lists it with the PostgreSQL files); on
// SQLite the same commands are covered by tests/integration.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import PocketBase from 'pocketbase';

import { databaseFor, usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const binary =
  process.env.E2E_BASALT_BINARY ??
  fileURLToPath(new URL('../../build/release/basalt', import.meta.url));

const notes = {
  name: 'cli_notes',
  type: 'base',
  listRule: '',
  fields: [
    { name: 'title', type: 'text', required: true, max: 50 },
    { name: 'done', type: 'bool' },
  ],
};

describe('the CLI on PostgreSQL', { skip: !usePostgres && 'E2E_DB is not postgres' }, () => {
  let dir;
  let storage;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basalt-e2e-cli-'));
    storage = ['--dir', dir, '--db', databaseFor(dir)];
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (...args) =>
    execFileSync(binary, [...args, ...storage], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  test('import, export and superuser upsert open the database themselves', async () => {
    const file = join(dir, 'import.json');
    await writeFile(file, JSON.stringify([notes]));
    run('collections', 'import', file);
    const exported = JSON.parse(run('collections', 'export'));
    const found = exported.find((c) => c.name === 'cli_notes');
    assert.ok(found, 'the imported collection is exported');
    assert.deepEqual(
      found.fields.filter((f) => !f.system).map((f) => [f.name, f.type]),
      [
        ['title', 'text'],
        ['done', 'bool'],
      ],
    );
    assert.match(run('superuser', 'upsert', 'cli@example.com', 'password-one'), /cli@example\.com/);
  });

  test('a running server answers the same commands through its admin socket', async () => {
    const server = await startServer({ dir }); // the same database: it belongs to the directory
    try {
      const pb = new PocketBase(server.url);
      await pb.collection('_superusers').authWithPassword('cli@example.com', 'password-one');
      await pb.collection('cli_notes').create({ title: 'from the SDK', done: true });

      // The server holds the directory: the command goes through it, and the server sees the
      // new password at once (its caches included).
      run('superuser', 'upsert', 'cli@example.com', 'password-two');
      await assert.rejects(
        new PocketBase(server.url).collection('_superusers').authWithPassword('cli@example.com', 'password-one'),
      );
      // A new password ends the old sessions (PocketBase renews the tokenKey): sign in again.
      const again = new PocketBase(server.url);
      await again.collection('_superusers').authWithPassword('cli@example.com', 'password-two');
      await assert.rejects(pb.collections.getOne('cli_notes'), (error) => error.status === 401);

      const file = join(dir, 'import2.json');
      await writeFile(
        file,
        JSON.stringify([{ ...notes, fields: [...notes.fields, { name: 'note', type: 'text' }] }]),
      );
      run('collections', 'import', file);
      const collection = await again.collections.getOne('cli_notes');
      assert.ok(collection.fields.some((f) => f.name === 'note'), 'the server serves the imported field');
      const records = await again.collection('cli_notes').getFullList();
      assert.deepEqual(
        records.map((r) => [r.title, r.done, r.note]),
        [['from the SDK', true, '']],
      );
      // Backups are SQLite archives: refused, with the reason, on PostgreSQL.
      await assert.rejects(again.backups.create('pg.zip'), (error) => {
        assert.equal(error.status, 400);
        assert.match(error.response.message, /PostgreSQL; use pg_dump/);
        return true;
      });
      const exportFile = join(dir, 'export.json');
      run('collections', 'export', exportFile);
      const exported = JSON.parse(await readFile(exportFile, 'utf8'));
      assert.ok(exported.find((c) => c.name === 'cli_notes').fields.some((f) => f.name === 'note'));
    } finally {
      await server.stop();
    }
  });
});
