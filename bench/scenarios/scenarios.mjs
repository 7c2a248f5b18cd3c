// The scenario list, in the order of PocketBase's benchmark (pocketbase/benchmarks): creates
// (which also seed the data), sign-ins, token refreshes, reads (single record, lists, expands,
// list rules) and deletes. Each scenario has an untimed `prepare` (collection rules and indexes
// through the collections API, ids picked from the model) and a timed `action(i)` that sends
// request i and resolves with null when the answer is right, else with what was wrong.
import { send, sendExpecting } from './http_client.mjs';
import { expectedVisible, RULE_PREDICATES } from './model.mjs';
import { POST_COLLECTIONS, POST_TYPES } from './schema.mjs';

// Our own filler text for the large `description` field (~500 bytes, as in PocketBase's posts);
// it contains "ipsum dolor" so that the text-search rule matches every post.
export const DESCRIPTION =
  'Lorem ipsum dolor sits at the start of this filler, which stands in for a long article body. ' +
  'It is repeated in every post so that each row carries a few hundred bytes of text, and the ' +
  'search rule has to read through all of them: nothing here is indexed for a substring match. ' +
  'Benchmarks need dull data that is the same everywhere, so the only thing this paragraph does ' +
  'is take up space in the table and in every page the list endpoint sends back to the client.';

const USER_PASSWORD = '1234567890';
const PAGE = 20;
const CREATE_RULES = {
  organizations: "@request.body.name != ''",
  permissions: "@request.body.name != ''",
  users: "@request.body.email != '' && @request.body.permissions:length > 0",
  posts: "@request.auth.id != '' && @request.body.public:isset = true",
};

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

function pick(ctx, list) {
  return list[Math.floor(ctx.random() * list.length)];
}

/** Up to `count` distinct elements of `list`, in random order. */
function sample(ctx, list, count) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(ctx.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}

const unique = (values) => [...new Set(values)];

function idsByName(records, key) {
  return [...records.entries()].sort(([, a], [, b]) => a[key].localeCompare(b[key])).map(([id]) => id);
}

async function patchCollection(ctx, name, body) {
  await sendExpecting(ctx.base, { method: 'PATCH', path: `/api/collections/${name}`, body, token: ctx.superToken });
}

async function signIn(ctx, email) {
  const answer = await sendExpecting(ctx.base, {
    method: 'POST',
    path: '/api/collections/users/auth-with-password',
    body: { identity: email, password: USER_PASSWORD },
  });
  return { id: answer.record.id, token: answer.token };
}

/** A user other than the ones scenarios delete, signed in (PocketBase's "random user"). */
async function signInRandomUser(ctx) {
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
async function sendRetryingThrottled(ctx, request) {
  for (let attempt = 0; ; attempt++) {
    const response = await send(ctx.base, request);
    if (response.status !== 429 || !(response.retryAfter >= 0) || attempt === MAX_THROTTLED_RETRIES) return response;
    ctx.throttled++;
    const waitSeconds = Math.min(response.retryAfter, MAX_RETRY_AFTER_SECONDS);
    await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
  }
}

function statusProblem(method, path, response, expected) {
  return response.status === expected
    ? null
    : `${method} ${path}: status ${response.status}, expected ${expected}: ${response.text.slice(0, 300)}`;
}

// --- creates -----------------------------------------------------------------------------------

function createScenarios(ctx, collection, total, concurrency, makeBody, remember, { withToken = false } = {}) {
  const half = Math.floor(total / 2);
  const groupRule = CREATE_RULES[collection.startsWith('posts') ? 'posts' : collection];
  return [
    { rule: '', count: half },
    { rule: groupRule, count: total - half },
  ].map(({ rule, count }) => {
    let offset = 0;
    let token;
    return {
      section: 'create',
      label: `create ${count} ${collection}` + (rule ? ' (createRule)' : ''),
      collection,
      requests: count,
      concurrency: Math.min(concurrency, count),
      rule,
      query: null,
      prepare: async () => {
        // The ids new records point at, taken once per group rather than per request, in name
        // order (not answer order), so that a seed always makes the same data.
        ctx.organizationIds = idsByName(ctx.model.organizations, 'name');
        ctx.permissionIds = idsByName(ctx.model.permissions, 'name');
        ctx.authorIds = idsByName(ctx.model.users, 'email');
        await patchCollection(ctx, collection, { createRule: rule });
        offset = collection.startsWith('posts') ? ctx.model.posts[collection].size : ctx.model[collection].size;
        token = withToken && rule ? (await signInRandomUser(ctx)).token : undefined;
      },
      action: async (i, worker) => {
        const body = makeBody(i + offset);
        const path = `/api/collections/${collection}/records`;
        // Only password-bearing creates need many addresses (the hashing bound per address).
        const from = collection === 'users' ? clientAddress(worker) : undefined;
        const response = await sendRetryingThrottled(ctx, { method: 'POST', path, body, token, wantJson: true, from });
        const problem = statusProblem('POST', path, response, 200);
        if (!problem) remember(response.json, body);
        return problem;
      },
    };
  });
}

function createAll(ctx) {
  const { model, scale } = ctx;
  const scenarios = [
    ...createScenarios(
      ctx, 'organizations', scale.organizations, 10,
      (n) => ({ name: `organizations${n}` }),
      (record) => model.organizations.set(record.id, { name: record.name }),
    ),
    ...createScenarios(
      ctx, 'permissions', scale.permissions, 5,
      (n) => ({ name: `permissions${n}`, active: n % 2 === 0 }),
      (record) => model.permissions.set(record.id, { name: record.name, active: record.active }),
    ),
    ...createScenarios(
      ctx, 'users', scale.users, 50,
      (n) => ({
        email: `users${n}@example.com`,
        username: `users${n}`,
        organization: pick(ctx, ctx.organizationIds),
        // Three picks with repeats allowed, as PocketBase's runner sends them.
        permissions: [0, 1, 2].map(() => pick(ctx, ctx.permissionIds)),
        password: USER_PASSWORD,
        passwordConfirm: USER_PASSWORD,
      }),
      (record, body) =>
        model.users.set(record.id, {
          email: body.email,
          organization: record.organization,
          permissions: unique(record.permissions),
        }),
    ),
  ];
  for (const collection of POST_COLLECTIONS) {
    scenarios.push(
      ...createScenarios(
        ctx, collection, scale.posts[collection], 500,
        (n) => ({
          title: `${collection}${n}`,
          description: DESCRIPTION,
          public: n % 2 === 1,
          type: [pick(ctx, POST_TYPES), pick(ctx, POST_TYPES)],
          author: pick(ctx, ctx.authorIds),
        }),
        (record) =>
          model.addPost(collection, record.id, {
            author: record.author,
            type: record.type,
            description: record.description,
            public: record.public,
          }),
        { withToken: true },
      ),
    );
  }
  return scenarios;
}

// --- sign-in and refresh -----------------------------------------------------------------------

function authScenarios(ctx) {
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

// --- reads -------------------------------------------------------------------------------------

function viewScenarios(ctx) {
  return [100, 1000].map((concurrency) => ({
    section: 'read',
    target: 'fast',
    label: `view one user, concurrency ${concurrency}`,
    collection: 'users',
    requests: ctx.scale.requests(1000),
    concurrency: Math.min(concurrency, ctx.scale.requests(1000)),
    rule: '',
    query: '/{id}',
    prepare: async () => {},
    action: async () => {
      const path = `/api/collections/users/records/${ctx.reader.id}`;
      const response = await send(ctx.base, { method: 'GET', path, token: ctx.reader.token, wantJson: true });
      return statusProblem('GET', path, response, 200) ?? (response.json.id === ctx.reader.id ? null : `${path}: wrong record`);
    },
  }));
}

/** Checks one list page against the model: item count, total, and the expanded records. */
function listProblem(ctx, collection, scenario, json) {
  const posts = ctx.model.posts[collection];
  const expected = scenario.expectedTotal;
  const skipTotal = scenario.query.includes('skipTotal=1');
  if (!Array.isArray(json.items)) return 'no items array';
  if (json.items.length !== Math.min(PAGE, expected)) return `items: ${json.items.length}, expected ${Math.min(PAGE, expected)}`;
  if (!skipTotal && json.totalItems !== expected) return `totalItems: ${json.totalItems}, expected ${expected}`;
  if (skipTotal && json.totalItems !== -1) return `totalItems with skipTotal: ${json.totalItems}, expected -1`;
  const limitedFields = scenario.query.includes('fields=');
  for (const item of json.items) {
    const post = posts.get(item.id);
    if (!post) return `item ${item.id} is not a post the model knows`;
    if (!RULE_PREDICATES[scenario.rule](post, ctx.model, ctx.reader.id)) return `item ${item.id} is not visible under the rule`;
    if (limitedFields && Object.keys(item).sort().join(',') !== 'collectionId,expand,id') {
      return `item keys ${Object.keys(item)} beyond the requested fields`;
    }
    if (scenario.query.includes('expand=author')) {
      const author = item.expand?.author;
      if (author?.id !== post.author) return `item ${item.id}: expand.author is not its author`;
      if (scenario.query.includes('expand=author.permissions')) {
        const got = (author.expand?.permissions ?? []).map((p) => p.id).sort().join(',');
        const want = [...ctx.model.users.get(post.author).permissions].sort().join(',');
        if (got !== want) return `item ${item.id}: expand.author.expand.permissions ${got}, expected ${want}`;
        if (limitedFields && author.expand.permissions.some((p) => Object.keys(p).join(',') !== 'id')) {
          return 'expanded permissions carry more than id';
        }
      } else if (limitedFields && Object.keys(author).join(',') !== 'id') {
        return 'expanded author carries more than id';
      }
    }
  }
  return null;
}

function listScenario(ctx, collection, { label, requests, concurrency, query, rule = '', indexes = [], background }) {
  const scenario = {
    section: 'read',
    // The targets: plain lists at least 3× PocketBase, list rules under 2 s.
    target: rule ? 'rule' : query.includes('expand=') ? undefined : 'fast',
    label: `${collection}: ${label}`,
    collection,
    requests: ctx.scale.requests(requests),
    concurrency: Math.min(concurrency, ctx.scale.requests(requests)),
    rule,
    query,
    expectedTotal: 0,
    prepare: async () => {
      await patchCollection(ctx, collection, { listRule: rule, indexes: indexes.map((sql) => sql.replaceAll('{c}', collection)) });
      scenario.expectedTotal = expectedVisible(ctx.model, collection, rule, ctx.reader.id);
    },
    action: async () => {
      const path = `/api/collections/${collection}/records${query}`;
      const response = await send(ctx.base, { method: 'GET', path, token: ctx.reader.token, wantJson: true });
      const problem = statusProblem('GET', path, response, 200);
      if (problem) return problem;
      const wrong = listProblem(ctx, collection, scenario, response.json);
      return wrong ? `GET ${path}: ${wrong}` : null;
    },
    background,
  };
  return scenario;
}

/** 300 concurrent title updates of random posts, run beside a list scenario. */
function backgroundUpdates(ctx, collection) {
  return async () => {
    const ids = sample(ctx, [...ctx.model.posts[collection].keys()], ctx.scale.requests(300));
    const problems = await Promise.all(
      ids.map(async (id) => {
        const path = `/api/collections/${collection}/records/${id}`;
        const response = await send(ctx.base, {
          method: 'PATCH', path, body: { title: `update${id}` }, token: ctx.reader.token,
        });
        return statusProblem('PATCH', path, response, 200);
      }),
    );
    return problems.filter(Boolean);
  };
}

const AUTHOR_INDEX = 'CREATE INDEX `idx_author_{c}` ON `{c}` (`author`)';
const DESCRIPTION_INDEX = 'CREATE INDEX `idx_description_{c}` ON `{c}` (`description`)';
const PAGE20 = '?perPage=20';
const PAGE20_SKIP = '?perPage=20&skipTotal=1';

function listScenarios(ctx, collection) {
  const s = (options) => listScenario(ctx, collection, { requests: 100, concurrency: 10, ...options });
  return [
    s({ label: 'list, concurrency 1', requests: 1000, concurrency: 1, query: PAGE20 }),
    s({ label: 'list, concurrency 1000', requests: 1000, concurrency: 1000, query: PAGE20 }),
    s({ label: 'list skipTotal, concurrency 1000', requests: 1000, concurrency: 1000, query: PAGE20_SKIP }),
    s({
      label: 'list, concurrency 1000, with 300 updates beside it', requests: 1000, concurrency: 1000, query: PAGE20,
      background: backgroundUpdates(ctx, collection),
    }),
    s({ label: 'expand author', query: `${PAGE20}&expand=author` }),
    s({ label: 'expand author, fields', query: `${PAGE20}&expand=author&fields=id,collectionId,expand.author.id` }),
    s({ label: 'expand author.permissions', query: `${PAGE20}&expand=author.permissions` }),
    s({
      label: 'expand author.permissions, fields',
      query: `${PAGE20}&expand=author.permissions&fields=id,collectionId,expand.author.id,expand.author.expand.permissions.id`,
    }),
    s({ label: "rule @request.auth.id != ''", query: PAGE20, rule: "@request.auth.id != ''" }),
    s({ label: 'rule author = @request.auth.id, no index', query: PAGE20, rule: 'author = @request.auth.id' }),
    s({ label: 'rule author = @request.auth.id, index', query: PAGE20, rule: 'author = @request.auth.id', indexes: [AUTHOR_INDEX] }),
    s({ label: 'rule author = @request.auth.id, index, skipTotal', query: PAGE20_SKIP, rule: 'author = @request.auth.id', indexes: [AUTHOR_INDEX] }),
    s({ label: 'rule author.id = @request.auth.id, no index', query: PAGE20, rule: 'author.id = @request.auth.id' }),
    s({ label: 'rule author.id = @request.auth.id, index', query: PAGE20, rule: 'author.id = @request.auth.id', indexes: [AUTHOR_INDEX] }),
    s({ label: 'rule author.id = @request.auth.id, index, skipTotal', query: PAGE20_SKIP, rule: 'author.id = @request.auth.id', indexes: [AUTHOR_INDEX] }),
    s({ label: "rule description ~ 'ipsum dolor', no index", query: PAGE20, rule: "description ~ 'ipsum dolor'" }),
    s({ label: "rule description ~ 'ipsum dolor', index", query: PAGE20, rule: "description ~ 'ipsum dolor'", indexes: [DESCRIPTION_INDEX] }),
    s({
      label: "rule description ~ 'ipsum dolor', index, skipTotal", query: PAGE20_SKIP, rule: "description ~ 'ipsum dolor'",
      indexes: [DESCRIPTION_INDEX],
    }),
    s({ label: "rule type:each != 'c'", query: PAGE20, rule: "type:each != 'c'" }),
    s({ label: "rule type:each != 'c', skipTotal", query: PAGE20_SKIP, rule: "type:each != 'c'" }),
    s({ label: "rule type:each ?!= 'c'", query: PAGE20, rule: "type:each ?!= 'c'" }),
    s({ label: "rule type:each ?!= 'c', skipTotal", query: PAGE20_SKIP, rule: "type:each ?!= 'c'" }),
    s({ label: "rule author.organization.name != 'test'", query: PAGE20, rule: "author.organization.name != 'test'" }),
    s({ label: "rule author.organization.name != 'test', skipTotal", query: PAGE20_SKIP, rule: "author.organization.name != 'test'" }),
    s({ label: 'rule author.permissions.active = true', query: PAGE20, rule: 'author.permissions.active = true' }),
    s({ label: 'rule author.permissions.active = true, skipTotal', query: PAGE20_SKIP, rule: 'author.permissions.active = true' }),
    s({ label: 'rule author.permissions.active ?= true', query: PAGE20, rule: 'author.permissions.active ?= true' }),
    s({ label: 'rule author.permissions.active ?= true, skipTotal', query: PAGE20_SKIP, rule: 'author.permissions.active ?= true' }),
  ];
}

// --- deletes -----------------------------------------------------------------------------------

function deleteScenario(ctx, collection, { label, rule, withToken, forget, candidates }) {
  let ids = [];
  return {
    section: 'delete',
    label: `delete ${collection}: ${label}`,
    collection,
    requests: ctx.scale.requests(100),
    concurrency: Math.min(10, ctx.scale.requests(100)),
    rule,
    query: null,
    prepare: async () => {
      await patchCollection(ctx, collection, { deleteRule: rule });
      ids = sample(ctx, candidates(), ctx.scale.requests(100));
      if (ids.length < ctx.scale.requests(100)) throw new Error(`only ${ids.length} ${collection} left to delete`);
    },
    action: async (i) => {
      const path = `/api/collections/${collection}/records/${ids[i]}`;
      const token = withToken ? ctx.reader.token : undefined;
      const response = await send(ctx.base, { method: 'DELETE', path, token });
      const problem = statusProblem('DELETE', path, response, 204);
      if (!problem) forget(ids[i]);
      return problem;
    },
  };
}

function deleteScenarios(ctx) {
  const { model } = ctx;
  const scenarios = [];
  for (const collection of POST_COLLECTIONS) {
    for (const rule of ['', "@request.auth.id != ''"]) {
      scenarios.push(
        deleteScenario(ctx, collection, {
          label: rule ? 'with deleteRule' : 'no rule',
          rule,
          withToken: true,
          candidates: () => [...model.posts[collection].keys()],
          forget: (id) => model.deletePost(collection, id),
        }),
      );
    }
  }
  scenarios.push(
    deleteScenario(ctx, 'users', {
      label: 'cascading to their posts',
      rule: '',
      withToken: true,
      // The signed-in reader stays: its token signs these requests.
      candidates: () => [...model.users.keys()].filter((id) => id !== ctx.reader.id),
      forget: (id) => model.deleteUser(id),
    }),
    deleteScenario(ctx, 'organizations', {
      label: 'cascading to their users and posts',
      rule: '',
      // No token: the reader is deleted along the way (its organization goes too), and the
      // rule is "" so a token would only add the auth lookup.
      withToken: false,
      candidates: () => [...model.organizations.keys()],
      forget: (id) => model.deleteOrganization(id),
    }),
  );
  return scenarios;
}

/**
 * Every scenario in PocketBase's order. `ctx` holds the server's origin, a superuser token, the
 * model, the random source and the scale; `ctx.reader` (the signed-in user of the reads and
 * deletes) is set by the first read scenario's prepare.
 */
export function allScenarios(ctx) {
  const reads = [...viewScenarios(ctx), ...POST_COLLECTIONS.flatMap((c) => listScenarios(ctx, c))];
  const firstRead = reads[0];
  const firstPrepare = firstRead.prepare;
  firstRead.prepare = async () => {
    ctx.reader = await signInRandomUser(ctx);
    await firstPrepare();
  };
  return [...createAll(ctx), ...authScenarios(ctx), ...reads, ...deleteScenarios(ctx)];
}
