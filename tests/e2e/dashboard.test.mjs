// The admin dashboard's server side (docs/dashboard.md): static serving of /_/ from the
// `ui-dir` setting (index fallback, caching headers, MIME types, HEAD, 404s in the API's error
// format, no path traversal), and the first-run install link (a short-lived superuser token of
// a placeholder that stops working once used, and on every restart).

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { startServer } from './server.mjs';

const INDEX = '<!doctype html><title>dash</title><script src="/_/assets/app-3f2a9c.js"></script>';
const SCRIPT = 'console.log("dashboard");';
const SECRET = 'do-not-serve-this';
// Big enough to be served gzipped (1 KiB and more of text).
const BUNDLE = `export const rows = [${Array.from({ length: 400 }, (_, i) => `"row ${i}"`).join(',')}];`;

// A raw request: the path goes out exactly as written (fetch would normalise `..`).
function raw(url, method, path, headers = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard static files', () => {
  let server;
  let root;
  before(async () => {
    // root/secret.txt sits beside the served directory root/ui: traversal would reach it.
    root = await mkdtemp(join(tmpdir(), 'basalt-ui-'));
    await mkdir(join(root, 'ui', 'assets'), { recursive: true });
    await writeFile(join(root, 'secret.txt'), SECRET);
    await writeFile(join(root, 'ui', 'index.html'), INDEX);
    await writeFile(join(root, 'ui', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    await writeFile(join(root, 'ui', 'assets', 'app-3f2a9c.js'), SCRIPT);
    await writeFile(join(root, 'ui', 'assets', 'app-3f2a9c.css'), 'body{}');
    await writeFile(join(root, 'ui', 'assets', 'vendor-77aa01.js'), BUNDLE);
    // A symlink inside the tree to the secret beside it: never followed.
    await symlink(join(root, 'secret.txt'), join(root, 'ui', 'assets', 'leak-000000.js'));
    server = await startServer({
      args: ['--ui-dir', join(root, 'ui')],
      superuser: { email: 'root@example.com', password: 'password123' },
    });
  });
  after(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('/_/ and unknown paths under it answer index.html, revalidated', async () => {
    for (const path of ['/_/', '/_/collections', '/_/a/b/c', '/_/install?token=x']) {
      const res = await raw(server.url, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body, INDEX, path);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      assert.match(res.headers['content-security-policy'], /default-src 'self'/);
    }
  });

  test('/_ redirects to /_/', async () => {
    const res = await raw(server.url, 'GET', '/_');
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, '/_/');
  });

  test('hashed assets are immutable, with their MIME types', async () => {
    const js = await raw(server.url, 'GET', '/_/assets/app-3f2a9c.js');
    assert.equal(js.status, 200);
    assert.equal(js.body, SCRIPT);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(js.headers['x-content-type-options'], 'nosniff');
    const css = await raw(server.url, 'GET', '/_/assets/app-3f2a9c.css');
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
    const svg = await raw(server.url, 'GET', '/_/favicon.svg');
    assert.equal(svg.headers['content-type'], 'image/svg+xml');
    assert.equal(svg.headers['cache-control'], 'no-cache');
  });

  test('HEAD answers the headers without the body', async () => {
    const res = await raw(server.url, 'HEAD', '/_/assets/app-3f2a9c.js');
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    assert.equal(res.headers['content-length'], String(SCRIPT.length));
    assert.equal(res.headers['content-type'], 'text/javascript; charset=utf-8');
  });

  test('text files of 1 KiB and more go gzipped to clients that accept it', async () => {
    const zipped = await raw(server.url, 'GET', '/_/assets/vendor-77aa01.js', { 'accept-encoding': 'gzip, br' });
    assert.equal(zipped.status, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(zipped.headers.vary, 'Accept-Encoding');
    assert.ok(zipped.bytes.length < BUNDLE.length);
    assert.equal(gunzipSync(zipped.bytes).toString('utf8'), BUNDLE);
    const plain = await raw(server.url, 'GET', '/_/assets/vendor-77aa01.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body, BUNDLE);
  });

  test('a symlink in the tree is not served', async () => {
    const res = await raw(server.url, 'GET', '/_/assets/leak-000000.js');
    assert.equal(res.status, 404);
    assert.ok(!res.body.includes(SECRET));
  });

  test('a missing asset is a 404 in the API error format', async () => {
    const res = await raw(server.url, 'GET', '/_/assets/nope-123.js');
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(JSON.parse(res.body), {
      status: 404,
      message: "The requested resource wasn't found.",
      data: {},
    });
  });

  test('no path reaches a file outside the dashboard directory', async () => {
    const attempts = [
      '/_/assets/..%2F..%2Fsecret.txt',
      '/_/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/_/assets/../../secret.txt',
      '/_/../secret.txt',
      '/_/..%2Fsecret.txt',
      '/_/assets/..%5C..%5Csecret.txt',
      '/_/%2e%2e/secret.txt',
      '/_/assets/%00secret.txt',
    ];
    for (const path of attempts) {
      const res = await raw(server.url, 'GET', path);
      assert.ok(!res.body.includes(SECRET), `${path} leaked the file`);
      assert.ok(res.status === 404 || res.status === 400 || res.body === INDEX, `${path}: ${res.status}`);
    }
  });
});

describe('dashboard not built', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: ['--ui-dir', join(tmpdir(), 'basalt-no-such-ui-dir')],
      superuser: { email: 'root@example.com', password: 'password123' },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('/_/ is a 404 saying how to build it', async () => {
    const res = await raw(server.url, 'GET', '/_/');
    assert.equal(res.status, 404);
    const body = JSON.parse(res.body);
    assert.equal(body.status, 404);
    assert.match(body.message, /dashboard is not built/);
  });
});

describe('install link', () => {
  const INSTALLER = '__pbinstaller@example.com';
  let dir;
  let servers = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basalt-install-'));
  });
  after(async () => {
    for (const s of servers) await s.stop().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });

  function tokenOf(link) {
    return new URL(link.replace('/#/', '/')).searchParams.get('token');
  }
  function claims(token) {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  }
  async function rejects401(pb) {
    await assert.rejects(pb.collection('_superusers').authRefresh(), (error) => {
      assert.ok(error instanceof ClientResponseError);
      assert.equal(error.status, 401);
      return true;
    });
  }

  test('single use, 30 minutes, rotated on restart, wrong tokens refused', async () => {
    const first = await startServer({ dir });
    servers.push(first);
    const link1 = await first.installLink;
    assert.ok(link1.startsWith(`${first.url}/_/#/install?token=`), link1);
    const token1 = tokenOf(link1);
    const exp = claims(token1).exp;
    const left = exp - Math.floor(Date.now() / 1000);
    assert.ok(left > 29 * 60 && left <= 30 * 60, `expires in ${left} s`);
    assert.equal(claims(token1).refreshable, false);

    const pb1 = new PocketBase(first.url);
    pb1.authStore.save(token1, null);
    const refreshed = await pb1.collection('_superusers').authRefresh();
    assert.equal(refreshed.record.email, INSTALLER);
    // Static: refreshing hands back the same token, never a longer-lived one.
    assert.equal(refreshed.token, token1);

    // A tampered signature is refused.
    const wrong = new PocketBase(first.url);
    wrong.authStore.save(token1.slice(0, -4) + (token1.endsWith('AAAA') ? 'BBBB' : 'AAAA'), null);
    await rejects401(wrong);

    // A restart with still no superuser: a new link; the old one is dead.
    await first.stop();
    servers = [];
    const second = await startServer({ dir });
    servers.push(second);
    const token2 = tokenOf(await second.installLink);
    assert.notEqual(token2, token1);
    const stale = new PocketBase(second.url);
    stale.authStore.save(token1, null);
    await rejects401(stale);

    // The install: the real superuser created with the token, the placeholder deleted.
    const pb = new PocketBase(second.url);
    pb.authStore.save(token2, null);
    const placeholder = (await pb.collection('_superusers').authRefresh()).record;
    await pb.collection('_superusers').create({
      email: 'owner@example.com',
      password: 'password123',
      passwordConfirm: 'password123',
    });
    await pb.collection('_superusers').delete(placeholder.id);
    // Used: the token is worthless now.
    const again = new PocketBase(second.url);
    again.authStore.save(token2, null);
    await rejects401(again);
    const owner = new PocketBase(second.url);
    await owner.collection('_superusers').authWithPassword('owner@example.com', 'password123');
    const all = await owner.collection('_superusers').getFullList();
    assert.deepEqual(all.map((r) => r.email), ['owner@example.com']);
  });

  test('a superuser made with the CLI instead: the next start drops the placeholder', async () => {
    const cliDir = await mkdtemp(join(tmpdir(), 'basalt-install-cli-'));
    try {
      const first = await startServer({ dir: cliDir });
      const token = tokenOf(await first.installLink);
      await first.stop();
      const second = await startServer({
        dir: cliDir,
        superuser: { email: 'cli@example.com', password: 'password123' },
      });
      try {
        const pb = new PocketBase(second.url);
        await pb.collection('_superusers').authWithPassword('cli@example.com', 'password123');
        const all = await pb.collection('_superusers').getFullList();
        assert.deepEqual(all.map((r) => r.email), ['cli@example.com']);
        const stale = new PocketBase(second.url);
        stale.authStore.save(token, null);
        await rejects401(stale);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(cliDir, { recursive: true, force: true });
    }
  });
});
