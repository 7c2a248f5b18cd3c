// Assertions the e2e suites share.

import assert from 'node:assert/strict';
import { ClientResponseError } from 'pocketbase';

// Every error body is {status, message, data}: status equals the HTTP status, message is a
// sentence, data an object (docs/api.md, "Errors").
export function assertErrorBody(body, status) {
  assert.deepEqual(Object.keys(body).sort(), ['data', 'message', 'status'], JSON.stringify(body));
  assert.equal(body.status, status);
  assert.match(body.message, /^[A-Z].*[.?!]$/s, `not a sentence: ${JSON.stringify(body.message)}`);
  assert.ok(body.data !== null && typeof body.data === 'object' && !Array.isArray(body.data));
}

// Asserts that `promise` rejects with an SDK error of `status`; `check` sees the error body.
export async function rejectsWith(promise, status, check) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ClientResponseError, `not a ClientResponseError: ${error}`);
    assert.equal(error.status, status, JSON.stringify(error.response));
    assertErrorBody(error.response, status);
    check?.(error.response);
    return true;
  });
}
