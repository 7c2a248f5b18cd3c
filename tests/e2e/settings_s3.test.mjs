// POST /api/settings/test/s3 through the official SDK (pb.settings.testS3) against a real S3 API
// server on loopback that checks signatures: PocketBase's statuses and messages for a bad
// body, a disabled filesystem, a refused connection and a working one.

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startS3rver } from './s3rver.mjs';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const s3 = { bucket: 'basalt-e2e', accessKey: 'E2EACCESSKEY', secret: 'e2e-secret-value-42' };
const RAW = 'Failed to test the S3 filesystem. Raw error: \n';

async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the request to fail');
}

describe('POST /api/settings/test/s3', () => {
  let server;
  let bucket;
  let pb;
  before(async () => {
    bucket = await startS3rver(s3);
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
    await bucket?.stop();
  });

  test('is for superusers only', async () => {
    const guest = new PocketBase(server.url);
    const error = await failure(guest.settings.testS3('storage'));
    assert.equal(error.status, 401);
  });

  test('requires filesystem to be "storage" or "backups"', async () => {
    let error = await failure(pb.settings.testS3(''));
    assert.equal(error.status, 400);
    assert.equal(error.response.message, 'Failed to test the S3 filesystem.');
    assert.deepEqual(error.response.data, {
      filesystem: { code: 'validation_required', message: 'Cannot be blank.' },
    });
    error = await failure(pb.settings.testS3('other'));
    assert.deepEqual(error.response.data, {
      filesystem: { code: 'validation_in_invalid', message: 'Must be a valid value.' },
    });
    error = await failure(pb.send('/api/settings/test/s3', { method: 'POST', body: { filesystem: 1 } }));
    assert.equal(error.status, 400);
    assert.equal(error.response.message, 'An error occurred while loading the submitted data.');
  });

  test('a disabled filesystem is reported as such', async () => {
    const error = await failure(pb.settings.testS3('storage'));
    assert.equal(error.status, 400);
    assert.equal(error.response.message, `${RAW}S3 storage filesystem is not enabled.`);
    assert.deepEqual(error.response.data, {});
  });

  test('working settings answer 204 and leave no test object behind', async () => {
    await pb.settings.update({
      s3: { enabled: true, bucket: s3.bucket, region: 'us-east-1', endpoint: bucket.endpoint,
        accessKey: s3.accessKey, secret: s3.secret, forcePathStyle: true },
    });
    assert.equal(await pb.settings.testS3('storage'), true);
    const left = await readdir(join(bucket.dir, s3.bucket));
    assert.deepEqual(left.filter((name) => name.startsWith('pb_settings_test_')), []);
  });

  test('a refused signature is reported with S3\'s reason and without the secret', async () => {
    const wrongSecret = 'definitely-not-the-secret';
    await pb.settings.update({
      backups: { s3: { enabled: true, bucket: s3.bucket, region: 'us-east-1',
        endpoint: bucket.endpoint, accessKey: s3.accessKey, secret: wrongSecret, forcePathStyle: true } },
    });
    const error = await failure(pb.settings.testS3('backups'));
    assert.equal(error.status, 400);
    const message = error.response.message;
    assert.ok(message.startsWith(`${RAW}failed to upload a test file: `), message);
    assert.match(message, /SignatureDoesNotMatch/);
    assert.ok(!message.includes(wrongSecret), message);
    assert.deepEqual(error.response.data, {});
    // The storage filesystem's own settings are untouched and still work.
    assert.equal(await pb.settings.testS3('storage'), true);
  });
});
