// Compiles what a caller sends to register an external instance (RegisterInput: durations as
// in the manifest, a check written the Consul way) into what the registry keeps (durations in
// ms, the http check as a full URL), refusing bad input up front with one sentence naming the
// field. Pure: the HTTP route and the SDK path go through the same rules.

import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { closest, distance } from 'fastest-levenshtein';
import { SERVICE_NAME_PATTERN, TuttiError, formatDuration, parseDuration, type Duration } from '../core/index.js';
import type { CheckDefinition, RegistryInstance } from './types.js';

/** The manifest's service-name rule: external services share names with declared ones. */
export const SERVICE_NAME = new RegExp(SERVICE_NAME_PATTERN);
/** one DNS label, so every service is resolvable as <service>.service.tutti */
export const SERVICE_NAME_MAX = 63;
/** ids appear in URL paths and DNS answers: no spaces, slashes or percent signs */
export const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const META_KEY = /^[A-Za-z0-9_.-]{1,128}$/;
const MAX_TAGS = 64;
const MAX_META = 64;
const MAX_VALUE_CHARS = 512;

export const DEFAULT_CHECK_INTERVAL_MS = 10_000;
export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;
export const DEFAULT_DEREGISTER_CRITICAL_AFTER_MS = 60_000;

const TOP_FIELDS = ['id', 'service', 'address', 'port', 'tags', 'meta', 'check'];
const CHECK_FIELDS = ['ttl', 'http', 'tcp', 'interval', 'timeout', 'deregister_critical_after'];
const SERVICE_NAME_RULE = 'lowercase letters, digits, - and _, starting with a letter, at most 63 characters';

/** A registration checked and compiled; the registry adds status, index and times. */
export type CompiledRegistration = Pick<RegistryInstance, 'id' | 'service' | 'address' | 'port' | 'tags' | 'meta' | 'check'>;

function bad(field: string, what: string, hint?: string): TuttiError {
  return new TuttiError('TUTTI_E_BAD_REQUEST', `invalid registration: ${field} ${what}`, {
    hint: hint ?? 'see "Registering an instance" in docs/discovery.md',
    details: { field },
  });
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value));

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function refuseUnknown(obj: Record<string, unknown>, known: string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const near = closest(key, known);
    const hint = distance(key, near) <= 2 ? `did you mean "${near}"?` : `known fields: ${known.join(', ')}`;
    throw bad(`${prefix}${key}`, 'is not a known field', hint);
  }
}

/** Checks a service name the way registration does (also used for lookups by the API). */
export function checkServiceName(value: unknown, field = 'service'): string {
  if (value === undefined || value === null || value === '') throw bad(field, 'is required', 'give the name the instance is found by, e.g. "payments"');
  if (typeof value !== 'string') throw bad(field, `must be a string, got ${show(value)}`);
  if (!SERVICE_NAME.test(value) || value.length > SERVICE_NAME_MAX) {
    throw bad(field, `${show(value)} is not a valid service name`, `use ${SERVICE_NAME_RULE}`);
  }
  return value;
}

function checkAddress(value: unknown): string {
  if (value === undefined || value === null || value === '') throw bad('address', 'is required', 'give the IP address or host name the instance listens on');
  if (typeof value !== 'string') throw bad('address', `must be a string, got ${show(value)}`);
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) === 6) return bare;
  if (bare === value && (isIP(value) === 4 || HOST_NAME.test(value))) return value;
  throw bad('address', `${show(value)} is neither an IP address nor a host name`, 'use e.g. 10.0.0.7, ::1 or payments-1.internal, without a scheme or port');
}

function checkPort(value: unknown): number {
  if (value === undefined || value === null) throw bad('port', 'is required', 'give the port the instance listens on');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw bad('port', `must be an integer from 1 to 65535, got ${show(value)}`);
  }
  return value;
}

function checkTags(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw bad('tags', `must be a list of strings, got ${show(value)}`);
  if (value.length > MAX_TAGS) throw bad('tags', `has ${value.length} entries; at most ${MAX_TAGS} are allowed`);
  value.forEach((tag, i) => {
    if (typeof tag !== 'string' || tag === '' || tag.length > MAX_VALUE_CHARS) {
      throw bad(`tags[${i}]`, `must be a non-empty string of at most ${MAX_VALUE_CHARS} characters, got ${show(tag)}`);
    }
  });
  return [...new Set(value as string[])];
}

function checkMeta(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) throw bad('meta', `must be an object of strings, got ${show(value)}`);
  const entries = Object.entries(value);
  if (entries.length > MAX_META) throw bad('meta', `has ${entries.length} keys; at most ${MAX_META} are allowed`);
  const out: Record<string, string> = {};
  for (const [key, v] of entries) {
    if (!META_KEY.test(key)) throw bad(`meta.${key}`, 'is not a valid key', 'keys are 1–128 letters, digits, _, . and -');
    if (typeof v !== 'string' || v.length > MAX_VALUE_CHARS) throw bad(`meta.${key}`, `must be a string of at most ${MAX_VALUE_CHARS} characters, got ${show(v)}`);
    out[key] = v;
  }
  return out;
}

function checkDuration(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value as Duration) : undefined;
  if (ms === undefined) throw bad(field, `${show(value)} is not a duration`, 'write durations as 500ms, 10s, 1m or 1m30s, or a number of milliseconds');
  if (ms <= 0) throw bad(field, `must be longer than 0, got ${show(value)}`);
  return ms;
}

/** host part of a URL: IPv6 literals in brackets */
export function urlHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}

function checkHttp(value: unknown, address: string, port: number): string {
  if (typeof value !== 'string' || value === '') throw bad('check.http', `must be a URL or a path, got ${show(value)}`);
  if (value.startsWith('/')) return `http://${urlHost(address)}:${port}${value}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('check.http', `${show(value)} is neither a URL nor a path starting with /`, 'use e.g. /healthz (probed on the instance) or http://10.0.0.7:8080/healthz');
  }
  if (url.protocol !== 'http:') {
    throw bad('check.http', `${show(value)} uses ${url.protocol.replace(/:$/, '')}; only http is probed`, 'expose a plain http health endpoint, or use a tcp or ttl check');
  }
  return url.href;
}

function compileCheck(value: unknown, address: string, port: number): CheckDefinition | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw bad('check', `must be an object, got ${show(value)}`);
  refuseUnknown(value, CHECK_FIELDS, 'check.');
  if (value.tcp !== undefined && typeof value.tcp !== 'boolean') throw bad('check.tcp', `must be true or false, got ${show(value.tcp)}`);
  const kinds = (['ttl', 'http', 'tcp'] as const).filter((k) => (k === 'tcp' ? value.tcp === true : value[k] !== undefined));
  if (kinds.length > 1) throw bad('check', `has ${kinds.join(' and ')}; give only one of ttl, http and tcp`, 'register one check per instance');
  if (kinds.length === 0) throw bad('check', 'needs one of ttl, http or tcp', 'e.g. { "ttl": "10s" } and heartbeat, or { "http": "/healthz" }');
  const deregisterCriticalAfterMs = checkDuration(value.deregister_critical_after, 'check.deregister_critical_after', DEFAULT_DEREGISTER_CRITICAL_AFTER_MS);

  if (kinds[0] === 'ttl') {
    for (const k of ['interval', 'timeout'] as const) {
      if (value[k] !== undefined) throw bad(`check.${k}`, 'applies to http and tcp checks only', 'a ttl check is kept alive by heartbeats');
    }
    return { ttlMs: checkDuration(value.ttl, 'check.ttl', 0), deregisterCriticalAfterMs };
  }
  const probe = {
    intervalMs: checkDuration(value.interval, 'check.interval', DEFAULT_CHECK_INTERVAL_MS),
    timeoutMs: checkDuration(value.timeout, 'check.timeout', DEFAULT_CHECK_TIMEOUT_MS),
    deregisterCriticalAfterMs,
  };
  if (kinds[0] === 'http') return { http: checkHttp(value.http, address, port), ...probe };
  return { tcp: true, ...probe };
}

/** Checks and compiles a registration; throws TUTTI_E_BAD_REQUEST naming the first bad field. */
export function compileRegistration(input: unknown): CompiledRegistration {
  if (!isPlainObject(input)) throw bad('body', `must be an object, got ${show(input)}`);
  refuseUnknown(input, TOP_FIELDS, '');
  const service = checkServiceName(input.service);
  const address = checkAddress(input.address);
  const port = checkPort(input.port);
  let id: string;
  if (input.id === undefined) id = `${service}-${randomBytes(4).toString('hex')}`;
  else if (typeof input.id !== 'string' || !INSTANCE_ID.test(input.id)) {
    throw bad('id', `${show(input.id)} is not a valid instance id`, 'use up to 128 letters, digits, ., _, : and -, starting with a letter or digit; or leave it out to get one');
  } else id = input.id;
  const out: CompiledRegistration = { id, service, address, port, tags: checkTags(input.tags), meta: checkMeta(input.meta) };
  const check = compileCheck(input.check, address, port);
  if (check) out.check = check;
  return out;
}

/** "TTL of 10s expired without a heartbeat" */
export function ttlExpiredOutput(ttlMs: number): string {
  return `TTL of ${formatDuration(ttlMs)} expired without a heartbeat`;
}
