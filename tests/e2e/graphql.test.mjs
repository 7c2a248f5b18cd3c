// GraphQL over HTTP (docs/graphql.md): the graphql-http audit suite, introspection that
// graphql-js builds a client schema from, and the same questions asked through REST (the
// official SDK) and GraphQL answered with the same records for guests, users and superusers:
// list and view rules, a rule that walks a relation, hidden fields, email visibility, expand.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildClientSchema, getIntrospectionQuery, printSchema, validateSchema } from 'graphql';
import { serverAudits } from 'graphql-http';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

// POSTs a GraphQL request as `client` (its token, if any); returns {status, type, body}.
async function gql(server, client, query, variables, accept = 'application/json') {
  const headers = { 'content-type': 'application/json', accept };
  if (client?.authStore.token) headers.authorization = client.authStore.token;
  const res = await fetch(`${server.url}/api/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

// The data of a request that must succeed without errors.
async function data(server, client, query, variables) {
  const { status, body } = await gql(server, client, query, variables);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

describe('GraphQL', () => {
  let server;
  let pb; // superuser
  let guest;
  const people = {}; // name -> {record, client}

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    guest = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    // Users: everyone may list them; emails visible only where emailVisibility says so.
    await pb.collections.update('users', { listRule: '', viewRule: '' });
    for (const [name, visible] of [['alice', true], ['bob', false]]) {
      const password = `${name} password 123`;
      const record = await pb.collection('users').create({
        email: `${name}@example.com`, password, passwordConfirm: password, name, emailVisibility: visible,
      });
      const client = new PocketBase(server.url);
      await client.collection('users').authWithPassword(`${name}@example.com`, password);
      people[name] = { record, client };
    }
    const users = await pb.collections.getOne('users');
    // Posts: published ones for everyone, drafts for their author; `secret` is hidden.
    const posts = await pb.collections.create({
      name: 'posts',
      listRule: 'published = true || author = @request.auth.id',
      viewRule: 'published = true || author = @request.auth.id',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'views', type: 'number', onlyInt: true },
        { name: 'published', type: 'bool' },
        { name: 'tags', type: 'select', values: ['red', 'green', 'blue'], maxSelect: 3 },
        { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
      ],
    });
    // Comments: listed only under published posts (a rule that walks a relation).
    await pb.collections.create({
      name: 'comments',
      listRule: 'post.published = true',
      viewRule: 'post.published = true',
      fields: [
        { name: 'body', type: 'text' },
        { name: 'post', type: 'relation', collectionId: posts.id, maxSelect: 1 },
      ],
    });
    await pb.collections.create({ name: 'vault', fields: [{ name: 'code', type: 'text' }] });
    const make = (title, views, published, author, tags) =>
      pb.collection('posts').create({ title, views, published, author: people[author].record.id, tags, secret: `s-${title}` });
    const p1 = await make('apple', 3, true, 'alice', ['red']);
    const p2 = await make('banana', 7, false, 'alice', ['green', 'blue']);
    const p3 = await make('cherry', 11, true, 'bob', []);
    await make('damson', 1, false, 'bob', ['red', 'blue']);
    for (const [body, post] of [['nice', p1], ['hidden draft note', p2], ['tasty', p3], ['ok', p3]]) {
      await pb.collection('comments').create({ body, post: post.id });
    }
    await pb.collection('vault').create({ code: '1234' });
  });
  after(async () => {
    await server?.stop();
  });

  test('every MUST and SHOULD audit of graphql-http passes', async () => {
    const results = await Promise.all(serverAudits({ url: `${server.url}/api/graphql` }).map((a) => a.fn()));
    const failed = results.filter((r) => r.status === 'error' || r.status === 'warn');
    assert.deepEqual(failed.map((r) => `${r.id} ${r.name}: ${r.reason}`), []);
    assert.ok(results.filter((r) => r.status === 'ok').length >= 40);
  });

  test('introspection builds a valid client schema for each caller class', async () => {
    const schemas = {};
    for (const [who, client] of [['guest', guest], ['alice', people.alice.client], ['superuser', pb]]) {
      const result = await data(server, client, getIntrospectionQuery());
      const schema = buildClientSchema(result);
      assert.deepEqual(validateSchema(schema), []);
      schemas[who] = printSchema(schema);
    }
    assert.match(schemas.guest, /type posts \{/);
    assert.match(schemas.guest, /posts_by_pk\(id: String!\): posts/);
    assert.match(schemas.guest, /posts_via_author\(where: posts_bool_exp, order_by: \[posts_order_by!\], limit: Int, offset: Int\): \[posts!\]!/);
    // A locked collection and the system ones exist for superusers only; so do hidden fields.
    assert.doesNotMatch(schemas.guest, /vault/);
    // (Passwords may be written through mutations' input types, never read: output types only.)
    const outputs = (printed) => printed.replace(/input \w+ \{[^}]*\}/g, '');
    assert.doesNotMatch(schemas.alice, /vault|_superusers|tokenKey/);
    assert.doesNotMatch(outputs(schemas.alice), /secret|password/);
    assert.match(schemas.superuser, /type vault \{/);
    assert.match(schemas.superuser, /type _superusers \{/);
    assert.match(schemas.superuser, /secret: String/);
    assert.doesNotMatch(schemas.superuser, /tokenKey/);
    assert.doesNotMatch(outputs(schemas.superuser), /password/);
  });

  test('lists answer what the REST list answers, for every caller', async () => {
    for (const client of [guest, people.alice.client, people.bob.client, pb]) {
      const rest = await client.collection('posts').getFullList({ sort: 'title', expand: 'author' });
      const { posts } = await data(server, client, '{ posts(order_by: [{title: asc}]) { id title views published tags author { id name } } }');
      assert.deepEqual(posts, rest.map((r) => ({
        id: r.id, title: r.title, views: r.views, published: r.published, tags: r.tags,
        author: r.expand?.author ? { id: r.expand.author.id, name: r.expand.author.name } : null,
      })));
      // A rule that walks a relation (comments of published posts).
      const restComments = await client.collection('comments').getFullList({ sort: 'body' });
      const { comments } = await data(server, client, '{ comments(order_by: [{body: asc}]) { id body } }');
      assert.deepEqual(comments, restComments.map((r) => ({ id: r.id, body: r.body })));
    }
  });

  test('where compiles like a REST filter, relations included', async () => {
    const cases = [
      ['{views: {_gt: 2}}', 'views > 2'],
      ['{_or: [{title: {_eq: "apple"}}, {views: {_gte: 10}}]}', 'title = "apple" || views >= 10'],
      ['{_not: {tags: {_contains: "red"}}}', 'tags:each != "red"'],
      ['{tags: {_contains_all: ["green", "blue"]}}', 'tags:each ?= "green" && tags:each ?= "blue"'],
      ['{title: {_in: ["apple", "cherry", "nope"]}}', 'title = "apple" || title = "cherry" || title = "nope"'],
      ['{author: {name: {_eq: "bob"}}}', 'author.name = "bob"'],
      ['{title: {_like: "an"}}', 'title ~ "an"'],
      ['{tags: {_is_null: true}}', 'tags:length = 0'],
    ];
    for (const client of [guest, people.alice.client, pb]) {
      for (const [where, filter] of cases) {
        const rest = await client.collection('posts').getFullList({ sort: 'title', filter });
        const { posts } = await data(server, client, `{ posts(where: ${where}, order_by: [{title: asc}]) { id } }`);
        assert.deepEqual(posts.map((p) => p.id), rest.map((r) => r.id), `${where} vs ${filter}`);
      }
    }
  });

  test('comparisons under one multiple relation read the same related record, as in REST', async () => {
    const labels = await pb.collections.create({
      name: 'labels', listRule: '', viewRule: '',
      fields: [{ name: 'name', type: 'text' }, { name: 'color', type: 'text' }],
    });
    await pb.collections.create({
      name: 'boards', listRule: '', viewRule: '',
      fields: [{ name: 'title', type: 'text' }, { name: 'labels', type: 'relation', collectionId: labels.id, maxSelect: 5 }],
    });
    const make = (name, color) => pb.collection('labels').create({ name, color });
    const [xBlue, yRed, xRed] = [await make('x', 'blue'), await make('y', 'red'), await make('x', 'red')];
    await pb.collection('boards').create({ title: 'split', labels: [xBlue.id, yRed.id] });
    await pb.collection('boards').create({ title: 'same', labels: [xRed.id] });
    const cases = [
      ['{labels: {name: {_eq: "x"}, color: {_eq: "red"}}}', 'labels.name ?= "x" && labels.color ?= "red"'],
      ['{_not: {labels: {name: {_eq: "y"}}}}', 'labels.name != "y"'],
      ['{labels: {color: {_in: ["red"]}}}', 'labels.color ?= "red"'],
    ];
    for (const [where, filter] of cases) {
      const rest = await guest.collection('boards').getFullList({ sort: 'title', filter });
      const { boards } = await data(server, guest, `{ boards(where: ${where}, order_by: [{title: asc}]) { title } }`);
      assert.deepEqual(boards.map((b) => b.title), rest.map((r) => r.title), where);
    }
    const { boards } = await data(server, guest, '{ boards(order_by: [{title: asc}]) { title labels(where: {color: {_eq: "red"}}) { name } } }');
    assert.deepEqual(boards, [{ title: 'same', labels: [{ name: 'x' }] }, { title: 'split', labels: [{ name: 'y' }] }]);
    // <relation>_aggregate and <back-relation>_aggregate: over the same records as the list.
    const agg = await data(server, guest, `{ boards(order_by: [{title: asc}]) { title
      labels_aggregate { aggregate { count } nodes { name } } } labels(order_by: [{color: asc}, {name: asc}]) {
      name boards_via_labels_aggregate { aggregate { count } } } }`);
    assert.deepEqual(agg.boards, [
      { title: 'same', labels_aggregate: { aggregate: { count: 1 }, nodes: [{ name: 'x' }] } },
      { title: 'split', labels_aggregate: { aggregate: { count: 2 }, nodes: [{ name: 'x' }, { name: 'y' }] } },
    ]);
    assert.deepEqual(agg.labels.map((l) => [l.name, l.boards_via_labels_aggregate.aggregate.count]), [['x', 1], ['x', 1], ['y', 1]]);
  });

  test('every field type answers the value REST shows, files with their URLs', async () => {
    await pb.collections.create({
      name: 'kinds', listRule: '', viewRule: '',
      fields: [
        { name: 'ratio', type: 'number' },
        { name: 'flag', type: 'bool' },
        { name: 'meta', type: 'json' },
        { name: 'spot', type: 'geoPoint' },
        { name: 'colors', type: 'select', values: ['red', 'green'], maxSelect: 2 },
        { name: 'when', type: 'date' },
        { name: 'doc', type: 'file', maxSelect: 1 },
        { name: 'docs', type: 'file', maxSelect: 3 },
      ],
    });
    const record = await pb.collection('kinds').create({
      ratio: 2.5, flag: true, meta: { a: [1, 'x'], b: null }, spot: { lon: 12.5, lat: -3.25 },
      colors: ['green', 'red'], when: '2024-05-06 07:08:09.123Z',
      doc: new File(['one'], 'one.txt'), docs: [new File(['a'], 'a.txt'), new File(['b'], 'b.txt')],
    });
    const rest = await guest.collection('kinds').getOne(record.id);
    const { kinds_by_pk: got } = await data(server, guest, `{ kinds_by_pk(id: "${record.id}") {
      id collectionId collectionName ratio flag meta spot { lon lat } colors when doc docs
      doc_url docs_url(thumb: "10x10") } }`);
    const path = (name, query = '') => `/api/files/${rest.collectionId}/${rest.id}/${name}${query}`;
    assert.deepEqual(got, {
      id: rest.id, collectionId: rest.collectionId, collectionName: 'kinds', ratio: rest.ratio,
      flag: rest.flag, meta: rest.meta, spot: rest.spot, colors: rest.colors, when: rest.when,
      doc: rest.doc, docs: rest.docs, doc_url: path(rest.doc), docs_url: rest.docs.map((d) => path(d, '?thumb=10x10')),
    });
    // The URL is the one the SDK builds, and it serves the file.
    assert.equal(new URL(pb.files.getURL(rest, rest.doc)).pathname, got.doc_url);
    assert.equal(await (await fetch(server.url + got.doc_url)).text(), 'one');
  });

  test('related records pass their own view rule; back-relations and nested lists have arguments', async () => {
    const query = `{ users(order_by: [{name: asc}], limit: 10) { name
      posts_via_author(order_by: [{views: desc}], limit: 1) { title }
      all: posts_via_author(order_by: [{title: asc}], limit: 10) { title comments_via_post(order_by: [{body: asc}]) { body } } } }`;
    const { users } = await data(server, guest, query);
    assert.deepEqual(users, [
      { name: 'alice', posts_via_author: [{ title: 'apple' }], all: [{ title: 'apple', comments_via_post: [{ body: 'nice' }] }] },
      { name: 'bob', posts_via_author: [{ title: 'cherry' }], all: [{ title: 'cherry', comments_via_post: [{ body: 'ok' }, { body: 'tasty' }] }] },
    ]);
    // Alice sees her draft through the back-relation too (the posts' view rule holds for her).
    const mine = await data(server, people.alice.client, '{ users(where: {name: {_eq: "alice"}}) { posts_via_author(order_by: [{title: asc}]) { title } } }');
    assert.deepEqual(mine.users[0].posts_via_author.map((p) => p.title), ['apple', 'banana']);
  });

  test('email visibility and hidden fields follow the REST answers', async () => {
    for (const client of [guest, people.alice.client, people.bob.client, pb]) {
      const rest = await client.collection('users').getFullList({ sort: 'name' });
      const { users } = await data(server, client, '{ users(order_by: [{name: asc}]) { id email emailVisibility } }');
      assert.deepEqual(users, rest.map((r) => ({ id: r.id, email: r.email ?? null, emailVisibility: r.emailVisibility })));
    }
    const hidden = await gql(server, people.alice.client, '{ posts { secret } }');
    assert.equal(hidden.status, 200);
    assert.equal(hidden.body.errors[0].extensions.code, 'validation-failed');
    const { posts } = await data(server, pb, '{ posts(order_by: [{title: asc}], limit: 1) { secret } }');
    assert.deepEqual(posts, [{ secret: 's-apple' }]);
  });

  test('_by_pk answers the record the view rule lets through, else null', async () => {
    const [draft] = await pb.collection('posts').getFullList({ filter: 'title = "banana"' });
    const query = 'query($id: String!) { posts_by_pk(id: $id) { title author { name } } }';
    assert.deepEqual((await data(server, guest, query, { id: draft.id })).posts_by_pk, null);
    assert.deepEqual((await data(server, people.bob.client, query, { id: draft.id })).posts_by_pk, null);
    assert.deepEqual((await data(server, people.alice.client, query, { id: draft.id })).posts_by_pk, { title: 'banana', author: { name: 'alice' } });
    assert.deepEqual((await data(server, guest, query, { id: 'nope' })).posts_by_pk, null);
  });

  test('aggregates count and sum the records the list rule lets through', async () => {
    for (const client of [guest, people.alice.client, pb]) {
      const rest = await client.collection('posts').getFullList({ sort: 'title' });
      const { posts_aggregate: agg } = await data(server, client,
        '{ posts_aggregate(order_by: [{title: asc}]) { aggregate { count sum { views } max { views title } } nodes { id } } }');
      assert.equal(agg.aggregate.count, rest.length);
      assert.equal(agg.aggregate.sum.views, rest.reduce((s, r) => s + r.views, 0));
      assert.equal(agg.aggregate.max.views, Math.max(...rest.map((r) => r.views)));
      assert.equal(agg.aggregate.max.title, rest.map((r) => r.title).sort().at(-1));
      assert.deepEqual(agg.nodes.map((n) => n.id), rest.map((r) => r.id));
    }
  });

  test('errors: field errors carry path, locations and a code; request errors follow the media type', async () => {
    const over = await gql(server, guest, '{ __typename posts(limit: 5000) { id } }');
    assert.equal(over.status, 200);
    assert.equal(over.body.data, null); // posts is non-null: the error nulls data
    assert.deepEqual(over.body.errors[0].path, ['posts']);
    assert.deepEqual(over.body.errors[0].locations, [{ line: 1, column: 14 }]);
    assert.equal(over.body.errors[0].extensions.code, 'limit-exceeded');
    const negative = await gql(server, guest, '{ posts_by_pk(id: "x") { id } posts(offset: -1) { id } }');
    assert.equal(negative.body.errors[0].extensions.code, 'validation-failed');

    const unknown = await gql(server, guest, '{ vault { code } }', undefined, 'application/graphql-response+json');
    assert.equal(unknown.status, 400);
    assert.match(unknown.type, /^application\/graphql-response\+json/);
    assert.equal(unknown.body.data, undefined);
    assert.equal(unknown.body.errors[0].extensions.code, 'validation-failed');

    const mutation = await fetch(`${server.url}/api/graphql?query=${encodeURIComponent('mutation { __typename }')}`);
    assert.equal(mutation.status, 405);
    assert.equal(mutation.headers.get('allow'), 'POST');
    const viaGet = await fetch(`${server.url}/api/graphql?query=${encodeURIComponent('{ posts(where: {title: {_eq: "apple"}}) { title } }')}`);
    assert.deepEqual(await viaGet.json(), { data: { posts: [{ title: 'apple' }] } });
  });

  test('bad input is a GraphQL error, never a failure of the server', async () => {
    const code = async (query, variables) => {
      const { status, body } = await gql(server, guest, query, variables);
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(body.errors?.length, JSON.stringify(body));
      return body.errors[0].extensions.code;
    };
    const many = Array.from({ length: 201 }, (_, i) => `{views: {_eq: ${i}}}`).join(', ');
    assert.equal(await code(`{ posts(where: {_or: [${many}]}) { id } }`), 'limit-exceeded');
    const nine = Array.from({ length: 9 }, () => '{title: asc}').join(', ');
    assert.equal(await code(`{ posts(order_by: [${nine}]) { id } }`), 'limit-exceeded');
    let deep = '{title: {_eq: "apple"}}';
    for (let i = 0; i < 20; ++i) deep = `{_not: {_not: ${deep}}}`;
    assert.deepEqual((await data(server, guest, `{ posts(where: ${deep}) { title } }`)).posts, [{ title: 'apple' }]);
    assert.equal(await code('{ posts(where: {author: {name: {_eq: 5}}}) { id } }'), 'validation-failed');
    assert.equal(await code('query($w: posts_bool_exp) { posts(where: $w) { id } }', { w: { nope: 1 } }), 'validation-failed');
    assert.equal(await code('{ a1: __typename a2: __typename }'.replace('a2', 'a1: posts { id } a2')), 'validation-failed');
    const aliases = Array.from({ length: 101 }, (_, i) => `a${i}: __typename`).join(' ');
    assert.equal(await code(`{ ${aliases} }`), 'limit-exceeded');
    // Three nested lists at the default limit could return 10^9 records: refused before running;
    // with limits they run.
    assert.equal(await code('{ users { posts_via_author { comments_via_post { id } } } }'), 'limit-exceeded');
    await data(server, guest, '{ users(limit: 10) { posts_via_author(limit: 10) { comments_via_post { id } } } }');
    // Relation levels: at most 6 (REST expand's depth); a statement SQLite's parser cannot
    // take (rules and where arguments at every level) is the same error, never an internal one.
    let chain = 'title';
    for (let i = 0; i < 7; ++i) chain = i % 2 === 0 ? `author { name ${chain === 'title' ? '' : chain} }` : `posts_via_author(limit: 1) { ${chain} }`;
    assert.equal(await code(`{ posts(limit: 1) { ${chain} } }`), 'limit-exceeded');
    const heavyLevel = (inner) => `author { email posts_via_author(limit: 1, where: {author: {email: {_neq: "x"}}}, order_by: [{author: {name: asc}}]) { title ${inner} } }`;
    const heavy = await gql(server, people.alice.client, `{ posts(limit: 1) { ${heavyLevel(heavyLevel(heavyLevel('')))} } }`);
    assert.equal(heavy.body.errors[0].extensions.code, 'limit-exceeded', JSON.stringify(heavy.body));
    let nested = 'id';
    for (let i = 0; i < 12; ++i) nested = `author { posts_via_author { ${nested} } }`;
    assert.equal(await code(`{ posts { ${nested} } }`), 'limit-exceeded');
    // A single value where a list is expected is a list of one; variables work in where.
    const literal = await data(server, guest, '{ posts(where: {title: {_in: "cherry"}, _and: {views: {_gte: 0}}}) { title } }');
    assert.deepEqual(literal.posts, [{ title: 'cherry' }]);
    const variable = await data(server, guest, 'query($w: posts_bool_exp) { posts(where: $w) { title } }',
      { w: { title: { _in: 'cherry' }, _and: { views: { _gte: 0 } } } });
    assert.deepEqual(variable.posts, [{ title: 'cherry' }]);
    const unknownOperation = await fetch(`${server.url}/api/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query A { __typename }', operationName: 'B' }),
    });
    assert.equal(unknownOperation.status, 200);
    assert.equal((await unknownOperation.json()).errors[0].extensions.code, 'validation-failed');
  });

  test('settings.graphql bounds lists and can keep introspection to superusers', async () => {
    await pb.settings.update({ graphql: { maxLimit: 2, superuserOnlyIntrospection: true } });
    try {
      const { posts } = await data(server, pb, '{ posts { id } }');
      assert.equal(posts.length, 2); // the default limit is the bound
      // An aggregate counts every record; its nodes are the page.
      const all = await pb.collection('posts').getFullList();
      const agg = (await data(server, pb, '{ posts_aggregate { aggregate { count } nodes { id } } }')).posts_aggregate;
      assert.equal(agg.aggregate.count, all.length);
      assert.equal(agg.nodes.length, 2);
      const paged = (await data(server, pb, '{ posts_aggregate(limit: 1, offset: 1) { aggregate { count } } }')).posts_aggregate;
      assert.equal(paged.aggregate.count, 1);
      const over = await gql(server, pb, '{ posts(limit: 3) { id } }');
      assert.equal(over.body.errors[0].extensions.code, 'limit-exceeded');
      const denied = await gql(server, guest, '{ __schema { queryType { name } } }');
      assert.equal(denied.body.errors[0].extensions.code, 'permission-denied');
      assert.deepEqual((await data(server, pb, '{ __type(name: "posts") { name } }')).__type, { name: 'posts' });
    } finally {
      await pb.settings.update({ graphql: { maxLimit: 1000, superuserOnlyIntrospection: false } });
    }
    await assert.rejects(pb.settings.update({ graphql: { maxLimit: 5000 } }), (error) => {
      assert.equal(error.status, 400);
      assert.equal(error.response.data.graphql.maxLimit.code, 'validation_max_less_equal_than_required');
      return true;
    });
  });

  test('collection names that are not GraphQL names are refused', async () => {
    for (const name of ['1posts', '__posts', 'posts_bool_exp', 'String']) {
      await assert.rejects(pb.collections.create({ name, fields: [] }), (error) => {
        assert.equal(error.status, 400);
        assert.equal(error.response.data.name.code, 'validation_collection_name_graphql', name);
        return true;
      });
    }
  });

  test('a new collection shows up in the schema after the change', async () => {
    await pb.collections.create({ name: 'notes', listRule: '', fields: [{ name: 'text', type: 'text' }] });
    await pb.collection('notes').create({ text: 'hi' });
    assert.deepEqual((await data(server, guest, '{ notes { text } }')).notes, [{ text: 'hi' }]);
    await pb.collections.delete('notes');
    const gone = await gql(server, guest, '{ notes { text } }');
    assert.equal(gone.body.errors[0].extensions.code, 'validation-failed');
  });

  // Last: it spends Alice's requests.
  test('the route wrapper applies settings.rateLimits as for REST', async () => {
    await pb.settings.update({
      rateLimits: { enabled: true, rules: [{ label: '/api/graphql', audience: '@auth', duration: 60, maxRequests: 2 }] },
    });
    try {
      for (let i = 0; i < 2; ++i) assert.equal((await gql(server, people.alice.client, '{ __typename }')).status, 200);
      const limited = await gql(server, people.alice.client, '{ __typename }');
      assert.equal(limited.status, 429);
      assert.equal((await gql(server, guest, '{ __typename }')).status, 200); // another audience
    } finally {
      await pb.settings.update({ rateLimits: { enabled: false } });
    }
  });
});
