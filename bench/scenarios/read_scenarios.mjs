// Reads: a single record, list pages, expands and the list rules, each page checked against
// the model.
import { send } from './http_client.mjs';
import { expectedVisible, RULE_PREDICATES } from './model.mjs';
import { patchCollection, sample, statusProblem } from './common.mjs';

const PAGE = 20;

export function viewScenarios(ctx) {
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
    request: () => ({ method: 'GET', path: `/api/collections/users/records/${ctx.reader.id}`, token: ctx.reader.token, wantJson: true }),
    check: (_, response, { path }) =>
      statusProblem('GET', path, response, 200) ?? (response.json.id === ctx.reader.id ? null : `${path}: wrong record`),
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
    request: () => ({ method: 'GET', path: `/api/collections/${collection}/records${query}`, token: ctx.reader.token, wantJson: true }),
    check: (_, response, { path }) => {
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

export function listScenarios(ctx, collection) {
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
