// A real OpenID Connect provider on loopback for the OAuth2 tests: the `oidc-provider` package
// with one confidential client, accounts given by the test, and its development interactions
// (a login form and a consent form) which login() drives with plain HTTP requests, as a browser
// would, cookies included.
//
// In front of its token endpoint sits a small proxy the test controls (`tokenProxy.mode`): it
// passes the provider's answer through, or rewrites the id_token inside it - re-signed with the
// provider's own key (expired, wrong audience) or with a foreign key under the provider's kid -
// so Basalt's id_token checks meet real tokens that differ in exactly one respect. The proxy also
// serves the accounts' avatar image.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { generateKeyPairSync, sign } from 'node:crypto';
import Provider from 'oidc-provider';

export const AVATAR_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

const KID = 'basalt-test-key';

function listen(server) {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

function close(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

const b64url = (buffer) => Buffer.from(buffer).toString('base64url');
const fromB64url = (text) => JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));

// Re-signs a compact RS256 JWS with `key` after `change(payload)`.
function resign(token, key, change) {
  const [header, payload] = token.split('.');
  const claims = fromB64url(payload);
  change(claims);
  const input = `${header}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
}

/**
 * @param {{accounts: Record<string, object>, redirectUris: string[], clientId?: string, clientSecret?: string}} options
 *   `accounts`: account id -> its claims (without sub).
 */
export async function startOidcProvider({
  accounts,
  redirectUris,
  clientId = 'basalt-client',
  clientSecret = 'basalt-client-secret',
}) {
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...keys.privateKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

  const providerServer = createServer();
  const providerPort = await listen(providerServer);
  const issuer = `http://127.0.0.1:${providerPort}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: ['basalt-e2e-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'picture'],
    },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const claims = accounts[id];
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
    },
  });
  providerServer.on('request', provider.callback());

  const tokenProxy = { mode: 'pass' };
  const proxyServer = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/avatar.png') {
      res.writeHead(200, { 'content-type': 'image/png' }).end(AVATAR_PNG);
      return;
    }
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const upstream = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
      body: Buffer.concat(chunks),
    });
    const body = await upstream.json();
    if (body.id_token && tokenProxy.mode !== 'pass') {
      const now = Math.floor(Date.now() / 1000);
      const rewrite = {
        // The control: re-signed unchanged with the provider's key, still a good token.
        resigned: () => resign(body.id_token, keys.privateKey, () => {}),
        'foreign-key': () => resign(body.id_token, foreign.privateKey, () => {}),
        'wrong-nonce': () =>
          resign(body.id_token, keys.privateKey, (c) => {
            c.nonce = 'another-flow';
          }),
        expired: () =>
          resign(body.id_token, keys.privateKey, (c) => {
            c.iat = now - 7200;
            c.exp = now - 3600;
          }),
        'wrong-audience': () =>
          resign(body.id_token, keys.privateKey, (c) => {
            c.aud = 'another-client';
          }),
      }[tokenProxy.mode];
      assert.ok(rewrite, `unknown token proxy mode ${tokenProxy.mode}`);
      body.id_token = rewrite();
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const proxyPort = await listen(proxyServer);
  const proxyUrl = `http://127.0.0.1:${proxyPort}`;

  /**
   * Follows `authUrl` through the provider's login and consent as account `accountId` and
   * resolves with the URL the provider finally redirects the browser to (the client's
   * redirect_uri with code and state).
   */
  async function login(authUrl, accountId) {
    const jar = new Map();
    const send = async (url, init = {}) => {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, {
        ...init,
        headers: { ...(init.headers ?? {}), cookie },
        redirect: 'manual',
      });
      for (const line of response.headers.getSetCookie()) {
        const pair = line.split(';')[0];
        const at = pair.indexOf('=');
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      return response;
    };
    let response = await send(authUrl);
    for (let hop = 0; hop < 12; hop += 1) {
      assert.ok([302, 303].includes(response.status), `provider answered ${response.status}: ${await response.text()}`);
      const location = new URL(response.headers.get('location'), issuer).href;
      if (!location.startsWith(`${issuer}/`)) return location;
      if (/\/interaction\/[^/?]+$/.test(new URL(location).pathname)) {
        const page = await (await send(location)).text();
        const prompt = page.includes('name="login"') ? 'login' : 'consent';
        const form = prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt };
        response = await send(location, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(form).toString(),
        });
      } else {
        response = await send(location);
      }
    }
    throw new Error('the provider kept redirecting');
  }

  return {
    issuer,
    clientId,
    clientSecret,
    authURL: `${issuer}/auth`,
    tokenURL: `${proxyUrl}/token`,
    userInfoURL: `${issuer}/me`,
    avatarURL: `${proxyUrl}/avatar.png`,
    tokenProxy,
    login,
    async stop() {
      await close(proxyServer);
      await close(providerServer);
    },
  };
}
