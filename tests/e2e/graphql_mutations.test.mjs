// GraphQL mutations (docs/graphql.md, "Mutations"): every write through /api/graphql checked
// with what the official SDK reads back over REST: inserts, updates (`_set`, `_inc`), deletes, by
// id and by `where` with the write rule ANDed in; rules refusing; one transaction per request (a
// failing second root field leaves nothing of the first); validation errors carrying REST's data;
// a locked collection without mutation fields; realtime events for GraphQL writes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EventSource } from 'eventsource';
import { buildClientSchema, getIntrospectionQuery, printSchema } from 'graphql';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

globalThis.EventSource = EventSource;

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

async function gqlRequest(server, client, query, variables) {
  const headers = { 'content-type': 'application/json', accept: 'application/json' };
  if (client?.authStore.token) headers.authorization = client.authStore.token;
  const res = await fetch(`${server.url}/api/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  assert.equal(res.status, 200);
  return res.json();
}

async function mutate(server, client, query, variables) {
  const body = await gqlRequest(server, client, query, variables);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

// The REST error of `promise` (a rejected SDK call).
async function restError(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('the REST call succeeded');
}

describe('GraphQL mutations', () => {
  let server;
  let pb; // superuser
  let guest;
  const people = {};

  const titles = async (filter = '') =>
    (await pb.collection('notes').getFullList({ filter, sort: 'title' })).map((r) => r.title);

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    await pb.collections.update('users', { listRule: '', viewRule: '' });
    for (const name of ['alice', 'bob']) {
      const password = `${name} password 123`;
      const record = await pb.collection('users').create({
        email: `${name}@example.com`, password, passwordConfirm: password, name,
      });
      const client = new PocketBase(server.url);
      await client.collection('users').authWithPassword(`${name}@example.com`, password);
      people[name] = { record, client };
    }
    const users = await pb.collections.getOne('users');
    // Notes: anyone signed in may create its own; only the owner updates or deletes.
    await pb.collections.create({
      name: 'notes',
      listRule: '',
      viewRule: '',
      createRule: '@request.auth.id != "" && owner = @request.auth.id',
      updateRule: 'owner = @request.auth.id',
      deleteRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text', required: true, max: 20 },
        { name: 'slug', type: 'text' },
        { name: 'views', type: 'number', onlyInt: true },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'created', type: 'autodate', onCreate: true },
        { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
      ],
      indexes: ['CREATE UNIQUE INDEX idx_notes_slug ON notes (slug) WHERE slug != ""'],
    });
    await pb.collections.create({ name: 'locked', fields: [{ name: 'code', type: 'text' }] });
  });
  after(async () => {
    await server?.stop();
  });

  test('the schema has the write fields each caller class could ever pass', async () => {
    const printed = {};
    for (const [who, client] of [['guest', guest], ['alice', people.alice.client], ['superuser', pb]]) {
      const result = await gqlRequest(server, client, getIntrospectionQuery());
      printed[who] = printSchema(buildClientSchema(result.data));
    }
    for (const who of ['guest', 'alice']) {
      assert.match(printed[who], /insert_notes\(objects: \[notes_insert_input!\]!\): notes_mutation_response/);
      assert.match(printed[who], /insert_notes_one\(object: notes_insert_input!\): notes/);
      assert.match(printed[who], /update_notes\(where: notes_bool_exp!, _set: notes_set_input, _inc: notes_inc_input\): notes_mutation_response/);
      assert.match(printed[who], /update_notes_by_pk\(id: String!, _set: notes_set_input, _inc: notes_inc_input\): notes/);
      assert.match(printed[who], /delete_notes_by_pk\(id: String!\): notes/);
      assert.doesNotMatch(printed[who], /locked/);
    }
    assert.match(printed.superuser, /insert_locked_one/);
    assert.match(printed.superuser, /delete_locked\(where: locked_bool_exp!\)/);
    // Autodates are not settable; numbers only in _inc; the response type.
    const insertInput = printed.alice.match(/input notes_insert_input \{[^}]*\}/)[0];
    assert.doesNotMatch(insertInput, /created|updated/);
    assert.match(insertInput, /id: String/);
    assert.match(insertInput, /views: Int/);
    assert.match(printed.alice, /input notes_inc_input \{\s*views: Int\s*\}/);
    assert.match(printed.alice, /type notes_mutation_response \{\s*affected_rows: Int!\s*returning: \[notes!\]!\s*\}/);
    const usersInput = printed.superuser.match(/input users_set_input \{[^}]*\}/)[0];
    assert.match(usersInput, /password: String/);
    assert.match(usersInput, /passwordConfirm: String/);
    assert.match(usersInput, /oldPassword: String/);
    assert.doesNotMatch(usersInput, /tokenKey/);
  });

  test('inserts are stored records, read back under the view rule', async () => {
    const alice = people.alice;
    const one = await mutate(server, alice.client,
      'mutation($o: notes_insert_input!) { insert_notes_one(object: $o) { id title views owner { id name } } }',
      { o: { title: 'first', views: 1, owner: { id: alice.record.id } } });
    const stored = await pb.collection('notes').getOne(one.insert_notes_one.id);
    assert.equal(stored.title, 'first');
    assert.equal(stored.views, 1);
    assert.deepEqual(one.insert_notes_one, {
      id: stored.id, title: 'first', views: 1, owner: { id: alice.record.id, name: 'alice' },
    });
    const many = await mutate(server, alice.client, `mutation {
      insert_notes(objects: [{title: "second", owner: {id: "${alice.record.id}"}}, {title: "third", owner: {id: "${alice.record.id}"}}]) {
        affected_rows returning { title collectionName } __typename
      } }`);
    assert.deepEqual(many.insert_notes, {
      affected_rows: 2,
      returning: [{ title: 'second', collectionName: 'notes' }, { title: 'third', collectionName: 'notes' }],
      __typename: 'notes_mutation_response',
    });
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
  });

  test('nested inserts create the related records first, each under its own createRule', async () => {
    // Tags: anyone signed in may create them; notes name them through a multiple relation.
    const tags = await pb.collections.create({
      name: 'tags', listRule: '', viewRule: '', createRule: '@request.auth.id != ""',
      fields: [{ name: 'label', type: 'text', required: true }],
    });
    await pb.collections.create({
      name: 'boards', listRule: '', viewRule: '', createRule: '',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'tags', type: 'relation', collectionId: tags.id, maxSelect: 10 },
        { name: 'lead', type: 'relation', collectionId: (await pb.collections.getOne('users')).id, maxSelect: 1 },
      ],
    });
    const existing = await pb.collection('tags').create({ label: 'old' });
    const alice = people.alice;
    const out = await mutate(server, alice.client, `mutation {
      insert_boards_one(object: {name: "b1", lead: {id: "${alice.record.id}"},
                                 tags: {ids: ["${existing.id}"], data: [{label: "new1"}, {label: "new2"}]}}) {
        id name lead { name } tags(order_by: [{label: asc}]) { label }
      }
    }`);
    assert.deepEqual(out.insert_boards_one.tags, [{ label: 'new1' }, { label: 'new2' }, { label: 'old' }]);
    assert.deepEqual(out.insert_boards_one.lead, { name: 'alice' });
    const board = await pb.collection('boards').getOne(out.insert_boards_one.id, { expand: 'tags' });
    assert.deepEqual(board.expand.tags.map((t) => t.label), ['old', 'new1', 'new2']);
    // A nested record that fails validation rolls back the parent and its siblings.
    const failed = await gqlRequest(server, alice.client, `mutation {
      insert_boards_one(object: {name: "b2", tags: {data: [{label: "fine"}, {label: ""}]}}) { id }
    }`);
    assert.equal(failed.errors[0].extensions.code, 'validation-failed');
    assert.equal(failed.errors[0].extensions.data.label.code, 'validation_required');
    assert.equal((await pb.collection('boards').getFullList({ filter: 'name = "b2"' })).length, 0);
    assert.equal((await pb.collection('tags').getFullList({ filter: 'label = "fine"' })).length, 0);
    // id and data together are refused.
    const both = await gqlRequest(server, alice.client, `mutation {
      insert_boards_one(object: {name: "b3", lead: {id: "${alice.record.id}", data: {email: "x@example.com"}}}) { id }
    }`);
    assert.equal(both.errors[0].extensions.code, 'validation-failed');
    // Guests may create boards but not tags: the nested create runs the tags' createRule.
    const guestTry = await gqlRequest(server, guest, `mutation {
      insert_boards_one(object: {name: "b4", tags: {data: [{label: "anon"}]}}) { id }
    }`);
    assert.equal(guestTry.errors[0].extensions.code, 'permission-denied');
    assert.deepEqual(guestTry.data, { insert_boards_one: null });
    assert.equal((await pb.collection('tags').getFullList({ filter: 'label = "anon"' })).length, 0);
    assert.equal((await pb.collection('boards').getFullList({ filter: 'name = "b4"' })).length, 0);
    await mutate(server, guest, 'mutation { insert_boards_one(object: {name: "b5"}) { id } }');
    assert.equal((await pb.collection('boards').getFullList({ filter: 'name = "b5"' })).length, 1);
  });

  test('back-relation inserts create the records that point at the new one', async () => {
    const out = await mutate(server, pb, `mutation {
      insert_users_one(object: {email: "dan@example.com", password: "dan password 1",
                                passwordConfirm: "dan password 1", name: "dan",
                                notes_via_owner: {data: [{title: "dan1"}, {title: "dan2"}]}}) {
        id notes_via_owner(order_by: [{title: asc}]) { title }
      }
    }`);
    assert.deepEqual(out.insert_users_one.notes_via_owner, [{ title: 'dan1' }, { title: 'dan2' }]);
    const dan = out.insert_users_one.id;
    const stored = await pb.collection('notes').getFullList({ filter: `owner = "${dan}"`, sort: 'title' });
    assert.deepEqual(stored.map((r) => r.title), ['dan1', 'dan2']);
    await pb.collection('notes').delete(stored[0].id);
    await pb.collection('notes').delete(stored[1].id);
    // The relation back to the new record is the server's to set.
    const forged = await gqlRequest(server, pb, `mutation {
      insert_users_one(object: {email: "eve@example.com", password: "eve password 1",
        passwordConfirm: "eve password 1",
        notes_via_owner: {data: [{title: "x", owner: {id: "${people.bob.record.id}"}}]}}) { id }
    }`);
    assert.equal(forged.errors[0].extensions.code, 'validation-failed');
    assert.equal((await pb.collection('users').getFullList({ filter: 'email = "eve@example.com"' })).length, 0);
  });

  test('nested updates change the related records in the same transaction, under their rules', async () => {
    const teams = await pb.collections.create({
      name: 'teams', listRule: '', viewRule: '', createRule: '', updateRule: 'name != "frozen"',
      fields: [{ name: 'name', type: 'text', required: true }, { name: 'score', type: 'number' }],
    });
    await pb.collections.create({
      name: 'players', listRule: '', viewRule: '', createRule: '', updateRule: '',
      fields: [
        { name: 'name', type: 'text' },
        { name: 'team', type: 'relation', collectionId: teams.id, maxSelect: 1 },
        { name: 'fans', type: 'relation', collectionId: teams.id, maxSelect: 5 },
      ],
    });
    const red = await pb.collection('teams').create({ name: 'red', score: 1 });
    const blue = await pb.collection('teams').create({ name: 'blue', score: 2 });
    const frozen = await pb.collection('teams').create({ name: 'frozen', score: 3 });
    const p1 = await pb.collection('players').create({ name: 'p1', team: red.id, fans: [red.id, blue.id] });
    const p2 = await pb.collection('players').create({ name: 'p2', team: frozen.id });

    // The team the player names now, updated after the player.
    const out = await mutate(server, guest, `mutation {
      update_players_by_pk(id: "${p1.id}", _set: {name: "p1b", team: {_set: {name: "reds"}, _inc: {score: 5}}}) {
        name team { name score }
      }
    }`);
    assert.deepEqual(out.update_players_by_pk, { name: 'p1b', team: { name: 'reds', score: 6 } });
    assert.equal((await pb.collection('teams').getOne(red.id)).score, 6);
    // Relinked and the new team updated; a multiple relation's records all updated.
    await mutate(server, guest, `mutation {
      update_players_by_pk(id: "${p1.id}", _set: {team: {id: "${blue.id}", _set: {name: "blues"}},
                                                  fans: {_inc: {score: 10}}}) { id }
    }`);
    const p1After = await pb.collection('players').getOne(p1.id);
    assert.equal(p1After.team, blue.id);
    assert.equal((await pb.collection('teams').getOne(blue.id)).name, 'blues');
    assert.equal((await pb.collection('teams').getOne(blue.id)).score, 12);
    assert.equal((await pb.collection('teams').getOne(red.id)).score, 16);
    // A related record its rule does not admit: not found, and the player is unchanged.
    const refused = await gqlRequest(server, guest, `mutation {
      update_players_by_pk(id: "${p2.id}", _set: {name: "p2b", team: {_set: {name: "thawed"}}}) { id }
    }`);
    assert.equal(refused.errors[0].extensions.code, 'not-found');
    assert.equal((await pb.collection('players').getOne(p2.id)).name, 'p2');
    assert.equal((await pb.collection('teams').getOne(frozen.id)).name, 'frozen');
    // update with where: every selected player's team.
    const many = await mutate(server, guest, `mutation {
      update_players(where: {name: {_eq: "p1b"}}, _set: {team: {_inc: {score: 1}}}) { affected_rows }
    }`);
    assert.equal(many.update_players.affected_rows, 2); // the player and its team
    assert.equal((await pb.collection('teams').getOne(blue.id)).score, 13);
  });

  test('updates by id apply _set and _inc (the number modifier) like REST', async () => {
    const [note] = await pb.collection('notes').getFullList({ filter: 'title = "first"' });
    const out = await mutate(server, people.alice.client,
      `mutation { update_notes_by_pk(id: "${note.id}", _set: {slug: "one"}, _inc: {views: 4}) { slug views } }`);
    assert.deepEqual(out.update_notes_by_pk, { slug: 'one', views: 5 });
    const stored = await pb.collection('notes').getOne(note.id);
    assert.equal(stored.views, 5);
    assert.equal(stored.slug, 'one');
    const down = await mutate(server, people.alice.client,
      `mutation { update_notes_by_pk(id: "${note.id}", _inc: {views: -2}) { views } }`);
    assert.equal(down.update_notes_by_pk.views, 3);
  });

  test('update and delete with where touch only what the write rule admits', async () => {
    const bob = people.bob;
    await pb.collection('notes').create({ title: 'bobs', owner: bob.record.id, views: 0 });
    // Alice's where matches every note; her updateRule admits only her own.
    const out = await mutate(server, people.alice.client,
      'mutation { update_notes(where: {title: {_neq: ""}}, _inc: {views: 10}) { affected_rows returning { title views } } }');
    assert.equal(out.update_notes.affected_rows, 3);
    assert.deepEqual(out.update_notes.returning.map((r) => r.title).sort(), ['first', 'second', 'third']);
    const bobs = await pb.collection('notes').getFirstListItem('title = "bobs"');
    assert.equal(bobs.views, 0);
    const gone = await mutate(server, bob.client,
      'mutation { delete_notes(where: {views: {_gte: 0}}) { affected_rows returning { title } } }');
    assert.deepEqual(gone.delete_notes, { affected_rows: 1, returning: [{ title: 'bobs' }] });
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
    // A record the caller may not delete is not found, and nothing is written.
    const [first] = await pb.collection('notes').getFullList({ filter: 'title = "first"' });
    const refused = await gqlRequest(server, bob.client, `mutation { delete_notes_by_pk(id: "${first.id}") { id } }`);
    assert.equal(refused.errors[0].extensions.code, 'not-found');
    assert.deepEqual(refused.data, { delete_notes_by_pk: null });
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
  });

  test('a failing second root field rolls back the first; the error carries REST\'s data', async () => {
    const id = people.alice.record.id;
    const body = await gqlRequest(server, people.alice.client, `mutation {
      a: insert_notes_one(object: {title: "kept?", owner: {id: "${id}"}}) { id }
      b: update_notes(where: {title: {_eq: "second"}}, _set: {title: ""}) { affected_rows }
    }`);
    assert.deepEqual(body.data, { a: null, b: null });
    assert.equal(body.errors.length, 1);
    assert.deepEqual(body.errors[0].path, ['b']);
    assert.equal(body.errors[0].extensions.code, 'validation-failed');
    const [second] = await pb.collection('notes').getFullList({ filter: 'title = "second"' });
    const rest = await restError(people.alice.client.collection('notes').update(second.id, { title: '' }));
    assert.equal(rest.status, 400);
    assert.equal(rest.response.data.title.code, 'validation_required');
    assert.deepEqual(body.errors[0].extensions.data, rest.response.data);
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
    // Too long a title on create: the same data as REST's create.
    const long = 'x'.repeat(30);
    const created = await gqlRequest(server, people.alice.client,
      `mutation { insert_notes_one(object: {title: "${long}", owner: {id: "${id}"}}) { id } }`);
    const restCreate = await restError(people.alice.client.collection('notes').create({ title: long, owner: id }));
    assert.equal(restCreate.response.data.title.code, 'validation_max_text_constraint');
    assert.equal(created.errors[0].extensions.code, 'validation-failed');
    assert.deepEqual(created.errors[0].extensions.data, restCreate.response.data);
  });

  test('rules refuse: create rule, unique index, locked collection', async () => {
    const bobId = people.bob.record.id;
    // Alice may not create a note owned by Bob (createRule).
    const refused = await gqlRequest(server, people.alice.client,
      `mutation { insert_notes_one(object: {title: "forged", owner: {id: "${bobId}"}}) { id } }`);
    assert.equal(refused.errors[0].extensions.code, 'permission-denied');
    const guestTry = await gqlRequest(server, guest, 'mutation { insert_notes_one(object: {title: "anon"}) { id } }');
    assert.equal(guestTry.errors[0].extensions.code, 'permission-denied');
    // A unique value taken.
    const aliceId = people.alice.record.id;
    const dup = await gqlRequest(server, people.alice.client,
      `mutation { insert_notes_one(object: {title: "dup", slug: "one", owner: {id: "${aliceId}"}}) { id } }`);
    assert.equal(dup.errors[0].extensions.code, 'constraint-violation');
    assert.equal(dup.errors[0].extensions.data.slug.code, 'validation_not_unique');
    // A collection whose rules are all null has no mutation field for non-superusers: the
    // document does not validate and nothing runs.
    const locked = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: people.alice.client.authStore.token },
      body: JSON.stringify({ query: 'mutation { insert_locked_one(object: {code: "x"}) { id } }' }),
    });
    const lockedBody = await locked.json();
    assert.equal(lockedBody.data, undefined);
    assert.equal(lockedBody.errors[0].extensions.code, 'validation-failed');
    assert.equal((await pb.collection('locked').getFullList()).length, 0);
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
  });

  test('passwords are written as REST writes them, passwordConfirm included', async () => {
    const missing = await gqlRequest(server, guest,
      'mutation { insert_users_one(object: {email: "carol@example.com", password: "carol password 1"}) { id } }');
    const rest = await restError(guest.collection('users').create({ email: 'carol@example.com', password: 'carol password 1' }));
    assert.equal(rest.response.data.passwordConfirm.code, 'validation_required');
    assert.equal(missing.errors[0].extensions.code, 'validation-failed');
    assert.deepEqual(missing.errors[0].extensions.data, rest.response.data);
    const made = await mutate(server, guest, `mutation {
      insert_users_one(object: {email: "carol@example.com", password: "carol password 1",
                                passwordConfirm: "carol password 1", name: "carol"}) { id name }
    }`);
    const carol = new PocketBase(server.url);
    const auth = await carol.collection('users').authWithPassword('carol@example.com', 'carol password 1');
    assert.equal(auth.record.id, made.insert_users_one.id);
    // Changing it needs the old one, as over REST (the record itself passes the updateRule).
    const changed = await gqlRequest(server, carol, `mutation {
      update_users_by_pk(id: "${auth.record.id}", _set: {password: "carol password 2", passwordConfirm: "carol password 2"}) { id }
    }`);
    assert.equal(changed.errors[0].extensions.code, 'validation-failed');
    assert.ok(changed.errors[0].extensions.data.oldPassword);
    await mutate(server, carol, `mutation {
      update_users_by_pk(id: "${auth.record.id}", _set: {oldPassword: "carol password 1",
        password: "carol password 2", passwordConfirm: "carol password 2"}) { id }
    }`);
    await new PocketBase(server.url).collection('users').authWithPassword('carol@example.com', 'carol password 2');
  });

  test('where selecting more records than the list limit is refused before writing', async () => {
    await pb.settings.update({ graphql: { maxLimit: 2 } });
    try {
      const body = await gqlRequest(server, people.alice.client,
        'mutation { delete_notes(where: {}) { affected_rows } }');
      assert.equal(body.errors[0].extensions.code, 'limit-exceeded');
      assert.deepEqual(body.data, { delete_notes: null });
    } finally {
      await pb.settings.update({ graphql: { maxLimit: 1000 } });
    }
    assert.deepEqual(await titles(), ['first', 'second', 'third']);
  });

  test('GraphQL writes reach realtime subscribers as REST writes do', async () => {
    const watcher = new PocketBase(server.url);
    const events = [];
    let seen;
    const arrived = new Promise((resolve) => { seen = resolve; });
    await watcher.collection('notes').subscribe('*', (e) => {
      events.push([e.action, e.record.title]);
      if (events.length === 3) seen();
    });
    try {
      const id = people.alice.record.id;
      const out = await mutate(server, people.alice.client,
        `mutation { insert_notes_one(object: {title: "live", owner: {id: "${id}"}}) { id } }`);
      const noteId = out.insert_notes_one.id;
      await mutate(server, people.alice.client,
        `mutation { update_notes_by_pk(id: "${noteId}", _set: {title: "live2"}) { id } }`);
      await mutate(server, people.alice.client, `mutation { delete_notes_by_pk(id: "${noteId}") { title } }`);
      await arrived;
      assert.deepEqual(events, [['create', 'live'], ['update', 'live2'], ['delete', 'live2']]);
    } finally {
      await watcher.realtime.unsubscribe();
    }
  });
});
