// The collections API through the official SDK, as a superuser; and who else may not use it.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('collections API', () => {
  let server;
  let pb;
  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
  });

  test('create, getOne, update and delete a collection', async () => {
    const created = await pb.collections.create({
      name: 'posts',
      type: 'base',
      listRule: '',
      fields: [{ name: 'title', type: 'text', required: true }],
    });
    assert.equal(created.name, 'posts');
    assert.ok(created.id.startsWith('pbc_'));
    assert.ok(created.fields.some((f) => f.name === 'title'));

    const fetched = await pb.collections.getOne('posts');
    assert.equal(fetched.id, created.id);

    const updated = await pb.collections.update(created.id, { viewRule: "title != ''" });
    assert.equal(updated.viewRule, "title != ''");

    await pb.collections.delete(created.id);
    await assert.rejects(pb.collections.getOne('posts'), (error) => error.status === 404);
  });

  test('an invalid collection is a 400 with every problem', async () => {
    await assert.rejects(
      pb.collections.create({ name: 'bad name', type: 'base', listRule: 'nosuchfield = 1' }),
      (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.message, 'Failed to create collection.');
        assert.ok(error.response.data.name);
        assert.ok(error.response.data.listRule);
        return true;
      },
    );
  });

  test('MFA and OTP can be turned on (create, update, import) and auth-methods reports them', async () => {
    const otpOn = await pb.collections.create({ name: 'otp_on', type: 'auth', otp: { enabled: true } });
    assert.equal(otpOn.otp.enabled, true);
    assert.deepEqual((await pb.collection('otp_on').listAuthMethods()).otp, { enabled: true, duration: 180 });
    const withMfa = await pb.collections.create({ name: 'two_step', type: 'auth', mfa: { enabled: true, duration: 600 } });
    assert.deepEqual([withMfa.mfa.enabled, withMfa.mfa.duration], [true, 600]);
    await pb.collections.import([{ name: 'imported', type: 'auth', mfa: { enabled: true, duration: 900 } }]);
    const methods = await pb.collection('imported').listAuthMethods();
    assert.deepEqual([methods.mfa, methods.otp], [{ enabled: true, duration: 900 }, { enabled: false, duration: 0 }]);
    const users = await pb.collection('users').listAuthMethods();
    assert.deepEqual([users.mfa, users.otp], [{ enabled: false, duration: 0 }, { enabled: false, duration: 0 }]);
    // Turning them off (as PocketBase exports have them) is fine.
    const off = await pb.collections.create({ name: 'off_methods', type: 'auth', mfa: { enabled: false }, otp: { enabled: false } });
    assert.equal(off.mfa.enabled, false);
  });

  test('getList pages, filters and sorts; getFullList sees the system collections', async () => {
    await pb.collections.create({ name: 'alpha', type: 'base' });
    await pb.collections.create({ name: 'beta', type: 'base' });
    const page = await pb.collections.getList(1, 1, { filter: "system = false && name ~ 'a'", sort: '-name' });
    assert.equal(page.perPage, 1);
    assert.equal(page.totalItems, 2);
    assert.equal(page.totalPages, 2);
    assert.equal(page.items[0].name, 'beta');
    const skipped = await pb.collections.getList(1, 10, { skipTotal: true });
    assert.equal(skipped.totalItems, -1);
    const all = await pb.collections.getFullList();
    assert.ok(all.some((c) => c.name === '_superusers'));
    await assert.rejects(pb.collections.getList(1, 10, { filter: 'nosuchfield = 1' }), (e) => e.status === 400);
  });

  test('import creates collections in one go; scaffolds describe the defaults', async () => {
    await pb.collections.import([
      { name: 'imported_a', type: 'base', fields: [{ name: 'note', type: 'text' }] },
      { name: 'imported_b', type: 'base' },
    ]);
    assert.equal((await pb.collections.getOne('imported_a')).name, 'imported_a');
    const scaffolds = await pb.collections.getScaffolds();
    assert.deepEqual(Object.keys(scaffolds).sort(), ['auth', 'base', 'view']);
    assert.equal(scaffolds.auth.type, 'auth');
  });

  test('guests get 401', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.collections.getList(), (error) => error.status === 401);
  });
});
