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
