// MFA across PocketBase's own methods (docs/auth-flows.md, "MFA"): a password sign-in answered
// 401 {mfaId} and completed with a one-time password read from a real SMTP server on loopback
// (smtp_sink.mjs), the other order (OTP first, password second), the same method twice refused,
// and an mfaId that belongs to another record refused.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';
import { mailedOtp, startSmtpSink } from './smtp_sink.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const password = 'member password 1';

// The mfaId of a first method that MFA answered with 401 {mfaId}.
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

describe('MFA with password and OTP', () => {
  let server;
  let sink;
  let admin;
  let n = 0;

  const newMember = async () => {
    n += 1;
    const email = `mfa-otp${n}@example.com`;
    const record = await admin.collection('guarded').create({ email, password, passwordConfirm: password });
    return { email, record };
  };


  before(async () => {
    sink = await startSmtpSink();
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({
      meta: { appName: 'Basalt', appURL: 'http://app.test', senderName: 'Basalt', senderAddress: 'noreply@basalt.test' },
      smtp: { enabled: true, host: '127.0.0.1', port: sink.port, tls: false },
    });
    await admin.collections.create({
      name: 'guarded',
      type: 'auth',
      mfa: { enabled: true, duration: 600 },
      otp: { enabled: true, duration: 180, length: 8 },
    });
  });
  after(async () => {
    await server?.stop();
    await sink?.close().catch(() => {});
  });

  test('auth-methods reports both MFA and OTP', async () => {
    const methods = await new PocketBase(server.url).collection('guarded').listAuthMethods();
    assert.deepEqual([methods.mfa, methods.otp], [{ enabled: true, duration: 600 }, { enabled: true, duration: 180 }]);
  });

  test('password first (401 mfaId), then the mailed OTP with the mfaId signs in', async () => {
    const { email, record } = await newMember();
    const pb = new PocketBase(server.url);
    const mfaId = await mfaIdOf(pb.collection('guarded').authWithPassword(email, password));
    assert.equal(pb.authStore.isValid, false);
    const { otpId, code } = await mailedOtp(sink, pb.collection('guarded'), email);
    const auth = await pb.collection('guarded').authWithOTP(otpId, code, { mfaId });
    assert.equal(auth.record.id, record.id);
    assert.ok(auth.token);
    assert.equal(pb.authStore.isValid, true);
    // The session is spent: the same mfaId cannot complete a second sign-in.
    const again = await mailedOtp(sink, pb.collection('guarded'), email);
    await rejectsWith(pb.collection('guarded').authWithOTP(again.otpId, again.code, { mfaId }), 400);
  });

  test('OTP first (401 mfaId), then the password with the mfaId signs in', async () => {
    const { email, record } = await newMember();
    const pb = new PocketBase(server.url);
    const { otpId, code } = await mailedOtp(sink, pb.collection('guarded'), email);
    const mfaId = await mfaIdOf(pb.collection('guarded').authWithOTP(otpId, code));
    const auth = await pb.collection('guarded').authWithPassword(email, password, { mfaId });
    assert.equal(auth.record.id, record.id);
  });

  test('the same method twice is refused; another record cannot use the mfaId', async () => {
    const { email } = await newMember();
    const other = await newMember();
    const pb = new PocketBase(server.url);
    const mfaId = await mfaIdOf(pb.collection('guarded').authWithPassword(email, password));
    await rejectsWith(pb.collection('guarded').authWithPassword(email, password, { mfaId }), 400);
    const stranger = await mailedOtp(sink, pb.collection('guarded'), other.email);
    await rejectsWith(pb.collection('guarded').authWithOTP(stranger.otpId, stranger.code, { mfaId }), 400);
    assert.equal(pb.authStore.isValid, false);
  });
});
