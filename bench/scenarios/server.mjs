// Starts the Basalt binary under test in a fresh data directory and stops it again.
// Readiness is the "Server started at URL" line, never a sleep.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const START_TIMEOUT_MS = 30_000;
const STDERR_TAIL_CHARS = 32 * 1024;
const ANNOUNCEMENT = /^Server started at (http:\/\/\S+)$/;

/**
 * @param {{binary: string, superuser: {email: string, password: string}, args: string[]}} options
 * @returns {Promise<{url: URL, pid: number, dir: string, stop: () => Promise<void>}>}
 */
export async function startBasalt({ binary, superuser, args }) {
  const dir = await mkdtemp(join(tmpdir(), 'basalt-scenarios-'));
  execFileSync(binary, ['superuser', 'upsert', superuser.email, superuser.password, '--dir', dir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const child = spawn(binary, ['serve', '--http', '127.0.0.1:0', '--dir', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  // An interrupted run must not leave a server (and its data directory) behind.
  const killOnExit = () => child.kill('SIGKILL');
  const killOnSignal = (signal) => {
    child.kill('SIGKILL');
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
    if (status.code !== 0) throw new Error(`basalt did not exit cleanly (${JSON.stringify(status)}):\n${stderr}`);
  };
  return { url, pid: child.pid, dir, stop, stderrTail: () => stderr };
}
