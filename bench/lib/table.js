// Formatting of benchmark results: figures, ratios against the baseline and target verdicts.

export const fmtMs = (ms) => (ms === undefined ? '—' : Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'failed');
export const fmtMiB = (bytes) => (bytes === undefined ? '—' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * rows: { label, ours, base, format, target } with `target` the highest acceptable ratio.
 * Prints one aligned table; a row without both figures gets no ratio and no verdict.
 */
export function printComparison(rows, { ours = 'tutti', base = 'pm2' } = {}) {
  const lines = [['', ours, base, `${ours}/${base}`, 'target', '']];
  for (const row of rows) {
    const ratio = row.ours !== undefined && row.base !== undefined && Number.isFinite(row.base) && row.base > 0
      ? row.ours / row.base
      : undefined;
    const verdict = ratio === undefined || row.target === undefined ? '' : ratio <= row.target ? 'PASS' : 'MISS';
    lines.push([
      row.label,
      row.format(row.ours),
      row.format(row.base),
      ratio === undefined ? '—' : Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '∞',
      row.target === undefined ? '(info)' : `≤ ${row.target.toFixed(1)}×`,
      verdict,
    ]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const line of lines) {
    console.log(line.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ').trimEnd());
  }
}
