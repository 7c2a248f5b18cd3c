// Starts s3rver-sigv4.mjs (a loopback S3 API server that checks every request's SigV4
// signature) for a test file and stops it again. Readiness is its "listening <port>" line,
// never a sleep; it stops when its stdin closes, so it cannot outlive the test runner.

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./s3rver-sigv4.mjs', import.meta.url));
const START_TIMEOUT_MS = 15_000;

/**
 * @param {{bucket: string, accessKey: string, secret: string, region?: string}} options
 * @returns {Promise<{endpoint: string, dir: string, stop: () => Promise<void>}>} `dir` holds the
 *   bucket's files (s3rver's layout: <dir>/<bucket>/...).
 */
export async function startS3rver({ bucket, accessKey, secret, region = 'us-east-1' }) {
  const dir = await mkdtemp(join(tmpdir(), 'basalt-e2e-s3-'));
  // s3rver 3.7.1's continuation tokens use DES, only in OpenSSL's legacy provider on Node 17+.
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', script, '--dir', dir, '--bucket', bucket,
      '--access-key', accessKey, '--secret', secret, '--region', region],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const exited = new Promise((resolve) => child.once('close', resolve));
  const lines = createInterface({ input: child.stdout });
  let timer;
  const port = await Promise.race([
    new Promise((resolve, reject) => {
      lines.once('line', (line) => {
        const match = /^listening (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
        else reject(new Error(`s3rver-sigv4.mjs said ${JSON.stringify(line)}`));
      });
    }),
    exited.then(() => {
      throw new Error('s3rver-sigv4.mjs exited before listening (is s3rver installed? npm ci)');
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('s3rver-sigv4.mjs did not start')), START_TIMEOUT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    dir,
    stop: async () => {
      child.stdin.end();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
