// Starts the Basalt binary under test in a fresh data directory and stops it again.
// Readiness is the "Server started at URL" line, never a sleep. With a PostgreSQL server URL the
// data goes to a fresh database on it (created with psql, dropped after the stop).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const START_TIMEOUT_MS = 30_000;
const STDERR_TAIL_CHARS = 32 * 1024;
const ANNOUNCEMENT = /^Server started at (http:\/\/\S+)$/;

/**
 * A database of its own on the PostgreSQL server of `serverUrl`: its `--db` URL, and `drop()`.
 */
function freshDatabase(serverUrl) {
  const name = `scenarios_${process.pid}_${randomBytes(4).toString('hex')}`;
  const psql = (sql) =>
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', serverUrl, '-c', sql], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  psql(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * @param {{binary: string, superuser: {email: string, password: string}, args: string[], postgresUrl?: string}} options
 * @returns {Promise<{url: URL, pid: number, dir: string, stop: () => Promise<void>}>}
 */
export async function startBasalt({ binary, superuser, args, postgresUrl }) {
  const dir = await mkdtemp(join(tmpdir(), 'basalt-scenarios-'));
  const database = postgresUrl ? freshDatabase(postgresUrl) : undefined;
  const storage = ['--dir', dir, ...(database ? ['--db', database.url] : [])];
  execFileSync(binary, ['superuser', 'upsert', superuser.email, superuser.password, ...storage], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const child = spawn(binary, ['serve', '--http', '127.0.0.1:0', ...storage, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  // An interrupted run must not leave a server (and its data directory) behind.
  const killOnExit = () => {
    child.kill('SIGKILL');
    database?.drop();
  };
  const killOnSignal = (signal) => {
    child.kill('SIGKILL');
    database?.drop();
    rm(dir, { recursive: true, force: true }).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('exit', killOnExit);
  process.once('SIGINT', killOnSignal);
  process.once('SIGTERM', killOnSignal);

  const lines = createInterface({ input: child.stdout });
  let timer;
  const url = await Promise.race([
    new Promise((resolve, reject) =>
      lines.once('line', (line) => {
        const match = ANNOUNCEMENT.exec(line);
        if (match) resolve(new URL(match[1]));
        else reject(new Error(`unexpected first line from basalt: ${line}\n${stderr}`));
      }),
    ),
    exited.then((status) => {
      throw new Error(`basalt exited before starting (${JSON.stringify(status)}):\n${stderr}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`basalt did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  lines.on('line', () => {}); // keep draining stdout so the pipe never fills

  const stop = async () => {
    child.kill('SIGTERM');
    const status = await exited;
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', killOnSignal);
    process.removeListener('SIGTERM', killOnSignal);
    await rm(dir, { recursive: true, force: true });
    database?.drop();
    if (status.code !== 0) throw new Error(`basalt did not exit cleanly (${JSON.stringify(status)}):\n${stderr}`);
  };
  return { url, pid: child.pid, dir, stop, stderrTail: () => stderr };
}
