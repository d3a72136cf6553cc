// Pure: does the cluster already hold what tutti would apply? Yes when the live object carries
// the hash of the very object tutti rendered (so nothing tutti applied before has been left
// out since: server-side apply would remove such fields) and every field tutti sets still has
// tutti's value (nobody changed it since). Fields the API server or others added are fine.

import { ANNOTATION_APPLIED } from './names.js';

/** Whether every field set in `desired` has the same value in `live`; lists match item by item. */
export function contains(live: unknown, desired: unknown): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((item, i) => contains(live[i], item));
  }
  if (typeof desired === 'object') {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([key, value]) => contains(l[key], value));
  }
  return live === desired;
}

interface Stamped {
  metadata?: { annotations?: Record<string, string> };
}

export function appliedHash(object: Stamped | undefined): string | undefined {
  return object?.metadata?.annotations?.[ANNOTATION_APPLIED];
}

/** Whether applying `desired` would change nothing tutti cares about. */
export function upToDate(live: Stamped | undefined, desired: Stamped): boolean {
  if (!live) return false;
  const hash = appliedHash(desired);
  // items of a list carry no apiVersion and kind: compare what tutti says about the object itself
  const { apiVersion: _v, kind: _k, ...fields } = desired as Stamped & { apiVersion?: string; kind?: string };
  return hash !== undefined && appliedHash(live) === hash && contains(live, fields);
}
