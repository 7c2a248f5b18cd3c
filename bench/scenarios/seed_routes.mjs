#!/usr/bin/env node
// How fast can the posts of the scenarios be created through Basalt's own API? The scenario
// rows create them one request each (that is what they measure); this measures the bulk route,
// POST /api/batch, for the same 100k post bodies, so docs/performance.md can say what seeding
// costs each way. Usage: node bench/scenarios/seed_routes.mjs [--posts N] [--batch N]
//   [--concurrency N] [--binary PATH]
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sendExpecting } from './http_client.mjs';
import { runLoad } from './load.mjs';
import { createSchema, POST_TYPES } from './schema.mjs';
import { DESCRIPTION, seededRandom } from './scenarios.mjs';
import { startBasalt } from './server.mjs';

const { values: options } = parseArgs({
  options: {
    posts: { type: 'string', default: '100000' },
    batch: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '2' },
    binary: { type: 'string', default: fileURLToPath(new URL('../../build/release/basalt', import.meta.url)) },
  },
});
const posts = Number(options.posts);
const perBatch = Number(options.batch);
const concurrency = Number(options.concurrency);
const SUPERUSER = { email: 'seed@example.com', password: 'seed-superuser-password' };
const AUTHORS = 10;

const server = await startBasalt({ binary: options.binary, superuser: SUPERUSER, args: ['--access-log', 'false'] });
try {
  const base = server.url;
  const { token } = await sendExpecting(base, {
    method: 'POST', path: '/api/collections/_superusers/auth-with-password',
    body: { identity: SUPERUSER.email, password: SUPERUSER.password },
  });
  await createSchema(base, token);
  await sendExpecting(base, {
    method: 'PATCH', path: '/api/settings', token,
    body: { batch: { enabled: true, maxRequests: perBatch, timeout: 60, maxBodySize: 0 } },
  });
  const organization = await sendExpecting(base, {
    method: 'POST', path: '/api/collections/organizations/records', body: { name: 'seed' }, token,
  });
  const authors = [];
  for (let i = 0; i < AUTHORS; i++) {
    const user = await sendExpecting(base, {
      method: 'POST', path: '/api/collections/users/records', token,
      body: { email: `seed${i}@example.com`, organization: organization.id, password: '1234567890', passwordConfirm: '1234567890' },
    });
    authors.push(user.id);
  }
  const random = seededRandom(7);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const batches = Math.ceil(posts / perBatch);
  const result = await runLoad(batches, concurrency, async (b) => {
    const count = Math.min(perBatch, posts - b * perBatch);
    const requests = Array.from({ length: count }, (_, k) => ({
      method: 'POST',
      url: '/api/collections/posts100k/records',
      body: {
        title: `posts100k${b * perBatch + k}`, description: DESCRIPTION, public: k % 2 === 1,
        type: [pick(POST_TYPES), pick(POST_TYPES)], author: pick(authors),
      },
    }));
    const answers = await sendExpecting(base, { method: 'POST', path: '/api/batch', body: { requests }, token });
    return answers.length === count && answers.every((a) => a.status === 200) ? null : `batch ${b}: not every create succeeded`;
  }, server.pid);
  const page = await sendExpecting(base, { method: 'GET', path: '/api/collections/posts100k/records?perPage=1', token });
  console.log(
    `${posts} posts through POST /api/batch (${perBatch} per batch, ${concurrency} in flight): ` +
      `${result.seconds.toFixed(2)} s, ${Math.round(posts / result.seconds)} posts/s, ` +
      `server CPU ${result.serverCpu.toFixed(2)} s, load CPU ${result.clientCpu.toFixed(2)} s, ` +
      `${result.errors.length} errors, ${page.totalItems} stored`,
  );
  if (result.errors.length || page.totalItems !== posts) process.exitCode = 1;
} finally {
  await server.stop();
}
