// Authentication policies (dsl-reference "Authentication") turned into an Authorization header
// value for call: http / openapi / grpc: basic, bearer, and oauth2 / oidc tokens (grants
// client_credentials, password and token exchange; client authentication client_secret_post —
// the spec's default —, client_secret_basic, none, or a given JWT assertion). A policy may be
// `use: <name>` of use.authentications, and a scheme's properties may come from a secret
// (`basic: { use: <secret> }`). Tokens are cached per token endpoint, client, grant, scopes and
// audiences until shortly before they expire. Digest and certificate are not supported.

import { createHash } from 'node:crypto';
import { notSupported } from '../engine/faults.js';
import type { TaskRuntime } from '../engine/types.js';
import { ErrorTypes, WorkflowError } from '../errors.js';
import { LRUCache } from 'lru-cache';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** `$authorization` (dsl.md "Authorization Descriptor"). */
export interface Authorization {
  scheme: string;
  parameter: string;
}

export interface ResolvedAuthentication {
  authorization: Authorization;
  /** for a cached token: forget it (the server refused it); undefined for static credentials */
  invalidate?: () => void;
}

/** `http://<service>/…` → the registered service's base URL (as call: http does); other URLs as they are. */
export function serviceUrl(rt: TaskRuntime, url: URL): URL {
  if (url.protocol !== 'http:' || !rt.options.resolveService) return url;
  const base = rt.options.resolveService(url.hostname);
  return base ? new URL(url.pathname + url.search, base) : url;
}

export function authorizationHeader(a: Authorization): string {
  return `${a.scheme} ${a.parameter}`;
}

function configuration(instance: string, detail: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.configuration, status: 400, title: 'Invalid authentication', detail, instance });
}

function authenticationError(instance: string, detail: string): WorkflowError {
  return new WorkflowError({ type: ErrorTypes.authentication, status: 401, title: 'Authentication failed', detail, instance });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The authorization for the policy at `pointer` (e.g. `/do/0/get/with/endpoint/authentication`),
 * evaluated on `input` (or given as `evaluated`); undefined when there is none.
 */
export async function resolveAuthentication(rt: TaskRuntime, pointer: string, input: unknown, evaluated?: unknown): Promise<ResolvedAuthentication | undefined> {
  let policy = evaluated !== undefined ? evaluated : rt.valueAt(pointer, input);
  let at = pointer;
  if (policy === undefined || policy === null) return undefined;
  if (isObject(policy) && typeof policy.use === 'string') {
    at = `/use/authentications/${escape(policy.use)}`;
    const named = rt.valueAt(at, input);
    if (!isObject(named)) throw configuration(pointer, `authentication "${policy.use}" is not declared in use.authentications.`);
    policy = named;
  }
  if (!isObject(policy)) throw configuration(at, 'an authentication policy must be a mapping (basic, bearer, oauth2, oidc, … or use).');
  const scheme = ['basic', 'bearer', 'digest', 'oauth2', 'oidc', 'certificate'].find((s) => s in policy);
  if (!scheme) throw configuration(at, `unknown authentication policy (${Object.keys(policy).join(', ') || 'empty'}); expected basic, bearer, digest, oauth2 or oidc.`);
  let props: unknown = policy[scheme];
  const schemeAt = `${at}/${scheme}`;
  if (scheme === 'bearer' && typeof props === 'string') props = { token: props };
  if (isObject(props) && typeof props.use === 'string' && Object.keys(props).length === 1) {
    // secret-based: the scheme's properties are the secret's value
    const secrets = (rt.args.$secrets ?? rt.args.$secret ?? {}) as Obj;
    const secret = secrets[props.use];
    if (!isObject(secret)) throw configuration(schemeAt, `the secret "${props.use}" holding the ${scheme} credentials is not set (or is not a mapping).`);
    props = secret;
  }
  if (!isObject(props)) throw configuration(schemeAt, `the ${scheme} authentication needs its properties.`);
  switch (scheme) {
    case 'basic': {
      const username = props.username;
      if (typeof username !== 'string') throw configuration(schemeAt, 'basic authentication needs a username.');
      const password = props.password === undefined || props.password === null ? '' : String(props.password);
      return { authorization: { scheme: 'Basic', parameter: Buffer.from(`${username}:${password}`).toString('base64') } };
    }
    case 'bearer': {
      const token = str(props.token);
      if (!token) throw configuration(schemeAt, 'bearer authentication needs a token (it is empty).');
      return { authorization: { scheme: 'Bearer', parameter: token } };
    }
    case 'oauth2':
    case 'oidc':
      return oauth2Token(rt, props, scheme === 'oidc', schemeAt);
    default:
      throw notSupported(schemeAt, `${scheme} authentication`);
  }
}

// ---- OAuth 2.0 / OpenID Connect ---------------------------------------------------------------

interface CachedToken {
  authorization: Authorization;
  /** ms since epoch (the run's clock) after which the token is fetched anew */
  renewAt: number;
}

// Bounded, in a long-lived daemon: tokens (keyed by everything the request sends, so per-run
// credentials add entries) and discovery documents age out instead of piling up.
const tokens = new LRUCache<string, CachedToken>({ max: 1000 });
const pending = new Map<string, Promise<CachedToken>>();
const discovered = new LRUCache<string, Promise<string>>({ max: 100, ttl: 3_600_000 });

/** Forgets every cached token and discovery document (tests). */
export function clearTokenCache(): void {
  tokens.clear();
  pending.clear();
  discovered.clear();
}

function doFetch(rt: TaskRuntime): typeof fetch {
  return rt.options.fetch ?? globalThis.fetch;
}

/** token and discovery requests are shared by every run that needs them: they are bounded by
 *  this timeout, not by one run's signal; each waiting run still stops when its own is aborted */
const SHARED_REQUEST_TIMEOUT_MS = 30_000;

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

async function tokenEndpoint(rt: TaskRuntime, props: Obj, oidc: boolean, at: string): Promise<URL> {
  const authority = str(props.authority);
  if (!authority) throw configuration(at, `${oidc ? 'oidc' : 'oauth2'} authentication needs an authority (the authorization server's URI).`);
  if (!URL.canParse(authority)) throw configuration(`${at}/authority`, `${JSON.stringify(authority)} is not a valid URI.`);
  if (!oidc) {
    const endpoints = isObject(props.endpoints) ? props.endpoints : {};
    const path = str(endpoints.token) ?? '/oauth2/token';
    // relative to the authority's path (an authority is often a realm: …/realms/shop)
    return serviceUrl(rt, URL.canParse(path) ? new URL(path) : new URL(`${authority.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`));
  }
  const wellKnown = authority.includes('/.well-known/') ? authority : `${authority.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const discoveryUrl = serviceUrl(rt, new URL(wellKnown));
  let found = discovered.get(discoveryUrl.href);
  if (!found) {
    found = (async () => {
      const res = await doFetch(rt)(discoveryUrl, { signal: AbortSignal.timeout(SHARED_REQUEST_TIMEOUT_MS), headers: { accept: 'application/json' } });
      const doc = (await res.json().catch(() => undefined)) as Obj | undefined;
      if (!res.ok || !doc || !str(doc.token_endpoint)) throw new Error(`${discoveryUrl.href} answered ${res.status}${doc ? '' : ' (not JSON)'} without a token_endpoint`);
      return doc.token_endpoint as string;
    })();
    discovered.set(discoveryUrl.href, found);
    found.catch(() => discovered.delete(discoveryUrl.href));
  }
  try {
    return serviceUrl(rt, new URL(await untilAborted(found, rt.scope.signal)));
  } catch (e) {
    if (rt.scope.signal.aborted) throw rt.scope.signal.reason;
    throw authenticationError(at, `OpenID Connect discovery failed: ${(e as Error).message}.`);
  }
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : typeof v === 'string' && v ? v.split(/\s+/) : []);

/** The token request's parameters and headers, as the grant and client authentication say. */
function tokenRequest(props: Obj, at: string): { params: Record<string, string>; headers: Record<string, string> } {
  const grant = str(props.grant) ?? 'client_credentials';
  const client = isObject(props.client) ? props.client : {};
  const method = str(client.authentication) ?? 'client_secret_post';
  const params: Record<string, string> = { grant_type: grant };
  const headers: Record<string, string> = { accept: 'application/json' };
  switch (grant) {
    case 'client_credentials':
      break;
    case 'password': {
      const username = str(props.username);
      if (!username) throw configuration(at, 'the password grant needs a username.');
      params.username = username;
      params.password = props.password === undefined || props.password === null ? '' : String(props.password);
      break;
    }
    case 'urn:ietf:params:oauth:grant-type:token-exchange': {
      const subject = isObject(props.subject) ? props.subject : undefined;
      if (!subject || !str(subject.token) || !str(subject.type)) throw configuration(at, 'the token-exchange grant needs subject.token and subject.type.');
      params.subject_token = subject.token as string;
      params.subject_token_type = subject.type as string;
      const actor = isObject(props.actor) ? props.actor : undefined;
      if (actor && str(actor.token)) {
        params.actor_token = actor.token as string;
        if (str(actor.type)) params.actor_token_type = actor.type as string;
      }
      break;
    }
    default:
      throw notSupported(`${at}/grant`, `the OAuth2 grant ${grant} (a workflow cannot take part in an interactive or refresh flow)`);
  }
  const scopes = list(props.scopes);
  if (scopes.length > 0) params.scope = scopes.join(' ');
  const audiences = list(props.audiences);
  if (audiences.length > 0) params.audience = audiences.join(' ');
  const id = str(client.id);
  const secret = client.secret === undefined || client.secret === null ? undefined : String(client.secret);
  switch (method) {
    case 'client_secret_post':
      if (!id) throw configuration(at, 'client.id is required (client.authentication client_secret_post).');
      params.client_id = id;
      if (secret !== undefined) params.client_secret = secret;
      break;
    case 'client_secret_basic':
      if (!id) throw configuration(at, 'client.id is required (client.authentication client_secret_basic).');
      // RFC 6749 §2.3.1: both form-urlencoded before joining
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret ?? '')}`).toString('base64')}`;
      break;
    case 'client_secret_jwt':
    case 'private_key_jwt': {
      const assertion = str(client.assertion);
      if (!assertion) throw configuration(at, `client.authentication ${method} needs client.assertion (a signed JWT).`);
      if (id) params.client_id = id;
      params.client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
      params.client_assertion = assertion;
      break;
    }
    case 'none':
      if (id) params.client_id = id;
      break;
    default:
      throw configuration(at, `unknown client.authentication ${JSON.stringify(method)}.`);
  }
  return { params, headers };
}

async function requestToken(rt: TaskRuntime, url: URL, request: ReturnType<typeof tokenRequest>, json: boolean, at: string): Promise<CachedToken> {
  const headers = { ...request.headers, 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' };
  const body = json ? JSON.stringify(request.params) : new URLSearchParams(request.params).toString();
  let res: Response;
  try {
    res = await doFetch(rt)(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(SHARED_REQUEST_TIMEOUT_MS) });
  } catch (e) {
    throw new WorkflowError({ type: ErrorTypes.communication, status: 503, title: 'Service Unavailable', detail: `the token request to ${url.href} failed: ${(e as Error).message}.`, instance: at });
  }
  const text = await res.text();
  let doc: Obj | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    doc = isObject(parsed) ? parsed : undefined;
  } catch {
    doc = undefined;
  }
  if (!res.ok || !doc || !str(doc.access_token)) {
    const why = doc && str(doc.error) ? `${doc.error as string}${str(doc.error_description) ? `: ${doc.error_description as string}` : ''}` : text.slice(0, 200);
    throw authenticationError(at, `the token request to ${url.href} answered ${res.status}${why ? ` (${why})` : ''}.`);
  }
  const type = str(doc.token_type) ?? 'Bearer';
  const scheme = type.toLowerCase() === 'bearer' ? 'Bearer' : type;
  const lifetime = typeof doc.expires_in === 'number' || typeof doc.expires_in === 'string' ? Number(doc.expires_in) * 1000 : 300_000;
  const margin = Math.min(30_000, lifetime / 10);
  return { authorization: { scheme, parameter: doc.access_token as string }, renewAt: rt.clock.now() + Math.max(0, lifetime - margin) };
}

async function oauth2Token(rt: TaskRuntime, props: Obj, oidc: boolean, at: string): Promise<ResolvedAuthentication> {
  const request = tokenRequest(props, at);
  const url = await tokenEndpoint(rt, props, oidc, at);
  const json = isObject(props.request) && props.request.encoding === 'application/json';
  const key = createHash('sha256').update(JSON.stringify([url.href, json, request.params, request.headers.authorization ?? ''])).digest('hex');
  const invalidate = () => {
    tokens.delete(key);
  };
  const cached = tokens.get(key);
  if (cached && cached.renewAt > rt.clock.now()) return { authorization: cached.authorization, invalidate };
  if (cached) tokens.delete(key);
  let inflight = pending.get(key);
  if (!inflight) {
    inflight = requestToken(rt, url, request, json, at);
    pending.set(key, inflight);
    inflight.then(
      (t) => {
        tokens.set(key, t);
        pending.delete(key);
      },
      () => pending.delete(key),
    );
  }
  const token = await untilAborted(inflight, rt.scope.signal);
  return { authorization: token.authorization, invalidate };
}
