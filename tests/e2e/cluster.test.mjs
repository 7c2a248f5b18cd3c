// Many instances on one PostgreSQL database behind haproxy (docs/scaling.md): three basalt
// servers started together on an empty database, haproxy in front of them (its configuration
// written here, health checks on /api/health), and the pocketbase SDK against both the
// balancer and single instances.
//
// The test starts its own PostgreSQL server (scripts/postgres-test-server.sh, a free port) so it
// can restart it under load; it needs Debian's postgresql-15 and haproxy and is skipped, saying
// so, without them. It runs in the SQLite pass of the suite only (E2E_DB=postgres would start
// the same servers again).
//
// Also a GraphQL live query (graphql-ws) on one instance following a write on another.
//
// No sleeps: every wait is for an answer or an event, bounded by a deadline. The deadlines of
// one second (a collection or a rule another instance changed) are the guarantee under test.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventSource } from 'eventsource';
import { createClient } from 'graphql-ws';
import PocketBase from 'pocketbase';
import WebSocket from 'ws';
import { eventLog, freePort, haproxyConfig, within } from './cluster_harness.mjs';
import { startServer } from './server.mjs';

globalThis.EventSource = EventSource;

const binary =
  process.env.E2E_BASALT_BINARY ??
  fileURLToPath(new URL('../../build/release/basalt', import.meta.url));
const postgresScript = fileURLToPath(new URL('../../scripts/postgres-test-server.sh', import.meta.url));
const haproxyBinary = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((path) => existsSync(path));
const initdb = `${process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'}/initdb`;

const skip =
  process.env.E2E_DB === 'postgres'
    ? 'runs in the SQLite pass only (it starts its own PostgreSQL)'
    : !haproxyBinary
      ? 'haproxy is not installed (scripts/install-deps.sh)'
      : !existsSync(initdb)
        ? `${initdb} not found (postgresql-15, scripts/install-deps.sh)`
        : false;

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('three instances on one PostgreSQL behind haproxy', { skip }, () => {
  let work;
  let postgresDir;
  let databaseUrl;
  const instances = [];
  let haproxy;
  let balancerUrl;
  const clients = [];

  const client = (url) => {
    const pb = new PocketBase(url);
    pb.autoCancellation(false);
    clients.push(pb);
    return pb;
  };
  const admin = async (url) => {
    const pb = client(url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    return pb;
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'basalt-cluster-'));
    // Not under `work` (mode 0700): as root the server runs as the postgres user, which must
    // reach its directory (postgres-test-server.sh creates it).
    postgresDir = join(tmpdir(), `basalt-cluster-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
    const port = await freePort();
    databaseUrl = execFileSync(postgresScript, ['start', postgresDir, String(port)], {
      encoding: 'utf8',
    }).trim();
    // Started at once on the empty database: the migrations run once, under the startup lock.
    const dirs = await Promise.all([0, 1, 2].map(() => mkdtemp(join(work, 'instance-'))));
    const started = await Promise.all(
      dirs.map((dir) => startServer({ dir, args: ['--db', databaseUrl] })),
    );
    instances.push(...started);
    // The first superuser, through the CLI on a directory of its own (it writes the database).
    const cliDir = await mkdtemp(join(work, 'cli-'));
    execFileSync(
      binary,
      ['superuser', 'upsert', superuser.email, superuser.password, '--dir', cliDir, '--db', databaseUrl],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const balancerPort = await freePort();
    const config = join(work, 'haproxy.cfg');
    await writeFile(config, haproxyConfig(balancerPort, instances.map((i) => i.url)));
    haproxy = spawn(haproxyBinary, ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
    balancerUrl = `http://127.0.0.1:${balancerPort}`;
    await within(10_000, 'haproxy serves /api/health', async () => {
      const response = await fetch(`${balancerUrl}/api/health`);
      return response.status === 200;
    });
  });

  after(async () => {
    for (const pb of clients) pb.realtime.unsubscribe().catch(() => {});
    if (haproxy) {
      haproxy.kill('SIGTERM');
      await new Promise((resolve) => (haproxy.exitCode !== null ? resolve() : haproxy.once('close', resolve)));
    }
    // A clean stop (exit code 0) with the bus running: stop() asserts it.
    for (const instance of instances) {
      if (!instance.killed) await instance.stop();
    }
    if (postgresDir) execFileSync(postgresScript, ['stop', postgresDir]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('instances started together on an empty database migrated it once and all serve', async () => {
    for (const instance of instances) {
      const pb = await admin(instance.url);
      const list = await pb.collections.getFullList();
      assert.ok(list.some((c) => c.name === 'users'));
    }
    const migrations = execFileSync(
      'psql',
      ['-X', '-A', '-t', '-d', databaseUrl, '-c', 'SELECT count(*), count(DISTINCT file) FROM _migrations'],
      { encoding: 'utf8' },
    ).trim();
    const [rows, distinct] = migrations.split('|').map(Number);
    assert.ok(rows > 0);
    assert.equal(rows, distinct);
  });

  test('a collection created on A is served by C within 1 s, and a rule change applies everywhere', async (t) => {
    const [a, b, c] = instances;
    const onA = await admin(a.url);
    await onA.collections.create({
      name: 'notes',
      type: 'base',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'public', type: 'bool' },
      ],
      listRule: 'public = true',
      viewRule: 'public = true',
      createRule: '',
    });
    const created = Date.now();
    const guestOnC = client(c.url);
    await within(1000, 'C serves the collection A created', async () => {
      const page = await guestOnC.collection('notes').getList(1, 1);
      return page !== undefined;
    });
    t.diagnostic(`C served the new collection ${Date.now() - created} ms after A answered`);

    // The rule, changed on B: superusers only. A and C refuse guests within 1 s.
    const onB = await admin(b.url);
    await onB.collections.update('notes', { listRule: null });
    for (const instance of [a, c]) {
      const guest = client(instance.url);
      await within(1000, `${instance.url} applies B's rule change`, async () => {
        try {
          await guest.collection('notes').getList(1, 1);
          return false;
        } catch (error) {
          return error.status === 403;
        }
      });
    }
    await onB.collections.update('notes', { listRule: 'public = true' });
    for (const instance of [a, c]) {
      const guest = client(instance.url);
      await within(1000, `${instance.url} applies the rule restored`, async () => {
        const page = await guest.collection('notes').getList(1, 1);
        return page !== undefined;
      });
    }
  });

  test('a subscriber on A receives a write made on B, under its own rules on A', async (t) => {
    const [a, b] = instances;
    const guestOnA = client(a.url);
    const log = eventLog();
    await guestOnA.collection('notes').subscribe('*', log.callback);
    const onB = await admin(b.url);
    const hidden = await onB.collection('notes').create({ title: 'private', public: false });
    const shown = await onB.collection('notes').create({ title: 'public', public: true });
    const answered = Date.now();
    await log.until((events) => events.some((e) => e.record.id === shown.id));
    t.diagnostic(`A's subscriber had B's write ${Date.now() - answered} ms after B answered`);
    // One stream delivers in commit order: the private note, written first, was refused by
    // the list rule on A, not merely late.
    assert.deepEqual(
      log.events.map((e) => `${e.action}:${e.record.title}`),
      ['create:public'],
    );
    assert.ok(!log.events.some((e) => e.record.id === hidden.id));
    await guestOnA.collection('notes').unsubscribe();
  });

  test('a GraphQL live query on C follows a write made on B', async () => {
    const [a, b, c] = instances;
    const onA = await admin(a.url);
    await onA.collections.create({
      name: 'live',
      type: 'base',
      fields: [{ name: 'title', type: 'text' }],
      listRule: '',
      viewRule: '',
    });
    const guestOnC = client(c.url);
    await within(1000, 'C serves the collection A created', async () => {
      return (await guestOnC.collection('live').getList(1, 1)) !== undefined;
    });
    const socket = createClient({
      url: `${c.url.replace('http', 'ws')}/api/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const results = [];
    const waiters = [];
    const dispose = socket.subscribe(
      { query: 'subscription { live(order_by: {title: asc}) { title } }' },
      {
        next: (value) => {
          results.push(value);
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (waiters[i].predicate()) waiters.splice(i, 1)[0].resolve();
          }
        },
        error: () => {},
        complete: () => {},
      },
    );
    const until = (predicate) =>
      new Promise((resolve) => (predicate() ? resolve() : waiters.push({ predicate, resolve })));
    const titles = (value) => value.data?.live?.map((r) => r.title);
    await until(() => results.length >= 1);
    assert.deepEqual(titles(results[0]), [], JSON.stringify(results[0]));
    const onB = await admin(b.url);
    await onB.collection('live').create({ title: 'written on B' });
    await until(() => results.some((r) => titles(r)?.includes('written on B')));
    dispose();
    await socket.dispose();
  });

  test('an auth record crosses the bus without its password hash or token key', async () => {
    const [a, b] = instances;
    // A session of our own LISTENs on the bus channel; psql prints what arrived after each
    // command, so the SELECT below, sent once B has the event, shows every payload so far.
    // `\warn` goes to stderr, which a pipe does not buffer: it says the LISTEN is in place.
    const listener = spawn('psql', ['-X', '-q', '-d', databaseUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
    let printed = '';
    let warned = '';
    listener.stdout.setEncoding('utf8');
    listener.stdout.on('data', (chunk) => { printed += chunk; });
    listener.stderr.setEncoding('utf8');
    const listening = new Promise((resolve) => listener.stderr.on('data', (chunk) => {
      warned += chunk;
      if (warned.includes('listening')) resolve();
    }));
    const exited = new Promise((resolve) => listener.on('exit', resolve));
    listener.stdin.write('LISTEN basalt_cluster;\n\\warn listening\n');
    await listening;

    const onB = await admin(b.url);
    const log = eventLog();
    await onB.collection('users').subscribe('*', log.callback);
    const onA = await admin(a.url);
    const user = await onA.collection('users').create({
      email: 'secretive@example.com',
      password: 'password123',
      passwordConfirm: 'password123',
    });
    await log.until((events) => events.some((e) => e.record.id === user.id));
    await onB.collection('users').unsubscribe();
    listener.stdin.end('SELECT 2;\n');
    await exited;
    const payloads = printed.split('\n').filter((line) => line.includes('Asynchronous notification'));
    assert.ok(payloads.some((line) => line.includes(user.id)), printed);
    for (const line of payloads) {
      assert.ok(!line.includes('$argon2'), line);
      assert.ok(!line.includes('tokenKey'), line);
    }
  });

  test('counts and auth records cached on C follow writes made on A', async () => {
    const [a, , c] = instances;
    const onA = await admin(a.url);
    const onC = await admin(c.url);
    const before = (await onC.collection('notes').getList(1, 1)).totalItems;
    await onA.collection('notes').create({ title: 'counted', public: true });
    await within(1000, 'C counts the record A created', async () => {
      return (await onC.collection('notes').getList(1, 1)).totalItems === before + 1;
    });

    // A user signed in through C (its record cached there), deleted on A: C refuses the token.
    await onA.collection('users').create({
      email: 'gone@example.com',
      password: 'password123',
      passwordConfirm: 'password123',
    });
    const user = client(c.url);
    const auth = await user.collection('users').authWithPassword('gone@example.com', 'password123');
    await user.collection('users').authRefresh();
    await onA.collection('users').delete(auth.record.id);
    await within(1000, 'C refuses the token of the user A deleted', async () => {
      try {
        await user.collection('users').authRefresh();
        return false;
      } catch (error) {
        return error.status === 401 || error.status === 404;
      }
    });
  });

  test('sign-in failures split between A and B spend one limit', async () => {
    const [a, b] = instances;
    const onA = await admin(a.url);
    for (const email of ['limited@example.com', 'raced@example.com']) {
      await onA.collection('users').create({ email, password: 'password123', passwordConfirm: 'password123' });
    }
    const signIn = (url, email, password) => client(url).collection('users').authWithPassword(email, password);
    // auth-identity-failures: 5 per address and identity, spent alternately on A and B. The
    // buckets are in PostgreSQL: the sixth attempt is refused at once, on either instance,
    // even with the right password (nothing to wait for, nothing to poll).
    for (let i = 0; i < 5; i++) {
      await assert.rejects(signIn(i % 2 === 0 ? a.url : b.url, 'limited@example.com', 'wrong password'), (error) => error.status === 400);
    }
    await assert.rejects(signIn(b.url, 'limited@example.com', 'password123'), (error) => error.status === 429);
    await assert.rejects(signIn(a.url, 'limited@example.com', 'wrong password'), (error) => error.status === 429);

    // Twelve at once, six on each: exactly five are tried (400), the others refused (429).
    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => signIn(i % 2 === 0 ? a.url : b.url, 'raced@example.com', 'wrong password')),
    );
    const statuses = outcomes.map((outcome) => outcome.reason?.status ?? 200);
    assert.equal(statuses.filter((status) => status === 400).length, 5, `statuses: ${statuses}`);
    assert.equal(statuses.filter((status) => status === 429).length, 7, `statuses: ${statuses}`);
  });

  // Writes through the balancer until stopped; returns the ids whose create was acknowledged.
  function writeLoad(pb, workers) {
    const acknowledged = [];
    const failures = [];
    let stopping = false;
    const waiters = [];
    const notify = () => {
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (acknowledged.length >= waiters[i].count) {
          waiters[i].resolve();
          waiters.splice(i, 1);
        }
      }
    };
    const loops = Array.from({ length: workers }, async (_, worker) => {
      for (let n = 0; !stopping; n++) {
        try {
          const record = await pb.collection('notes').create({ title: `load ${worker}/${n}`, public: true });
          acknowledged.push(record.id);
          notify();
        } catch (error) {
          failures.push(error.status);
        }
      }
    });
    return {
      acknowledged,
      failures,
      reached: (count) =>
        new Promise((resolve) => {
          waiters.push({ count, resolve });
          notify();
        }),
      stop: async () => {
        stopping = true;
        await Promise.all(loops);
      },
    };
  }

  async function storedIds(pb) {
    const rows = await pb.collection('notes').getFullList({ fields: 'id', batch: 500 });
    return new Set(rows.map((r) => r.id));
  }

  test('SIGKILL of one instance under write load: no acknowledged write is lost', async () => {
    const balancer = await admin(balancerUrl);
    const load = writeLoad(balancer, 4);
    await load.reached(40);
    await instances[1].kill();
    instances[1].killed = true;
    const atKill = load.acknowledged.length;
    // Clients go on through haproxy: more writes are acknowledged after the kill.
    await load.reached(atKill + 60);
    await load.stop();
    const stored = await storedIds(await admin(instances[0].url));
    const missing = load.acknowledged.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], 'acknowledged writes missing after the kill');
  });

  test('PostgreSQL restarted under load: the instances serve again within 5 s, events flow again', async (t) => {
    const [a, , c] = instances;
    const balancer = await admin(balancerUrl);
    const load = writeLoad(balancer, 2);
    await load.reached(load.acknowledged.length + 20);
    execFileSync(postgresScript, ['restart', postgresDir]);
    // One deadline for both: 5 s from the end of the restart.
    const restarted = Date.now();
    for (const instance of [a, c]) {
      const left = Math.max(0, 5000 - (Date.now() - restarted));
      await within(left, `${instance.url} answers a database read`, async () => {
        const on = await admin(instance.url);
        await on.collection('notes').getList(1, 1);
        return true;
      });
    }
    t.diagnostic(`both instances served database reads ${Date.now() - restarted} ms after the restart`);
    const acknowledgedBefore = load.acknowledged.length;
    await load.reached(acknowledgedBefore + 20);
    await load.stop();
    const stored = await storedIds(await admin(a.url));
    assert.deepEqual(load.acknowledged.filter((id) => !stored.has(id)), []);

    // The buses listen again: a subscriber on A hears writes made on C.
    const guestOnA = client(a.url);
    const log = eventLog();
    await guestOnA.collection('notes').subscribe('*', log.callback);
    const onC = await admin(c.url);
    const onA = await admin(a.url);
    const created = [];
    await within(5000, 'A hears C after the restart', async () => {
      const record = await onC.collection('notes').create({ title: 'after restart', public: true });
      created.push(record.id);
      await onA.collection('notes').getList(1, 1); // paced by a round trip on A
      return log.events.some((e) => created.includes(e.record.id));
    });
    t.diagnostic(`A's subscriber heard C's writes again ${Date.now() - restarted} ms after the restart`);
    await guestOnA.collection('notes').unsubscribe();
  });
});
