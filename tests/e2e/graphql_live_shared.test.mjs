// Shared live-query runs (docs/graphql.md, "Shared runs"), seen from outside: identical
// subscriptions on many sockets cost one statement per commit, counted from the server's own
// statement trace (--db-trace-statements), and each subscriber still gets every update.
// One worker thread, so one scheduler holds every socket.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { usePostgres } from './postgres_databases.mjs';
import { startServer } from './server.mjs';

const require = createRequire(import.meta.url);

// The statement trace (--db-trace-statements) is SQLite's: on PostgreSQL these tests say so and
// skip (PostgreSQL's own log_statement shows its statements).
const sqliteTraceOnly = usePostgres && 'the statement trace is SQLite-only (--db-trace-statements)';
const WebSocket = require('ws');
const PocketBaseModule = require('pocketbase');
const PocketBase = PocketBaseModule.default ?? PocketBaseModule;

const superuser = { email: 'shared@example.com', password: 'shared password 123' };
const SUBSCRIBERS = 40;
const LIVE_QUERY = 'subscription { shared_notes { text } }';

// The server's statement trace, line by line, and waits for a line to appear.
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
// The live query's own statement: the only one that builds JSON objects from shared_notes.
const liveRuns = () => trace.lines.filter((line) => line.includes('sql: SELECT json_object(') && line.includes('FROM "shared_notes"')).length;

// A request whose statement text nothing else produces; once its trace line is read, every
// statement that ran before it has been read too (one log, written in order).
let markers = 0;
async function traceSettled(pb) {
  markers += 1;
  const terms = Array.from({ length: markers + 2 }, (_, i) => `text != 'm${i}'`).join(' && ');
  const seen = waitForLine((line) => line.includes('sql: ') && line.includes('FROM "shared_notes"') && (line.match(/"shared_notes"\."text" IS NOT/g) ?? []).length === markers + 2);
  await pb.collection('shared_notes').getList(1, 1, { filter: terms, skipTotal: true, requestKey: null });
  await seen;
}

let server;
let pb;
before(async () => {
  if (sqliteTraceOnly) return;
  server = await startServer({ superuser, args: ['--threads', '1', '--db-trace-statements', 'true'], onStderr });
  pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  await pb.collections.create({ name: 'shared_notes', listRule: '', createRule: '', fields: [{ name: 'text', type: 'text' }] });
});
after(async () => { await server?.stop(); });

// A guest socket on the live query: `results` collects every `next` payload's texts.
function subscriber() {
  const results = [];
  const waiting = [];
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/api/graphql`, ['graphql-transport-ws']);
  socket.on('open', () => {
    socket.send(JSON.stringify({ type: 'connection_init' }));
    socket.send(JSON.stringify({ id: 'live', type: 'subscribe', payload: { query: LIVE_QUERY } }));
  });
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.type !== 'next') return;
    results.push(message.payload.data.shared_notes.map((note) => note.text));
    for (const waiter of waiting.splice(0)) waiter();
  });
  const nextCount = (n) => new Promise((resolve) => {
    const check = () => (results.length >= n ? resolve() : waiting.push(check));
    check();
  });
  return { socket, results, nextCount };
}

test('identical live queries on 40 sockets cost one statement per commit, and every socket gets each update', { timeout: 60_000, skip: sqliteTraceOnly }, async () => {
  const subscribers = Array.from({ length: SUBSCRIBERS }, subscriber);
  await Promise.all(subscribers.map((s) => s.nextCount(1)));
  await traceSettled(pb);
  const firstRuns = liveRuns();
  assert.ok(firstRuns >= 1 && firstRuns <= SUBSCRIBERS, `first runs: ${firstRuns}`);

  for (let commit = 1; commit <= 3; commit += 1) {
    const before = liveRuns();
    await pb.collection('shared_notes').create({ text: `note ${commit}` }, { requestKey: null });
    await Promise.all(subscribers.map((s) => s.nextCount(commit + 1)));
    await traceSettled(pb);
    assert.equal(liveRuns() - before, 1, `commit ${commit}: statements of the live query`);
  }
  const expected = ['note 1', 'note 2', 'note 3'];
  for (const s of subscribers) assert.deepEqual(s.results.at(-1), expected);
  for (const s of subscribers) s.socket.close(1000);
});

test('the trace shows placeholders, never the values written', { timeout: 60_000, skip: sqliteTraceOnly }, async () => {
  await pb.collection('shared_notes').create({ text: 'a secret-looking value 9f8e7d' }, { requestKey: null });
  await traceSettled(pb);
  assert.ok(trace.lines.some((line) => line.includes('INSERT INTO "shared_notes"')));
  assert.ok(!trace.lines.some((line) => line.includes('9f8e7d')));
});
