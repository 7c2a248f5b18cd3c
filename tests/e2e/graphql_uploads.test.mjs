// File uploads in GraphQL mutations (docs/graphql.md, "Uploads"): the GraphQL multipart request
// convention (`operations`, `map`, files) sent with fetch + FormData; the files go through the
// REST file path (field limits, storage) and are read back through /api/files; every malformed
// request is a 400, and a refused file writes nothing.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

describe('GraphQL uploads', () => {
  let server;
  let pb;
  let docs;

  before(async () => {
    server = await startServer({ superuser });
    pb = new PocketBase(server.url);
    await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
    docs = await pb.collections.create({
      name: 'docs',
      listRule: '',
      viewRule: '',
      createRule: '',
      updateRule: '',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'cover', type: 'file', maxSelect: 1, maxSize: 1000 },
        { name: 'files', type: 'file', maxSelect: 3, maxSize: 1000 },
      ],
    });
  });

  after(async () => {
    await server?.stop();
  });

  // POSTs a GraphQL multipart request; `files` maps part names to [name, text].
  async function multipart(operations, map, files, fields = {}) {
    const form = new FormData();
    form.append('operations', typeof operations === 'string' ? operations : JSON.stringify(operations));
    if (map !== undefined) form.append('map', typeof map === 'string' ? map : JSON.stringify(map));
    for (const [part, [name, text]] of Object.entries(files)) {
      form.append(part, new Blob([text], { type: 'text/plain' }), name);
    }
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    const res = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: form,
    });
    return { status: res.status, body: await res.json() };
  }

  async function count() {
    return (await pb.collection('docs').getList(1, 1)).totalItems;
  }

  test('an insert with uploads stores them; /api/files serves them back', async () => {
    const { status, body } = await multipart(
      {
        query: `mutation($cover: Upload, $files: [Upload!]) {
          insert_docs_one(object: {title: "report", cover: $cover, files: $files}) { id cover files cover_url }
        }`,
        variables: { cover: null, files: [null, null] },
      },
      { c: ['variables.cover'], f0: ['variables.files.0'], f1: ['variables.files.1'] },
      { c: ['cover.txt', 'the cover'], f0: ['one.txt', 'first file'], f1: ['two.txt', 'second file'] },
    );
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.errors, undefined, JSON.stringify(body));
    const record = body.data.insert_docs_one;
    assert.match(record.cover, /^cover_\w+\.txt$/);
    assert.equal(record.files.length, 2);
    assert.equal(record.cover_url, `/api/files/${docs.id}/${record.id}/${record.cover}`);
    const served = await fetch(`${server.url}/api/files/${docs.id}/${record.id}/${record.cover}`);
    assert.equal(served.status, 200);
    assert.equal(await served.text(), 'the cover');
    const second = await fetch(pb.files.getURL({ ...record, collectionId: docs.id }, record.files[1]));
    assert.equal(await second.text(), 'second file');
    // REST sees the same record.
    const rest = await pb.collection('docs').getOne(record.id);
    assert.deepEqual(rest.files, record.files);
  });

  test('an update keeps the names it sends beside the new file', async () => {
    const created = await multipart(
      {
        query: 'mutation($f: [Upload!]) { insert_docs_one(object: {title: "u", files: $f}) { id files } }',
        variables: { f: [null] },
      },
      { 0: ['variables.f.0'] },
      { 0: ['keep.txt', 'kept'] },
    );
    const { id, files } = created.body.data.insert_docs_one;
    const { body } = await multipart(
      {
        query: `mutation($id: String!, $f: [Upload!]) {
          update_docs_by_pk(id: $id, _set: {files: $f}) { files }
        }`,
        variables: { id, f: [files[0], null] },
      },
      { 0: ['variables.f.1'] },
      { 0: ['added.txt', 'added'] },
    );
    assert.equal(body.errors, undefined, JSON.stringify(body));
    assert.equal(body.data.update_docs_by_pk.files.length, 2);
    assert.equal(body.data.update_docs_by_pk.files[0], files[0]);
  });

  test("a file past its field's maxSize is validation-failed and nothing is written", async () => {
    const before = await count();
    const { status, body } = await multipart(
      {
        query: 'mutation($c: Upload) { insert_docs_one(object: {title: "big", cover: $c}) { id } }',
        variables: { c: null },
      },
      { 0: ['variables.c'] },
      { 0: ['big.txt', 'x'.repeat(5000)] },
    );
    assert.equal(status, 200);
    assert.equal(body.data.insert_docs_one, null);
    assert.equal(body.errors[0].extensions.code, 'validation-failed');
    assert.ok(body.errors[0].extensions.data.cover, JSON.stringify(body.errors[0]));
    assert.equal(await count(), before);
  });

  test('a file mapped to a place that is no file field writes nothing', async () => {
    const before = await count();
    // A String variable: the file is no string (variable coercion refuses it).
    const asTitle = await multipart(
      { query: 'mutation($t: String) { insert_docs_one(object: {title: $t}) { id } }', variables: { t: null } },
      { 0: ['variables.t'] },
      { 0: ['stray.txt', 'stray'] },
    );
    assert.equal(asTitle.body.data, undefined);
    assert.match(asTitle.body.errors[0].message, /String cannot represent/);
    // An update that selects no record: the file is left over, and nothing is written.
    const unused = await multipart(
      {
        query: `mutation($c: Upload) {
          insert_docs_one(object: {title: "would be written"}) { id }
          update_docs(where: {title: {_eq: "no such doc"}}, _set: {cover: $c}) { affected_rows }
        }`,
        variables: { c: null },
      },
      { 0: ['variables.c'] },
      { 0: ['stray.txt', 'stray'] },
    );
    assert.deepEqual(unused.body.data, { insert_docs_one: null, update_docs: null });
    assert.equal(unused.body.errors[0].extensions.code, 'validation-failed');
    assert.match(unused.body.errors[0].message, /not the value of a file field/);
    assert.equal(await count(), before);
  });

  test('every malformed multipart request is a 400 with a GraphQL error', async () => {
    const insert = {
      query: 'mutation($c: Upload) { insert_docs_one(object: {cover: $c}) { id } }',
      variables: { c: null },
    };
    const cases = [
      ['operations is not JSON', ['{nope', { 0: ['variables.c'] }, { 0: ['a.txt', 'a'] }]],
      ['batched operations', [[insert], { 0: ['0.variables.c'] }, { 0: ['a.txt', 'a'] }]],
      ['map missing', [insert, undefined, { 0: ['a.txt', 'a'] }]],
      ['map is not an object', [insert, '[1]', { 0: ['a.txt', 'a'] }]],
      ['a path outside the variables', [insert, { 0: ['query'] }, { 0: ['a.txt', 'a'] }]],
      ['a path to nothing', [insert, { 0: ['variables.nothing'] }, { 0: ['a.txt', 'a'] }]],
      ['two paths for a file', [insert, { 0: ['variables.c', 'variables.c'] }, { 0: ['a.txt', 'a'] }]],
      ['a mapped file not sent', [insert, { 0: ['variables.c'] }, {}]],
      ['a file not in the map', [insert, { 0: ['variables.c'] }, { 0: ['a.txt', 'a'], 1: ['b.txt', 'b'] }]],
    ];
    const before = await count();
    for (const [name, args] of cases) {
      const { status, body } = await multipart(...args);
      assert.equal(status, 400, name);
      assert.ok(body.errors?.[0]?.message, `${name}: ${JSON.stringify(body)}`);
    }
    const extra = await multipart(insert, { 0: ['variables.c'] }, { 0: ['a.txt', 'a'] }, { other: 'x' });
    assert.equal(extra.status, 400);
    const tooMany = {};
    const map = {};
    for (let i = 0; i < 101; i += 1) {
      tooMany[i] = ['f.txt', 'f'];
      map[i] = ['variables.c'];
    }
    assert.equal((await multipart(insert, map, tooMany)).status, 400);
    assert.equal(await count(), before);
  });

  test('a query with files is refused; a marker in a JSON request names no file', async () => {
    const { body } = await multipart(
      { query: '{ docs { id } }', variables: { c: null } },
      { 0: ['variables.c'] },
      { 0: ['a.txt', 'a'] },
    );
    assert.match(body.errors[0].message, /mutation only/);
    const res = await fetch(`${server.url}/api/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: 'mutation($c: Upload) { insert_docs_one(object: {cover: $c}) { id } }',
        variables: { c: { __basalt_upload: 0 } },
      }),
    });
    const answer = await res.json();
    assert.equal(answer.data.insert_docs_one, null);
    assert.match(answer.errors[0].message, /names no file/);
  });
});
