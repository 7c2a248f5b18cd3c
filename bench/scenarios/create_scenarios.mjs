// Creates (PocketBase's first section), which also seed the data the later rows read: each
// collection in two halves, without and with a create rule.
import { POST_COLLECTIONS, POST_TYPES } from './schema.mjs';
import {
  DESCRIPTION, USER_PASSWORD, idsByName, patchCollection, pick, signInRandomUser, statusProblem, unique,
} from './common.mjs';

const CREATE_RULES = {
  organizations: "@request.body.name != ''",
  permissions: "@request.body.name != ''",
  users: "@request.body.email != '' && @request.body.permissions:length > 0",
  posts: "@request.auth.id != '' && @request.body.public:isset = true",
};

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
      request: (i) => ({
        method: 'POST',
        path: `/api/collections/${collection}/records`,
        body: makeBody(i + offset),
        token,
        wantJson: true,
        // Only password-bearing creates need many addresses (the hashing bound per address).
        perWorkerSource: collection === 'users',
        retryThrottled: true,
      }),
      check: (_, response, { path, body }) => {
        const problem = statusProblem('POST', path, response, 200);
        if (!problem) remember(response.json, body);
        return problem;
      },
    };
  });
}

export function createAll(ctx) {
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
