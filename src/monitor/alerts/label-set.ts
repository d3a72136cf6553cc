// Label-set arithmetic that must agree byte for byte with Prometheus and Alertmanager (Go):
// the fingerprint receivers use to deduplicate alerts, the sort orders Go applies to map keys
// and alert lists, and the `{name="value"}` rendering used in group keys.

import type { Labels } from './types.js';

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** Compares as Go compares strings: by UTF-8 bytes, which UTF-16 order does not always match. */
export function compareUtf8(a: string, b: string): number {
  if (ASCII_ONLY.test(a) && ASCII_ONLY.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A copy of `labels` whose keys are in Go's order, so JSON.stringify matches Go's map output. */
export function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort(compareUtf8)) {
    // A plain assignment to `__proto__` (a valid label name) would replace the prototype.
    Object.defineProperty(out, name, { value: labels[name], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A collision-free identity for a label set, for use as a map key. */
export function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort(compareUtf8).map((n) => [n, labels[n]]));
}

// FNV-1a 64 in two 32-bit halves: multiplying by the prime 2^40 + 0x1b3 is a multiply by 0x1b3
// plus a 40-bit shift, and every intermediate stays below 2^53, so doubles are exact. This
// avoids a BigInt operation per byte.
const SEPARATOR = 0xff;
const TWO_32 = 4294967296;

/**
 * Alertmanager's alert fingerprint (prometheus/common `LabelSet.Fingerprint`): FNV-1a 64 over
 * each label, in name order, as `name 0xff value 0xff`; printed as `%016x`.
 */
export function fingerprint(labels: Labels): string {
  let hi = 0xcbf29ce4;
  let lo = 0x84222325;
  const step = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / TWO_32);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  };
  for (const name of Object.keys(labels).sort(compareUtf8)) {
    for (const byte of Buffer.from(name, 'utf8')) step(byte);
    step(SEPARATOR);
    for (const byte of Buffer.from(labels[name], 'utf8')) step(byte);
    step(SEPARATOR);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
};

/** Go's `strconv.Quote`, which Alertmanager uses to print label values in group keys. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === ' ' || (ch > ' ' && ch < '\x7f')) out += ch;
    else if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (ch < ' ' || ch === '\x7f') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else if (PRINTABLE.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      out += cp > 0xffff ? '\\U' + cp.toString(16).padStart(8, '0') : '\\u' + cp.toString(16).padStart(4, '0');
    }
  }
  return out + '"';
}

/** prometheus/common `LabelSet.String()`: `{a="1", b="2"}`, names sorted. */
export function labelSetString(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort(compareUtf8)
    .map((name) => `${name}=${goQuote(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

/** prometheus/common `LabelSet.Before`: fewer labels first, then the first differing pair. */
export function labelsBefore(a: Labels, b: Labels): boolean {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  if (an.length !== bn.length) return an.length < bn.length;
  for (const name of [...an, ...bn].sort(compareUtf8)) {
    if (!Object.hasOwn(a, name)) return true;
    if (!Object.hasOwn(b, name)) return false;
    const c = compareUtf8(a[name], b[name]);
    if (c !== 0) return c < 0;
  }
  return false;
}

/**
 * Alertmanager's notification order (`types.AlertSlice.Less`): by `job`, then `instance`
 * (alerts lacking one come after those having it), then by label set.
 */
export function compareAlertLabels(a: Labels, b: Labels): number {
  for (const key of ['job', 'instance']) {
    const inA = Object.hasOwn(a, key);
    const inB = Object.hasOwn(b, key);
    if (!inA && !inB) continue;
    if (!inA) return 1;
    if (!inB) return -1;
    const c = compareUtf8(a[key], b[key]);
    if (c !== 0) return c;
  }
  if (labelsBefore(a, b)) return -1;
  return labelsBefore(b, a) ? 1 : 0;
}
