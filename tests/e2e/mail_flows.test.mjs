// The mail-driven account flows (docs/auth-flows.md) through the official SDK, with Basalt
// sending to a real SMTP server on loopback (smtp_sink.mjs): verification, password reset,
// email change, one-time passwords, and the error shapes of bad tokens and codes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';
import { startSmtpSink } from './smtp_sink.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const password = 'first password 1';

// The token a flow mail carries, read from its text part's link (the template's {TOKEN}).
function tokenIn(mail, route) {
  const match = new RegExp(`${route}/([A-Za-z0-9_.-]+)`).exec(mail.text);
  assert.ok(match, `no ${route} link in: ${mail.text}`);
  return match[1];
}

describe('mail flows', () => {
  let server;
  let sink;
  let admin;
  let n = 0;

  // A fresh member of `collection` with a unique address.
  const newMember = async (collection = 'members') => {
    n += 1;
    const email = `member${n}@example.com`;
    const record = await admin
      .collection(collection)
      .create({ email, password, passwordConfirm: password, name: `Member <${n}>` });
    return { email, record };
  };

  before(async () => {
    sink = await startSmtpSink();
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({
      meta: {
        appName: 'Basalt Tést ✓', // a non-ASCII subject travels as RFC 2047 encoded words
        appURL: 'http://app.test',
        senderName: 'Basalt Mailer',
        senderAddress: 'noreply@basalt.test',
      },
      smtp: { enabled: true, host: '127.0.0.1', port: sink.port, tls: false },
    });
    for (const name of ['members', 'staff']) {
      await admin.collections.create({
        name,
        type: 'auth',
        fields: [{ name: 'name', type: 'text' }],
        otp: { enabled: true, duration: 180, length: 8 },
      });
    }
    await admin.collections.update('members', {
      verificationTemplate: {
        subject: 'Verify {RECORD:name} for {APP_NAME}',
        body: '<p>Hi {RECORD:name}</p><a href="{APP_URL}/confirm-verification/{TOKEN}">go</a>',
      },
    });
  });
  after(async () => {
    await server?.stop(); // asserts a clean exit, with a send still being retried
    await sink?.close().catch(() => {});
  });

  test('auth-methods reports OTP with its duration', async () => {
    const methods = await new PocketBase(server.url).collection('members').listAuthMethods();
    assert.deepEqual(methods.otp, { enabled: true, duration: 180 });
  });

  test('requestVerification mails a token; confirmVerification marks the record verified', async () => {
    const { email, record } = await newMember();
    const pb = new PocketBase(server.url);
    assert.equal(await pb.collection('members').requestVerification(email), true);
    const mail = await sink.nextMailTo(email);
    assert.equal(mail.from.value[0].address, 'noreply@basalt.test');
    assert.equal(mail.from.value[0].name, 'Basalt Mailer');
    assert.equal(mail.subject, `Verify Member <${record.name.slice(8, -1)}> for Basalt Tést ✓`);
    assert.match(mail.html, /<p>Hi Member &lt;\d+&gt;<\/p>/); // {RECORD:name} escaped in HTML
    assert.ok(mail.messageId && mail.date instanceof Date);
    const token = tokenIn(mail, 'confirm-verification');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.deepEqual(Object.keys(payload).sort(), ['collectionId', 'email', 'exp', 'id', 'type']);
    assert.equal(payload.type, 'verification');
    assert.equal(payload.email, email);

    assert.equal(await pb.collection('members').confirmVerification(token), true);
    assert.equal((await admin.collection('members').getOne(record.id)).verified, true);
    // Confirming again is fine (already verified), a verified record gets no new mail.
    assert.equal(await pb.collection('members').confirmVerification(token), true);
  });

  test('a password reset ends every session and sets the new password', async () => {
    const { email } = await newMember();
    const user = new PocketBase(server.url);
    await user.collection('members').authWithPassword(email, password);
    const oldToken = user.authStore.token;

    const guest = new PocketBase(server.url);
    await guest.collection('members').requestPasswordReset(email);
    await guest.collection('members').requestPasswordReset(email); // inside the resend window
    const { otpId } = await guest.collection('members').requestOTP(email);
    // Two mails, the reset and the OTP, in either order (two job runner threads send them:
    // docs/auth-flows.md, "Sending: the outbox"); the second reset sent nothing.
    const mails = [await sink.nextMailTo(email), await sink.nextMailTo(email)];
    const isReset = (mail) => mail.text.includes('confirm-password-reset/');
    assert.equal(mails.filter(isReset).length, 1, mails.map((mail) => mail.text).join('\n---\n'));
    const token = tokenIn(mails.find(isReset), 'confirm-password-reset');
    assert.match(mails.find((mail) => !isReset(mail)).text, /one-time password is: \d{8}/);
    assert.ok(otpId);

    await rejectsWith(guest.collection('members').confirmPasswordReset(token, 'x', 'y'), 400, (body) => {
      assert.equal(body.data.passwordConfirm.code, 'validation_values_mismatch');
    });
    const newPassword = 'second password 2';
    assert.equal(await guest.collection('members').confirmPasswordReset(token, newPassword, newPassword), true);

    await rejectsWith(user.collection('members').authRefresh(), 401); // the old token died
    assert.notEqual(user.authStore.token, '');
    const stale = new PocketBase(server.url);
    stale.authStore.save(oldToken, null);
    await rejectsWith(stale.collection('members').authRefresh(), 401);
    await rejectsWith(guest.collection('members').authWithPassword(email, password), 400);
    const fresh = await guest.collection('members').authWithPassword(email, newPassword);
    assert.equal(fresh.record.verified, true); // the mail reached the record's own address
    // The token was for the old tokenKey: used once, it is dead.
    await rejectsWith(guest.collection('members').confirmPasswordReset(token, newPassword, newPassword), 400, (body) => {
      assert.equal(body.data.token.code, 'validation_invalid_token');
    });
  });

  test('an email change needs the signed-in record, the mailed token and the password', async () => {
    const { email } = await newMember();
    const other = await newMember();
    const user = new PocketBase(server.url);
    await rejectsWith(user.collection('members').requestEmailChange('x@example.com'), 401);
    await user.collection('members').authWithPassword(email, password);
    await rejectsWith(user.collection('members').requestEmailChange(other.email), 400, (body) => {
      assert.equal(body.data.newEmail.code, 'validation_invalid_new_email');
    });
    await rejectsWith(user.collection('members').requestEmailChange('not-an-email'), 400, (body) => {
      assert.equal(body.data.newEmail.code, 'validation_is_email');
    });
    const newEmail = `changed${n}@example.com`;
    assert.equal(await user.collection('members').requestEmailChange(newEmail), true);
    const mail = await sink.nextMailTo(newEmail);
    const token = tokenIn(mail, 'confirm-email-change');

    const guest = new PocketBase(server.url);
    await rejectsWith(guest.collection('members').confirmEmailChange(token, 'wrong password'), 400, (body) => {
      assert.equal(body.data.password.code, 'validation_invalid_password');
    });
    assert.equal(await guest.collection('members').confirmEmailChange(token, password), true);
    const signedIn = await guest.collection('members').authWithPassword(newEmail, password);
    assert.equal(signedIn.record.email, newEmail);
    assert.equal(signedIn.record.verified, true);
    await rejectsWith(guest.collection('members').authWithPassword(email, password), 400);
  });

  test('OTP: the mailed code signs in once and marks the record verified', async () => {
    const { email, record } = await newMember();
    const pb = new PocketBase(server.url);
    const { otpId } = await pb.collection('members').requestOTP(email);
    const mail = await sink.nextMailTo(email);
    const code = /(\d{8})/.exec(mail.text)[1];
    const auth = await pb.collection('members').authWithOTP(otpId, code);
    assert.equal(auth.record.id, record.id);
    assert.equal(auth.record.verified, true);
    assert.equal(pb.authStore.isValid, true);
    await rejectsWith(pb.collection('members').authWithOTP(otpId, code), 400, (body) => {
      assert.equal(body.message, 'Invalid or expired OTP.');
    });
  });

  test('OTP: wrong codes answer 400 until the attempts are spent, then 429', async () => {
    const { email } = await newMember();
    const pb = new PocketBase(server.url);
    const { otpId } = await pb.collection('members').requestOTP(email);
    const code = /(\d{8})/.exec((await sink.nextMailTo(email)).text)[1];
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 5; i += 1) {
      await rejectsWith(pb.collection('members').authWithOTP(otpId, wrong), 400);
    }
    await rejectsWith(pb.collection('members').authWithOTP(otpId, code), 429, (body) => {
      assert.equal(body.message, 'Too many attempts, please try again later with a new OTP.');
    });
  });

  test('unknown addresses look like known ones', async () => {
    const pb = new PocketBase(server.url);
    assert.equal(await pb.collection('members').requestVerification('nobody@example.com'), true);
    assert.equal(await pb.collection('members').requestPasswordReset('nobody@example.com'), true);
    const { otpId } = await pb.collection('members').requestOTP('nobody@example.com');
    assert.match(otpId, /^[a-z0-9]{15}$/);
    await rejectsWith(pb.collection('members').authWithOTP(otpId, '12345678'), 400, (body) => {
      assert.equal(body.message, 'Invalid or expired OTP.');
    });
    // Mails leave in request order: once a later one arrived, none went to the unknown address.
    const { email } = await newMember();
    await pb.collection('members').requestVerification(email);
    await sink.nextMailTo(email);
    assert.equal(sink.envelopes.filter((e) => e.to.includes('nobody@example.com')).length, 0);
  });

  test('bad tokens: tampered, wrong type, another collection, missing claims', async () => {
    const { email } = await newMember();
    const pb = new PocketBase(server.url);
    await pb.collection('members').requestPasswordReset(email);
    const resetToken = tokenIn(await sink.nextMailTo(email), 'confirm-password-reset');
    const invalid = (body) => assert.equal(body.data.token.code, 'validation_invalid_token');

    // A password reset token is not a verification token.
    await rejectsWith(pb.collection('members').confirmVerification(resetToken), 400, invalid);
    const [header, payload, signature] = resetToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 1e6 })).toString('base64url')}.${signature}`;
    await rejectsWith(pb.collection('members').confirmPasswordReset(forged, 'abcdefgh1', 'abcdefgh1'), 400, invalid);
    await rejectsWith(pb.collection('members').confirmPasswordReset('not.a.token', 'abcdefgh1', 'abcdefgh1'), 400, invalid);
    // A valid token of `members` sent to `staff`.
    await rejectsWith(pb.collection('staff').confirmPasswordReset(resetToken, 'abcdefgh1', 'abcdefgh1'), 400, (body) => {
      assert.equal(body.data.token.code, 'validation_token_collection_mismatch');
    });
    // An auth token carries no email claim.
    const user = new PocketBase(server.url);
    await user.collection('members').authWithPassword(email, password);
    await rejectsWith(pb.collection('members').confirmVerification(user.authStore.token), 400, (body) => {
      assert.equal(body.data.token.code, 'validation_invalid_token_claims');
    });
    await rejectsWith(pb.collection('members').confirmEmailChange(resetToken, password), 400, (body) => {
      assert.equal(body.data.token.code, 'validation_invalid_token_payload');
    });
  });

  test('input errors and refused collections', async () => {
    const pb = new PocketBase(server.url);
    await rejectsWith(pb.collection('members').requestVerification('nope'), 400, (body) => {
      assert.equal(body.data.email.code, 'validation_is_email');
    });
    await rejectsWith(pb.collection('members').requestPasswordReset(''), 400, (body) => {
      assert.equal(body.data.email.code, 'validation_required');
    });
    await rejectsWith(pb.collection('_superusers').requestVerification(superuser.email), 400, (body) => {
      assert.equal(body.message, 'All superusers are verified by default.');
    });
    await rejectsWith(pb.collection('_superusers').requestOTP(superuser.email), 403);
    await rejectsWith(pb.collection('nope').requestPasswordReset('a@example.com'), 404);
    await rejectsWith(pb.send('/api/collections/members/request-otp', { method: 'POST', body: { email: 5 } }), 400);
  });

  test('the superusers test mail goes through the live SMTP settings', async () => {
    await admin.settings.testEmail('members', 'test@example.com', 'password-reset');
    const mail = await sink.nextMailTo('test@example.com');
    assert.match(mail.text, /TEST_TOKEN/);
    await rejectsWith(admin.settings.testEmail('members', 'test@example.com', 'nope'), 400, (body) => {
      assert.equal(body.data.template.code, 'validation_in_invalid');
    });
    await rejectsWith(new PocketBase(server.url).settings.testEmail('_superusers', 'test@example.com', 'otp'), 401);
  });

  // Last: it leaves the outbox retrying against a dead server, which the server's stop ends.
  test('a mail server that refuses connections never fails the request', async () => {
    const { email } = await newMember();
    await sink.close();
    await admin.settings.update({ smtp: { enabled: true, host: '127.0.0.1', port: sink.port, tls: false } });
    const pb = new PocketBase(server.url);
    assert.equal(await pb.collection('members').requestPasswordReset(email), true);
    const { otpId } = await pb.collection('members').requestOTP(email);
    assert.match(otpId, /^[a-z0-9]{15}$/);
  });
});
