// The application settings through the official SDK (pb.settings.getAll / update): who may use
// them, the defaults and their key order, merging updates, secrets never sent back, and the
// validation errors a client sees.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('settings API', () => {
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

  // First: the later tests change the settings this one reads.
  test('a fresh server answers PocketBase defaults in PocketBase key order', async () => {
    const settings = await pb.settings.getAll();
    assert.deepEqual(Object.keys(settings), [
      'superuserIPs', 'smtp', 'backups', 's3', 'meta', 'rateLimits', 'trustedProxy', 'batch', 'logs',
      'graphql',
    ]);
    assert.deepEqual(settings.meta, {
      accentColor: '#1055c9',
      appName: 'Acme',
      appURL: 'http://localhost:8090',
      senderName: 'Support',
      senderAddress: 'support@example.com',
      hideControls: false,
    });
    assert.deepEqual(settings.batch, { enabled: false, maxRequests: 50, timeout: 3, maxBodySize: 0 });
    assert.deepEqual(settings.logs, { maxDays: 5, minLevel: 0, logIP: true, logAuthId: false });
    assert.equal(settings.rateLimits.enabled, false);
    assert.deepEqual(settings.rateLimits.rules[0], { label: '*:auth', audience: '', duration: 3, maxRequests: 2 });
    assert.deepEqual(settings.superuserIPs, []);
    assert.equal('password' in settings.smtp, false);
    assert.equal('secret' in settings.s3, false);
  });

  test('update merges the given keys and every later read sees them', async () => {
    const updated = await pb.settings.update({
      meta: { appName: 'Basalt e2e' },
      batch: { enabled: true, maxRequests: 10 },
      rateLimits: { rules: [{ label: '/api/', duration: 10, maxRequests: 100 }] },
      notASetting: true,
    });
    assert.equal(updated.meta.appName, 'Basalt e2e');
    assert.equal(updated.meta.appURL, 'http://localhost:8090');
    assert.deepEqual(updated.batch, { enabled: true, maxRequests: 10, timeout: 3, maxBodySize: 0 });
    assert.deepEqual(updated.rateLimits.rules, [{ label: '/api/', audience: '', duration: 10, maxRequests: 100 }]);
    assert.equal('notASetting' in updated, false);
    assert.deepEqual(await pb.settings.getAll(), updated);
  });

  test('secrets are stored but never sent back', async () => {
    const updated = await pb.settings.update({
      smtp: { enabled: true, host: 'smtp.example.com', port: 587, password: 'smtp-secret' },
      s3: { secret: 's3-secret' },
    });
    assert.equal(updated.smtp.enabled, true);
    const text = JSON.stringify(await pb.settings.getAll());
    assert.equal(text.includes('smtp-secret'), false);
    assert.equal(text.includes('s3-secret'), false);
    assert.equal('password' in updated.smtp, false);
    // Sending the (secret-less) settings back is accepted and keeps them valid.
    await pb.settings.update(await pb.settings.getAll());
  });

  test('invalid values are a 400 with an error per key, and change nothing', async () => {
    const before = await pb.settings.getAll();
    await assert.rejects(
      pb.settings.update({ meta: { appName: '', appURL: 'not a url' }, smtp: { enabled: true, host: '' } }),
      (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.message, 'An error occurred while saving the new settings.');
        assert.deepEqual(error.response.data, {
          meta: {
            appName: { code: 'validation_required', message: 'Cannot be blank.' },
            appURL: { code: 'validation_is_url', message: 'Must be a valid URL.' },
          },
          smtp: { host: { code: 'validation_required', message: 'Cannot be blank.' } },
        });
        return true;
      },
    );
    assert.deepEqual(await pb.settings.getAll(), before);
  });

  test('values of the wrong type are a 400 naming the key', async () => {
    await assert.rejects(pb.settings.update({ batch: { maxRequests: 'many' }, logs: 5 }), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.response.message, 'An error occurred while loading the submitted data.');
      assert.equal(error.response.data.batch.maxRequests.code, 'validation_unsupported_value_type');
      assert.equal(error.response.data.logs.code, 'validation_unsupported_value_type');
      return true;
    });
  });

  // PocketBase binds form bodies here too: dotted names reach nested settings and values are
  // read as the types the settings expect.
  test('update takes urlencoded and multipart bodies', async () => {
    const urlencoded = await pb.settings.update(
      new URLSearchParams({ 'meta.appName': 'Form app', 'batch.enabled': 'true', 'batch.maxRequests': '7' }),
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
    );
    assert.equal(urlencoded.meta.appName, 'Form app');
    assert.equal(urlencoded.batch.enabled, true);
    assert.equal(urlencoded.batch.maxRequests, 7);

    const form = new FormData();
    form.append('meta.appName', 'Multipart app');
    form.append('batch.timeout', '9');
    const multipart = await pb.settings.update(form);
    assert.equal(multipart.meta.appName, 'Multipart app');
    assert.equal(multipart.batch.maxRequests, 7);
    assert.equal(multipart.batch.timeout, 9);
    assert.deepEqual(await pb.settings.getAll(), multipart);
  });

  test('guests get 401', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.settings.getAll(), (error) => error.status === 401);
    await assert.rejects(guest.settings.update({ meta: { appName: 'x' } }), (error) => error.status === 401);
  });

  test('a signed-in user who is not a superuser gets 403', async () => {
    const user = new PocketBase(server.url);
    const credentials = { email: 'user@example.com', password: 'user password 123' };
    await user.collection('users').create({ ...credentials, passwordConfirm: credentials.password });
    await user.collection('users').authWithPassword(credentials.email, credentials.password);
    await assert.rejects(user.settings.getAll(), (error) => error.status === 403);
    await assert.rejects(user.settings.update({ meta: { appName: 'x' } }), (error) => error.status === 403);
  });
});
