// OAuth2 / OpenID Connect sign-in (docs/oauth2.md) against a real OpenID provider on loopback
// (oidc_provider.mjs: the oidc-provider package, its login and consent driven over HTTP):
// auth-methods, the code flow with PKCE creating the user with its mapped fields and avatar, the
// second sign-in finding the same record through _externalAuths, the refusals (PKCE verifier,
// replayed code, foreign signature, expired token, wrong audience, unknown provider, OAuth2
// disabled) and the SDK's all-in-one flow through /api/oauth2-redirect and the @oauth2 topic.

import assert from 'node:assert/strict';
import { generateKeyPairSync, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EventSource } from 'eventsource';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { AVATAR_PNG, startOidcProvider } from './oidc_provider.mjs';
import { startServer } from './server.mjs';

globalThis.EventSource = EventSource;

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const CALLBACK = 'http://127.0.0.1:9/callback'; // the manual flow never follows it

const accounts = {
  ann: {
    email: 'ann@example.com',
    email_verified: true,
    name: 'Ann Example',
    preferred_username: 'ann',
  },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob', preferred_username: 'bob' },
  carl: { email: 'carl@example.com', email_verified: true, name: 'Carl', preferred_username: 'carl' },
  dora: { email: 'dora@example.com', email_verified: true, name: 'Dora', preferred_username: 'dora' },
  eve: { email: 'eve-at-idp@example.com', email_verified: true, name: 'Eve', preferred_username: 'eve' },
  frank: { email: 'frank@example.com', email_verified: false, name: 'Frank', preferred_username: 'frank' },
  gina: { email: 'gina@example.com', email_verified: true, name: 'Gina', preferred_username: 'gina' },
  hank: { email: 'hank@example.com', email_verified: true, name: 'Hank', preferred_username: 'hank' },
};

describe('OAuth2 with an OpenID Connect provider', () => {
  let server;
  let idp;
  let admin;
  let provider; // the `oidc` provider's configuration, secret included

  before(async () => {
    server = await startServer({ superuser, args: ['--oauth2-allow-loopback-http', 'true'] });
    idp = await startOidcProvider({ accounts, redirectUris: [CALLBACK, `${server.url}/api/oauth2-redirect`] });
    for (const claims of Object.values(accounts)) claims.picture = idp.avatarURL;
    admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    provider = {
      name: 'oidc',
      displayName: 'Test IdP',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      authURL: idp.authURL,
      tokenURL: idp.tokenURL,
      userInfoURL: idp.userInfoURL,
    };
    await admin.collections.create({
      name: 'people',
      type: 'auth',
      createRule: '',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'username', type: 'text' },
        { name: 'avatar', type: 'file', maxSelect: 1, maxSize: 65536 },
      ],
      oauth2: {
        enabled: true,
        providers: [provider],
        mappedFields: { name: 'name', username: 'username', avatarURL: 'avatar' },
      },
    });
    await admin.collections.create({
      name: 'members',
      type: 'auth',
      createRule: '',
      oauth2: { enabled: false, providers: [provider] },
    });
  });

  after(async () => {
    await idp?.stop();
    await server?.stop();
  });

  // One pass through the provider: a fresh state, verifier and code for `account`.
  async function authorize(account) {
    const pb = new PocketBase(server.url);
    const methods = await pb.collection('people').listAuthMethods();
    const provider = methods.oauth2.providers.find((p) => p.name === 'oidc');
    const location = new URL(await idp.login(provider.authURL + encodeURIComponent(CALLBACK), account));
    assert.equal(location.searchParams.get('state'), provider.state);
    return { pb, provider, code: location.searchParams.get('code') };
  }

  test('auth-methods offers the provider with a state and a PKCE pair', async () => {
    const pb = new PocketBase(server.url);
    const methods = await pb.collection('people').listAuthMethods();
    assert.equal(methods.oauth2.enabled, true);
    assert.equal(methods.oauth2.providers.length, 1);
    const [p] = methods.oauth2.providers;
    assert.equal(p.name, 'oidc');
    assert.equal(p.displayName, 'Test IdP');
    assert.equal(p.state.length, 30);
    assert.equal(p.codeVerifier.length, 43);
    assert.equal(p.codeChallengeMethod, 'S256');
    assert.ok(p.authURL.startsWith(`${idp.authURL}?client_id=${idp.clientId}&code_challenge=${p.codeChallenge}`));
    assert.ok(p.authURL.endsWith('&redirect_uri='));
    const again = await pb.collection('people').listAuthMethods();
    assert.notEqual(again.oauth2.providers[0].state, p.state);
    const members = await pb.collection('members').listAuthMethods();
    assert.equal(members.oauth2.enabled, false);
    assert.deepEqual(members.oauth2.providers, []);
  });

  test('the first sign-in creates the user with the mapped fields and avatar; the second finds it', async () => {
    const first = await authorize('ann');
    const auth = await first.pb
      .collection('people')
      .authWithOAuth2Code('oidc', first.code, first.provider.codeVerifier, CALLBACK, { emailVisibility: true });
    assert.equal(auth.meta.isNew, true);
    assert.equal(auth.meta.id, 'ann');
    assert.equal(auth.meta.email, 'ann@example.com');
    assert.equal(auth.meta.name, 'Ann Example');
    assert.equal(auth.meta.username, 'ann');
    assert.equal(auth.meta.rawUser.sub, 'ann');
    assert.ok(auth.meta.accessToken.length > 0);
    assert.notEqual(auth.meta.expiry, '');
    const record = auth.record;
    assert.equal(record.email, 'ann@example.com');
    assert.equal(record.emailVisibility, true);
    assert.equal(record.verified, true);
    assert.equal(record.name, 'Ann Example');
    assert.equal(record.username, 'ann');
    assert.match(record.avatar, /^avatar_\w+\.png$/);
    assert.equal(first.pb.authStore.isValid, true);
    assert.equal(first.pb.authStore.record.id, record.id);
    const avatar = await fetch(first.pb.files.getURL(record, record.avatar));
    assert.equal(avatar.status, 200);
    assert.deepEqual(Buffer.from(await avatar.arrayBuffer()), AVATAR_PNG);
    // The token works like any auth token of the collection.
    const refreshed = await first.pb.collection('people').authRefresh();
    assert.equal(refreshed.record.id, record.id);

    const second = await authorize('ann');
    const again = await second.pb
      .collection('people')
      .authWithOAuth2Code('oidc', second.code, second.provider.codeVerifier, CALLBACK);
    assert.equal(again.meta.isNew, false);
    assert.equal(again.record.id, record.id);
    const links = await admin.collection('_externalAuths').getFullList({ filter: `recordRef = "${record.id}"` });
    assert.equal(links.length, 1);
    assert.equal(links[0].provider, 'oidc');
    assert.equal(links[0].providerId, 'ann');
  });

  test('an existing user with the verified email is linked, not duplicated', async () => {
    const existing = await admin.collection('people').create({
      email: 'bob@example.com',
      password: 'bob-password-1',
      passwordConfirm: 'bob-password-1',
      name: 'Robert',
    });
    const { pb, provider, code } = await authorize('bob');
    const auth = await pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK);
    assert.equal(auth.meta.isNew, false);
    assert.equal(auth.record.id, existing.id);
    assert.equal(auth.record.name, 'Robert');
    assert.equal(auth.record.verified, true);
    // It was not verified, so whoever registered the address loses the password.
    await rejectsWith(pb.collection('people').authWithPassword('bob@example.com', 'bob-password-1'), 400);
  });

  test('a signed-in user links the provider account to their own record', async () => {
    const own = await admin.collection('people').create({
      email: 'eve@example.com',
      password: 'eve-password-1',
      passwordConfirm: 'eve-password-1',
    });
    const { pb, provider, code } = await authorize('eve');
    await pb.collection('people').authWithPassword('eve@example.com', 'eve-password-1');
    const auth = await pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK);
    assert.equal(auth.meta.isNew, false);
    assert.equal(auth.record.id, own.id);
    assert.equal(auth.record.email, 'eve@example.com');
    assert.equal(auth.record.verified, false); // the provider vouched for another address
    // Their own password keeps working.
    await new PocketBase(server.url).collection('people').authWithPassword('eve@example.com', 'eve-password-1');
  });

  test('createData fills the new record, under the mapped fields', async () => {
    const { pb, provider, code } = await authorize('gina');
    const auth = await pb
      .collection('people')
      .authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK, { name: 'Gina Custom', email: 'x@example.com' });
    assert.equal(auth.meta.isNew, true);
    assert.equal(auth.record.name, 'Gina Custom');
    assert.equal(auth.record.username, 'gina');
    assert.equal(auth.record.email, 'gina@example.com'); // the provider's, never createData's
    assert.equal(auth.record.verified, true);
  });

  test("an unverified provider email is not used: the create's own error comes back", async () => {
    const { pb, provider, code } = await authorize('frank');
    await rejectsWith(
      pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK),
      400,
      (body) => assert.equal(body.data.email.code, 'validation_required'),
    );
    const frank = await admin.collection('people').getList(1, 1, { filter: 'username = "frank"' });
    assert.equal(frank.totalItems, 0);
  });

  test("the collection's authRule applies to OAuth2 sign-ins", async () => {
    await admin.collections.update('people', { authRule: "name != 'Blocked'" });
    try {
      const { pb, provider, code } = await authorize('hank');
      await rejectsWith(
        pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK, { name: 'Blocked' }),
        403,
      );
      assert.equal(pb.authStore.isValid, false);
    } finally {
      await admin.collections.update('people', { authRule: '' });
    }
  });

  test('the sign-in writes are all or nothing: a link that fails leaves no new user behind', async () => {
    // A collection whose _externalAuths may hold one row only (a partial unique index on its
    // id): the second provider user's create succeeds inside the transaction, its link fails.
    // The index stays (a unique index on a system field cannot be dropped, as in PocketBase);
    // it only concerns this test's collection.
    const strict = await admin.collections.create({
      name: 'strict',
      type: 'auth',
      createRule: '',
      fields: [{ name: 'name', type: 'text' }],
      oauth2: { enabled: true, providers: [provider] },
    });
    const links = await admin.collections.getOne('_externalAuths');
    await admin.collections.update('_externalAuths', {
      indexes: [...links.indexes, `CREATE UNIQUE INDEX idx_strict_one_link ON _externalAuths (collectionRef) WHERE collectionRef = '${strict.id}'`],
    });
    {
      const first = await authorize('dora');
      const dora = await first.pb.collection('strict').authWithOAuth2Code('oidc', first.code, first.provider.codeVerifier, CALLBACK);
      assert.equal(dora.meta.isNew, true);
      assert.equal(dora.record.verified, true);

      const second = await authorize('bob');
      await rejectsWith(
        second.pb.collection('strict').authWithOAuth2Code('oidc', second.code, second.provider.codeVerifier, CALLBACK),
        400,
        (body) => assert.equal(body.message, 'Failed to authenticate.'),
      );
      // Nothing of the failed sign-in remains: no record, no link.
      const users = await admin.collection('strict').getFullList();
      assert.deepEqual(users.map((u) => u.email), ['dora@example.com']);
      const rows = await admin.collection('_externalAuths').getFullList({ filter: `collectionRef = '${strict.id}'` });
      assert.deepEqual(rows.map((r) => r.recordRef), [dora.record.id]);
    }
  });

  test('a code is good for one exchange, and only with its own PKCE verifier', async () => {
    const { pb, provider, code } = await authorize('carl');
    await rejectsWith(
      pb.collection('people').authWithOAuth2Code('oidc', code, 'x'.repeat(43), CALLBACK),
      400,
      (body) => assert.equal(body.message, 'Failed to fetch OAuth2 token.'),
    );
    const fresh = await authorize('carl');
    await fresh.pb.collection('people').authWithOAuth2Code('oidc', fresh.code, fresh.provider.codeVerifier, CALLBACK);
    await rejectsWith(
      fresh.pb.collection('people').authWithOAuth2Code('oidc', fresh.code, fresh.provider.codeVerifier, CALLBACK),
      400,
      (body) => assert.equal(body.message, 'Failed to fetch OAuth2 token.'),
    );
    assert.ok(provider);
  });

  test('an id_token re-signed unchanged with the provider key passes (the control)', async () => {
    const { pb, provider, code } = await authorize('carl');
    idp.tokenProxy.mode = 'resigned';
    try {
      const auth = await pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK);
      assert.equal(auth.meta.id, 'carl');
    } finally {
      idp.tokenProxy.mode = 'pass';
    }
  });

  for (const mode of ['foreign-key', 'expired', 'wrong-audience', 'wrong-nonce']) {
    test(`an id_token with ${mode} is refused and creates nobody`, async () => {
      const { pb, provider, code } = await authorize('dora');
      idp.tokenProxy.mode = mode;
      try {
        await rejectsWith(
          pb.collection('people').authWithOAuth2Code('oidc', code, provider.codeVerifier, CALLBACK),
          400,
          (body) => assert.equal(body.message, 'Failed to fetch OAuth2 user.'),
        );
      } finally {
        idp.tokenProxy.mode = 'pass';
      }
      const dora = await admin.collection('people').getList(1, 1, { filter: 'email = "dora@example.com"' });
      assert.equal(dora.totalItems, 0);
    });
  }

  test('bad requests get PocketBase errors', async () => {
    const pb = new PocketBase(server.url);
    await rejectsWith(pb.collection('people').authWithOAuth2Code('github', 'c', 'v', CALLBACK), 400);
    try {
      await pb.collection('people').authWithOAuth2Code('nope', 'c', 'v', CALLBACK);
      assert.fail('accepted an unknown provider');
    } catch (error) {
      assert.equal(error.response.data.provider.code, 'validation_invalid_provider');
    }
    await rejectsWith(pb.collection('people').authWithOAuth2Code('oidc', '', 'v', CALLBACK), 400);
    await rejectsWith(pb.collection('people').authWithOAuth2Code('oidc', 'c'.repeat(5000), 'v', CALLBACK), 400);
    await rejectsWith(pb.collection('members').authWithOAuth2Code('oidc', 'c', 'v', CALLBACK), 403);
    await rejectsWith(pb.collection('nope').authWithOAuth2Code('oidc', 'c', 'v', CALLBACK), 404);
    const response = await fetch(`${server.url}/api/collections/people/auth-with-oauth2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'oidc', code: 'c', redirectURL: CALLBACK, createData: 'no' }),
    });
    assert.equal(response.status, 400);
    assert.equal((await response.json()).data.createData.code, 'validation_invalid_value');
    // Only providers Basalt has may be configured.
    await rejectsWith(
      admin.collections.update('members', {
        oauth2: { enabled: true, providers: [{ name: 'facebook', clientId: 'a', clientSecret: 'b' }] },
      }),
      400,
      (body) => assert.equal(body.data.oauth2.providers['0'].name.code, 'validation_missing_provider'),
    );
  });

  test('a superuser makes the Apple client secret: an ES256 JWT of the given key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    const { secret } = await admin.settings.generateAppleClientSecret('com.example.web', 'TEAM123456', 'KEY1234567', pem, 3600);
    const [header, payload, signature] = secret.split('.');
    assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url')), { alg: 'ES256', kid: 'KEY1234567', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url'));
    assert.equal(claims.iss, 'TEAM123456');
    assert.equal(claims.sub, 'com.example.web');
    assert.deepEqual(claims.aud, ['https://appleid.apple.com']);
    assert.equal(claims.exp - claims.iat, 3600);
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    assert.equal(signed, true);
    await rejectsWith(admin.settings.generateAppleClientSecret('c', 'short', 'KEY1234567', pem, 3600), 400, (body) => {
      assert.equal(body.message, 'Invalid client secret data.');
      assert.equal(body.data.teamId.code, 'validation_length_invalid');
    });
    await rejectsWith(new PocketBase(server.url).settings.generateAppleClientSecret('c', 'TEAM123456', 'KEY1234567', pem, 60), 401);
  });

  test('the all-in-one SDK flow signs in through /api/oauth2-redirect', async () => {
    const pb = new PocketBase(server.url);
    let redirectPage;
    const auth = await pb.collection('people').authWithOAuth2({
      provider: 'oidc',
      urlCallback: async (url) => {
        // A redirect naming no subscribed client (a wrong state) reaches nobody.
        const wrong = await fetch(`${server.url}/api/oauth2-redirect?state=wrong-state&code=x`);
        assert.match(await wrong.text(), /Failed to authenticate/);
        const location = await idp.login(url, 'ann');
        assert.ok(location.startsWith(`${server.url}/api/oauth2-redirect?`));
        const page = await fetch(location);
        redirectPage = await page.text();
      },
    });
    assert.equal(auth.meta.isNew, false);
    assert.equal(auth.record.email, 'ann@example.com');
    assert.match(redirectPage, /Auth completed/);
    assert.equal(pb.authStore.isValid, true);
    pb.realtime.unsubscribe();
  });

  test('the redirect may arrive as a form POST (response_mode=form_post)', async () => {
    const pb = new PocketBase(server.url);
    const auth = await pb.collection('people').authWithOAuth2({
      provider: 'oidc',
      urlCallback: async (url) => {
        const location = new URL(await idp.login(url, 'carl'));
        const page = await fetch(`${server.url}/api/oauth2-redirect`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            state: location.searchParams.get('state'),
            code: location.searchParams.get('code'),
          }).toString(),
        });
        assert.equal(page.status, 200);
      },
    });
    assert.equal(auth.record.email, 'carl@example.com');
    pb.realtime.unsubscribe();
  });

  test("a provider's error reaches the SDK, which refuses the sign-in", async () => {
    const pb = new PocketBase(server.url);
    await assert.rejects(
      pb.collection('people').authWithOAuth2({
        provider: 'oidc',
        urlCallback: async (url) => {
          const state = new URL(url).searchParams.get('state');
          const page = await fetch(`${server.url}/api/oauth2-redirect?state=${state}&error=access_denied`);
          assert.match(await page.text(), /Failed to authenticate/);
        },
      }),
      (error) => {
        assert.match(String(error.originalError?.message), /access_denied/);
        return true;
      },
    );
    pb.realtime.unsubscribe();
  });
});

describe('OAuth2 outbound calls without --oauth2-allow-loopback-http', () => {
  let server;
  let idp;

  before(async () => {
    server = await startServer({ superuser });
    idp = await startOidcProvider({ accounts, redirectUris: [CALLBACK] });
    const admin = new PocketBase(server.url);
    await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await admin.collections.create({
      name: 'people',
      type: 'auth',
      createRule: '',
      oauth2: {
        enabled: true,
        providers: [
          {
            name: 'oidc',
            clientId: idp.clientId,
            clientSecret: idp.clientSecret,
            authURL: idp.authURL,
            tokenURL: idp.tokenURL,
            userInfoURL: idp.userInfoURL,
          },
        ],
      },
    });
  });

  after(async () => {
    await idp?.stop();
    await server?.stop();
  });

  test('a plain-http provider is never called', async () => {
    const pb = new PocketBase(server.url);
    const methods = await pb.collection('people').listAuthMethods();
    const [provider] = methods.oauth2.providers;
    const location = new URL(await idp.login(provider.authURL + encodeURIComponent(CALLBACK), 'ann'));
    await rejectsWith(
      pb.collection('people').authWithOAuth2Code('oidc', location.searchParams.get('code'), provider.codeVerifier, CALLBACK),
      400,
      (body) => assert.equal(body.message, 'Failed to fetch OAuth2 token.'),
    );
  });
});
