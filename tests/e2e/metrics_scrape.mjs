// Helpers of the metrics tests: reading GET /metrics and the metric names a text page exports.

/** GET /metrics with the given headers; resolves with the fetch Response. */
export function scrape(url, headers = {}) {
  return fetch(`${url}/metrics`, { headers });
}

/**
 * The samples of a Prometheus text page: [{name, labels: {..}, value}] (comments skipped).
 * Label values are unescaped (\\, \", \n).
 */
export function parseSamples(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels = {};
    const body = match[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let consumed = 0;
    for (const label of body.matchAll(labelPattern)) {
      labels[label[1]] = label[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      consumed += label[0].length;
    }
    if (consumed !== body.length) throw new Error(`bad labels: ${line}`);
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the values of `name` whose labels include every entry of `labels`. */
export function sumOf(samples, name, labels = {}) {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}
