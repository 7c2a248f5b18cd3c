// The cluster bus over Redis and over NATS (docs/scaling.md, "Buses"): for each, two basalt
// instances on one PostgreSQL database with `--cluster-bus redis://…` / `nats://…`, haproxy in
// front, and the pocketbase SDK: a collection made on A is served by B within 1 s, a realtime
// subscriber on A (through haproxy's sticky tunnel or directly) receives a write made on B,
// and after the bus's server is killed and started again the instances resync and events flow.
//
// The test starts its own servers (scripts/postgres-test-server.sh, redis-test-server.sh,
// nats-test-server.sh, each on a free port) and is skipped, saying so, without them. It runs
// in the SQLite pass of the suite only, as cluster.test.mjs.
//
// No sleeps: every wait is for an answer or an event, bounded by a deadline.

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
import PocketBase from 'pocketbase';
import { eventLog, freePort, haproxyConfig, within } from './cluster_harness.mjs';
import { startServer } from './server.mjs';

globalThis.EventSource = EventSource;

const binary =
  process.env.E2E_BASALT_BINARY ??
  fileURLToPath(new URL('../../build/release/basalt', import.meta.url));
const script = (name) => fileURLToPath(new URL(`../../scripts/${name}-test-server.sh`, import.meta.url));
const haproxyBinary = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((path) => existsSync(path));
const initdb = `${process.env.POSTGRES_BIN ?? '/usr/lib/postgresql/15/bin'}/initdb`;
const busServers = {
  redis: ['/usr/bin/redis-server', '/usr/sbin/redis-server'],
  nats: ['/usr/bin/nats-server', '/usr/sbin/nats-server'],
};

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

function skipFor(bus) {
  if (process.env.E2E_DB === 'postgres') return 'runs in the SQLite pass only (it starts its own PostgreSQL)';
  if (!haproxyBinary) return 'haproxy is not installed (scripts/install-deps.sh)';
  if (!existsSync(initdb)) return `${initdb} not found (postgresql-15, scripts/install-deps.sh)`;
  if (!busServers[bus].some((path) => existsSync(path))) return `${bus}-server is not installed (scripts/install-deps.sh)`;
  return false;
}

for (const bus of ['redis', 'nats']) {
  describe(`two instances on one PostgreSQL with the ${bus} bus, behind haproxy`, { skip: skipFor(bus) }, () => {
    let work;
    let postgresDir;
    let busDir;
    let databaseUrl;
    let busUrl;
    const instances = [];
    let haproxy;
    let balancerUrl;
    const clients = [];
    // Per instance: how often its bus said it is back and everything reloads (stderr), and
    // who waits for that.
    const reloads = [];
    const reloadWaiters = [];
    const reloadsReach = (i, count) =>
      new Promise((resolve) => {
        reloadWaiters.push({ i, count, resolve });
        checkReloads();
      });
    const checkReloads = () => {
      for (let k = reloadWaiters.length - 1; k >= 0; k--) {
        const { i, count, resolve } = reloadWaiters[k];
        if ((reloads[i] ?? 0) >= count) {
          reloadWaiters.splice(k, 1);
          resolve();
        }
      }
    };

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
      work = await mkdtemp(join(tmpdir(), `basalt-${bus}-bus-`));
      const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
      // Not under `work` (mode 0700): as root PostgreSQL runs as the postgres user.
      postgresDir = join(tmpdir(), `basalt-${bus}-bus-pg-${tag}`);
      databaseUrl = execFileSync(script('postgres'), ['start', postgresDir, String(await freePort())], {
        encoding: 'utf8',
      }).trim();
      busDir = join(tmpdir(), `basalt-${bus}-bus-server-${tag}`);
      busUrl = execFileSync(script(bus), ['start', busDir, String(await freePort())], {
        encoding: 'utf8',
      }).trim();
      const dirs = await Promise.all([0, 1].map(() => mkdtemp(join(work, 'instance-'))));
      const started = await Promise.all(
        dirs.map((dir, i) =>
          startServer({
            dir,
            args: ['--db', databaseUrl, '--cluster-bus', `${busUrl}/basalt_e2e`],
            onStderr: (chunk) => {
              const found = chunk.split('again; everything is reloaded').length - 1;
              if (found > 0) {
                reloads[i] = (reloads[i] ?? 0) + found;
                checkReloads();
              }
            },
          }),
        ),
      );
      instances.push(...started);
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
      for (const instance of instances) await instance.stop();
      if (busDir) execFileSync(script(bus), ['stop', busDir]);
      if (postgresDir) execFileSync(script('postgres'), ['stop', postgresDir]);
      if (work) await rm(work, { recursive: true, force: true });
    });

    test('a collection made on A is served by B within 1 s', async () => {
      const [a, b] = instances;
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
      const guestOnB = client(b.url);
      await within(1000, 'B serves the collection A made', async () => {
        const page = await guestOnB.collection('notes').getList(1, 1);
        return page !== undefined;
      });
    });

    test('a subscriber on A receives a write made on B through haproxy, under the rules on A', async () => {
      const [a, b] = instances;
      const guestOnA = client(a.url);
      const log = eventLog();
      await guestOnA.collection('notes').subscribe('*', log.callback);
      const onB = await admin(b.url);
      const hidden = await onB.collection('notes').create({ title: 'private', public: false });
      const shown = await onB.collection('notes').create({ title: 'public', public: true });
      await log.until((events) => events.some((e) => e.record.id === shown.id));
      assert.deepEqual(
        log.events.map((e) => `${e.action}:${e.record.title}`),
        ['create:public'],
      );
      assert.ok(!log.events.some((e) => e.record.id === hidden.id));
      await guestOnA.collection('notes').unsubscribe();

      // The balancer's clients see the same data whichever instance answers.
      const viaBalancer = client(balancerUrl);
      const seen = await viaBalancer.collection('notes').getFullList();
      assert.deepEqual(seen.map((r) => r.title), ['public']);
    });

    test(`the ${bus} server killed and started again: the instances resync and events flow again`, { timeout: 60_000 }, async () => {
      const [a, b] = instances;
      const before = [reloads[0] ?? 0, reloads[1] ?? 0];
      execFileSync(script(bus), ['kill', busDir]);
      execFileSync(script(bus), ['restart', busDir]);
      // Both buses reconnect in the background (100 ms doubling to 2 s) and say so once
      // subscribed again and resynced (the line comes after the resync closed the realtime
      // streams: the subscription below is made after it, so it is not closed by it); from
      // then on nothing published is missed.
      await Promise.all([reloadsReach(0, before[0] + 1), reloadsReach(1, before[1] + 1)]);
      const guestOnA = client(a.url);
      const onB = await admin(b.url);
      const log = eventLog();
      await guestOnA.collection('notes').subscribe('*', log.callback);
      const note = await onB.collection('notes').create({ title: 'again', public: true });
      await log.until((events) => events.some((e) => e.record.id === note.id));
      await guestOnA.collection('notes').unsubscribe();
      // A resync closes realtime streams (events may have been missed) and reloads the
      // catalog: a collection made after the restart on B is served by A within 1 s.
      await onB.collections.create({ name: 'after_restart', type: 'base', listRule: '' });
      const guest = client(a.url);
      await within(1000, 'A serves the collection B made after the restart', async () => {
        const page = await guest.collection('after_restart').getList(1, 1);
        return page !== undefined;
      });
    });
  });
}
