// GET /api/ready (docs/observability.md, "Health") fails while the database is unreachable and
// recovers when it is back. The database is a PostgreSQL server of this file's own
// (scripts/postgres-test-server.sh on a free port): the test closes the database to new
// connections and ends Basalt's sessions, which is what an unreachable server looks like to
// the driver, then opens it again. /api/health (liveness) answers 200 throughout.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { parseSamples, scrape, sumOf } from './metrics_scrape.mjs';
import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const SCRIPT = fileURLToPath(new URL('../../scripts/postgres-test-server.sh', import.meta.url));
const WAIT_MS = 30_000;
const POLL_MS = 50;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Polls GET /api/ready until its status is `status`; returns the last response's body.
async function readyStatusBecomes(url, status) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const response = await fetch(`${url}/api/ready`);
    const body = await response.json();
    if (response.status === status) return body;
    if (Date.now() > deadline) {
      throw new Error(`/api/ready stayed ${response.status} ${JSON.stringify(body)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// It starts and stops a PostgreSQL server of its own, so it runs once, in the SQLite pass.
const ownServer = usePostgres && 'starts its own PostgreSQL server (run in the SQLite pass)';

describe('readiness follows the database', { skip: ownServer }, () => {
  let postgresDir;
  let adminUrl;
  let server;
  let pb;
  const database = `ready_${process.pid}`;

  const psql = (sql) =>
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', adminUrl, '-c', sql], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });

  before(async () => {
    // A path that does not exist yet: the script makes it (owned by `postgres` when run as
    // root, so it cannot sit inside a directory only root may enter) and `stop` removes it.
    postgresDir = join(tmpdir(), `basalt-ready-${process.pid}-${randomBytes(4).toString('hex')}`);
    const port = await freePort();
    adminUrl = execFileSync(SCRIPT, ['start', postgresDir, String(port)], { encoding: 'utf8' }).trim();
    psql(`CREATE DATABASE "${database}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    server = await startServer({ args: ['--db', url.toString(), '--metrics-allow', '127.0.0.1'] });
    pb = new PocketBase(server.url);
  });

  after(async () => {
    try {
      if (adminUrl) psql(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
    } finally {
      await server?.stop();
      if (postgresDir) {
        execFileSync(SCRIPT, ['stop', postgresDir], { stdio: 'ignore' });
      }
    }
  });

  test('ready, then 503 while the database refuses connections, then ready again', async () => {
    assert.deepEqual(await readyStatusBecomes(server.url, 200), {
      message: 'API is ready.',
      code: 200,
      data: {},
    });

    // The probe's SELECT 1 is a read statement of the PostgreSQL driver, timed like SQLite's.
    const reads = async () =>
      sumOf(
        parseSamples(await (await scrape(server.url)).text()),
        'basalt_db_statement_duration_seconds_count',
        { kind: 'read' },
      );
    const before = await reads();
    assert.equal((await fetch(`${server.url}/api/ready`)).status, 200);
    assert.equal((await reads()) - before, 1);

    psql(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS false`);
    psql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database}'`,
    );
    assert.deepEqual(await readyStatusBecomes(server.url, 503), {
      status: 503,
      message: 'The database is unreachable.',
      data: {},
    });
    // Liveness stays cheap and green: it never touches the database.
    assert.deepEqual(await pb.health.check(), { message: 'API is healthy.', code: 200, data: {} });

    psql(`ALTER DATABASE "${database}" WITH ALLOW_CONNECTIONS true`);
    await readyStatusBecomes(server.url, 200);
  });
});
