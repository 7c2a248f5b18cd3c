// Superuser sign-in through the official SDK: authWithPassword, the authStore's view of our
// tokens, authRefresh and listAuthMethods, and the error shapes a client sees. Then the
// authentication holes of issue M1.6: sign-in throttling per client address (clients bound to
// 127.0.0.2 and 127.0.0.3, both loopback on Linux), case-variant emails and over-long
// passwords.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
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

  // The route's access is checked before the handler looks the collection up, as
  // PocketBase's RequireSameCollectionContextAuth middleware does.
  test('authRefresh of an unknown collection is 401 for a guest, 403 for a token', async () => {
    const pb = new PocketBase(server.url);
    await rejectsWith(pb.collection('nope').authRefresh(), 401);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await rejectsWith(pb.collection('nope').authRefresh(), 403);
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

// A fetch for the SDK whose connections leave from `localAddress`, so the server sees that
// client address. `last` holds the headers of the latest response.
function clientAt(localAddress) {
  const client = { last: null };
  client.fetch = (url, init = {}) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: init.method ?? 'GET', headers: init.headers, localAddress }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          const response = new Response(Buffer.concat(chunks), {
            status: res.statusCode,
            headers: Object.entries(res.headers).map(([k, v]) => [k, String(v)]),
          });
          client.last = response.headers;
          resolve(response);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(init.body ?? undefined);
    });
  return client;
}

describe('sign-in throttling is per client address', () => {
  let server;
  before(async () => {
    server = await startServer({ superuser }); // defaults: 5 per (address, identity), 20 per address
  });
  after(async () => {
    await server?.stop();
  });

  test('five wrong passwords from A slow A down but never lock the superuser out for B', async () => {
    const pb = new PocketBase(server.url);
    const attacker = clientAt('127.0.0.2');
    const owner = clientAt('127.0.0.3');
    const signIn = (client, password) =>
      pb.collection('_superusers').authWithPassword(superuser.email, password, { fetch: client.fetch });

    for (let i = 0; i < 5; i++) {
      await rejectsWith(signIn(attacker, 'wrong password'), 400, (body) =>
        assert.equal(body.message, 'Failed to authenticate.'),
      );
    }
    await rejectsWith(signIn(attacker, 'wrong password'), 429, (body) =>
      assert.equal(body.message, 'Too Many Requests.'),
    );
    const wait = Number(attacker.last.get('retry-after'));
    assert.ok(Number.isInteger(wait) && wait >= 1 && wait <= 60, `Retry-After: ${wait}`);
    // The caller that failed waits, even with the right password...
    await rejectsWith(signIn(attacker, superuser.password), 429);
    // ...while the owner, from another address, signs in at once.
    const auth = await signIn(owner, superuser.password);
    assert.equal(auth.record.email, superuser.email);
  });
});

describe('auth records: email case and password bounds', () => {
  let server;
  let pb; // superuser
  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  });
  after(async () => {
    await server?.stop();
  });

  const user = (email, password = 'long enough password') => ({
    email,
    password,
    passwordConfirm: password,
  });

  test('an email that differs only in case cannot be registered twice', async () => {
    const guest = new PocketBase(server.url);
    await guest.collection('users').create(user('Dana@Example.com'));
    await rejectsWith(guest.collection('users').create(user('dana@example.com', 'squatter password')), 400, (body) =>
      assert.equal(body.data.email?.code, 'validation_not_unique', JSON.stringify(body)),
    );
    const superusers = pb.collection('_superusers');
    await rejectsWith(superusers.create(user('ADMIN@example.com')), 400, (body) =>
      assert.equal(body.data.email?.code, 'validation_not_unique', JSON.stringify(body)),
    );
    // The owner signs in with either spelling.
    const auth = await guest.collection('users').authWithPassword('dana@example.com', 'long enough password');
    assert.equal(auth.record.email, 'Dana@Example.com');
  });

  test('new auth collections get a case-insensitive email index', async () => {
    const members = await pb.collections.create({ name: 'members', type: 'auth' });
    assert.ok(
      members.indexes.some((sql) => /\(`email` COLLATE NOCASE\) WHERE `email` != ''$/.test(sql)),
      JSON.stringify(members.indexes),
    );
  });

  test('sign-in never picks between case variants it cannot tell apart', async () => {
    // A collection that keeps PocketBase's case-sensitive index (as imported data may).
    await pb.collections.create({
      name: 'legacy',
      type: 'auth',
      createRule: '',
      indexes: ["CREATE UNIQUE INDEX `idx_legacy_email` ON `legacy` (`email`) WHERE `email` != ''"],
    });
    const legacy = new PocketBase(server.url).collection('legacy');
    await legacy.create(user('Sam@Example.com', 'first password'));
    await legacy.create(user('sam@example.com', 'second password'));
    assert.equal((await legacy.authWithPassword('Sam@Example.com', 'first password')).record.email, 'Sam@Example.com');
    assert.equal((await legacy.authWithPassword('sam@example.com', 'second password')).record.email, 'sam@example.com');
    for (const password of ['first password', 'second password']) {
      await rejectsWith(legacy.authWithPassword('SAM@example.com', password), 400, (body) =>
        assert.equal(body.message, 'Failed to authenticate.'),
      );
    }
  });

  test('a 5,000-character password is a 400 on create, update and sign-in', async () => {
    const long = 'x'.repeat(5000);
    const users = pb.collection('users');
    await rejectsWith(users.create(user('long@example.com', long)), 400, (body) =>
      assert.equal(body.data.password?.code, 'validation_max_text_constraint', JSON.stringify(body)),
    );
    const record = await users.create(user('long@example.com'));
    await rejectsWith(users.update(record.id, { password: long, passwordConfirm: long }), 400, (body) =>
      assert.equal(body.data.password?.code, 'validation_max_text_constraint', JSON.stringify(body)),
    );
    await rejectsWith(users.authWithPassword('long@example.com', long), 400);
    await rejectsWith(pb.collection('_superusers').authWithPassword(superuser.email, long), 400);
  });
});

// PocketBase binds form bodies on every route, and tools such as pocketbase-typegen sign in
// with one; form values are read as the text they were sent as, even when they look like a
// number (a password of digits) or a boolean.
describe('sign-in with a form body', () => {
  let server;
  const digits = { email: 'digits@example.com', password: '123456789012' };
  before(async () => {
    server = await startServer({ superuser });
    const pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collection('_superusers').create({ ...digits, passwordConfirm: digits.password });
  });
  after(async () => {
    await server?.stop();
  });

  const formBodies = {
    urlencoded: (fields) => ({
      body: new URLSearchParams(fields),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
    multipart: (fields) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(fields)) body.append(name, value);
      return { body };
    },
  };

  for (const [kind, encode] of Object.entries(formBodies)) {
    test(`a ${kind} body signs in`, async () => {
      for (const account of [superuser, digits]) {
        const pb = new PocketBase(server.url);
        const auth = await pb
          .collection('_superusers')
          .authWithPassword('', '', encode({ identity: account.email, password: account.password }));
        assert.equal(auth.record.email, account.email);
        assert.equal(pb.authStore.isSuperuser, true);
      }
    });

    test(`a ${kind} body with a wrong password is the usual 400`, async () => {
      const pb = new PocketBase(server.url);
      await rejectsWith(
        pb.collection('_superusers').authWithPassword('', '', encode({ identity: digits.email, password: '1234' })),
        400,
        (body) => assert.equal(body.message, 'Failed to authenticate.'),
      );
    });
  }
});
