// One HTTP request at a time per call, each on a fresh loopback connection: the untimed setup
// calls, the background updates, and the timed loops when the C++ sender is not used (load.mjs).
//
// Why a fresh connection: PocketBase's benchmark runner builds a new Go http.Transport for every
// request, so each of its requests pays a TCP connect (bench/README.md, "How PocketBase's runner
// connects"). Doing the same keeps our totals comparable with its published ones (keep-alive
// would flatter us). Node's `agent: false` opens one connection for the request and closes it
// afterwards.
import http from 'node:http';

// The connection policy, chosen once by main.mjs before the first request: `false` (a fresh
// connection per request, the default, as PocketBase's runner) or a keep-alive http.Agent
// (--keep-alive: connections reused, so the rows show the server's work without the connect).
let connectionAgent = false;

export function useKeepAlive() {
  connectionAgent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 2048 });
}

// Bounds on what we accept from the server: a response bigger than this is a broken server, and
// no scenario request may hang the run forever.
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const REQUEST_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * @param {URL} base  the server's origin
 * @param {{method: string, path: string, body?: object, token?: string, wantJson?: boolean,
 *   from?: string}} request  `from`: the loopback source address (127.x.y.z) to connect from
 * @returns {Promise<{status: number, json?: any, text: string}>}  `json` only when asked for
 *   (parsing costs the load program CPU, so scenarios that check nothing skip it)
 */
export function send(base, { method, path, body, token, wantJson = false, from }) {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = {};
  if (payload) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(payload.length);
  }
  if (token) headers.authorization = token;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, headers, agent: from ? false : connectionAgent, localAddress: from },
      (res) => {
        const chunks = [];
        let size = 0;
        res.on('data', (chunk) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new Error(`response over ${MAX_RESPONSE_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const result = { status: res.statusCode, text, retryAfter: Number(res.headers['retry-after']) };
          if (wantJson && text.length > 0) {
            try {
              result.json = JSON.parse(text);
            } catch (error) {
              reject(new Error(`${method} ${path}: answer is not JSON (${error.message})`));
              return;
            }
          }
          resolve(result);
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer in time`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** Like send(), but anything other than `expected` is an error carrying the server's answer. */
export async function sendExpecting(base, request, expected = 200) {
  const response = await send(base, { wantJson: true, ...request });
  if (response.status !== expected) {
    throw new Error(
      `${request.method} ${request.path}: status ${response.status}, expected ${expected}: ${response.text.slice(0, 500)}`,
    );
  }
  return response.json;
}
