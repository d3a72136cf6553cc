// A short, stable hash of JSON data: object keys sorted at every level, so the order a
// renderer writes keys in never changes it. Used for the `tutti.dev/applied` and
// `tutti.dev/env-hash` annotations.

import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/index.js';

export { canonicalJson };


export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}
