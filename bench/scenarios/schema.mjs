// The benchmark's collections, created through Basalt's collections API as a superuser:
// organizations → users (the built-in auth collection, extended) → posts10k … posts100k, with
// permissions reached from users through a multi-relation. Same shapes as PocketBase's
// benchmark schema: see bench/README.md ("Scenarios") for the table.
import { sendExpecting } from './http_client.mjs';

export const POST_COLLECTIONS = ['posts10k', 'posts25k', 'posts50k', 'posts100k'];
export const POST_TYPES = ['a', 'b', 'c', 'd'];

const OPEN_RULES = { viewRule: '', createRule: '', updateRule: '', deleteRule: '' };
const AUTHENTICATED = "@request.auth.id != ''";

async function createCollection(base, token, definition) {
  return sendExpecting(base, { method: 'POST', path: '/api/collections', body: definition, token });
}

/** @returns {Promise<void>} once every collection exists with its fields and rules */
export async function createSchema(base, token) {
  const organizations = await createCollection(base, token, {
    name: 'organizations',
    type: 'base',
    listRule: AUTHENTICATED,
    ...OPEN_RULES,
    fields: [{ name: 'name', type: 'text' }],
  });
  const permissions = await createCollection(base, token, {
    name: 'permissions',
    type: 'base',
    listRule: AUTHENTICATED,
    ...OPEN_RULES,
    fields: [
      { name: 'name', type: 'text' },
      { name: 'active', type: 'bool' },
    ],
  });

  const users = await sendExpecting(base, { method: 'GET', path: '/api/collections/users', token });
  const keptFields = users.fields.filter((field) => !['username', 'organization', 'permissions'].includes(field.name));
  await sendExpecting(base, {
    method: 'PATCH',
    path: '/api/collections/users',
    token,
    body: {
      listRule: AUTHENTICATED,
      ...OPEN_RULES,
      fields: [
        ...keptFields,
        { name: 'username', type: 'text', max: 150 },
        {
          name: 'organization',
          type: 'relation',
          collectionId: organizations.id,
          maxSelect: 1,
          required: true,
          cascadeDelete: true,
        },
        {
          name: 'permissions',
          type: 'relation',
          collectionId: permissions.id,
          maxSelect: 999,
          cascadeDelete: true,
        },
      ],
    },
  });

  for (const name of POST_COLLECTIONS) {
    await createCollection(base, token, {
      name,
      type: 'base',
      listRule: '',
      ...OPEN_RULES,
      fields: [
        { name: 'title', type: 'text' },
        { name: 'description', type: 'editor' },
        { name: 'public', type: 'bool' },
        { name: 'type', type: 'select', values: POST_TYPES, maxSelect: 3 },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1, cascadeDelete: true },
      ],
    });
  }
}
