// E2E_DB=postgres: every server the suite starts stores its data in a database of its own on
// the PostgreSQL server of E2E_POSTGRES_URL (scripts/test.sh starts one), created before the
// server starts and dropped after, so test files running at once never share a database.
//
// A database belongs to a data directory: a server restarted on the same directory (a restore,
// a crash test) finds the same database. Databases are made and dropped with psql; a test run
// that ends early still drops what it made (at process exit, synchronously). The test server
// must be PostgreSQL 15 or later (CREATE DATABASE ... STRATEGY).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const usePostgres = process.env.E2E_DB === 'postgres';

const baseUrl = process.env.E2E_POSTGRES_URL;
if (usePostgres && !baseUrl) {
  throw new Error('E2E_DB=postgres needs E2E_POSTGRES_URL (a server URL, e.g. from scripts/postgres-test-server.sh)');
}

// data directory -> { name, url }
const byDirectory = new Map();

function psql(sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', baseUrl, '-c', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function urlOf(name) {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs one SQL statement on the test server's own database (a superuser's session). */
export function runSql(sql) {
  psql(sql);
}

/** The first cell of `sql`'s result, as text. */
export function querySql(sql) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', baseUrl, '-c', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  }).trim();
}

/**
 * The `--db` URL of the server on data directory `dir`; its database is created on first use.
 * `tablespace`: the tables the server creates go there (the database's default_tablespace).
 */
export function databaseFor(dir, { tablespace } = {}) {
  let database = byDirectory.get(dir);
  if (!database) {
    const name = `e2e_${process.pid}_${randomBytes(6).toString('hex')}`;
    // FILE_COPY: the template's files copied as they are, about a quarter of the server CPU of
    // the default (WAL_LOG, PostgreSQL 15+) for a database as small as ours, create and drop
    // together; its checkpoint costs nothing with the test server's fsync off.
    psql(`CREATE DATABASE "${name}" STRATEGY FILE_COPY`);
    if (tablespace) psql(`ALTER DATABASE "${name}" SET default_tablespace = "${tablespace}"`);
    database = { name, url: urlOf(name) };
    byDirectory.set(dir, database);
  }
  return database.url;
}

/** Drops the database of `dir` (its server has exited). */
export function dropDatabaseOf(dir) {
  const database = byDirectory.get(dir);
  if (!database) return;
  byDirectory.delete(dir);
  psql(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`);
}

process.once('exit', () => {
  for (const dir of [...byDirectory.keys()]) {
    try {
      dropDatabaseOf(dir);
    } catch {
      // the server is gone with the run; nothing else to do at exit
    }
  }
});
