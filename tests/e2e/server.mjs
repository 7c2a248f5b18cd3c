// Starts a real basalt server for a test file and stops it again.
//
// The server listens on a free loopback port (port 0) with its data in a fresh temporary
// directory, so test files can run in parallel without sharing ports or state. Readiness is the
// "Server started at URL" line on stdout, never a sleep; a server that fails to start fails the
// test with its stderr attached.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import { databaseFor, dropDatabaseOf, usePostgres } from './postgres_databases.mjs';

// E2E_ prefix on purpose: the server refuses unknown BASALT_* variables in its environment.
export const binary =
  process.env.E2E_BASALT_BINARY ??
  fileURLToPath(new URL('../../build/release/basalt', import.meta.url));

// Every server and CLI run of the suite hashes passwords with argon2id at its smallest cost:
// the suite signs users up and in thousands of times, and at the production cost (32 MiB x 3
// passes, ~35 ms of CPU each) hashing was about half of its CPU time. The hashing code is the
// same; only its parameters differ (docs/security.md, "Passwords"). A test's own `env` wins.
export const testHashingEnv = { BASALT_AUTH_ARGON2_MEMORY: '8KiB', BASALT_AUTH_ARGON2_PASSES: '1' };

// Generous bounds for a loaded CI machine; they only matter when something is broken.
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 15_000;
// Enough stderr to explain a failure without holding a chatty log in memory.
const STDERR_TAIL_CHARS = 64 * 1024;
const ANNOUNCEMENT = /^Server started at (http:\/\/\S+)$/;

/**
 * Spawns `basalt serve` and resolves once it announces its address.
 * @param {{args?: string[], superuser?: {email: string, password: string}, dir?: string, port?: number, onStderr?: (chunk: string) => void, postgresTablespace?: string, env?: Record<string, string>, databaseOf?: string}} [options]
 *   `args`: extra command-line arguments for `serve`; `superuser`: created with
 *   `basalt superuser upsert` in the fresh data directory before the server starts; `dir`: an
 *   existing data directory to serve (a restart), which the caller owns and removes; `port`: a
 *   fixed port instead of a free one (a server that restarts itself keeps it); `onStderr`: called
 *   with every chunk of the server's stderr, in order (e.g. to read its statement trace);
 *   `postgresTablespace` (E2E_DB=postgres): the tablespace the server's tables go to; `env`:
 *   variables added to the server's environment (e.g. OTEL_* for traces); `executable`: another
 *   program with basalt's command line to start instead of E2E_BASALT_BINARY (a C++ extension,
 *   docs/extending.md, or another build in a benchmark comparing two).
 * @returns {Promise<{url: string, dir: string, pid: number, stop: () => Promise<void>, kill: () => Promise<void>, restarted: () => Promise<string>, installLink: Promise<string>}>}
 *   `url` has no trailing slash; `dir` is the data directory; `stop()` sends SIGTERM, waits for
 *   exit, asserts a clean exit (code 0) and removes the data directory (unless the caller gave
 *   it); `kill()` sends SIGKILL (a crash), waits for the exit and keeps the directory;
 *   `restarted()` resolves with the URL of the next announcement (a server that restarted
 *   itself in place after a backup restore); `installLink` resolves with the install link the
 *   server prints when it has no superuser (and never otherwise).
 */
export async function startServer({ args = [], superuser, dir: givenDir, port = 0, onStderr, postgresTablespace, env = {}, databaseOf, executable = binary } = {}) {
  const dir = givenDir ?? (await mkdtemp(join(tmpdir(), 'basalt-e2e-')));
  // E2E_DB=postgres: the data goes to a fresh database of this directory's own.
  // `databaseOf` (E2E_DB=postgres): share the database of another server's data directory (two
  // instances on one database); it stays that server's to drop.
  const database = usePostgres ? databaseFor(databaseOf ?? dir, { tablespace: postgresTablespace }) : undefined;
  const storage = ['--dir', dir, ...(database ? ['--db', database] : [])];
  if (superuser) {
    execFileSync(executable, ['superuser', 'upsert', superuser.email, superuser.password, ...storage], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...testHashingEnv, ...env },
    });
  }
  const child = spawn(
    executable,
    ['serve', '--http', `127.0.0.1:${port}`, ...storage, '--access-log', 'false', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...testHashingEnv, ...env } },
  );

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    onStderr?.(chunk);
    // E2E_SERVER_LOG=1: the servers' logs on the runner's stderr, to see a 500's cause.
    if (process.env.E2E_SERVER_LOG === '1') process.stderr.write(chunk);
  });
  const describe = (what) => `${what}\n--- ${executable} stderr ---\n${stderr}`;

  // Settles once: with the exit status, or with the spawn error (e.g. the binary is missing).
  // 'close' rather than 'exit': it fires after stdio is drained, so stderr is complete.
  const exited = new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ error }));
  });
  // A test runner that dies must not leave a server behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const cleanUp = async () => {
    process.removeListener('exit', killOnExit);
    if (!givenDir) {
      await rm(dir, { recursive: true, force: true });
      if (usePostgres) dropDatabaseOf(dir);
    }
  };

  let url;
  const lines = createInterface({ input: child.stdout });
  // The first-run install link (docs/dashboard.md), printed right after the announcement when
  // the data directory has no superuser. Listening from the start: the lines arrive together.
  const installLink = new Promise((resolve) => {
    lines.on('line', (line) => {
      const match = /(http:\/\/\S+\/_\/#\/install\?token=\S+)/.exec(line);
      if (match) resolve(match[1]);
    });
  });
  try {
    url = await waitForAnnouncement(lines, exited, describe, executable);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    await cleanUp();
    throw error;
  }

  const stop = async () => {
    child.kill('SIGTERM');
    const status = await withTimeout(exited, STOP_TIMEOUT_MS, () => {
      child.kill('SIGKILL');
      return describe(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
    }).finally(cleanUp);
    assert.deepEqual(
      { code: status.code, signal: status.signal },
      { code: 0, signal: null },
      describe('server did not shut down cleanly on SIGTERM'),
    );
  };
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
    process.removeListener('exit', killOnExit);
  };
  const restarted = () => waitForAnnouncement(lines, exited, describe, executable);
  return { url, dir, pid: child.pid, stop, kill, restarted, installLink };
}

async function waitForAnnouncement(lines, exited, describe, executable) {
  // Keep draining stdout after the announcement so the pipe can never fill and block the server.
  const announced = new Promise((resolve, reject) => {
    lines.once('line', (line) => {
      const match = ANNOUNCEMENT.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(describe(`unexpected first stdout line: ${JSON.stringify(line)}`)));
    });
  });
  const died = exited.then((status) => {
    throw new Error(
      describe(
        status.error
          ? `cannot start ${executable}: ${status.error.message} (set E2E_BASALT_BINARY?)`
          : `server exited before announcing its address (code ${status.code}, signal ${status.signal})`,
      ),
    );
  });
  return withTimeout(Promise.race([announced, died]), START_TIMEOUT_MS, () =>
    describe(`server did not announce its address within ${START_TIMEOUT_MS} ms`),
  );
}

// Resolves like `promise`, or rejects with onTimeout()'s message after `ms`.
async function withTimeout(promise, ms, onTimeout) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(onTimeout())), ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
