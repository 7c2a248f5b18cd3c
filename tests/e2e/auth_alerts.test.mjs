// Sign-in alerts (docs/auth-flows.md, "Sign-in alerts"), PocketBase's authAlert: every
// completed sign-in records its device (client address + User-Agent) in `_authOrigins`; a
// sign-in from a device the record never used, when it had signed in before, mails the
// authAlert template to it, read here from a real SMTP server on loopback (smtp_sink.mjs).
// "No mail" is shown without waiting: the outbox sends in order, so the next mail to the
// address is the one a later, alerting sign-in queued.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';
import { startSmtpSink } from './smtp_sink.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const password = 'member password 1';

describe('sign-in alerts', () => {
  let server;
  let sink;
  let admin;
  let n = 0;

  const newMember = async (collection = 'members') => {
    n += 1;
    const email = `alert${n}@example.com`;
    const record = await admin.collection(collection).create({ email, password, passwordConfirm: password });
    return { email, record };
  };
  const signIn = (email, agent, options = {}, collection = 'members') =>
    new PocketBase(server.url).collection(collection).authWithPassword(email, password, {
      headers: { 'User-Agent': agent },
      ...options,
    });
  const originsOf = (record) =>
    admin.collection('_authOrigins').getFullList({ filter: `recordRef = '${record.id}'`, sort: '-created' });

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
      name: 'members',
      type: 'auth',
      passwordAuth: { enabled: true, identityFields: ['email'] },
      authAlert: {
        enabled: true,
        emailTemplate: { subject: 'New sign-in to {APP_NAME}', body: '<p>Hi {RECORD:email}: {ALERT_INFO}</p>' },
      },
    });
  });
  after(async () => {
    await server?.stop();
    await sink?.close().catch(() => {});
  });

  test('_authOrigins is a system collection superusers see', async () => {
    const collection = await admin.collections.getOne('_authOrigins');
    assert.equal(collection.system, true);
    assert.deepEqual(collection.fields.map((f) => f.name).sort(),
      ['collectionRef', 'created', 'fingerprint', 'id', 'recordRef', 'updated']);
  });

  test('the first sign-in and a known device send nothing; a new device sends the alert', async () => {
    const { email, record } = await newMember();
    await signIn(email, 'agent-one');
    let origins = await originsOf(record);
    assert.equal(origins.length, 1);
    assert.match(origins[0].fingerprint, /^[0-9a-f]{32}$/);
    const firstUpdated = origins[0].updated;
    await signIn(email, 'agent-one');  // the same device: `updated` moves, no mail
    origins = await originsOf(record);
    assert.equal(origins.length, 1);
    assert.ok(origins[0].updated >= firstUpdated);

    await signIn(email, 'agent-two');
    const mail = await sink.nextMailTo(email);
    // The first mail to this address is this one: neither earlier sign-in sent anything.
    assert.equal(mail.subject, 'New sign-in to Basalt');
    assert.match(mail.html, new RegExp(`Hi ${email}: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z - 127\\.0\\.0\\.1 agent-two`));
    assert.equal((await originsOf(record)).length, 2);
  });

  test('the alert reads as a device, escaped, with a long User-Agent cut at 200 bytes', async () => {
    const { email } = await newMember();
    await signIn(email, 'first');
    const agent = `<b>${'x'.repeat(300)}`;
    await signIn(email, agent);
    const mail = await sink.nextMailTo(email);
    assert.ok(mail.html.includes(`&lt;b&gt;${'x'.repeat(197)}...`), mail.html);
    assert.ok(!mail.html.includes('<b>'));
  });

  test('at most five devices are kept, the oldest dropped', async () => {
    const { email, record } = await newMember();
    for (let i = 1; i <= 7; i += 1) await signIn(email, `device-${i}`);
    const origins = await originsOf(record);
    assert.equal(origins.length, 5);
    for (let i = 2; i <= 7; i += 1) await sink.nextMailTo(email);  // six alerts, in order
  });

  test('a new password forgets the devices: the next sign-in counts as a first one', async () => {
    const { email, record } = await newMember();
    await signIn(email, 'laptop');
    assert.equal((await originsOf(record)).length, 1);
    await admin.collection('members').update(record.id, { password, passwordConfirm: password });
    assert.equal((await originsOf(record)).length, 0);
    await signIn(email, 'phone');  // first again: no mail
    await signIn(email, 'tablet');
    const mail = await sink.nextMailTo(email);
    assert.match(mail.html, /tablet/);
  });

  test('the owner lists its own devices; another record sees none of them', async () => {
    const { email, record } = await newMember();
    const other = await newMember();
    const own = new PocketBase(server.url);
    await own.collection('members').authWithPassword(email, password);
    const mine = await own.collection('_authOrigins').getFullList();
    assert.deepEqual(mine.map((o) => o.recordRef), [record.id]);
    const stranger = new PocketBase(server.url);
    await stranger.collection('members').authWithPassword(other.email, password);
    const theirs = await stranger.collection('_authOrigins').getFullList();
    assert.ok(theirs.every((o) => o.recordRef === other.record.id));
  });

  test('MFA: the half-finished first step records nothing; the completed sign-in does', async () => {
    await admin.collections.create({
      name: 'guarded',
      type: 'auth',
      passwordAuth: { enabled: true, identityFields: ['email'] },
      otp: { enabled: true, duration: 180, length: 8 },
      mfa: { enabled: true, duration: 600 },
    });
    const { email, record } = await newMember('guarded');
    const pb = new PocketBase(server.url);
    let mfaId;
    await assert.rejects(pb.collection('guarded').authWithPassword(email, password), (error) => {
      mfaId = error.response.mfaId;
      return error.status === 401;
    });
    assert.equal((await originsOf(record)).length, 0);
    const { otpId } = await pb.collection('guarded').requestOTP(email);
    const code = /(\d{8})/.exec((await sink.nextMailTo(email)).text)[1];
    await pb.collection('guarded').authWithOTP(otpId, code, { mfaId });
    assert.equal((await originsOf(record)).length, 1);
  });

  test('authAlert off: no device is recorded', async () => {
    await admin.collections.update('members', { authAlert: { enabled: false } });
    try {
      const { email, record } = await newMember();
      await signIn(email, 'one');
      await signIn(email, 'two');
      assert.equal((await originsOf(record)).length, 0);
    } finally {
      await admin.collections.update('members', { authAlert: { enabled: true } });
    }
  });
});
