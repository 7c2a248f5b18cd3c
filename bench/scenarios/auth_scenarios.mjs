// Password sign-in and token refresh.
import { send } from './http_client.mjs';
import { USER_PASSWORD, clientAddress, sendRetryingThrottled, signInRandomUser, statusProblem } from './common.mjs';

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
    action: async (_, worker) => {
      const email = 'users0@example.com';
      const path = '/api/collections/users/auth-with-password';
      const body = { identity: email, password: USER_PASSWORD };
      const response = await sendRetryingThrottled(ctx, {
        method: 'POST', path, body, wantJson: true, from: clientAddress(worker),
      });
      return statusProblem('POST', path, response, 200) ??
        (response.json.record?.email === email && response.json.token ? null : `${path}: wrong record or no token`);
    },
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
      action: async () => {
        const path = '/api/collections/users/auth-refresh';
        const response = await send(ctx.base, { method: 'POST', path, token: user.token, wantJson: true });
        return statusProblem('POST', path, response, 200) ??
          (response.json.record?.id === user.id && response.json.token ? null : `${path}: wrong record or no token`);
      },
    };
  });
  return [...signInRows, ...refreshRows];
}
