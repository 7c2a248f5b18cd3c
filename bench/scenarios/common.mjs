// What the scenario files share: the data's filler text and password, the seeded random source,
// picking ids, the collection and sign-in calls made outside the timed loop, and the status check.
import { send, sendExpecting } from './http_client.mjs';

// Our own filler text for the large `description` field (~500 bytes, as in PocketBase's posts);
// it contains "ipsum dolor" so that the text-search rule matches every post.
export const DESCRIPTION =
  'Lorem ipsum dolor sits at the start of this filler, which stands in for a long article body. ' +
  'It is repeated in every post so that each row carries a few hundred bytes of text, and the ' +
  'search rule has to read through all of them: nothing here is indexed for a substring match. ' +
  'Benchmarks need dull data that is the same everywhere, so the only thing this paragraph does ' +
  'is take up space in the table and in every page the list endpoint sends back to the client.';

export const USER_PASSWORD = '1234567890';

/** Deterministic pseudo-random numbers (mulberry32), so two runs create the same data. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick(ctx, list) {
  return list[Math.floor(ctx.random() * list.length)];
}

/** Up to `count` distinct elements of `list`, in random order. */
export function sample(ctx, list, count) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(ctx.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

export const unique = (values) => [...new Set(values)];

export function idsByName(records, key) {
  return [...records.entries()].sort(([, a], [, b]) => a[key].localeCompare(b[key])).map(([id]) => id);
}

export async function patchCollection(ctx, name, body) {
  await sendExpecting(ctx.base, { method: 'PATCH', path: `/api/collections/${name}`, body, token: ctx.superToken });
}

export async function signIn(ctx, email) {
  const answer = await sendExpecting(ctx.base, {
    method: 'POST',
    path: '/api/collections/users/auth-with-password',
    body: { identity: email, password: USER_PASSWORD },
  });
  return { id: answer.record.id, token: answer.token };
}

/** A user other than the ones scenarios delete, signed in (PocketBase's "random user"). */
export async function signInRandomUser(ctx) {
  const [id] = sample(ctx, idsByName(ctx.model.users, 'email'), 1);
  return signIn(ctx, ctx.model.users.get(id).email);
}

// Clients come from many loopback addresses (127.0.1.0 and up, one per concurrent worker), as
// PocketBase's concurrent requests stand for many users: Basalt bounds some work per client
// address (password hashing: 4 in flight per address), which one address would hit at once.
export function clientAddress(worker) {
  return `127.0.${1 + Math.floor(worker / 250)}.${1 + (worker % 250)}`;
}

// Bounded, so a server that throttles forever fails the request instead of hanging the run.
const MAX_THROTTLED_RETRIES = 100;
const MAX_RETRY_AFTER_SECONDS = 10;

/**
 * send(), but a 429 with Retry-After is waited out and sent again, as a well-behaved client
 * does; the waits count in the scenario's time and every retry is counted in ctx.throttled.
 * (Basalt answers 429 past 32 password hashes in flight, and PocketBase's user creates run 50.)
 */
export async function sendRetryingThrottled(ctx, request) {
  for (let attempt = 0; ; attempt++) {
    const response = await send(ctx.base, request);
    if (response.status !== 429 || !(response.retryAfter >= 0) || attempt === MAX_THROTTLED_RETRIES) return response;
    ctx.throttled++;
    const waitSeconds = Math.min(response.retryAfter, MAX_RETRY_AFTER_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  }
}

export function statusProblem(method, path, response, expected) {
  return response.status === expected
    ? null
    : `${method} ${path}: status ${response.status}, expected ${expected}: ${response.text.slice(0, 300)}`;
}
