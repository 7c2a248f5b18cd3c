// Change feeds that share their batches (docs/graphql.md, "Change feeds", "Shared batches"):
// identical `<c>_events` subscriptions of one worker cost one statement per batch, counted from
// the server's own statement trace (--db-trace-statements, as graphql_live_shared.test.mjs does
// for live queries), and every socket still receives each event.
//
// A feed sends nothing until an event: a socket's feed is live once the server answered a later
// operation on the same socket (operations of one socket start in order).

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');
const PocketBaseModule = require('pocketbase');
const PocketBase = PocketBaseModule.default ?? PocketBaseModule;

const sqliteTraceOnly = usePostgres && 'the statement trace is SQLite-only (--db-trace-statements)';
const superuser = { email: 'feeds@example.com', password: 'feeds password 123' };
const SUBSCRIBERS = 30;
const FEED = 'subscription { feed_notes_events { action record { text } } }';
const OTHER_FEED = 'subscription { feed_notes_events(where: {text: {_like: "note"}}) { record { id text } } }';

const trace = { lines: [], partial: '', waiters: [] };
function onStderr(chunk) {
  const text = trace.partial + chunk;
  const parts = text.split('\n');
  trace.partial = parts.pop();
  for (const line of parts) {
    trace.lines.push(line);
    trace.waiters = trace.waiters.filter((waiter) => {
      if (!waiter.test(line)) return true;
      waiter.resolve();
      return false;
    });
  }
}
const waitForLine = (test) => new Promise((resolve) => { trace.waiters.push({ test, resolve }); });
// A feed's batch statement reads the events' records from a CTE (record_event_statement.cpp).
const feedRuns = () => trace.lines.filter((line) => line.includes('sql: WITH "__gq_events"') && line.includes('"feed_notes"')).length;

// Waits until every statement before it is in the trace: a list with a filter never seen before,
// whose own line is awaited.
let markers = 0;
async function traceSettled(pb) {
  markers += 1;
  const terms = Array.from({ length: markers + 2 }, (_, i) => `text != 'm${i}'`).join(' && ');
  const seen = waitForLine((line) => line.includes('sql: ') && line.includes('FROM "feed_notes"') && (line.match(/"feed_notes"\."text" IS NOT/g) ?? []).length === markers + 2);
  await pb.collection('feed_notes').getList(1, 1, { filter: terms, skipTotal: true, requestKey: null });
  await seen;
}

let server;
let pb;
before(async () => {
  if (sqliteTraceOnly) return;
  server = await startServer({ superuser, args: ['--threads', '1', '--db-trace-statements', 'true'], onStderr });
  pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  await pb.collections.create({ name: 'feed_notes', listRule: '', viewRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] });
});
after(async () => { await server?.stop(); });

// One socket with one feed; resolves once the feed is live.
function subscriber(query) {
  const events = [];
  const waiting = [];
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/graphql`, ['graphql-transport-ws']);
  let onLive;
  const live = new Promise((resolve) => { onLive = resolve; });
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.send(JSON.stringify({ id: 'feed', type: 'subscribe', payload: { query } }));
    socket.send(JSON.stringify({ id: 'probe', type: 'subscribe', payload: { query: '{ __typename }' } }));
  });
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.id === 'probe' && message.type === 'complete') onLive();
    if (message.id !== 'feed') return;
    events.push(message);
    for (const waiter of waiting.splice(0)) waiter();
  });
  const count = (n) => new Promise((resolve) => {
    const check = () => (events.length >= n ? resolve() : waiting.push(check));
    check();
  });
  return { socket, events, live, count };
}

test(`identical feeds on ${SUBSCRIBERS} sockets cost one statement per create, a different one its own`, { timeout: 60_000, skip: sqliteTraceOnly }, async () => {
  const same = Array.from({ length: SUBSCRIBERS }, () => subscriber(FEED));
  const other = subscriber(OTHER_FEED);
  await Promise.all([...same, other].map((s) => s.live));

  for (let commit = 1; commit <= 3; commit += 1) {
    await traceSettled(pb);
    const before = feedRuns();
    await pb.collection('feed_notes').create({ text: `note ${commit}` }, { requestKey: null });
    await Promise.all([...same, other].map((s) => s.count(commit)));
    await traceSettled(pb);
    assert.equal(feedRuns() - before, 2, `create ${commit}: statements of the feeds`);
  }
  for (const s of same) {
    assert.deepEqual(s.events.map((m) => m.type), ['next', 'next', 'next']);
    assert.deepEqual(s.events.map((m) => m.payload.data.feed_notes_events.record.text), ['note 1', 'note 2', 'note 3']);
    assert.equal(s.events[0].payload.data.feed_notes_events.action, 'create');
  }
  assert.deepEqual(other.events.map((m) => m.payload.data.feed_notes_events.record.text), ['note 1', 'note 2', 'note 3']);
  for (const s of [...same, other]) s.socket.close(1000);
});

test('a feed that joins later shares from its first event on, and never gets an earlier one', { timeout: 60_000, skip: sqliteTraceOnly }, async () => {
  const early = subscriber(FEED);
  await early.live;
  await pb.collection('feed_notes').create({ text: 'before the late one' }, { requestKey: null });
  await early.count(1);
  const late = subscriber(FEED);
  await late.live;
  await traceSettled(pb);
  const before = feedRuns();
  await pb.collection('feed_notes').create({ text: 'after' }, { requestKey: null });
  await Promise.all([early.count(2), late.count(1)]);
  await traceSettled(pb);
  assert.equal(feedRuns() - before, 1);
  assert.deepEqual(late.events.map((m) => m.payload.data.feed_notes_events.record.text), ['after']);
  assert.deepEqual(early.events.map((m) => m.payload.data.feed_notes_events.record.text), ['before the late one', 'after']);
  early.socket.close(1000);
  late.socket.close(1000);
});
