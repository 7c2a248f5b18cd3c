// The rules a sign-in passes, as PocketBase evaluates them (docs/auth-flows.md, "MFA" and
// "Which record the rules see"): the signing-in record is the row the rule is checked on, and
// `@request.auth` is the request's own caller - a guest for a plain sign-in, the record itself
// when the client still sends its token, a superuser when one signs in on a user's behalf.
// Both shapes of rule, for mfa.rule and for the authRule.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const password = 'member password 1';

async function mfaIdOf(promise) {
  let mfaId;
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClientResponseError);
    assert.equal(error.status, 401, JSON.stringify(error.response));
    mfaId = error.response.mfaId;
    return true;
  });
  assert.match(mfaId, /^[a-z0-9]{15}$/);
  return mfaId;
}

describe('sign-in rules and @request.auth', () => {
  let server;
  let admin;
  let staff;
  let guest;

  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({
      name: 'staff',
      type: 'auth',
      fields: [{ name: 'role', type: 'text' }],
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: true, duration: 600, rule: "role = 'admin'" },
    });
    staff = await admin.collection('staff').create({ email: 'boss@example.com', role: 'admin', password, passwordConfirm: password });
    guest = await admin.collection('staff').create({ email: 'temp@example.com', role: 'temp', password, passwordConfirm: password });
  });
  after(async () => {
    await server?.stop();
  });

  test('mfa.rule on the record: only the records it matches need a second method', async () => {
    await admin.collections.update('staff', { mfa: { enabled: true, duration: 600, rule: "role = 'admin'" } });
    await mfaIdOf(new PocketBase(server.url).collection('staff').authWithPassword('boss@example.com', password));
    const auth = await new PocketBase(server.url).collection('staff').authWithPassword('temp@example.com', password);
    assert.equal(auth.record.id, guest.id);
  });

  test("mfa.rule on @request.auth: a guest's sign-in is not asked; one sent with a token is", async () => {
    await admin.collections.update('staff', { mfa: { enabled: true, duration: 600, rule: "@request.auth.id != ''" } });
    const pb = new PocketBase(server.url);
    // A guest: @request.auth is empty, so the rule does not match and the password is enough
    // (were the signing-in record @request.auth, this would be a 401 {mfaId}).
    const first = await pb.collection('staff').authWithPassword('boss@example.com', password);
    assert.equal(first.record.id, staff.id);
    assert.equal(pb.authStore.isValid, true);
    // The SDK sends the stored token with the next sign-in: now @request.auth is the record.
    const mfaId = await mfaIdOf(pb.collection('staff').authWithPassword('boss@example.com', password));
    const session = await admin.collection('_mfas').getOne(mfaId);
    assert.equal(session.recordRef, staff.id);
    assert.equal(session.method, 'password');
  });

  test("authRule on @request.auth: a guest's sign-in is refused, a superuser's passes", async () => {
    await admin.collections.update('staff', { mfa: { enabled: false }, authRule: "@request.auth.id != ''" });
    try {
      await rejectsWith(new PocketBase(server.url).collection('staff').authWithPassword('temp@example.com', password), 403,
        (body) => assert.equal(body.message, "The request doesn't satisfy the collection requirements to authenticate."));
      // A superuser's token on the request: PocketBase's CanAccessRecord lets superusers through.
      const onBehalf = new PocketBase(server.url);
      onBehalf.authStore.save(admin.authStore.token, admin.authStore.record);
      const auth = await onBehalf.collection('staff').authWithPassword('temp@example.com', password);
      assert.equal(auth.record.id, guest.id);
      // Impersonation is made by a superuser, so the authRule never refuses it.
      const impersonated = await admin.collection('staff').impersonate(guest.id, 60);
      assert.equal(impersonated.authStore.record.id, guest.id);
    } finally {
      await admin.collections.update('staff', { authRule: '' });
    }
  });

  test('authRule on the record: the row decides, whoever asks', async () => {
    await admin.collections.update('staff', { authRule: "role != 'temp'" });
    try {
      await rejectsWith(new PocketBase(server.url).collection('staff').authWithPassword('temp@example.com', password), 403);
      const auth = await new PocketBase(server.url).collection('staff').authWithPassword('boss@example.com', password);
      assert.equal(auth.record.id, staff.id);
    } finally {
      await admin.collections.update('staff', { authRule: '' });
    }
  });
});
