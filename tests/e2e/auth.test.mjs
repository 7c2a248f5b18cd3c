// Superuser sign-in through the official SDK: authWithPassword, the authStore's view of our
// tokens, authRefresh and listAuthMethods, and the error shapes a client sees.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('superuser auth', () => {
  let server;
  before(async () => {
    server = await startServer({ superuser, args: ['--auth-identity-failures', '3'] });
  });
  after(async () => {
    await server?.stop();
  });

  test('authWithPassword signs in and the authStore reads the token', async () => {
    const pb = new PocketBase(server.url);
    const auth = await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    assert.equal(auth.record.email, superuser.email);
    assert.equal(auth.record.collectionName, '_superusers');
    assert.equal(auth.record.password, undefined);
    assert.equal(auth.record.tokenKey, undefined);
    assert.equal(pb.authStore.isValid, true);
    assert.equal(pb.authStore.isSuperuser, true);
    assert.equal(pb.authStore.record.id, auth.record.id);
  });

  test('authRefresh issues a new valid token for the same record', async () => {
    const pb = new PocketBase(server.url);
    const first = await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const refreshed = await pb.collection('_superusers').authRefresh();
    assert.equal(refreshed.record.id, first.record.id);
    assert.equal(typeof refreshed.token, 'string');
    assert.equal(pb.authStore.isValid, true);
  });

  test('authRefresh without a token is a 401', async () => {
    const pb = new PocketBase(server.url);
    await assert.rejects(pb.collection('_superusers').authRefresh(), (error) => {
      assert.ok(error instanceof ClientResponseError);
      assert.equal(error.status, 401);
      return true;
    });
  });

  test('a superuser token is refused by another collection with 403', async () => {
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await assert.rejects(pb.collection('users').authRefresh(), (error) => error.status === 403);
  });

  test('a tampered token is treated as a guest', async () => {
    const pb = new PocketBase(server.url);
    const auth = await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    const [header, payload, signature] = auth.token.split('.');
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
    pb.authStore.save(`${header}.${payload}.${flipped}`, auth.record);
    await assert.rejects(pb.collection('_superusers').authRefresh(), (error) => error.status === 401);
  });

  test('wrong passwords are a 400 and then rate-limited with 429', async () => {
    const pb = new PocketBase(server.url);
    const attempt = () => pb.collection('_superusers').authWithPassword('someone@example.com', 'wrong password');
    for (let i = 0; i < 3; i++) {
      await assert.rejects(attempt(), (error) => {
        assert.equal(error.status, 400);
        assert.deepEqual(error.response, { status: 400, message: 'Failed to authenticate.', data: {} });
        return true;
      });
    }
    await assert.rejects(attempt(), (error) => error.status === 429);
  });

  test('listAuthMethods reports password auth on email', async () => {
    const pb = new PocketBase(server.url);
    const methods = await pb.collection('users').listAuthMethods();
    assert.deepEqual(methods.password, { identityFields: ['email'], enabled: true });
    assert.equal(methods.oauth2.enabled, false);
    assert.equal(methods.mfa.enabled, false);
    assert.equal(methods.otp.enabled, false);
  });

  test('an unknown or non-auth collection is a 404', async () => {
    const pb = new PocketBase(server.url);
    await assert.rejects(pb.collection('nope').listAuthMethods(), (error) => error.status === 404);
  });
});
