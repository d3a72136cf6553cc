// Pure: Kubernetes quantities (`250m`, `123456789n`, `64Mi`, `1e3`, `128M`) as plain numbers,
// by the API's own grammar (k8s.io/apimachinery resource.Quantity): a signed decimal number,
// then a binary suffix (Ki … Ei), a decimal one (n u m "" k M G T P E) or an exponent (e3, E-2).
// client-node has a parser (quantityToScalar), but its package does not export it and it
// rejects fractions with a suffix (`1.5Gi`, which the API accepts and metrics can carry).
// The digits are kept whole (BigInt) until the last step, so `1.1k` is 1100, not 1100.0000000000002.

import { TuttiError } from '../../core/index.js';

const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

// `1E` is an exa, `1E3` a thousand: the suffix is tried first, the exponent when more follows
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** value = digits × 10^pow10 × 2^pow2 */
interface Parts {
  digits: bigint;
  pow10: number;
  pow2: number;
}

function parts(quantity: string, what: string): Parts {
  const m = QUANTITY.exec(quantity);
  const [, sign = '', whole = '', fraction = '', suffix = '', exponent] = m ?? [];
  if (!m || whole + fraction === '' || (exponent !== undefined && Math.abs(Number(exponent)) > 100)) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${what} ${JSON.stringify(quantity)} is not a Kubernetes quantity`, {
      hint: 'a quantity is a number with an optional suffix: 250m, 0.5, 123456789n (CPU), 64Mi, 1Gi, 128M, 1e3 (memory)',
    });
  }
  const digits = BigInt(`${sign}${whole}${fraction}`);
  const pow10 = (exponent !== undefined ? Number(exponent) : DECIMAL[suffix] ?? 0) - fraction.length;
  return { digits, pow10, pow2: BINARY[suffix] ?? 0 };
}

/** The nearest number to digits × 10^pow10 × 2^pow2. */
function toNumber({ digits, pow10, pow2 }: Parts): number {
  const n = digits << BigInt(pow2);
  return pow10 >= 0 ? Number(n * 10n ** BigInt(pow10)) : Number(n) / 10 ** -pow10;
}

/** The quantity's value in its base unit (cores for CPU, bytes for memory); `what` names it in the error. */
export function parseQuantity(quantity: string, what = 'quantity'): number {
  return toNumber(parts(quantity, what));
}

/** CPU as a percent of one core (`250m` → 25, `123456789n` → 12.3456789). */
export function cpuPercent(quantity: string, what = 'cpu'): number {
  const p = parts(quantity, what);
  return toNumber({ ...p, pow10: p.pow10 + 2 });
}

/** Memory in whole bytes, a fraction rounded up as the API rounds it (`0.5` → 1, `0.1Gi` → 107374183). */
export function memoryBytes(quantity: string, what = 'memory'): number {
  const { digits, pow10, pow2 } = parts(quantity, what);
  const n = digits << BigInt(pow2);
  if (pow10 >= 0) return Number(n * 10n ** BigInt(pow10));
  const d = 10n ** BigInt(-pow10);
  const q = n / d; // truncates toward zero
  return Number(n > 0n && n % d !== 0n ? q + 1n : q);
}
