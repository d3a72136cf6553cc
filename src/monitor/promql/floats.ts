// Float64 details where JavaScript and Go (hence Prometheus) differ or where Prometheus is
// particular: the stale marker's NaN bit pattern, Neumaier-compensated sums and means, Go's
// math.Pow edge cases, and Go's ParseFloat spelling of `le` bucket bounds.

const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
// Which Uint32 holds the high word depends on the platform's byte order.
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

/**
 * Prometheus' stale marker (value.StaleNaN): the NaN with bits 0x7ff0000000000002. A point
 * carrying it ends its series: an instant selector sees the series as absent from then on.
 *
 * V8 rewrites every NaN stored in a packed array of doubles (`[1.5, STALE]`) into the ordinary
 * NaN, which loses the marker. Keep it in `{ t, v }` objects or a Float64Array, as the
 * SeriesSource interface does, never in a plain number[].
 */
export const STALE: number = (() => {
  words[HIGH] = 0x7ff00000;
  words[LOW] = 0x00000002;
  return bits[0];
})();

export function isStale(v: number): boolean {
  if (v === v) return false; // Fast path: only NaNs can be the marker.
  bits[0] = v;
  return words[HIGH] === 0x7ff00000 && words[LOW] === 0x00000002;
}

/** One step of Neumaier's compensated sum, as Prometheus' kahansum.Inc. */
export function kahanInc(inc: number, sum: number, c: number): [sum: number, c: number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}

export function kahanSum(values: Iterable<number>): number {
  let sum = 0;
  let c = 0;
  for (const v of values) [sum, c] = kahanInc(v, sum, c);
  return Number.isFinite(sum) ? sum + c : sum;
}

/**
 * The mean as Prometheus' avg and avg_over_time compute it: a compensated sum divided once,
 * switching to an incremental mean only if the running sum would overflow.
 */
export function mean(values: readonly number[]): number {
  let sum = values[0];
  let c = 0;
  let avg = 0;
  let incremental = false;
  for (let i = 1; i < values.length; i++) {
    const count = i + 1;
    if (!incremental) {
      const [s, nc] = kahanInc(values[i], sum, c);
      if (Number.isFinite(s) || Number.isNaN(s)) {
        [sum, c] = [s, nc];
        continue;
      }
      incremental = true;
      avg = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [avg, c] = kahanInc(values[i] / count, q * avg, q * c);
  }
  return incremental ? avg + c : sum / values.length + c / values.length;
}

/** Go's math.Pow: unlike `**`, 1 to any power (NaN included) is 1, and (-1)^±Inf is 1. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

const GO_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const GO_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** Go's strconv.ParseFloat for the spellings bucket bounds use; undefined if it would fail. */
export function parseGoFloat(text: string): number | undefined {
  const special = GO_SPECIAL.exec(text);
  if (special) {
    if (special[2].toLowerCase() === 'nan') return special[1] === '' ? NaN : undefined;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return GO_DECIMAL.test(text) ? Number(text) : undefined;
}
