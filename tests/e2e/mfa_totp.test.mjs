// MFA, TOTP, impersonation and rate limits (docs/auth-flows.md) through the official SDK:
// password then TOTP (err.response.mfaId, then the second method), the same method twice, an
// unknown, foreign or expired mfaId, TOTP enrollment, replay and recovery codes, impersonation
// with its non-refreshable token, and settings.rateLimits answering 429.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { assertErrorBody, rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// RFC 6238 with SHA-1, 6 digits, 30 s steps: what an authenticator app computes.
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
function totpCode(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[19] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}
const currentStep = () => Math.floor(Date.now() / 30_000);

// The mfaId of a first method that MFA answered with 401 {mfaId} (a plain object, no envelope).
async function mfaIdOf(promise) {
  let mfaId;
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClientResponseError);
    assert.equal(error.status, 401, JSON.stringify(error.response));
    assert.deepEqual(Object.keys(error.response), ['mfaId']);
    mfaId = error.response.mfaId;
    return true;
  });
  assert.match(mfaId, /^[a-z0-9]{15}$/);
  return mfaId;
}

const authWithTotp = (pb, collection, mfaId, code) =>
  pb.send(`/api/collections/${collection}/totp/auth-with-totp`, { method: 'POST', body: { mfaId, code } });

describe('MFA with password then TOTP', () => {
  let server;
  let admin;
  let ann;
  let bob;
  let secret;
  let recoveryCodes;
  const password = 'ann-password-123';

  before(async () => {
    // The controlled clock (app/testing_clock.hpp): an MFA session expires without waiting.
    server = await startServer({ superuser, env: { E2E_BASALT_MANUAL_CLOCK: '1' } });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({
      name: 'members',
      type: 'auth',
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: true, duration: 600, rule: '' },
    });
    ann = await admin.collection('members').create({ email: 'ann@example.com', password, passwordConfirm: password });
    bob = await admin.collection('members').create({ email: 'bob@example.com', password, passwordConfirm: password });
  });
  after(async () => {
    await server?.stop();
  });

  test('auth-methods reports MFA with its duration', async () => {
    const methods = await new PocketBase(server.url).collection('members').listAuthMethods();
    assert.deepEqual(methods.mfa, { enabled: true, duration: 600 });
  });

  test('the password alone answers 401 {mfaId}; the same method again is refused', async () => {
    const pb = new PocketBase(server.url);
    const mfaId = await mfaIdOf(pb.collection('members').authWithPassword(ann.email, password));
    assert.equal(pb.authStore.isValid, false);
    await rejectsWith(pb.collection('members').authWithPassword(ann.email, password, { mfaId }), 400, (body) =>
      assert.equal(body.message, 'A different authentication method is required.'));
    // The session is stored as an _mfas record, visible to superusers.
    const session = await admin.collection('_mfas').getOne(mfaId);
    assert.deepEqual([session.recordRef, session.method], [ann.id, 'password']);
  });

  test('an unknown or foreign mfaId is refused', async () => {
    const pb = new PocketBase(server.url);
    await rejectsWith(pb.collection('members').authWithPassword(ann.email, password, { mfaId: 'nosuchsession00' }), 400,
      (body) => assert.equal(body.message, 'Invalid or expired MFA session.'));
    // The body may carry the mfaId too; it must then be a string.
    await rejectsWith(pb.send('/api/collections/members/auth-with-password', {
      method: 'POST', body: { identity: ann.email, password, mfaId: 5 },
    }), 400, (body) => assert.equal(body.data.mfaId.code, 'validation_invalid_value'));
    const bobsId = await mfaIdOf(pb.collection('members').authWithPassword(bob.email, password));
    await rejectsWith(authWithTotp(pb, 'members', bobsId, '123456'), 400,
      (body) => assert.equal(body.message, 'Invalid TOTP code.'));
  });

  test('impersonation gives a token that auth-refresh does not renew', async () => {
    await rejectsWith(new PocketBase(server.url).send(`/api/collections/members/impersonate/${ann.id}`, { method: 'POST' }), 401);
    const client = await admin.collection('members').impersonate(ann.id, 120);
    assert.equal(client.authStore.record.id, ann.id);
    const payload = JSON.parse(Buffer.from(client.authStore.token.split('.')[1], 'base64url'));
    assert.equal(payload.refreshable, false);
    assert.ok(Math.abs(payload.exp - (Date.now() / 1000 + 120)) < 30);
    const refreshed = await client.collection('members').authRefresh();
    assert.equal(refreshed.token, client.authStore.token);
    // Default duration (0) is the collection's authToken duration; bad input is a 400 or 404.
    const byDefault = await admin.collection('members').impersonate(ann.id, 0);
    const defaultExp = JSON.parse(Buffer.from(byDefault.authStore.token.split('.')[1], 'base64url')).exp;
    const { authToken } = await admin.collections.getOne('members');
    assert.ok(Math.abs(defaultExp - (Date.now() / 1000 + authToken.duration)) < 30);
    await rejectsWith(admin.collection('members').impersonate(ann.id, -1), 400,
      (body) => assert.equal(body.data.duration.code, 'validation_min_greater_equal_than_required'));
    await rejectsWith(admin.collection('members').impersonate('nosuchrecord000', 60), 404);
    // Only superusers: an impersonated member may not impersonate.
    await rejectsWith(client.collection('members').impersonate(bob.id, 60), 403);
  });

  test('TOTP enrollment: secret and otpauth URI, then the first valid code activates it', async () => {
    const client = await admin.collection('members').impersonate(ann.id, 300);
    const enrollment = await client.send('/api/collections/members/totp/enroll', { method: 'POST' });
    secret = enrollment.secret;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(enrollment.uri,
      `otpauth://totp/Acme:ann%40example.com?secret=${secret}&issuer=Acme&period=30&digits=6&algorithm=SHA1`);
    let status = await client.send('/api/collections/members/totp', {});
    assert.deepEqual(status, { enabled: false, pending: true, recoveryCodesLeft: 0 });
    const wrong = totpCode(secret, currentStep() + 5);
    await rejectsWith(client.send('/api/collections/members/totp/confirm', { method: 'POST', body: { code: wrong } }), 400,
      (body) => assert.equal(body.message, 'Invalid TOTP code.'));
    const confirmed = await client.send('/api/collections/members/totp/confirm', {
      method: 'POST', body: { code: totpCode(secret, currentStep()) },
    });
    recoveryCodes = confirmed.recoveryCodes;
    assert.equal(recoveryCodes.length, 10);
    for (const code of recoveryCodes) assert.match(code, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    status = await client.send('/api/collections/members/totp', {});
    assert.deepEqual(status, { enabled: true, pending: false, recoveryCodesLeft: 10 });
    // Enrolling again while enabled is refused (it would replace a working secret).
    await rejectsWith(client.send('/api/collections/members/totp/enroll', { method: 'POST' }), 400);
  });

  test('password then TOTP signs in; the same code is never accepted twice', async () => {
    const pb = new PocketBase(server.url);
    const mfaId = await mfaIdOf(pb.collection('members').authWithPassword(ann.email, password));
    // TOTP alone (no session) is not a sign-in method.
    const code = totpCode(secret, currentStep() + 1);
    await rejectsWith(authWithTotp(pb, 'members', '', code), 400,
      (body) => assert.equal(body.message, 'Invalid or expired MFA session.'));
    const auth = await authWithTotp(pb, 'members', mfaId, code);
    assert.equal(auth.record.id, ann.id);
    assert.equal(auth.record.email, ann.email);
    pb.authStore.save(auth.token, auth.record);
    const refreshed = await pb.collection('members').authRefresh();
    assert.notEqual(refreshed.token, '');
    // The session is gone, and a replay of the code with a fresh session is refused.
    await rejectsWith(authWithTotp(pb, 'members', mfaId, code), 400,
      (body) => assert.equal(body.message, 'Invalid or expired MFA session.'));
    const second = await mfaIdOf(new PocketBase(server.url).collection('members').authWithPassword(ann.email, password));
    await rejectsWith(authWithTotp(pb, 'members', second, code), 400,
      (body) => assert.equal(body.message, 'Invalid TOTP code.'));
    // A recovery code works once (any case, with or without the dash).
    const recovered = await authWithTotp(pb, 'members', second, recoveryCodes[0].toUpperCase().replace('-', ''));
    assert.equal(recovered.record.id, ann.id);
    const third = await mfaIdOf(new PocketBase(server.url).collection('members').authWithPassword(ann.email, password));
    await rejectsWith(authWithTotp(pb, 'members', third, recoveryCodes[0]), 400);
  });

  test('TOTP is disabled only with the password', async () => {
    const client = await admin.collection('members').impersonate(ann.id, 300);
    await rejectsWith(client.send('/api/collections/members/totp/disable', { method: 'POST', body: { password: 'wrong' } }), 400,
      (body) => assert.equal(body.data.password.code, 'validation_invalid_password'));
    await client.send('/api/collections/members/totp/disable', { method: 'POST', body: { password } });
    const status = await client.send('/api/collections/members/totp', {});
    assert.deepEqual(status, { enabled: false, pending: false, recoveryCodesLeft: 0 });
    // Only the record itself reaches its TOTP routes.
    await rejectsWith(new PocketBase(server.url).send('/api/collections/members/totp/enroll', { method: 'POST' }), 401);
  });

  test('a session past mfa.duration is expired', async () => {
    await admin.collections.create({
      name: 'brief',
      type: 'auth',
      passwordAuth: { enabled: true, identityFields: ['email'] },
      mfa: { enabled: true, duration: 10 },
    });
    await admin.collection('brief').create({ email: 'cy@example.com', password, passwordConfirm: password });
    const pb = new PocketBase(server.url);
    const mfaId = await mfaIdOf(pb.collection('brief').authWithPassword('cy@example.com', password));
    // 10 s is the shortest mfa.duration a collection accepts: the server's date moves 11 s on,
    // and back afterwards (the TOTP codes of the other tests follow the real time).
    const setDate = (unixMs) => admin.send('/api/_testing/clock', { method: 'POST', body: { unixMs } });
    await setDate(Date.now() + 11_000);
    try {
      await rejectsWith(pb.collection('brief').authWithPassword('cy@example.com', password, { mfaId }), 400,
        (body) => assert.equal(body.message, 'Invalid or expired MFA session.'));
      await rejectsWith(admin.collection('_mfas').getOne(mfaId), 404);
    } finally {
      await setDate(Date.now());
    }
  });

  test('a rule that does not match the record skips MFA', async () => {
    await admin.collections.update('members', { mfa: { enabled: true, duration: 600, rule: "email != 'bob@example.com'" } });
    const auth = await new PocketBase(server.url).collection('members').authWithPassword(bob.email, password);
    assert.equal(auth.record.id, bob.id);
    await mfaIdOf(new PocketBase(server.url).collection('members').authWithPassword(ann.email, password));
  });
});

describe('settings.rateLimits', () => {
  let server;
  let admin;

  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({
      meta: { appName: 'Acme' },
      rateLimits: {
        enabled: true,
        rules: [
          { label: '*:listAuthMethods', maxRequests: 2, duration: 300 },
          { label: 'GET /api/collections/users/records', audience: '@auth', maxRequests: 1, duration: 300 },
          { label: '/api/', maxRequests: 1000, duration: 300 },
        ],
      },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('past maxRequests a client gets 429 "Too Many Requests."', async () => {
    const guest = new PocketBase(server.url);
    await guest.collection('users').listAuthMethods();
    await guest.collection('users').listAuthMethods();
    await rejectsWith(guest.collection('users').listAuthMethods(), 429, (body) => {
      assert.deepEqual(body, { status: 429, message: 'Too Many Requests.', data: {} });
    });
    // The wildcard tag counts per collection: another collection has its own counter.
    await guest.collection('_superusers').listAuthMethods();
    // Superusers are never limited.
    for (let i = 0; i < 4; i += 1) await admin.collection('users').listAuthMethods();
  });

  test('a rule for @auth leaves guests to the next matching rule', async () => {
    const guest = new PocketBase(server.url);
    for (let i = 0; i < 3; i += 1) await guest.collection('users').getList(1, 1);
  });

  test('MFA applies to superusers too', async () => {
    await admin.collections.update('_superusers', { mfa: { enabled: true, duration: 600 } });
    const pb = new PocketBase(server.url);
    await mfaIdOf(pb.collection('_superusers').authWithPassword(superuser.email, superuser.password));
  });
});
