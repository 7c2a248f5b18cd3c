// The two file storage backends a files test runs against (docs/files.md, "Testing"): the data
// directory ('local') and an S3 bucket on a loopback s3rver that checks signatures ('s3').
//
// useBackend() switches a running server to the backend and gives a backend-neutral view of
// what is stored, by key (<collectionId>/<recordId>/<name>):
//   read(key)   -> Buffer, or null when no such object
//   list(prefix)-> every key under prefix ('' = all), sorted
//   plant(key, bytes, {old}) -> stores an object behind the server's back (an orphan)
//   remove(key) -> removes an object behind the server's back (a file lost from storage)
//   settings    -> (s3 only) the settings.s3 the server was given
//
// The S3 view reads the bucket through the S3 API itself, with requests signed like Basalt's
// (SigV4, checked by the same proxy), not from s3rver's storage directory: what a test sees is
// what any S3 client would see, independent of s3rver's on-disk layout (its metadata sidecar
// files, its own key encoding), and a listing is a real ListObjectsV2.

import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startS3rver } from './s3rver.mjs';

const require = createRequire(import.meta.url);
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

export const BACKENDS = ['local', 's3'];

const S3 = { bucket: 'basalt-e2e-files', accessKey: 'E2EFILESKEY', secret: 'e2e-files-secret-7' };

// Every file below `dir`, as '/'-separated paths relative to it ([] when it does not exist).
// The server may be removing files and directories under `dir` meanwhile: a recursive readdir
// that meets a directory removed under it fails with ENOENT, which says nothing about `dir`
// itself, so the walk is taken again (a removal only ever shortens the next walk).
async function listFiles(dir) {
  let entries;
  for (;;) {
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
      break;
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
      try {
        await stat(dir);
      } catch (missing) {
        if (missing.code === 'ENOENT') return [];
        throw missing;
      }
    }
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1))
    .sort();
}

function localView(dataDir) {
  const root = join(dataDir, 'storage');
  return {
    name: 'local',
    async read(key) {
      try {
        return await readFile(join(root, key));
      } catch (error) {
        if (error.code === 'ENOENT') return null;
        throw error;
      }
    },
    async list(prefix = '') {
      const all = await listFiles(root);
      return all.filter((key) => key.startsWith(prefix));
    },
    async plant(key, bytes, { old = false } = {}) {
      const path = join(root, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, bytes);
      if (old) {
        const past = new Date(Date.now() - 3600_000);
        await utimes(path, past, past);
      }
    },
    remove: (key) => rm(join(root, key)),
    stop: async () => {},
  };
}

function xmlText(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&amp;/g, '&');
}

/**
 * The view of a bucket served by startS3rver(config), through the S3 API.
 * @param {{endpoint: string, stop: () => Promise<void>}} bucket
 * @param {{bucket: string, accessKey: string, secret: string}} [config]
 */
export function s3View(bucket, config = S3) {
  const { hostname, port } = new URL(bucket.endpoint);
  const signer = new SignatureV4({
    credentials: { accessKeyId: config.accessKey, secretAccessKey: config.secret },
    region: 'us-east-1',
    service: 's3',
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
    applyChecksum: false,
  });
  const objectPath = (key) =>
    `/${config.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const send = async (method, path, query = {}, body) => {
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname,
      port: Number(port),
      path,
      query,
      headers: {
        host: `${hostname}:${port}`,
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      },
    });
    const search = new URLSearchParams(query).toString();
    const headers = { ...signed.headers };
    delete headers.host; // fetch sets it (the same value)
    const response = await fetch(`${bucket.endpoint}${path}${search ? `?${search}` : ''}`, {
      method,
      headers,
      body,
    });
    return response;
  };
  return {
    name: 's3',
    async read(key) {
      const response = await send('GET', objectPath(key));
      if (response.status === 404) return null;
      if (response.status !== 200) {
        throw new Error(`S3 GET ${key}: ${response.status} ${await response.text()}`);
      }
      return Buffer.from(await response.arrayBuffer());
    },
    async list(prefix = '') {
      const keys = [];
      let token;
      for (;;) {
        const query = { 'list-type': '2', prefix };
        if (token) query['continuation-token'] = token;
        const response = await send('GET', `/${config.bucket}`, query);
        const xml = await response.text();
        if (response.status !== 200) throw new Error(`S3 list ${prefix}: ${response.status} ${xml}`);
        for (const match of xml.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(xmlText(match[1]));
        const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
        if (!/<IsTruncated>true<\/IsTruncated>/.test(xml) || !next) break;
        token = xmlText(next[1]);
      }
      return keys.sort();
    },
    // S3 has no way to back-date an object: `old` objects are simply put before the restart
    // that sweeps them (the sweep takes objects older than the process).
    async plant(key, bytes) {
      const response = await send('PUT', objectPath(key), {}, bytes);
      if (response.status !== 200) {
        throw new Error(`S3 PUT ${key}: ${response.status} ${await response.text()}`);
      }
    },
    async remove(key) {
      const response = await send('DELETE', objectPath(key));
      if (response.status !== 204) {
        throw new Error(`S3 DELETE ${key}: ${response.status} ${await response.text()}`);
      }
    },
    stop: () => bucket.stop(),
  };
}

/**
 * Puts a running server's files on `backend` and returns a view of its storage.
 * @param {'local'|'s3'} backend
 * @param {{dir: string}} server the started server (its data directory)
 * @param {import('pocketbase').default} admin a superuser client of that server
 */
export async function useBackend(backend, server, admin) {
  if (backend === 'local') return localView(server.dir);
  const bucket = await startS3rver(S3);
  const settings = {
    enabled: true,
    bucket: S3.bucket,
    region: 'us-east-1',
    endpoint: bucket.endpoint,
    accessKey: S3.accessKey,
    secret: S3.secret,
    forcePathStyle: true,
  };
  try {
    await admin.settings.update({ s3: settings });
  } catch (error) {
    await bucket.stop();
    throw error;
  }
  return { ...s3View(bucket), settings };
}

export { listFiles };
