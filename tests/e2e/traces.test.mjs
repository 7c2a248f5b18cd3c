// Traces: a loopback OTLP/HTTP receiver (the JSON encoding) gets the server span of each
// sampled request, continuing the caller's W3C trace context (docs/observability.md,
// "Traces"). The payloads are checked against the OTLP JSON shape: ids as lowercase hex, kind
// as an integer, nanosecond times and integer attributes as decimal strings.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

// Collects every export request; answers 200 {} as an OTLP collector does.
async function startReceiver() {
  const requests = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    requests,
    spans: () =>
      requests.flatMap((r) =>
        r.body.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// The OTLP JSON shape of one span.
function assertOtlpSpan(span) {
  assert.match(span.traceId, /^[0-9a-f]{32}$/);
  assert.match(span.spanId, /^[0-9a-f]{16}$/);
  if ('parentSpanId' in span) assert.match(span.parentSpanId, /^[0-9a-f]{16}$/);
  assert.equal(typeof span.name, 'string');
  assert.ok(Number.isInteger(span.kind));
  assert.match(span.startTimeUnixNano, /^\d+$/);
  assert.match(span.endTimeUnixNano, /^\d+$/);
  assert.ok(BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano));
  for (const attribute of span.attributes) {
    assert.equal(typeof attribute.key, 'string');
    const kinds = Object.keys(attribute.value);
    assert.equal(kinds.length, 1);
    assert.ok(['stringValue', 'intValue'].includes(kinds[0]));
    if (kinds[0] === 'intValue') assert.match(attribute.value.intValue, /^-?\d+$/);
  }
  assert.ok(Number.isInteger(span.status.code));
}

const attribute = (span, key) => span.attributes.find((a) => a.key === key)?.value;

async function eventually(check, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const hex = (bytes) => randomBytes(bytes).toString('hex');

describe('traces', () => {
  let receiver;
  let server;
  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=e2e%20key',
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        OTEL_SERVICE_NAME: 'basalt-e2e',
      },
    });
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
  });

  test('a request continues the incoming trace as a child of the caller span', async () => {
    const traceId = hex(16);
    const parentId = hex(8);
    const pb = new PocketBase(server.url);
    await pb.health.check({ headers: { traceparent: `00-${traceId}-${parentId}-01`, tracestate: 'e2e=1' } });
    const span = await eventually(
      () => receiver.spans().find((s) => s.traceId === traceId),
      'the span of the traced request',
    );
    assertOtlpSpan(span);
    assert.equal(span.parentSpanId, parentId);
    assert.notEqual(span.spanId, parentId);
    assert.equal(span.traceState, 'e2e=1');
    assert.equal(span.kind, 2); // SERVER
    assert.equal(span.name, 'GET');
    assert.deepEqual(attribute(span, 'url.path'), { stringValue: '/api/health' });
    assert.deepEqual(attribute(span, 'http.response.status_code'), { intValue: '200' });
    assert.equal(span.status.code, 0);

    const exported = receiver.requests.find((r) =>
      r.body.resourceSpans.some((rs) => rs.scopeSpans.some((ss) => ss.spans.includes(span))));
    assert.equal(exported.method, 'POST');
    assert.equal(exported.path, '/v1/traces');
    assert.match(exported.headers['content-type'], /^application\/json/);
    assert.equal(exported.headers['x-api-key'], 'e2e key');
    const resource = exported.body.resourceSpans[0].resource;
    assert.deepEqual(resource.attributes.find((a) => a.key === 'service.name').value, {
      stringValue: 'basalt-e2e',
    });
  });

  test('an invalid traceparent is ignored: a new root trace starts', async () => {
    const answered = await fetch(`${server.url}/api/nope`, {
      headers: { traceparent: `00-${'0'.repeat(32)}-${hex(8)}-01` },
    });
    assert.equal(answered.status, 404);
    const requestId = answered.headers.get('x-request-id');
    const span = await eventually(
      () => receiver.spans().find((s) => attribute(s, 'http.request.id')?.stringValue === requestId),
      'the span of the request with an invalid traceparent',
    );
    assertOtlpSpan(span);
    assert.notEqual(span.traceId, '0'.repeat(32));
    assert.equal('parentSpanId' in span, false);
    assert.deepEqual(attribute(span, 'http.response.status_code'), { intValue: '404' });
  });

  test('an unsampled caller is not traced (parent-based sampling)', async () => {
    const quietTrace = hex(16);
    await fetch(`${server.url}/api/health`, {
      headers: { traceparent: `00-${quietTrace}-${hex(8)}-00` },
    });
    // A sampled request after it: once its span arrived, the earlier one would have too.
    const fenceTrace = hex(16);
    await fetch(`${server.url}/api/health`, {
      headers: { traceparent: `00-${fenceTrace}-${hex(8)}-01` },
    });
    await eventually(() => receiver.spans().find((s) => s.traceId === fenceTrace), 'the fence span');
    assert.equal(receiver.spans().some((s) => s.traceId === quietTrace), false);
  });
});
