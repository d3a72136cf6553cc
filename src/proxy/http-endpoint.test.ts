import http from 'node:http';
import { text } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SELECTION, type SelectionSpec } from '../core/index.js';
import { startEndpoint } from './endpoint.js';
import { httpBackend, load, until, type Backend } from './test-backends.js';
import type { EndpointOptions, RequestOutcome, ServiceEndpoint, Target } from './types.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function backend(name: string, opts?: { delayMs?: number; status?: number }): Promise<Backend> {
  const b = await httpBackend(name, opts);
  let closed = false;
  const close = b.close;
  b.close = async () => { if (!closed) { closed = true; await close(); } };
  closers.push(() => b.close());
  return b;
}

async function endpoint(targets: () => Target[], more: Partial<EndpointOptions> = {}): Promise<ServiceEndpoint> {
  const ep = await startEndpoint({ service: 'svc', host: '127.0.0.1', port: 0, targets, ...more });
  closers.push(() => ep.close());
  return ep;
}

const selection = (s: Partial<SelectionSpec>): SelectionSpec => ({ ...DEFAULT_SELECTION, ...s });
const noEjection = { consecutiveFailures: 0, baseEjectionMs: 1000, maxEjectionMs: 1000 };

describe('http endpoint', () => {
  it('balances requests over the instances and forwards path, query and x-forwarded-*', async () => {
    const a = await backend('a');
    const b = await backend('b');
    const ep = await endpoint(() => [a.target, b.target]);
    expect(ep.url).toBe(`http://127.0.0.1:${ep.port}`);
    expect(ep.protocol).toBe('http');
    const { statuses, by } = await load(ep.url, 40, 4);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect([...by.keys()].sort()).toEqual(['a', 'b']);
    // node:http rather than fetch, which refuses to send hop-by-hop fields
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${ep.url}/path?q=1`, { headers: { 'x-forwarded-for': '10.0.0.1', 'keep-alive': 'timeout=9', te: 'trailers' } }, resolve).on('error', reject);
    });
    expect(await text(res)).toMatch(/^[ab] GET \/path\?q=1$/);
    const seen = (res.headers['x-backend'] === 'a' ? a : b).lastHeaders!;
    expect(seen).toMatchObject({ 'x-forwarded-for': '10.0.0.1, 127.0.0.1', 'x-forwarded-host': `127.0.0.1:${ep.port}`, 'x-forwarded-proto': 'http' });
    expect(seen['keep-alive']).toBeUndefined();
    expect(seen.te).toBeUndefined();
  });

  it('answers 503 naming the service when no instance is ready', async () => {
    const ep = await endpoint(() => []);
    const res = await fetch(`${ep.url}/`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('no ready instance of service svc');
  });

  it('retries a replayable request on another instance when one refuses the connection, never a plain POST', async () => {
    const a = await backend('a');
    const gone = await backend('gone');
    await gone.close(); // its port now refuses connections
    const dead: Target = { ...gone.target, id: 'dead' };
    const outcomes: RequestOutcome[] = [];
    const ep = await endpoint(() => [dead, a.target], {
      selection: selection({ strategy: 'round-robin', outlier: noEjection }),
      onOutcome: (o) => outcomes.push(o),
    });
    for (let i = 0; i < 4; i++) expect((await fetch(`${ep.url}/`)).status).toBe(200);
    const keyed = await Promise.all([0, 1].map(() => fetch(`${ep.url}/`, { method: 'POST', body: 'x', headers: { 'idempotency-key': 'k1' } })));
    expect(keyed.map((r) => r.status)).toEqual([200, 200]);
    expect(await keyed[0].text()).toBe('a POST / x'); // the buffered body went out again
    const plain = await Promise.all([0, 1].map(() => fetch(`${ep.url}/`, { method: 'POST', body: 'x' })));
    const statuses = plain.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 502]); // a body without a key is never replayed
    const failed = plain.find((r) => r.status === 502)!;
    expect(((await failed.json()) as { error: string }).error).toBe('instance dead of service svc failed: ECONNREFUSED');
    // an outcome is reported once the response is written out, which may be after the client read it
    await until(() => outcomes.filter((o) => o.instance === 'a').length === 7, 2000, 'seven outcomes of instance a');
    expect(outcomes.filter((o) => o.instance === 'dead').every((o) => o.status === 0 && o.error === 'ECONNREFUSED')).toBe(true);
    expect(outcomes.filter((o) => o.instance === 'a').every((o) => o.status === 200)).toBe(true);
    expect(outcomes.filter((o) => o.instance === 'dead')).toHaveLength(4);
    expect(outcomes.every((o) => o.service === 'svc' && o.durationSeconds >= 0)).toBe(true);
  });

  it('sends most requests to the fast instance with latency-heavy weights, and evenly with round-robin', async () => {
    const fast = await backend('fast');
    const slow = await backend('slow', { delayMs: 50 });
    const targets = () => [fast.target, slow.target];
    const ep = await endpoint(targets, { selection: selection({ weights: { latency: 1, success: 0, load: 0, health: 0 } }) });
    const qos = await load(ep.url, 400, 8);
    expect(qos.statuses.every((s) => s === 200)).toBe(true);
    expect(qos.share('fast'), `qos {latency: 1} split fast/slow = ${qos.by.get('fast')}/${qos.by.get('slow') ?? 0}`).toBeGreaterThan(0.8);

    ep.configure(selection({})); // the default weights must favour it too
    const defaults = await load(ep.url, 400, 8);
    expect(defaults.share('fast'), `qos default weights split fast/slow = ${defaults.by.get('fast')}/${defaults.by.get('slow') ?? 0}`).toBeGreaterThan(0.8);

    ep.configure(selection({ strategy: 'round-robin' }));
    const rr = await load(ep.url, 200, 8);
    expect(Math.abs(rr.share('fast') - 0.5), `round-robin split fast/slow = ${rr.by.get('fast')}/${rr.by.get('slow')}`).toBeLessThanOrEqual(0.1);

    const scores = ep.scores();
    expect(scores.map((s) => s.id)).toEqual(['fast', 'slow']);
    expect(scores[1].latencyEwmaMs).toBeGreaterThan(40);
    expect(scores[0].score).toBeGreaterThan(scores[1].score);
  });

  it('ejects an instance that answers 500 within N requests, and sends it traffic again once it recovered and the period passed', async () => {
    const good = await backend('good');
    const flaky = await backend('flaky');
    const outlier = { consecutiveFailures: 3, baseEjectionMs: 1500, maxEjectionMs: 5000 };
    const ep = await endpoint(() => [good.target, flaky.target], { selection: selection({ strategy: 'round-robin', outlier }) });
    for (let i = 0; i < 4; i++) await fetch(`${ep.url}/`).then((r) => r.text());
    flaky.status = 500;
    const before = flaky.hits;
    for (let i = 0; i < 6; i++) await fetch(`${ep.url}/`).then((r) => r.text()); // in turn: 3 of them to flaky
    const ejectedAt = flaky.hitTimes[flaky.hitTimes.length - 1];
    const ejectedUntil = ep.scores()[1].ejectedUntil;
    expect(ejectedUntil, 'the failing instance is ejected').toBeGreaterThan(Date.now());
    for (let i = 0; i < 10 && Date.now() < ejectedUntil! - 100; i++) await fetch(`${ep.url}/`).then((r) => r.text());
    expect(flaky.hits - before, 'requests the failing instance got').toBe(3);
    flaky.status = 200;
    let lastStatus = 0;
    await until(async () => {
      const res = await fetch(`${ep.url}/`);
      await res.text();
      lastStatus = res.status;
      return res.headers.get('x-backend') === 'flaky';
    }, 5000, 'the recovered instance to get traffic again');
    expect(lastStatus).toBe(200);
    const back = flaky.hitTimes[flaky.hitTimes.length - 1];
    expect(back - ejectedAt, 'ms until the ejected instance got traffic again').toBeGreaterThanOrEqual(outlier.baseEjectionMs - 20);
  });

  it('loses no GET when an instance is closed under steady load', async () => {
    const a = await backend('a', { delayMs: 2 });
    const b = await backend('b', { delayMs: 2 });
    // the registry has not noticed yet: the closed instance stays among the targets; round-robin
    // keeps sending it its share, so the retries are surely exercised
    const failures: RequestOutcome[] = [];
    const ep = await endpoint(() => [a.target, b.target], {
      selection: selection({ strategy: 'round-robin' }),
      onOutcome: (o) => { if (o.status === 0) failures.push(o); },
    });
    const closing: Array<Promise<void>> = [];
    const run = await load(ep.url, 600, 8, (i) => { if (i === 150) closing.push(b.close()); });
    await Promise.all(closing);
    const failed = run.statuses.filter((s) => s !== 200);
    expect(failed, `statuses other than 200: ${failed.join(', ')}`).toEqual([]);
    expect(run.by.get('b') ?? 0).toBeGreaterThan(0);
    expect(failures.length, 'failed attempts on the closed instance, retried on the other').toBeGreaterThan(0);
    expect(failures.every((o) => o.instance === 'b')).toBe(true);
    expect(ep.scores()[1].ejectedUntil).toBeGreaterThan(Date.now()); // five failures in a row
  });

  it('streams large bodies both ways, and passes HEAD and error statuses through', async () => {
    const a = await backend('a');
    const ep = await endpoint(() => [a.target]);
    const big = 'x'.repeat(200_000); // over the replay buffer: streamed, even with a key
    const res = await fetch(`${ep.url}/up`, { method: 'POST', body: big, headers: { 'idempotency-key': 'k' } });
    expect(await res.text()).toBe(`a POST /up ${big}`);
    const chunked = await fetch(`${ep.url}/up`, {
      method: 'PUT', body: new Blob([big]).stream(), duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    expect((await chunked.text()).length).toBe(`a PUT /up ${big}`.length);
    const head = await fetch(`${ep.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-backend')).toBe('a');
    a.status = 503;
    const failing = await fetch(`${ep.url}/`);
    expect(failing.status).toBe(503);
    expect(await failing.text()).toBe('a GET /');
  });

  it('forwards the body of a client that expects 100-continue (the endpoint answers the expectation)', async () => {
    const a = await backend('a');
    const ep = await endpoint(() => [a.target]);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = http.request(`${ep.url}/up`, { method: 'PUT', headers: { expect: '100-continue', 'content-length': 5 } }, resolve);
      req.on('continue', () => req.end('hello'));
      req.on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(await text(res)).toBe('a PUT /up hello');
    expect(a.lastHeaders!.expect).toBeUndefined();
  });

  it('cancels the request to the instance when the client goes away, and counts it out of flight', async () => {
    const a = await backend('a', { delayMs: 5000 });
    const ep = await endpoint(() => [a.target]);
    const client = new AbortController();
    const pending = fetch(`${ep.url}/`, { signal: client.signal });
    await until(() => a.hits === 1, 2000, 'the request to reach the instance');
    expect(ep.scores()[0].inFlight).toBe(1);
    client.abort();
    await expect(pending).rejects.toThrow();
    await until(() => ep.scores()[0].inFlight === 0, 2000, 'the cancelled request to leave the in-flight count');
    expect(ep.scores()[0].requests).toBe(1);
  });

  it('forgets the state of an instance once it leaves the targets, and closes its connections', async () => {
    const a = await backend('a');
    let targets = [a.target];
    const ep = await endpoint(() => targets);
    await fetch(`${ep.url}/`).then((r) => r.text());
    expect(ep.scores()[0].requests).toBe(1);
    expect(await a.connections(), 'the keep-alive connection to the instance').toBe(1);
    targets = [];
    expect(ep.scores()).toEqual([]);
    await until(async () => (await a.connections()) === 0, 2000, 'the connection to the instance that left to close');
    targets = [a.target];
    expect(ep.scores()[0].requests).toBe(0);
  });

  it('keeps a remembered port, and falls back to a free one when it is taken', async () => {
    const first = await endpoint(() => []);
    const second = await startEndpoint({ service: 'svc', host: '127.0.0.1', port: first.port, targets: () => [] });
    closers.push(() => second.close());
    expect(second.port).not.toBe(first.port);
    const port = first.port;
    await closers.shift()!();
    const again = await startEndpoint({ service: 'svc', host: '127.0.0.1', port, targets: () => [] });
    closers.push(() => again.close());
    expect(again.port).toBe(port);
  });
});
