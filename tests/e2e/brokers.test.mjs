// Message brokers end to end (docs/brokers.md): real RabbitMQ, NATS JetStream and Redis servers
// on loopback (scripts/*-test-server.sh), one destination per broker configured through
// /api/brokers/{type} by a superuser, records written with the official SDK, and every message
// read back with the broker's own client (amqplib basic.get from a queue bound to the exchange,
// the nats JetStream manager by stream sequence, redis-cli XRANGE). Then every broker is killed
// (SIGKILL) while records are being written and restarted: every committed event still arrives,
// in commit order per collection, and the delivery logs show the failed attempts.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import amqp from 'amqplib';
import { connect as connectNats } from 'nats';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const run = promisify(execFile);
const scriptsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../scripts');
const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
// Retries start at 20 ms and never wait more than 3 s, so a restarted broker is picked up soon
// after it is back; 50 attempts (the most a destination allows) outlast a RabbitMQ reboot.
const serverArgs = ['--events-retry-base', '20ms', '--events-retry-max', '3s', '--brokers-allow-private', 'true'];
const maxAttempts = 50;
const collectionNames = ['posts', 'notes'];
const rabbitQueue = 'basalt-e2e-everything';

const missing = [
  ['redis-server', '/usr/bin/redis-server'],
  ['nats-server', '/usr/sbin/nats-server'],
  ['rabbitmq-server', '/usr/lib/rabbitmq/bin/rabbitmq-server'],
].filter(([name, path]) => !existsSync(path) && !onPath(name));
const skip = missing.length > 0 ? `needs ${missing.map(([name]) => name).join(', ')} (scripts/install-deps.sh)` : false;

function onPath(name) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, name)));
}

// scripts/<name>-test-server.sh <command> <dir> [port]: start/restart print the URL.
async function brokerScript(name, ...args) {
  const { stdout } = await run(join(scriptsDir, `${name}-test-server.sh`), args, { timeout: 180_000 });
  return stdout.trim();
}

function portFree(port) {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

// A port in [low, high) with port + each offset free too (NATS monitors on +1000, RabbitMQ's
// distribution listens on +20000).
async function freePort(low, high, offsets) {
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (const offset of offsets) free = free && (await portFree(port + offset));
    if (free) return port;
  }
  throw new Error(`no free port in [${low}, ${high})`);
}

async function startBroker(name, low, high, offsets) {
  const dir = await mkdtemp(join(tmpdir(), `basalt-e2e-${name}-`));
  const port = await freePort(low, high, offsets);
  const url = await brokerScript(name, 'start', dir, String(port));
  return {
    name,
    dir,
    port,
    url,
    kill: () => brokerScript(name, 'kill', dir),
    restart: () => brokerScript(name, 'restart', dir),
    stop: () => brokerScript(name, 'stop', dir),
  };
}

// Every message a broker holds, oldest first, as { id, type, action, collection, collectionId,
// sequence, timestamp, record, transport } (transport: how the broker labelled it).
function redisReader(broker) {
  return {
    async read() {
      const messages = [];
      for (const name of collectionNames) {
        const key = `basalt:${name}`;
        const args = ['-p', String(broker.port), '--json', 'XRANGE', key, '-', '+'];
        const { stdout } = await run('redis-cli', args, { maxBuffer: 64 << 20 });
        for (const [entryId, flat] of JSON.parse(stdout)) {
          const fields = {};
          for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
          messages.push({
            id: fields.id,
            type: fields.type,
            action: fields.action,
            collection: fields.collection,
            collectionId: fields.collectionId,
            sequence: Number(fields.sequence),
            timestamp: fields.timestamp,
            record: JSON.parse(fields.record),
            transport: { key, entryId },
          });
        }
      }
      return messages;
    },
    close: async () => {},
  };
}

function fromEnvelope(envelope, transport) {
  return {
    id: envelope.id,
    type: envelope.type,
    action: envelope.type.replace(/^record\./, ''),
    collection: envelope.data.collection.name,
    collectionId: envelope.data.collection.id,
    sequence: envelope.sequence,
    timestamp: envelope.timestamp,
    record: envelope.data.record,
    transport,
  };
}

// JetStream keeps the stream: each read opens a connection and fetches the sequences it has not
// seen yet (no reconnect logic to get wrong across the broker's crash).
function natsReader(broker) {
  const seen = [];
  return {
    async read() {
      const nc = await connectNats({ servers: broker.url, reconnect: false });
      try {
        const jsm = await nc.jetstreamManager();
        let last = 0;
        try {
          last = (await jsm.streams.info('BASALT')).state.last_seq;
        } catch (error) {
          if (!/stream not found/i.test(error.message)) throw error;
        }
        for (let seq = seen.length + 1; seq <= last; seq++) {
          const stored = await jsm.streams.getMessage('BASALT', { seq });
          const transport = { subject: stored.subject, msgId: stored.header?.get('Nats-Msg-Id') };
          seen.push(fromEnvelope(stored.json(), transport));
        }
      } finally {
        await nc.close();
      }
      return [...seen];
    },
    close: async () => {},
  };
}

// A durable queue bound to the exchange with `#` before any event flows (an exchange without
// queues drops what it confirms). basic.get + ack: a message read but whose ack the crash lost
// comes back (a duplicate, recognised by its id).
async function rabbitReader(broker) {
  const seen = [];
  let connection;
  let channel;
  const open = async () => {
    const opened = await amqp.connect(broker.url);
    opened.on('error', () => {}); // the broker's crash; `close` follows
    opened.on('close', () => {
      if (connection === opened) connection = undefined;
    });
    const ch = await opened.createChannel();
    ch.on('error', () => {});
    await ch.assertExchange('basalt', 'topic', { durable: true });
    await ch.assertQueue(rabbitQueue, { durable: true });
    await ch.bindQueue(rabbitQueue, 'basalt', '#');
    connection = opened;
    channel = ch;
  };
  await open();
  return {
    async read() {
      if (!connection) await open();
      for (;;) {
        const message = await channel.get(rabbitQueue, { noAck: false });
        if (!message) break;
        const transport = { routingKey: message.fields.routingKey, properties: message.properties };
        seen.push(fromEnvelope(JSON.parse(message.content.toString('utf8')), transport));
        channel.ack(message);
      }
      return [...seen];
    },
    close: async () => {
      await connection?.close().catch(() => {});
    },
  };
}

// What each broker says about how it labelled a message (docs/brokers.md).
function assertTransport(type, message) {
  const { transport } = message;
  if (type === 'redis') {
    assert.equal(transport.key, `basalt:${message.collection}`);
  } else if (type === 'nats') {
    assert.equal(transport.subject, `basalt.${message.collection}.${message.action}`);
    assert.equal(transport.msgId, message.id);
  } else {
    assert.equal(transport.routingKey, `${message.collection}.${message.action}`);
    assert.equal(transport.properties.messageId, message.id);
    assert.equal(transport.properties.type, message.type);
    assert.equal(transport.properties.contentType, 'application/json');
    assert.equal(transport.properties.deliveryMode, 2);
    assert.equal(transport.properties.appId, 'basalt');
  }
}

async function signIn(url) {
  const pb = new PocketBase(url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  return pb;
}

async function deliveryLog(admin, destination) {
  return admin.send(`/api/brokers/${destination.type}/${destination.id}/deliveries`, {
    method: 'GET',
    query: { perPage: 500 },
  });
}

// Waits (each check a round trip to the server) until the destination's log counts `count`
// delivered events: each was acknowledged by the broker, so one read of it then sees them all.
async function untilDelivered(admin, destination, count) {
  const deadline = Date.now() + 150_000; // a bound, not a synchronisation
  for (;;) {
    const log = await deliveryLog(admin, destination);
    const delivered = log.items.filter((item) => item.status === 'delivered').length;
    const failed = log.items.find((item) => item.status === 'dead' || item.status === 'rejected');
    assert.equal(failed, undefined, `${destination.type}: no event dead-lettered`);
    if (delivered >= count) return log;
    if (Date.now() > deadline) {
      assert.fail(`${destination.type}: ${delivered} of ${count} delivered; newest ${JSON.stringify(log.items[0])}`);
    }
    await new Promise((resolveTurn) => setImmediate(resolveTurn));
  }
}

// Checks what one broker holds against the committed writes, in order: every event once by its
// id (first copies in commit order per collection), each message as its envelope says.
function checkMessages(type, messages, expected, { duplicatesAllowed }) {
  const firstCopies = new Map();
  for (const message of messages) {
    if (firstCopies.has(message.id)) {
      assert.ok(duplicatesAllowed, `${type}: ${message.id} stored twice`);
      assert.deepEqual(message.record, firstCopies.get(message.id).record, `${type}: a duplicate is the same event`);
      continue;
    }
    firstCopies.set(message.id, message);
  }
  assert.equal(firstCopies.size, expected.length, `${type}: one event per committed write, none other`);
  for (const name of collectionNames) {
    const got = [...firstCopies.values()].filter((m) => m.collection === name);
    const want = expected.filter((e) => e.collection === name);
    assert.deepEqual(
      got.map((m) => [m.action, m.record.id, m.record.title ?? m.record.body]),
      want.map((e) => [e.action, e.id, e.text]),
      `${type}: ${name} events in commit order`,
    );
    for (let i = 1; i < got.length; i++) {
      assert.ok(got[i].sequence > got[i - 1].sequence, `${type}: sequence grows with commit order`);
    }
  }
  for (const message of firstCopies.values()) {
    assertTransport(type, message);
    assert.match(message.id, /^evt_[0-9a-f]{32}$/);
    assert.equal(message.type, `record.${message.action}`);
    assert.match(message.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.match(message.collectionId, /^\w+$/);
    assert.equal('password' in message.record, false);
  }
  return [...firstCopies.keys()];
}

describe('message brokers', { skip }, () => {
  let server;
  let admin;
  const brokers = {};
  const readers = {};
  const destinations = {};
  const expected = []; // { collection, action, id, text } per committed write, in commit order
  const idsSeenBy = {};

  // One record write through the SDK, remembered as the event it must produce.
  async function write(collection, action, idOrData, data) {
    if (action === 'create') {
      const record = await admin.collection(collection).create(idOrData);
      expected.push({ collection, action, id: record.id, text: record.title ?? record.body });
      return record;
    }
    if (action === 'update') {
      const record = await admin.collection(collection).update(idOrData, data);
      expected.push({ collection, action, id: record.id, text: record.title ?? record.body });
      return record;
    }
    const before = await admin.collection(collection).getOne(idOrData);
    await admin.collection(collection).delete(idOrData);
    expected.push({ collection, action, id: before.id, text: before.title ?? before.body });
    return before;
  }

  before(async () => {
    // RabbitMQ boots in 10-60 s: once for the file, beside the others.
    const [redis, nats, rabbitmq] = await Promise.all([
      startBroker('redis', 30000, 40000, [0]),
      startBroker('nats', 40000, 50000, [0, 1000]),
      startBroker('rabbitmq', 20000, 30000, [0, 20000]),
    ]);
    Object.assign(brokers, { redis, nats, rabbitmq });
    readers.redis = redisReader(redis);
    readers.nats = natsReader(nats);
    readers.rabbitmq = await rabbitReader(rabbitmq);
    server = await startServer({ superuser, args: serverArgs });
    admin = await signIn(server.url);
    const authenticatedOnly = "@request.auth.id != ''";
    await admin.collections.create({
      name: 'posts',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: authenticatedOnly,
      fields: [
        { name: 'title', type: 'text', required: true },
        { name: 'n', type: 'number' },
      ],
    });
    await admin.collections.create({
      name: 'notes',
      type: 'base',
      listRule: '',
      viewRule: '',
      createRule: authenticatedOnly,
      fields: [{ name: 'body', type: 'text', required: true }],
    });
    await admin.settings.update({ batch: { enabled: true, maxRequests: 10 } });
  });

  after(async () => {
    await server?.stop();
    for (const reader of Object.values(readers)) await reader.close();
    await Promise.all(Object.values(brokers).map((broker) => broker.stop().catch(() => {})));
  });

  test('broker destinations: superusers only, 404 for an unknown type, 400s naming the fields', async () => {
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.send('/api/brokers/redis', { method: 'GET' }), (error) => error.status === 401);
    await assert.rejects(admin.send('/api/brokers/kafka', { method: 'GET' }), (error) => error.status === 404);
    await assert.rejects(
      admin.send('/api/brokers/kafka', { method: 'POST', body: { config: { url: 'kafka://127.0.0.1' } } }),
      (error) => error.status === 404,
    );
    await assert.rejects(
      admin.send('/api/brokers/rabbitmq', {
        method: 'POST',
        body: {
          config: { url: 'http://guest:hunter2hunter2@127.0.0.1/', colour: 'red', timeoutMs: 5 },
          actions: ['explode'],
        },
      }),
      (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.message, 'Failed to create broker destination.');
        for (const field of ['url', 'colour', 'timeoutMs']) {
          assert.ok(error.response.data.config?.[field]?.message, `an error for config.${field}`);
        }
        assert.ok(error.response.data.actions?.code, 'an error for actions');
        assert.ok(!JSON.stringify(error.response).includes('hunter2'), 'no password in the answer');
        return true;
      },
    );
    await assert.rejects(admin.send('/api/brokers/redis', { method: 'POST', body: {} }), (error) => {
      assert.equal(error.status, 400);
      assert.ok(error.response.data.config?.url?.message, 'the url is required');
      return true;
    });
    await assert.rejects(
      admin.send('/api/brokers/nats', { method: 'POST', body: { config: 'nats://127.0.0.1:4222' } }),
      (error) => error.status === 400 && error.response.data.config?.code === 'validation_invalid_config',
    );
  });

  test('one destination per broker; listings mask the URL password', async () => {
    const configs = {
      rabbitmq: { url: brokers.rabbitmq.url, exchange: 'basalt', connectTimeoutMs: 2000, timeoutMs: 5000 },
      nats: { url: brokers.nats.url, connectTimeoutMs: 2000, timeoutMs: 5000 },
      redis: { url: brokers.redis.url, maxLen: 10000, connectTimeoutMs: 2000, timeoutMs: 5000 },
    };
    for (const [type, config] of Object.entries(configs)) {
      destinations[type] = await admin.send(`/api/brokers/${type}`, {
        method: 'POST',
        body: { config, collections: collectionNames, maxAttempts },
      });
      assert.equal(destinations[type].type, type);
      assert.equal(destinations[type].maxAttempts, maxAttempts);
      assert.equal(destinations[type].enabled, true);
    }
    const rabbit = await admin.send(`/api/brokers/rabbitmq/${destinations.rabbitmq.id}`, { method: 'GET' });
    assert.equal(rabbit.config.url, `amqp://guest:***@127.0.0.1:${brokers.rabbitmq.port}/`);
    assert.equal(rabbit.config.exchange, 'basalt');
    // Sent back as shown (password masked), the stored password stays: the deliveries below
    // still log in as guest.
    const resent = await admin.send(`/api/brokers/rabbitmq/${destinations.rabbitmq.id}`, {
      method: 'PATCH',
      body: { config: rabbit.config },
    });
    assert.equal(resent.config.url, rabbit.config.url);
    const listed = await admin.send('/api/brokers/nats', { method: 'GET' });
    assert.deepEqual(listed.items.map((item) => item.id), [destinations.nats.id], 'each type lists its own');
    await assert.rejects(
      admin.send(`/api/brokers/nats/${destinations.redis.id}`, { method: 'GET' }),
      (error) => error.status === 404,
      'a destination is found under its own type only',
    );
    // PATCH replaces the whole config; a bad one is refused and the stored one kept.
    await assert.rejects(
      admin.send(`/api/brokers/redis/${destinations.redis.id}`, {
        method: 'PATCH',
        body: { config: { url: brokers.redis.url, maxLen: 0 } },
      }),
      (error) => error.status === 400 && error.response.message === 'Failed to update broker destination.' && Boolean(error.response.data.config?.maxLen),
    );
    const patched = await admin.send(`/api/brokers/redis/${destinations.redis.id}`, {
      method: 'PATCH',
      body: { config: { ...configs.redis, maxLen: 5000 } },
    });
    assert.equal(patched.config.maxLen, 5000);
  });

  test('every committed event arrives as its envelope says, in commit order; none for a rolled-back batch or a refused write', async () => {
    const post = await write('posts', 'create', { title: 'p1', n: 1 });
    const note = await write('notes', 'create', { body: 'n1' });
    await write('posts', 'update', post.id, { title: 'p1 edited' });
    await write('notes', 'update', note.id, { body: 'n1 edited' });
    await write('posts', 'create', { title: 'p2', n: 2 });
    await write('notes', 'delete', note.id);
    await write('posts', 'delete', post.id);

    const batch = admin.createBatch();
    batch.collection('posts').create({ title: 'rolled back' });
    batch.collection('notes').create({ body: 'rolled back' });
    batch.collection('notes').update('missing0000000a', { body: 'x' });
    await assert.rejects(batch.send(), (error) => error.status >= 400 && error.status < 500);
    const guest = new PocketBase(server.url);
    await assert.rejects(guest.collection('posts').create({ title: 'refused' }), (error) => error.status === 400);
    await assert.rejects(guest.collection('notes').create({ body: 'refused' }), (error) => error.status === 400);
    // Markers after the failures: once they are delivered, anything the failures had emitted
    // would have been delivered before them.
    await write('posts', 'create', { title: 'marker' });
    await write('notes', 'create', { body: 'marker' });

    for (const type of Object.keys(destinations)) {
      await untilDelivered(admin, destinations[type], expected.length);
      const messages = await readers[type].read();
      assert.equal(messages.length, expected.length, `${type}: exactly once without a crash`);
      idsSeenBy[type] = checkMessages(type, messages, expected, { duplicatesAllowed: false });
    }
    assert.deepEqual(idsSeenBy.nats, idsSeenBy.rabbitmq, 'the same event ids on every broker');
    const byId = (ids) => [...ids].sort();
    assert.deepEqual(byId(idsSeenBy.redis), byId(idsSeenBy.nats));
    const [createP1] = (await readers.nats.read()).filter((m) => m.record.id === post.id);
    assert.equal(createP1.record.n, 1);
    assert.equal(createP1.collectionId, destinations.nats.collections[0]);
  });

  test('a broker killed mid-stream: every committed event arrives after its restart, in order', async (t) => {
    const before = expected.length;
    const types = Object.keys(destinations);
    let counter = 0;
    const writeSome = async (count) => {
      for (let i = 0; i < count; i++, counter++) {
        const collection = collectionNames[counter % 2];
        const text = `crash ${counter}`;
        const record = await write(collection, 'create', collection === 'posts' ? { title: text, n: counter } : { body: text });
        if (counter % 3 === 0) {
          const edit = collection === 'posts' ? { title: `${text} edited` } : { body: `${text} edited` };
          await write(collection, 'update', record.id, edit);
        }
      }
    };
    await writeSome(10);
    const kills = Promise.all(types.map((type) => brokers[type].kill())); // while writing
    await writeSome(10);
    await kills;
    await writeSome(10); // committed while every broker is down
    const restarts = Promise.all(types.map((type) => brokers[type].restart()));
    await writeSome(10); // committed while they come back
    const urls = await restarts;
    assert.deepEqual(urls, types.map((type) => brokers[type].url), 'back on the same ports');

    const total = expected.length;
    for (const type of types) {
      const log = await untilDelivered(admin, destinations[type], total);
      const retries = log.items.filter((item) => item.status === 'retry');
      assert.ok(retries.length > 0, `${type}: the outage shows as failed attempts in the log`);
      for (const item of retries) {
        assert.ok(item.response.length > 0, `${type}: a failed attempt says why`);
        assert.ok(!item.response.includes('guest:guest'), `${type}: no credentials in the log`);
      }
      if (type === 'rabbitmq') {
        // Its reboot takes seconds: the event at the head is offered again and again.
        assert.ok(
          retries.some((item) => item.attempt > 1),
          `${type}: the same event retried (attempts ${retries.map((item) => item.attempt).join(',')})`,
        );
      }
      const messages = await readers[type].read();
      const ids = checkMessages(type, messages, expected, { duplicatesAllowed: type !== 'nats' });
      assert.equal(ids.length, total);
      t.diagnostic(
        `${type}: ${total - before} events during the crash, ${messages.length - total} duplicates, ${retries.length} failed attempts logged`,
      );
    }
  });
});
