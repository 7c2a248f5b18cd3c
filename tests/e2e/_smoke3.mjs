import PocketBase from 'pocketbase';
import { startServer } from './server.mjs';
const superuser = { email: 'admin@example.com', password: 'correct horse battery' };
const server = await startServer({ superuser, args: ['--log-level', 'debug'] }).catch(async (e) => { console.log(e.message.slice(0, 2000)); process.exit(1); });
try {
  const pb = new PocketBase(server.url);
  await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  await pb.collections.update('users', { listRule: 'id != ""', viewRule: 'id != ""' });
  const users = await pb.collections.getOne('users');
  await pb.collections.create({ name: 'posts', listRule: 'author.id != ""', viewRule: 'author.id != ""', fields: [{ name: 'title', type: 'text' }, { name: 'author', type: 'relation', collectionId: users.id, maxSelect: 1 }] });
  const u = await pb.collection('users').create({ email: 'a@x.com', password: 'password123', passwordConfirm: 'password123', name: 'Ann' });
  await pb.collection('posts').create({ title: 't', author: u.id });
  for (const depth of [1, 2, 3, 4, 5]) {
    let sel = 'title';
    for (let i = 0; i < depth; ++i) sel = `title author { name posts_via_author(limit: 2) { ${sel} } }`;
    const q = `{ posts(limit: 2) { ${sel} } }`;
    const r = await fetch(server.url + '/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
    console.log(depth, (await r.text()).slice(0, 150));
  }
} finally { await server.stop(); }
