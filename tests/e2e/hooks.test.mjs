// Lua hooks and custom routes (docs/hooks.md) through the official SDK: a validation hook, a
// computed field, an after-create side effect through the record service, custom routes with
// and without auth, a list hook reshaping items, the sandbox's limits, hot reload, and a
// script with a syntax error leaving the previous version running.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const open = { listRule: '', viewRule: '', createRule: '', updateRule: '', deleteRule: '' };

const POSTS = String.raw`
-- Validation: a title of at least 3 characters; a computed slug.
basalt.on("beforeCreate", "posts", function(e)
  local title = e.record.title or ""
  if #title < 3 then
    error(basalt.error(400, "Title is too short.", {
      title = { code = "too_short", message = "At least 3 characters." } }))
  end
  e.record.slug = title:lower():gsub("[^%w]+", "-")
end)

-- A side effect after the commit, through the record service as a superuser.
basalt.on("afterCreate", "posts", function(e)
  basalt.records.create("audit", { action = "created", ref = e.id }, { as = "superuser" })
end)

-- Lists reshape their items: one added key, one field left out.
basalt.on("afterList", "posts", function(e)
  for _, item in ipairs(e.records) do
    item.titleLength = #item.title
    item.note = nil
  end
end)
`;

const ROUTES = String.raw`
basalt.route("GET", "/api/hello/{name}", function(req)
  return { json = { message = "hello " .. req.params.name, q = req.query.q } }
end)
basalt.route("GET", "/api/me", function(req)
  return { status = 200, json = { id = req.auth.id, collection = req.auth.collectionName } }
end, { auth = "user" })
basalt.route("GET", "/api/admin-only", function(req) return { ok = true } end, { auth = "superuser" })
basalt.route("POST", "/api/echo", function(req) return { status = 201, json = req.body } end)
basalt.route("GET", "/api/count", function(req)
  local rows = basalt.sql("SELECT count(*) AS n FROM posts WHERE title LIKE ?", req.query.like or "%")
  return { n = rows[1].n }
end)
basalt.route("GET", "/api/my-posts", function(req)
  -- The caller's own rules: a guest sees what the list rule lets guests see.
  local page = basalt.records.list("posts", { sort = "title", perPage = 50 })
  return { total = page.totalItems }
end)
basalt.route("GET", "/api/limited", function() return { ok = true } end)
basalt.route("GET", "/api/spin", function() while true do end end)
basalt.route("GET", "/api/bomb", function() local s = "x" while true do s = s .. s end end)
basalt.route("GET", "/api/escape", function() return io.open("/etc/passwd"):read("*a") end)
`;

const version = (n) => `basalt.route("GET", "/api/version", function() return { v = ${n} } end)\n`;

// Resolves when the server's stderr has shown a line that `pattern` matches.
function stderrWatch() {
  let seen = '';
  const waiters = [];
  const onStderr = (chunk) => {
    seen += chunk;
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(seen)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const waitFor = (pattern) =>
    new Promise((resolve) => {
      if (pattern.test(seen)) resolve();
      else waiters.push({ pattern, resolve });
    });
  const mark = () => {
    seen = '';
  };
  return { onStderr, waitFor, mark };
}

async function rejectsWithStatus(promise, status) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClientResponseError, `${error}`);
    assert.equal(error.status, status, JSON.stringify(error.response));
    return true;
  });
}

describe('hooks and custom routes', () => {
  let server;
  let dir;
  let pb; // superuser
  let guest;
  const log = stderrWatch();

  // Writes a script as editors do (a temporary file renamed into place), then waits for the
  // reload it causes to be logged.
  async function install(name, text, expectLog) {
    log.mark();
    const temporary = join(dir, 'hooks', `.${name}.tmp`);
    await writeFile(temporary, text);
    await rename(temporary, join(dir, 'hooks', name));
    await log.waitFor(expectLog);
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'basalt-hooks-'));
    await mkdir(join(dir, 'hooks'));
    await writeFile(join(dir, 'hooks', '10_posts.lua'), POSTS);
    await writeFile(join(dir, 'hooks', '20_routes.lua'), ROUTES);
    await writeFile(join(dir, 'hooks', '30_version.lua'), version(1));
    server = await startServer({
      superuser,
      dir,
      onStderr: log.onStderr,
      args: ['--hooks-timeout-ms', '300', '--hooks-memory-mb', '32'],
    });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.create({
      name: 'posts',
      type: 'base',
      ...open,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'slug', type: 'text' },
        { name: 'note', type: 'text' },
      ],
    });
    await pb.collections.create({
      name: 'audit',
      type: 'base',
      fields: [
        { name: 'action', type: 'text' },
        { name: 'ref', type: 'text' },
      ],
    });
    await pb.collections.create({
      name: 'members',
      type: 'auth',
      ...open,
      fields: [{ name: 'name', type: 'text' }],
    });
  });

  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a validation hook rejects with 400, its message and its field errors', async () => {
    await assert.rejects(guest.collection('posts').create({ title: 'ab' }), (error) => {
      assert.equal(error.status, 400);
      assert.deepEqual(error.response, {
        status: 400,
        message: 'Title is too short.',
        data: { title: { code: 'too_short', message: 'At least 3 characters.' } },
      });
      return true;
    });
    const { totalItems } = await pb.collection('posts').getList(1, 1, { filter: "title = 'ab'" });
    assert.equal(totalItems, 0);
  });

  test('a computed field is stored, and an after-create hook writes through the service', async () => {
    const created = await guest.collection('posts').create({ title: 'Hello Lua World', note: 'n' });
    assert.equal(created.slug, 'hello-lua-world');
    const stored = await pb.collection('posts').getOne(created.id);
    assert.equal(stored.slug, 'hello-lua-world');
    // The after-hook ran after the commit and before the answer.
    const audit = await pb.collection('audit').getFullList({ filter: `ref = '${created.id}'` });
    assert.equal(audit.length, 1);
    assert.equal(audit[0].action, 'created');
    // The audit collection is superuser-only: the hook's {as = "superuser"} was needed.
    await rejectsWithStatus(guest.collection('audit').getList(), 403);
  });

  test('a list hook reshapes items; a view is left as stored', async () => {
    const created = await guest.collection('posts').create({ title: 'Reshaped', note: 'hidden' });
    const list = await guest.collection('posts').getList(1, 50, { filter: `id = '${created.id}'` });
    assert.equal(list.items.length, 1);
    assert.equal(list.items[0].titleLength, 8);
    assert.equal('note' in list.items[0], false);
    const viewed = await guest.collection('posts').getOne(created.id);
    assert.equal(viewed.note, 'hidden');
  });

  test('custom routes: params, query, body, and the API error format', async () => {
    assert.deepEqual(await guest.send('/api/hello/ann', { query: { q: 'x' } }), {
      message: 'hello ann',
      q: 'x',
    });
    assert.deepEqual(await guest.send('/api/echo', { method: 'POST', body: { a: [1, 2] } }), {
      a: [1, 2],
    });
    await rejectsWithStatus(guest.send('/api/echo', { method: 'GET' }), 405);
    await rejectsWithStatus(guest.send('/api/hello', {}), 404);
  });

  test('custom routes with auth: 401 for a guest, the caller for a user, 403 for the wrong kind', async () => {
    await rejectsWithStatus(guest.send('/api/me', {}), 401);
    await rejectsWithStatus(guest.send('/api/admin-only', {}), 401);
    await pb.collection('members').create({
      email: 'ann@example.com',
      password: 'ann-password-1',
      passwordConfirm: 'ann-password-1',
    });
    const ann = new PocketBase(server.url);
    const signed = await ann.collection('members').authWithPassword('ann@example.com', 'ann-password-1');
    assert.deepEqual(await ann.send('/api/me', {}), { id: signed.record.id, collection: 'members' });
    await rejectsWithStatus(ann.send('/api/admin-only', {}), 403);
    assert.deepEqual(await pb.send('/api/admin-only', {}), { ok: true });
  });

  test('settings.superuserIPs apply to custom routes as to every API route', async () => {
    const from = (address) => ({ headers: { 'X-Forwarded-For': address } });
    await pb.settings.update({
      trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false },
      superuserIPs: ['10.9.0.0/16'],
    });
    try {
      await rejectsWithStatus(pb.send('/api/admin-only', {}), 403);
      assert.deepEqual(await pb.send('/api/admin-only', from('10.9.1.2')), { ok: true });
    } finally {
      await pb.settings.update({ trustedProxy: { headers: [] }, superuserIPs: [] }, from('10.9.1.2'));
    }
    assert.deepEqual(await pb.send('/api/admin-only', {}), { ok: true });
  });

  test('scripts read through the services and read-only SQL', async () => {
    await guest.collection('posts').create({ title: 'Counted one' });
    const { n } = await guest.send('/api/count', { query: { like: 'Counted%' } });
    assert.equal(n, 1);
    const all = await pb.collection('posts').getList(1, 1);
    assert.equal((await guest.send('/api/my-posts', {})).total, all.totalItems);
  });

  test('settings.rateLimits apply to custom routes', async () => {
    await pb.settings.update({
      rateLimits: { enabled: true, rules: [{ label: '/api/limited', duration: 60, maxRequests: 2 }] },
    });
    try {
      assert.deepEqual(await guest.send('/api/limited', {}), { ok: true });
      assert.deepEqual(await guest.send('/api/limited', {}), { ok: true });
      await rejectsWithStatus(guest.send('/api/limited', {}), 429);
    } finally {
      await pb.settings.update({ rateLimits: { enabled: false } });
    }
  });

  test('an infinite loop, a memory bomb and io.open end in 500; the server keeps serving', async () => {
    for (const path of ['/api/spin', '/api/bomb', '/api/escape']) {
      await rejectsWithStatus(guest.send(path, {}), 500);
    }
    assert.deepEqual(await guest.send('/api/hello/again', {}), { message: 'hello again' });
  });

  test('hot reload picks up an edit; a syntax error keeps the previous version', async () => {
    assert.deepEqual(await guest.send('/api/version', {}), { v: 1 });
    await install('30_version.lua', version(2), /hooks: loaded 3 script\(s\)/);
    assert.deepEqual(await guest.send('/api/version', {}), { v: 2 });

    await install('30_version.lua', `${version(3)}local = nil\n`, /30_version\.lua:2:/);
    assert.deepEqual(await guest.send('/api/version', {}), { v: 2 });

    // A route that clashes with a built-in one is refused the same way.
    await install(
      '30_version.lua',
      `${version(4)}basalt.route("GET", "/api/health", function() return {} end)\n`,
      /clashes with a built-in route/,
    );
    assert.deepEqual(await guest.send('/api/version', {}), { v: 2 });
    assert.equal((await guest.health.check()).code, 200);

    await install('30_version.lua', version(5), /hooks: loaded 3 script\(s\)/);
    assert.deepEqual(await guest.send('/api/version', {}), { v: 5 });
  });
});
