// Deletes: single posts without and with a rule, then users and organizations with their
// cascades; the model forgets what each delete removes.
import { POST_COLLECTIONS } from './schema.mjs';
import { patchCollection, sample, statusProblem } from './common.mjs';

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
    request: (i) => ({
      method: 'DELETE', path: `/api/collections/${collection}/records/${ids[i]}`, token: withToken ? ctx.reader.token : undefined,
    }),
    check: (i, response, { path }) => {
      const problem = statusProblem('DELETE', path, response, 204);
      if (!problem) forget(ids[i]);
      return problem;
    },
  };
}

export function deleteScenarios(ctx) {
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
