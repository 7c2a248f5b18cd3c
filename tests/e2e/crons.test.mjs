// Cron jobs and the durable job queue (docs/jobs.md) through the official SDK: PocketBase's
// crons API (list, run now, 404, superusers only), an automatic backup made by running
// __pbAutoBackup__ with cronMaxKeep honoured, and a mail queued while the SMTP server is down
// that survives a restart of Basalt and is delivered once the server is up.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';
import { startSmtpSink } from './smtp_sink.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
// Only matters when the awaited state never comes: the failure then says what was missing.
const WAIT_MS = 20_000;

// Polls `check` (an async function returning a truthy value when done) until it is done.
async function eventually(what, check) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// A loopback port nothing listens on (yet).
async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function signIn(url) {
  const pb = new PocketBase(url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  return pb;
}

describe('crons', () => {
  let server;
  let admin;

  before(async () => {
    server = await startServer({ superuser });
    admin = await signIn(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  test('getFullList lists PocketBase\'s cron jobs in its order', async () => {
    const crons = await admin.crons.getFullList();
    assert.deepEqual(crons, [
      { id: '__pbLogsCleanup__', expression: '0 */6 * * *' },
      { id: '__pbDBOptimize__', expression: '0 0 * * *' },
      { id: '__pbMFACleanup__', expression: '0 * * * *' },
      { id: '__pbOTPCleanup__', expression: '0 * * * *' },
    ]);
  });

  test('the crons API is for superusers only', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.crons.getFullList(), (error) => error.status === 401);
    await assert.rejects(guest.crons.run('__pbDBOptimize__'), (error) => error.status === 401);
    await admin.collections.create({ name: 'people', type: 'auth' });
    await admin.collection('people').create({
      email: 'p@example.com', password: 'people password', passwordConfirm: 'people password',
    });
    const person = new PocketBase(server.url);
    await person.collection('people').authWithPassword('p@example.com', 'people password');
    await assert.rejects(person.crons.getFullList(), (error) => error.status === 403);
  });

  test('run answers 204 at once and the run is recorded as a done job', async () => {
    assert.equal(await admin.crons.run('__pbDBOptimize__'), true);
    assert.equal(await admin.crons.run('__pbOTPCleanup__'), true);
    const done = await eventually('both runs done', async () => {
      const jobs = await admin.send('/api/jobs', { query: { state: 'done' } });
      const crons = jobs.filter((job) => job.kind === 'cron');
      return crons.length >= 2 ? crons : null;
    });
    for (const job of done) assert.equal(job.attempts, 1);
  });

  test('an unknown cron id is a 404 in the API\'s error format', async () => {
    await assert.rejects(admin.crons.run('__nope__'), (error) => {
      assert.equal(error.status, 404);
      assert.equal(error.response.message, 'Missing or invalid cron job.');
      assert.deepEqual(error.response.data, {});
      return true;
    });
    await assert.rejects(admin.crons.run('x'.repeat(300)), (error) => error.status === 404);
  });

  test('the jobs list refuses a bad state or limit with a 400', async () => {
    await assert.rejects(admin.send('/api/jobs', { query: { state: 'sleeping' } }), (error) => {
      assert.equal(error.status, 400);
      assert.ok(error.response.data.state);
      return true;
    });
    await assert.rejects(admin.send('/api/jobs', { query: { limit: '0' } }), (e) => e.status === 400);
    await assert.rejects(admin.send('/api/jobs', { query: { limit: 'x' } }), (e) => e.status === 400);
  });

  test('settings.backups.cron registers __pbAutoBackup__; running it keeps cronMaxKeep backups',
    { skip: usePostgres && 'backups need SQLite' }, async () => {
      const before = await admin.settings.getAll();
      await admin.settings.update({ backups: { ...before.backups, cron: '30 3 * * *', cronMaxKeep: 1 } });
      const crons = await admin.crons.getFullList();
      assert.deepEqual(crons.at(-1), { id: '__pbAutoBackup__', expression: '30 3 * * *' });

      const autoBackups = async () =>
        (await admin.backups.getFullList()).filter((b) => b.key.startsWith('@auto_pb_backup_'));
      await admin.crons.run('__pbAutoBackup__');
      const [first] = await eventually('a first automatic backup', async () => {
        const list = await autoBackups();
        return list.length === 1 ? list : null;
      });
      assert.match(first.key, /^@auto_pb_backup_.*_\d{14}\.zip$/);
      // Names carry the second: the next one needs a later second to get a name of its own.
      const stamp = first.key.match(/_(\d{14})\.zip$/)[1];
      await eventually('a later second', async () => {
        const now = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
        return now > stamp;
      });
      await admin.crons.run('__pbAutoBackup__');
      const [second] = await eventually('the second replacing the first', async () => {
        const list = await autoBackups();
        return list.length === 1 && list[0].key !== first.key ? list : null;
      });
      assert.ok(second.key > first.key);

      await admin.settings.update({ backups: { ...before.backups, cron: '' } });
      const ids = (await admin.crons.getFullList()).map((c) => c.id);
      assert.ok(!ids.includes('__pbAutoBackup__'));
    });
});

describe('durable mail', () => {
  test('a mail queued while SMTP is down survives a restart and is delivered later', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'basalt-e2e-crons-'));
    const port = await freePort();
    let server = await startServer({ superuser, dir });
    let sink;
    try {
      let admin = await signIn(server.url);
      await admin.settings.update({
        meta: { appURL: 'http://app.test', senderName: 'Basalt', senderAddress: 'noreply@basalt.test' },
        smtp: { enabled: true, host: '127.0.0.1', port, tls: false },
      });
      await admin.collections.create({ name: 'readers', type: 'auth' });
      await admin.collection('readers').create({
        email: 'reader@example.com', password: 'reader password', passwordConfirm: 'reader password',
      });
      const guest = new PocketBase(server.url);
      assert.equal(await guest.collection('readers').requestVerification('reader@example.com'), true);
      // The first attempt fails (nothing listens): the job waits for its retry.
      const mailJob = async () =>
        (await admin.send('/api/jobs', {})).find((job) => job.kind === 'mail.send');
      const failedOnce = await eventually('a failed first attempt', async () => {
        const job = await mailJob();
        return job && job.attempts >= 1 && job.state === 'queued' ? job : null;
      });
      assert.ok(failedOnce.lastError.length > 0);

      await server.stop();
      sink = await startSmtpSink({ port });
      server = await startServer({ dir });
      admin = await signIn(server.url);
      const mail = await sink.nextMailTo('reader@example.com');
      assert.match(mail.text, /confirm-verification\//);
      const done = await eventually('the mail job done', async () => {
        const job = await mailJob();
        return job?.state === 'done' ? job : null;
      });
      assert.ok(done.attempts >= 2);
    } finally {
      await server.stop();
      await sink?.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    }
  });
});
