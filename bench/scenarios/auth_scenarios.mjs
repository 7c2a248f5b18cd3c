// Password sign-in and token refresh.
import { USER_PASSWORD, signInRandomUser, statusProblem } from './common.mjs';

const SIGN_IN_EMAIL = 'users0@example.com';

export function authScenarios(ctx) {
  const requests = (n) => ctx.scale.requests(n);
  const signInRows = [250, 10].map((concurrency) => ({
    section: 'auth',
    label: `auth-with-password, concurrency ${concurrency}`,
    collection: 'users',
    requests: requests(250),
    concurrency: Math.min(concurrency, requests(250)),
    rule: null,
    query: null,
    prepare: async () => {},
    // Many source addresses, as for creates: Basalt charges a sign-in attempt to its address
    // and identity before checking the password (5 in flight per pair at the defaults), and
    // PocketBase's 250 concurrent sign-ins to one account stand for 250 clients.
    request: () => ({
      method: 'POST', path: '/api/collections/users/auth-with-password',
      body: { identity: SIGN_IN_EMAIL, password: USER_PASSWORD }, wantJson: true, perWorkerSource: true, retryThrottled: true,
    }),
    check: (_, response, { path }) =>
      statusProblem('POST', path, response, 200) ??
      (response.json.record?.email === SIGN_IN_EMAIL && response.json.token ? null : `${path}: wrong record or no token`),
  }));
  const refreshRows = [1000, 100].map((concurrency) => {
    let user;
    return {
      section: 'auth',
      target: 'fast',
      label: `auth-refresh, concurrency ${concurrency}`,
      collection: 'users',
      requests: requests(1000),
      concurrency: Math.min(concurrency, requests(1000)),
      rule: null,
      query: null,
      prepare: async () => {
        user = await signInRandomUser(ctx);
      },
      request: () => ({ method: 'POST', path: '/api/collections/users/auth-refresh', token: user.token, wantJson: true }),
      check: (_, response, { path }) =>
        statusProblem('POST', path, response, 200) ??
        (response.json.record?.id === user.id && response.json.token ? null : `${path}: wrong record or no token`),
    };
  });
  return [...signInRows, ...refreshRows];
}
