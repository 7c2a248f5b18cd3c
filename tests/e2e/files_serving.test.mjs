// Serving stored files through the official SDK: pb.files.getURL (with thumb, download, token)
// and pb.files.getToken (docs/files.md, "Serving").
//
// The cases that need a stored file create it by uploading a Blob with the SDK. Every case runs
// against both storage backends (storage_backends.mjs): the data directory (served with
// sendfile) and an S3 bucket on a signature-checking s3rver (served in chunks read from S3).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import PocketBase from 'pocketbase';
import { rejectsWith } from './assertions.mjs';
import { bandedPng, pngSize } from './png.mjs';
import { startServer } from './server.mjs';
import { BACKENDS, useBackend } from './storage_backends.mjs';

const superuser = { email: 'admin@example.com', password: 'correct horse battery' };

function payload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

for (const backend of BACKENDS) {
  describe(`files serving (${backend} storage)`, () => {
    let server;
    let pb; // superuser
    let guest;
    let store;
    let collections = {};

    before(async () => {
      server = await startServer({ superuser });
      pb = new PocketBase(server.url);
      guest = new PocketBase(server.url);
      await pb.collection('_superusers').authWithPassword(superuser.email, superuser.password);
      store = await useBackend(backend, server, pb);
      collections.docs = await pb.collections.create({
        name: 'docs',
        type: 'base',
        // Protected files need a viewer the viewRule admits; an empty rule would admit everyone.
        listRule: '@request.auth.id != ""',
        viewRule: '@request.auth.id != ""',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'image', type: 'file', maxSelect: 1, maxSize: 5 << 20, thumbs: ['50x30t', '40x40f'] },
          { name: 'secret', type: 'file', maxSelect: 1, protected: true },
        ],
      });
    });

    after(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('getToken gives an auth record a short-lived file token', async () => {
      const token = await pb.files.getToken();
      assert.equal(typeof token, 'string');
      const claims = payload(token);
      assert.equal(claims.type, 'file');
      assert.equal(claims.id, pb.authStore.record.id);
      assert.equal(claims.collectionId, pb.authStore.record.collectionId);
      const lifetime = claims.exp - Math.floor(Date.now() / 1000);
      assert.ok(lifetime > 0 && lifetime <= 180, `lifetime ${lifetime}`);
    });

    test('getToken needs an auth record', async () => {
      await rejectsWith(guest.files.getToken(), 401);
    });

    test('a file of an unknown collection or record is 404', async () => {
      const record = { collectionId: collections.docs.id, collectionName: 'docs', id: 'nope12345678901' };
      for (const url of [
        guest.files.getURL(record, 'a.png'),
        guest.files.getURL({ ...record, collectionId: 'missing', collectionName: 'missing' }, 'a.png'),
      ]) {
        const response = await fetch(url);
        assert.equal(response.status, 404);
        assert.deepEqual(await response.json(), {
          data: {},
          message: "The requested resource wasn't found.",
          status: 404,
        });
      }
    });

    describe('with an uploaded file', () => {
      const png = bandedPng(300, 600);
      let record;

      const upload = async () => {
        if (record) return record;
        const form = new FormData();
        form.append('title', 'bands');
        form.append('image', new Blob([png], { type: 'image/png' }), 'bands.png');
        form.append('secret', new Blob(['top secret\n'], { type: 'text/plain' }), 'secret.txt');
        record = await pb.collection('docs').create(form);
        const stored = await store.read(`${record.collectionId}/${record.id}/${record.image}`);
        assert.ok(stored?.equals(png), `the upload is in ${backend} storage`);
        return record;
      };

      test('getURL serves the original inline with its headers', async () => {
        const r = await upload();
        const response = await fetch(guest.files.getURL(r, r.image));
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'image/png');
        assert.equal(response.headers.get('content-disposition'), `inline; filename=${r.image}`);
        assert.equal(response.headers.get('cache-control'), 'max-age=2592000, stale-while-revalidate=86400');
        assert.ok(Buffer.from(await response.arrayBuffer()).equals(png));
      });

      test('download makes it an attachment', async () => {
        const r = await upload();
        const response = await fetch(guest.files.getURL(r, r.image, { download: true }));
        assert.equal(response.headers.get('content-disposition'), `attachment; filename=${r.image}`);
      });

      test('thumbs of allowed sizes, the original otherwise', async () => {
        const r = await upload();
        for (const [thumb, size] of [
          ['100x100', { width: 100, height: 100 }],
          ['50x30t', { width: 50, height: 30 }],
          ['40x40f', { width: 20, height: 40 }],
          ['70x70', { width: 300, height: 600 }], // not listed: the original
        ]) {
          const response = await fetch(guest.files.getURL(r, r.image, { thumb }));
          assert.equal(response.status, 200, thumb);
          assert.deepEqual(pngSize(Buffer.from(await response.arrayBuffer())), size, thumb);
        }
        // Made once, stored beside the original in the same backend; the unlisted size made none.
        const prefix = `${r.collectionId}/${r.id}/`;
        const thumbs = `thumbs_${r.image}/`;
        assert.deepEqual(await store.list(prefix), [
          prefix + r.image,
          prefix + r.secret,
          `${prefix}${thumbs}100x100_${r.image}`,
          `${prefix}${thumbs}40x40f_${r.image}`,
          `${prefix}${thumbs}50x30t_${r.image}`,
        ].sort());
        // A second request serves the stored thumbnail, with its own validators.
        const again = await fetch(guest.files.getURL(r, r.image, { thumb: '50x30t' }));
        assert.equal(again.status, 200);
        const bytes = Buffer.from(await again.arrayBuffer());
        assert.ok(bytes.equals(await store.read(`${prefix}${thumbs}50x30t_${r.image}`)));
        const etag = again.headers.get('etag');
        assert.ok(etag);
        const cached = await fetch(guest.files.getURL(r, r.image, { thumb: '50x30t' }), {
          headers: { 'If-None-Match': etag },
        });
        assert.equal(cached.status, 304);
      });

      test('a protected file needs a file token', async () => {
        const r = await upload();
        const plain = await fetch(guest.files.getURL(r, r.secret));
        assert.equal(plain.status, 404);
        const token = await pb.files.getToken();
        const withToken = await fetch(pb.files.getURL(r, r.secret, { token }));
        assert.equal(withToken.status, 200);
        assert.equal(await withToken.text(), 'top secret\n');
      });

      test('range and conditional requests', async () => {
        const r = await upload();
        const url = guest.files.getURL(r, r.image);
        const part = await fetch(url, { headers: { Range: 'bytes=0-7' } });
        assert.equal(part.status, 206);
        assert.equal(part.headers.get('content-range'), `bytes 0-7/${png.length}`);
        assert.ok(Buffer.from(await part.arrayBuffer()).equals(png.subarray(0, 8)));
        const tail = await fetch(url, { headers: { Range: 'bytes=-5' } });
        assert.equal(tail.status, 206);
        assert.ok(Buffer.from(await tail.arrayBuffer()).equals(png.subarray(png.length - 5)));
        const past = await fetch(url, { headers: { Range: `bytes=${png.length}-` } });
        assert.equal(past.status, 416);
        assert.equal(past.headers.get('content-range'), `bytes */${png.length}`);
        const full = await fetch(url);
        const etag = full.headers.get('etag');
        const modified = full.headers.get('last-modified');
        assert.ok(etag && modified, 'validators');
        const cached = await fetch(url, { headers: { 'If-None-Match': etag } });
        assert.equal(cached.status, 304);
        const unchanged = await fetch(url, { headers: { 'If-Modified-Since': modified } });
        assert.equal(unchanged.status, 304);
        const mismatch = await fetch(url, { headers: { 'If-Match': '"not-it"' } });
        assert.equal(mismatch.status, 412);
        const head = await fetch(url, { method: 'HEAD' });
        assert.equal(head.status, 200);
        assert.equal(head.headers.get('content-length'), String(png.length));
        assert.equal(head.headers.get('etag'), etag);
      });

      test('a file named by the record but missing from storage is 404', async () => {
        const r = await pb.collection('docs').create({
          image: new Blob([png], { type: 'image/png' }),
        });
        await store.remove(`${r.collectionId}/${r.id}/${r.image}`);
        for (const options of [{}, { thumb: '100x100' }]) {
          const response = await fetch(guest.files.getURL(r, r.image, options));
          assert.equal(response.status, 404, JSON.stringify(options));
          assert.equal((await response.json()).message, "The requested resource wasn't found.");
        }
        assert.deepEqual(await store.list(`${r.collectionId}/${r.id}/`), []);
      });

      test('a file larger than a read chunk is served whole and in ranges', async () => {
        // 1 MiB + 3 bytes: several 256 KiB chunks of a remote read, and a short last one.
        const big = Buffer.alloc((1 << 20) + 3);
        for (let i = 0; i < big.length; i++) big[i] = (i * 7919 + (i >> 8)) & 0xff;
        const r = await pb.collection('docs').create({
          image: new Blob([big], { type: 'application/octet-stream' }),
        });
        const url = guest.files.getURL(r, r.image);
        const whole = await fetch(url);
        assert.equal(whole.status, 200);
        assert.equal(whole.headers.get('content-length'), String(big.length));
        assert.ok(Buffer.from(await whole.arrayBuffer()).equals(big));
        // Across the first chunk boundary, and the last bytes.
        const start = (256 << 10) - 10;
        const across = await fetch(url, { headers: { Range: `bytes=${start}-${start + 99}` } });
        assert.equal(across.status, 206);
        assert.ok(Buffer.from(await across.arrayBuffer()).equals(big.subarray(start, start + 100)));
        const last = await fetch(url, { headers: { Range: `bytes=${big.length - 4}-` } });
        assert.equal(last.status, 206);
        assert.ok(Buffer.from(await last.arrayBuffer()).equals(big.subarray(big.length - 4)));
      });

      test('an empty file is stored and served', async () => {
        const r = await pb.collection('docs').create({
          image: new Blob([], { type: 'text/plain' }),
        });
        assert.ok(r.image, JSON.stringify(r));
        const stored = await store.read(`${r.collectionId}/${r.id}/${r.image}`);
        assert.equal(stored?.length, 0);
        const response = await fetch(guest.files.getURL(r, r.image));
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-length'), '0');
        assert.equal((await response.arrayBuffer()).byteLength, 0);
        const head = await fetch(guest.files.getURL(r, r.image), { method: 'HEAD' });
        assert.equal(head.status, 200);
        const range = await fetch(guest.files.getURL(r, r.image), { headers: { Range: 'bytes=0-' } });
        assert.equal(range.status, 416);
        const thumb = await fetch(guest.files.getURL(r, r.image, { thumb: '100x100' }));
        assert.equal(thumb.status, 200);
        assert.equal((await thumb.arrayBuffer()).byteLength, 0);
      });

      test('replacing a file removes its thumbnails; deleting the record removes the rest', async () => {
        const r = await pb.collection('docs').create({
          image: new Blob([png], { type: 'image/png' }),
        });
        const prefix = `${r.collectionId}/${r.id}/`;
        for (const thumb of ['100x100', '50x30t']) {
          const response = await fetch(guest.files.getURL(r, r.image, { thumb }));
          assert.equal(response.status, 200);
          await response.arrayBuffer();
        }
        assert.equal((await store.list(`${prefix}thumbs_${r.image}/`)).length, 2);
        const replaced = await pb.collection('docs').update(r.id, {
          image: new Blob([bandedPng(20, 20)], { type: 'image/png' }),
        });
        assert.deepEqual(await store.list(prefix), [prefix + replaced.image]);
        const gone = await fetch(guest.files.getURL(r, r.image, { thumb: '100x100' }));
        assert.equal(gone.status, 404);
        await pb.collection('docs').delete(r.id);
        assert.deepEqual(await store.list(prefix), []);
      });
    });
  });
}
