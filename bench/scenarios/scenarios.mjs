// The scenario list, in the order of PocketBase's benchmark (pocketbase/benchmarks): creates
// (which also seed the data), sign-ins, token refreshes, reads (single record, lists, expands,
// list rules) and deletes. Each scenario has an untimed `prepare` (collection rules and indexes
// through the collections API, ids picked from the model), `request(i)`, the description of
// request i that the timed loop sends (load.mjs), and `check(i, response, request)`, null when
// the answer is right, else what was wrong (it also updates the model: creates and deletes).
import { POST_COLLECTIONS } from './schema.mjs';
import { authScenarios } from './auth_scenarios.mjs';
import { createAll } from './create_scenarios.mjs';
import { deleteScenarios } from './delete_scenarios.mjs';
import { listScenarios, viewScenarios } from './read_scenarios.mjs';

import { signInRandomUser } from './common.mjs';

export { DESCRIPTION, seededRandom } from './common.mjs';

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
