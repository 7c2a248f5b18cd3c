// A local S3 API server for tests: s3rver (an S3 emulator) behind a middleware that checks every
// request's AWS Signature Version 4. s3rver itself only checks that the access key id exists
// and accepts any V4 signature (its authentication middleware says so), so the signature is
// recomputed here with AWS's own signer (@smithy/signature-v4, the one the AWS SDK uses) from
// the configured secret and compared; a request without a valid signature gets S3's 403 XML
// error (SignatureDoesNotMatch, InvalidAccessKeyId or AccessDenied) and never reaches s3rver.
//
// s3rver 3.7.1 encrypts its ListObjectsV2 continuation tokens with DES, which Node 17+ only has
// in OpenSSL's legacy provider: start it with `node --openssl-legacy-provider`, or every
// listing past its first page fails with a 500.
//
// Usage: node --openssl-legacy-provider s3rver-sigv4.mjs --dir DIR --bucket NAME --access-key KEY --secret SECRET
//                              [--region us-east-1] [--port 0] [--service-endpoint localhost]
// Prints "listening <port>" on stdout once ready. Stops when stdin closes (so it never
// outlives the test that started it) or on SIGTERM/SIGINT.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');
const AWSAccount = require('s3rver/lib/models/account');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string' },
    bucket: { type: 'string' },
    'access-key': { type: 'string' },
    secret: { type: 'string' },
    region: { type: 'string', default: 'us-east-1' },
    port: { type: 'string', default: '0' },
    'service-endpoint': { type: 'string', default: 'localhost' },
  },
});
for (const required of ['dir', 'bucket', 'access-key', 'secret']) {
  if (!args[required]) {
    process.stderr.write(`s3rver-sigv4: --${required} is required\n`);
    process.exit(2);
  }
}

const accessKey = args['access-key'];
const signer = new SignatureV4({
  credentials: { accessKeyId: accessKey, secretAccessKey: args.secret },
  region: args.region,
  service: 's3',
  sha256: Hash.bind(null, 'sha256'),
  uriEscapePath: false, // S3 signs the path as sent, encoded once
  applyChecksum: false,
});

function xmlEscape(text) {
  return String(text).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refuse(ctx, code, message) {
  ctx.status = 403;
  ctx.type = 'application/xml';
  ctx.body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
}

// "AWS4-HMAC-SHA256 Credential=K/20260101/region/s3/aws4_request, SignedHeaders=a;b, Signature=hex"
function parseAuthorization(header) {
  const match = /^AWS4-HMAC-SHA256 (.*)$/.exec(header);
  if (!match) return null;
  const parts = {};
  for (const item of match[1].split(',')) {
    const eq = item.indexOf('=');
    if (eq > 0) parts[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
  }
  if (!parts.Credential || !parts.SignedHeaders || !parts.Signature) return null;
  return parts;
}

// 20260101T120000Z -> Date
function parseAmzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

async function verifySignature(ctx, next) {
  const auth = parseAuthorization(ctx.get('authorization'));
  if (!auth) return refuse(ctx, 'AccessDenied', 'Requests must be signed with AWS SigV4.');
  if (auth.Credential.split('/')[0] !== accessKey) {
    return refuse(ctx, 'InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist.');
  }
  const signingDate = parseAmzDate(ctx.get('x-amz-date'));
  if (!signingDate) return refuse(ctx, 'AccessDenied', 'Missing or invalid x-amz-date.');

  const raw = ctx.req.url;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = {};
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(raw.slice(q + 1))) query[key] = value;
  }
  const names = auth.SignedHeaders.split(';');
  const headers = {};
  for (const name of names) {
    const value = ctx.req.headers[name];
    if (value === undefined) {
      return refuse(ctx, 'SignatureDoesNotMatch', `Signed header ${name} is missing.`);
    }
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signed = await signer.sign(
    { method: ctx.method, protocol: 'http:', hostname: ctx.hostname, path, query, headers },
    { signingDate, signableHeaders: new Set(names) },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)[1];
  if (expected !== auth.Signature) {
    return refuse(
      ctx,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  return next();
}

AWSAccount.DUMMY_ACCOUNT.createKeyPair(accessKey, args.secret);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(args.port),
  directory: args.dir,
  silent: true,
  serviceEndpoint: args['service-endpoint'],
  configureBuckets: [{ name: args.bucket }],
});
// Koa composes its middleware when it starts listening: put the check first.
server.middleware.unshift(verifySignature);

const { port } = await server.run();
process.stdout.write(`listening ${port}\n`);

let closing = false;
async function stop() {
  if (closing) return;
  closing = true;
  await server.close();
  process.exit(0);
}
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
