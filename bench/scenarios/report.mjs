// The markdown table: one row per scenario in PocketBase's order, Basalt's total time beside
// PocketBase's published one.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function seconds(value) {
  if (value === undefined || value === null) return '—';
  return value >= 10 ? value.toFixed(1) : value >= 0.1 ? value.toFixed(2) : value.toFixed(3);
}

function code(text) {
  return text ? '`' + text.replaceAll('|', '\\|') + '`' : '';
}

/**
 * @param {Array<{index: number, label: string, requests: number, concurrency: number,
 *   runs: Array<{seconds: number, clientCpu: number, serverCpu: number, errors: string[]}>,
 *   published?: number}>} rows
 */
export function markdownTable(rows) {
  const lines = [
    '| # | scenario | reqs | conc | Basalt s (median) | runs s | PocketBase 2 vCPU s | PB ÷ Basalt | errors | 429 retried | Basalt CPU s | load CPU s |',
    '|---:|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const total = median(row.runs.map((run) => run.seconds));
    const errors = row.runs.reduce((sum, run) => sum + run.errors.length, 0);
    const ratio = row.published === undefined ? '—' : `${(row.published / total).toFixed(1)}×`;
    lines.push(
      `| ${row.index + 1} | ${row.label.replace(/(rule )(.*?)(,|$)/, (_, a, rule, tail) => a + code(rule) + tail)} ` +
        `| ${row.requests} | ${row.concurrency} | ${seconds(total)} | ${row.runs.map((r) => seconds(r.seconds)).join(' / ')} ` +
        `| ${seconds(row.published)} | ${ratio} | ${errors} | ${row.runs.reduce((sum, run) => sum + run.throttled, 0)} ` +
        `| ${seconds(median(row.runs.map((r) => r.serverCpu)))} | ${seconds(median(row.runs.map((r) => r.clientCpu)))} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The targets of the semi-join work (docs/performance.md), read off the rows: every list rule
 * on posts100k under 2 s per 100 requests, no row slower than PocketBase's published figure,
 * plain lists, single views and token refreshes at least 3× faster than it.
 * @param {Array<{label: string, runs: Array<{seconds: number}>, published?: number,
 *   target?: string, collection: string}>} rows
 */
export function targetSummary(rows) {
  const total = (row) => median(row.runs.map((run) => run.seconds));
  const names = (list) => (list.length ? list.map((row) => `#${row.index + 1}`).join(', ') : 'none');
  const rules = rows.filter((row) => row.target === 'rule' && row.collection === 'posts100k');
  const slowRules = rules.filter((row) => total(row) >= 2);
  const compared = rows.filter((row) => row.published !== undefined);
  const slower = compared.filter((row) => total(row) > row.published);
  const fast = compared.filter((row) => row.target === 'fast');
  const notFastEnough = fast.filter((row) => row.published / total(row) < 3);
  return [
    `- list rules on posts100k under 2 s per 100 requests: ${rules.length - slowRules.length} of ${rules.length}; not met: ${names(slowRules)}`,
    `- rows not slower than PocketBase's published figure: ${compared.length - slower.length} of ${compared.length}; slower: ${names(slower)}`,
    `- plain lists, views and auth-refresh at least 3× faster: ${fast.length - notFastEnough.length} of ${fast.length}; not met: ${names(notFastEnough)}`,
  ].join('\n');
}
