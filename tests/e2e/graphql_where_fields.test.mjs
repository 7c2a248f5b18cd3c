// `where` on json and geoPoint fields and through back-relations (docs/graphql.md, "`where`"),
// each compared with what the official SDK gets from the REST filter that means the same, as
// the same caller: the rows must be the same ids in the same order.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';

const superuser = { email: 'where@example.com', password: 'where password 123' };
let server;
let admin;
let guest;

before(async () => {
  server = await startServer({ superuser });
  admin = new PocketBase(server.url);
  await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  guest = new PocketBase(server.url);
  const places = await admin.collections.create({
    name: 'wf_places', listRule: '', viewRule: '',
    fields: [{ name: 'name', type: 'text' }, { name: 'data', type: 'json' }, { name: 'loc', type: 'geoPoint' }],
  });
  await admin.collections.create({
    name: 'wf_visits', listRule: 'public = true', viewRule: 'public = true',
    fields: [
      { name: 'note', type: 'text' }, { name: 'public', type: 'bool' },
      { name: 'secret', type: 'text', hidden: true },
      { name: 'place', type: 'relation', collectionId: places.id, maxSelect: 1 },
    ],
  });
  const rows = [
    { name: 'a', data: { k: 1 }, loc: { lon: 10, lat: 20 } },
    { name: 'b', data: 'text', loc: { lon: -5, lat: 40 } },
    { name: 'c', data: 5, loc: { lon: -7, lat: 10 } },
    { name: 'd', data: true, loc: { lon: 0, lat: 0 } },
    { name: 'e', data: null },
  ];
  const ids = {};
  for (const row of rows) ids[row.name] = (await admin.collection('wf_places').create(row)).id;
  await admin.collection('wf_visits').create({ note: 'open', public: true, secret: 's', place: ids.a });
  await admin.collection('wf_visits').create({ note: 'hidden', public: false, place: ids.b });
  await admin.collection('wf_visits').create({ note: 'open', public: true, place: ids.c });
  await admin.collection('wf_visits').create({ note: 'again', public: true, place: ids.c });
});
after(async () => { await server?.stop(); });

async function graphql(pb, query) {
  const response = await fetch(`${server.url}/api/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(pb.authStore.token ? { Authorization: pb.authStore.token } : {}) },
    body: JSON.stringify({ query }),
  });
  return response.json();
}

async function same(pb, filter, where) {
  const rest = await pb.collection('wf_places').getFullList({ filter, sort: 'name' });
  const body = await graphql(pb, `{ wf_places(where: ${where}, order_by: [{name: asc}]) { id name } }`);
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  assert.deepEqual(body.data.wf_places.map((r) => r.id), rest.map((r) => r.id), `${filter} vs ${where}`);
  return rest.map((r) => r.name).join('');
}

test('json comparisons answer as the REST filter does', async () => {
  assert.equal(await same(guest, 'data = "text"', '{data: {_eq: "text"}}'), 'b');
  assert.equal(await same(guest, 'data = 5', '{data: {_eq: 5}}'), 'c');
  assert.equal(await same(guest, 'data = true', '{data: {_eq: true}}'), 'd');
  await same(guest, 'data != "text"', '{data: {_neq: "text"}}');
  await same(guest, 'data > 3', '{data: {_gt: 3}}');
  await same(guest, 'data = null', '{data: {_is_null: true}}');
  await same(guest, 'data != null', '{data: {_is_null: false}}');
  await same(guest, 'data ~ "ex"', '{data: {_like: "ex"}}');
  await same(guest, 'data = 5 || data = "text"', '{data: {_in: [5, "text"]}}');
});

test('an object operand is a validation-failed field error', async () => {
  const body = await graphql(guest, '{ wf_places(where: {data: {_eq: {k: 1}}}) { id } }');
  assert.equal(body.errors[0].extensions.code, 'validation-failed');
});

test('geoPoint comparisons go through lon and lat, as REST paths do', async () => {
  assert.equal(await same(guest, 'loc.lon > 0', '{loc: {lon: {_gt: 0}}}'), 'a');
  await same(guest, 'loc.lat >= 30 && loc.lon < 0', '{loc: {lat: {_gte: 30}, lon: {_lt: 0}}}');
  await same(guest, 'loc.lon >= 0', '{_not: {loc: {lon: {_lt: 0}}}}');
});

test('json paths (_path) and geoDistance() (_distance) answer as the REST filter does', async () => {
  assert.equal(await same(guest, 'data.k = 1', '{data: {_path: "k", _eq: 1}}'), 'a');
  await same(guest, 'data.k != 1', '{_not: {data: {_path: "k", _eq: 1}}}');
  await same(guest, 'data.k = null', '{data: {_path: "k", _is_null: true}}');
  await same(guest, 'data.k > 0 && data.k < 2', '{data: {_path: "k", _gt: 0, _lt: 2}}');
  assert.equal(await same(guest, 'geoDistance(loc.lon, loc.lat, 10, 20) < 1500',
    '{loc: {_distance: {lon: 10, lat: 20, _lt: 1500}}}'), 'a');
  await same(guest, 'geoDistance(loc.lon, loc.lat, 0, 0) <= 2500 && geoDistance(loc.lon, loc.lat, 0, 0) > 1',
    '{loc: {_distance: {lon: 0, lat: 0, _lte: 2500, _gt: 1}}}');
  await same(guest, 'geoDistance(loc.lon, loc.lat, 10, 20) >= 1500',
    '{_not: {loc: {_distance: {lon: 10, lat: 20, _lt: 1500}}}}');
  const bad = await graphql(guest, '{ wf_places(where: {data: {_path: "k..j", _eq: 1}}) { id } }');
  assert.equal(bad.errors[0].extensions.code, 'validation-failed');
});

test('back-relations in where: any-of, under the related listRule, hidden fields refused', async () => {
  // The hidden visit of b does not count for a guest; a superuser sees it.
  assert.equal(await same(guest, 'wf_visits_via_place.note ?= "hidden"', '{wf_visits_via_place: {note: {_eq: "hidden"}}}'), '');
  assert.equal(await same(admin, 'wf_visits_via_place.note ?= "hidden"', '{wf_visits_via_place: {note: {_eq: "hidden"}}}'), 'b');
  assert.equal(await same(guest, 'wf_visits_via_place.note ?= "open"', '{wf_visits_via_place: {note: {_eq: "open"}}}'), 'ac');
  // All-of: REST's plain operator on the multi-valued path, where's _not of the complement.
  await same(guest, 'wf_visits_via_place.note = "open"', '{_not: {wf_visits_via_place: {note: {_neq: "open"}}}}');
  await same(admin, 'wf_visits_via_place.secret ?= "s"', '{wf_visits_via_place: {secret: {_eq: "s"}}}');
  const refused = await graphql(guest, '{ wf_places(where: {wf_visits_via_place: {secret: {_eq: "s"}}}) { id } }');
  assert.equal(refused.data, undefined);
  assert.ok(refused.errors.length > 0);
});

test('order_by a back-relation count: the count the aggregate field shows the same caller', async () => {
  const query = `{ wf_places(order_by: [{wf_visits_via_place_aggregate: {count: desc}}, {name: asc}]) {
    name wf_visits_via_place_aggregate { aggregate { count } } } }`;
  const asGuest = (await graphql(guest, query)).data.wf_places;
  assert.deepEqual(asGuest.map((r) => `${r.name}${r.wf_visits_via_place_aggregate.aggregate.count}`), ['c2', 'a1', 'b0', 'd0', 'e0']);
  const asAdmin = (await graphql(admin, query)).data.wf_places;
  assert.deepEqual(asAdmin.map((r) => `${r.name}${r.wf_visits_via_place_aggregate.aggregate.count}`), ['c2', 'a1', 'b1', 'd0', 'e0']);
});
