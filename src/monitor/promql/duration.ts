// PromQL durations as Prometheus writes them: unit-suffixed integers, largest unit first,
// each unit at most once (`1h30m`, `90s`, `2w`, `1y`). Years are 365 days, weeks 7 days.

const UNITS: ReadonlyArray<[unit: string, ms: number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

// The same shape as prometheus/common's model.ParseDuration, so a rule that Prometheus
// accepts is accepted here and one it rejects (`5m1h`, `1.5h`) is rejected here too.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Milliseconds, or undefined when the text is not a duration. */
export function parsePromDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (!m) return undefined;
  let total = 0;
  UNITS.forEach(([, ms], i) => {
    if (m[i + 1] !== undefined) total += Number(m[i + 1]) * ms;
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

/** The canonical spelling Prometheus prints: `90m` becomes `1h30m`, `14d` becomes `2w`. */
export function formatPromDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of UNITS) {
    // Years and weeks only when they divide evenly: `90d` reads better than `12w6d`.
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
