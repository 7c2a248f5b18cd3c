// GET /api/health through the official SDK, and the error shape of an unknown route.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { startServer } from './server.mjs';

describe('health', () => {
  let server;
  let pb;
  before(async () => {
    server = await startServer();
    pb = new PocketBase(server.url);
  });
  after(async () => {
    await server?.stop();
  });

  test('pb.health.check() returns the healthy body', async () => {
    assert.deepEqual(await pb.health.check(), {
      message: 'API is healthy.',
      code: 200,
      data: {},
    });
  });

  test('an unknown route rejects with a 404 ClientResponseError', async () => {
    await assert.rejects(pb.send('/api/nope', {}), (error) => {
      assert.ok(error instanceof ClientResponseError, `not a ClientResponseError: ${error}`);
      assert.equal(error.status, 404);
      assert.deepEqual(error.response, {
        status: 404,
        message: "The requested resource wasn't found.",
        data: {},
      });
      return true;
    });
  });
});
