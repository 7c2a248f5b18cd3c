// Which address a request comes from (docs/settings.md, "trustedProxy and superuserIPs"):
// settings.trustedProxy names the headers a trusted proxy writes the client address into, and
// settings.superuserIPs and settings.rateLimits count by that address.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const forwardedFor = (value) => ({ headers: { 'X-Forwarded-For': value } });
const realIp = (value) => ({ headers: { 'X-Real-IP': value } });

describe('settings.superuserIPs behind a trusted proxy', () => {
  let server;
  let admin;
  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
  });

  test('a superuser is refused from any address outside the list, and only a superuser', async () => {
    await admin.settings.update({
      trustedProxy: { headers: ['X-Forwarded-For'], useLeftmostIP: false },
      superuserIPs: ['10.9.0.0/16', '2001:db8::/32'],
    });
    // No header: the peer address (loopback) is not listed.
    await rejectsWith(admin.settings.getAll(), 403, (body) => {
      assert.equal(body.message, 'You are not allowed to perform this request.');
    });
    await rejectsWith(admin.collections.getFullList(), 403);
    assert.ok(await admin.settings.getAll(forwardedFor('10.9.1.2')));
    assert.ok(await admin.settings.getAll(forwardedFor('2001:db8::7')));
    // The rightmost valid address is the one the proxy appended.
    await rejectsWith(admin.settings.getAll(forwardedFor('10.9.1.2, 127.0.0.1')), 403);
    assert.ok(await admin.settings.getAll(forwardedFor('127.0.0.1, 10.9.1.2, not-an-address')));
    // Guests are not superusers: the list does not concern them.
    const guest = new PocketBase(server.url);
    assert.ok(await guest.collection('users').listAuthMethods());
  });

  test('useLeftmostIP takes the first valid address of the header', async () => {
    await admin.settings.update({ trustedProxy: { useLeftmostIP: true } }, forwardedFor('10.9.0.1'));
    assert.ok(await admin.settings.getAll(forwardedFor('10.9.1.2, 127.0.0.1')));
    await rejectsWith(admin.settings.getAll(forwardedFor('127.0.0.1, 10.9.1.2')), 403);
  });

  test('without trusted headers a forwarded address is ignored', async () => {
    await admin.settings.update(
      { trustedProxy: { headers: [] }, superuserIPs: ['127.0.0.1', '::1'] },
      forwardedFor('10.9.0.1'),
    );
    assert.ok(await admin.settings.getAll(forwardedFor('10.200.0.1')));
    await admin.settings.update({ superuserIPs: ['10.200.0.0/16'] });
    await rejectsWith(admin.settings.getAll(forwardedFor('10.200.0.1')), 403);
  });
});

describe('settings.rateLimits count the address a trusted proxy names', () => {
  let server;
  let admin;
  before(async () => {
    server = await startServer({ superuser });
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.settings.update({
      trustedProxy: { headers: ['X-Real-IP'] },
      rateLimits: { enabled: true, rules: [{ label: '*:listAuthMethods', maxRequests: 1, duration: 300 }] },
    });
  });
  after(async () => {
    await server?.stop();
  });

  test('each forwarded client has its own window', async () => {
    const guest = new PocketBase(server.url);
    await guest.collection('users').listAuthMethods(realIp('10.0.0.1'));
    await rejectsWith(guest.collection('users').listAuthMethods(realIp('10.0.0.1')), 429);
    await guest.collection('users').listAuthMethods(realIp('10.0.0.2'));
    // Not an address: the peer's window counts.
    await guest.collection('users').listAuthMethods(realIp('not-an-address'));
    await rejectsWith(guest.collection('users').listAuthMethods(), 429);
  });

  test('once the proxy headers are removed the header no longer separates clients', async () => {
    await admin.settings.update({ trustedProxy: { headers: [] } });
    const guest = new PocketBase(server.url);
    // The peer's window is used up by the previous test, whatever the header says.
    await rejectsWith(guest.collection('users').listAuthMethods(realIp('10.0.0.3')), 429);
  });
});
