// Traces: a loopback OTLP/HTTP receiver (the JSON encoding) gets the server span of each
// sampled request, continuing the caller's W3C trace context (docs/observability.md,
// "Traces"). The payloads are checked against the OTLP JSON shape: ids as lowercase hex, kind
// as an integer, nanosecond times and integer attributes as decimal strings. A webhook's
// deliveries continue the trace of the write that committed the event ("Deliveries").

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

const SUPERUSER = { email: 'traces@example.com', password: 'traces-password-1' };

// A webhook receiver on loopback: keeps each delivery's headers and body, answers with the
// next status of `plan` (then 204).
async function startHookReceiver() {
  const deliveries = [];
  const plan = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        headers: request.headers,
        payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      const status = plan.length > 0 ? plan.shift() : 204;
      response.writeHead(status).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    deliveries,
    plan,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// Every span of `traceId` once `count` arrived (the exporter sends a request's spans as they
// end: children first, the request's own span last).
async function traceSpans(receiver, traceId, what, done) {
  return eventually(() => {
    const spans = receiver.spans().filter((s) => s.traceId === traceId);
    return done(spans) ? spans : undefined;
  }, what);
}

// The chain of span names from `span` up to the root of its trace.
function ancestry(spans, span) {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names = [];
  for (let at = span; at; at = byId.get(at.parentSpanId)) names.push(at.name);
  return names;
}

describe('traces', () => {
  let receiver;
  let server;
  before(async () => {
    receiver = await startReceiver();
    server = await startServer({
      superuser: SUPERUSER,
      // Webhooks to the loopback receiver, retried quickly (docs/events.md).
      args: ['--webhooks-allow-private', 'true', '--events-retry-base', '20ms'],
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

  test('child spans: rule compilation, statements and the write job hang under the request', async () => {
    const admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await admin.collections.create({
      name: 'traced_notes',
      type: 'base',
      fields: [{ name: 'title', type: 'text' }],
      listRule: 'title != ""',
      createRule: '',
    });
    const guest = new PocketBase(server.url);

    // A guest list: the list rule and filter compile (plan cache misses), then the SELECT.
    const listTrace = hex(16);
    const callerSpan = hex(8);
    await guest.collection('traced_notes').getList(1, 5, {
      filter: 'title ~ "x"',
      headers: { traceparent: `00-${listTrace}-${callerSpan}-01` },
    });
    let spans = await traceSpans(receiver, listTrace, 'the list request and its children', (all) =>
      all.some((s) => s.kind === 2));
    spans.forEach(assertOtlpSpan);
    const listRequest = spans.find((s) => s.kind === 2);
    assert.equal(listRequest.parentSpanId, callerSpan);
    const compiles = spans.filter((s) => s.name === 'rule.compile');
    assert.ok(compiles.length >= 1, `rule.compile spans: ${spans.map((s) => s.name)}`);
    for (const compile of compiles) {
      assert.equal(compile.parentSpanId, listRequest.spanId);
      assert.deepEqual(attribute(compile, 'basalt.collection'), { stringValue: 'traced_notes' });
    }
    const select = spans.find((s) => s.name === 'SELECT traced_notes');
    assert.ok(select, `a SELECT span among ${spans.map((s) => s.name)}`);
    assert.equal(select.kind, 3); // CLIENT
    assert.deepEqual(ancestry(spans, select).at(-1), 'GET');
    assert.deepEqual(attribute(select, 'db.operation.name'), { stringValue: 'SELECT' });
    assert.deepEqual(attribute(select, 'db.collection.name'), { stringValue: 'traced_notes' });
    // Statement spans name the operation and table only: never a bound value.
    assert.ok(!JSON.stringify(spans).includes('"x"'));

    // A guest create: the write job under the request, its INSERT under the job.
    const createTrace = hex(16);
    await guest.collection('traced_notes').create(
      { title: 'secret-title-value' },
      { headers: { traceparent: `00-${createTrace}-${hex(8)}-01` } },
    );
    spans = await traceSpans(receiver, createTrace, 'the create request and its children', (all) =>
      all.some((s) => s.kind === 2));
    spans.forEach(assertOtlpSpan);
    const createRequest = spans.find((s) => s.kind === 2);
    assert.equal(createRequest.name, 'POST');
    const job = spans.find((s) => s.name === 'db.write_job');
    assert.ok(job, `a write job span among ${spans.map((s) => s.name)}`);
    assert.equal(job.parentSpanId, createRequest.spanId);
    const insert = spans.find((s) => s.name === 'INSERT traced_notes');
    assert.ok(insert, `an INSERT span among ${spans.map((s) => s.name)}`);
    assert.equal(insert.parentSpanId, job.spanId);
    if (!process.env.E2E_DB) {
      assert.match(attribute(job, 'basalt.writer.queue_wait_us').intValue, /^\d+$/);
      assert.match(attribute(job, 'basalt.writer.run_us').intValue, /^\d+$/);
    }
    assert.ok(!JSON.stringify(spans).includes('secret-title-value'));
    // Every span of the trace descends from the request's span.
    for (const span of spans) assert.equal(ancestry(spans, span).at(-1), 'POST');
  });
  test('GraphQL phases: parse, validate, execute and a span per root field', async () => {
    // traced_notes exists (the child spans test above): a guest lists it through GraphQL.
    const traceId = hex(16);
    const answer = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', traceparent: `00-${traceId}-${hex(8)}-01` },
      body: JSON.stringify({ query: 'query Notes { traced_notes { id } }' }),
    });
    assert.equal(answer.status, 200);
    const spans = await traceSpans(receiver, traceId, 'the GraphQL request and its phases', (all) =>
      all.some((s) => s.kind === 2));
    spans.forEach(assertOtlpSpan);
    const request = spans.find((s) => s.kind === 2);
    const byName = (name) => spans.filter((s) => s.name === name);
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.execute']) {
      assert.equal(byName(phase).length, 1, `${phase} among ${spans.map((s) => s.name)}`);
      assert.equal(byName(phase)[0].parentSpanId, request.spanId);
    }
    const execute = byName('graphql.execute')[0];
    assert.deepEqual(attribute(execute, 'graphql.operation.type'), { stringValue: 'query' });
    assert.deepEqual(attribute(execute, 'graphql.operation.name'), { stringValue: 'Notes' });
    const [field] = byName('graphql.field');
    assert.equal(field.parentSpanId, execute.spanId);
    assert.deepEqual(attribute(field, 'graphql.field.name'), { stringValue: 'traced_notes' });
    // The field's one statement (a CLIENT span) is its child.
    const statement = spans.find((s) => s.kind === 3 && s.parentSpanId === field.spanId);
    assert.ok(statement, `a statement span under the field among ${spans.map((s) => s.name)}`);
    assert.ok('db.operation.name' in Object.fromEntries(statement.attributes.map((a) => [a.key, 1])));
  });

  test('webhook deliveries continue the trace of the write: one span per attempt', async (t) => {
    const hooks = await startHookReceiver();
    t.after(() => hooks.close());
    const admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await admin.collections.create({
      name: 'traced_hooked',
      type: 'base',
      fields: [{ name: 'title', type: 'text' }],
      createRule: '',
    });
    await admin.send('/api/webhooks', {
      method: 'POST',
      body: { url: hooks.url, collections: ['traced_hooked'] },
    });
    const guest = new PocketBase(server.url);

    // A sampled create with a tracestate; the receiver fails the first attempt.
    hooks.plan.push(503);
    const traceId = hex(16);
    const created = await guest.collection('traced_hooked').create(
      { title: 'hooked' },
      { headers: { traceparent: `00-${traceId}-${hex(8)}-01`, tracestate: 'e2e=hook' } },
    );
    const attempts = await eventually(
      () => {
        const mine = hooks.deliveries.filter((d) => d.payload.data.record.id === created.id);
        return mine.length === 2 ? mine : undefined;
      },
      'two attempts at the receiver',
    );
    const sentSpanIds = attempts.map((d) => {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(d.headers.traceparent);
      assert.ok(match, `traceparent ${d.headers.traceparent}`);
      assert.equal(match[1], traceId); // the write's trace
      assert.equal(d.headers.tracestate, 'e2e=hook');
      return match[2];
    });
    assert.notEqual(sentSpanIds[0], sentSpanIds[1]);

    const spans = await traceSpans(receiver, traceId, 'the create and its two delivery spans', (all) =>
      all.filter((s) => s.name === 'webhook.deliver').length === 2 && all.some((s) => s.kind === 2));
    spans.forEach(assertOtlpSpan);
    const deliveries = spans
      .filter((s) => s.name === 'webhook.deliver')
      .sort((a, b) => Number(attribute(a, 'basalt.delivery.attempt').intValue) -
        Number(attribute(b, 'basalt.delivery.attempt').intValue));
    const job = spans.find((s) => s.name === 'db.write_job');
    assert.ok(job, `a write job span among ${spans.map((s) => s.name)}`);
    deliveries.forEach((delivery, i) => {
      assert.equal(delivery.kind, 3); // CLIENT
      assert.equal(delivery.spanId, sentSpanIds[i]); // the header names the attempt's span
      assert.equal(delivery.parentSpanId, job.spanId); // under the transaction of the event
      assert.deepEqual(ancestry(spans, delivery).slice(-2), ['db.write_job', 'POST']);
      assert.equal(delivery.traceState, 'e2e=hook');
      assert.deepEqual(attribute(delivery, 'basalt.destination.type'), { stringValue: 'webhook' });
      assert.deepEqual(attribute(delivery, 'basalt.event.id'), { stringValue: attempts[i].payload.id });
      assert.deepEqual(attribute(delivery, 'basalt.event.sequence'), {
        intValue: String(attempts[i].payload.sequence),
      });
      assert.deepEqual(attribute(delivery, 'basalt.delivery.attempt'), { intValue: String(i + 1) });
    });
    assert.deepEqual(attribute(deliveries[0], 'basalt.delivery.outcome'), { stringValue: 'retry' });
    assert.deepEqual(attribute(deliveries[0], 'http.response.status_code'), { intValue: '503' });
    assert.equal(deliveries[0].status.code, 2); // ERROR
    assert.deepEqual(attribute(deliveries[1], 'basalt.delivery.outcome'), { stringValue: 'delivered' });
    assert.deepEqual(attribute(deliveries[1], 'http.response.status_code'), { intValue: '204' });
    assert.equal(deliveries[1].status.code, 0);

    // An unsampled create: the receiver still gets its trace id (flag clear), and no span is
    // exported for it. A sampled create after it is the fence: its delivery span comes later.
    const quietTrace = hex(16);
    const quiet = await guest.collection('traced_hooked').create(
      { title: 'quiet' },
      { headers: { traceparent: `00-${quietTrace}-${hex(8)}-00` } },
    );
    const fenceTrace = hex(16);
    await guest.collection('traced_hooked').create(
      { title: 'fence' },
      { headers: { traceparent: `00-${fenceTrace}-${hex(8)}-01` } },
    );
    const quietDelivery = await eventually(
      () => hooks.deliveries.find((d) => d.payload.data.record.id === quiet.id),
      'the unsampled delivery',
    );
    assert.match(quietDelivery.headers.traceparent, new RegExp(`^00-${quietTrace}-[0-9a-f]{16}-00$`));
    await traceSpans(receiver, fenceTrace, 'the fence delivery span', (all) =>
      all.some((s) => s.name === 'webhook.deliver'));
    assert.equal(receiver.spans().some((s) => s.traceId === quietTrace), false);
  });
});

describe('traces configured by settings', () => {
  let receiver;
  let server;
  before(async () => {
    receiver = await startReceiver();
    // The settings win over the OTEL_* variables: the endpoint here, and a ratio of 0 for new
    // traces although the environment asks for every one.
    server = await startServer({
      args: ['--trace-endpoint', receiver.url, '--trace-sample-ratio', '0'],
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/unused',
        OTEL_TRACES_SAMPLER: 'always_on',
      },
    });
  });
  after(async () => {
    await server?.stop();
    await receiver?.close();
  });

  test('trace-endpoint and trace-sample-ratio take precedence over OTEL_*', async () => {
    const rootAnswer = await fetch(`${server.url}/api/health`);
    const rootRequestId = rootAnswer.headers.get('x-request-id');
    // A sampled caller is still followed (parent-based), and its span goes to the setting's
    // endpoint; the unsampled root before it would have arrived first.
    const sampledTrace = hex(16);
    await fetch(`${server.url}/api/health`, {
      headers: { traceparent: `00-${sampledTrace}-${hex(8)}-01` },
    });
    await eventually(() => receiver.spans().find((s) => s.traceId === sampledTrace), 'the sampled span');
    assert.equal(
      receiver.spans().some((s) => attribute(s, 'http.request.id')?.stringValue === rootRequestId),
      false,
    );
  });

  test('a malformed trace-sample-ratio stops startup', async () => {
    await assert.rejects(
      startServer({ args: ['--trace-sample-ratio', '1.5'] }),
      /trace-sample-ratio/,
    );
  });
});
