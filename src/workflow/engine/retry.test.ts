import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { retryDelayMs } from '../tasks/retry-policy.js';
import { runWorkflow, type Clock, type RunState } from './index.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: retry, version: '1.0.0' }\n`;

/** A flaky service: answers 503 to the first `failures` requests of a path, then 200 with { ok, hits }. */
let server: Server;
let base: string;
let failures = 0;
const seen: IncomingHttpHeaders[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.headers);
    if (seen.length <= failures) {
      res.writeHead(503, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ message: 'try later' }));
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, hits: seen.length }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

/** a clock whose sleeps return at once, recording what was asked */
function instantClock(): Clock & { requested: number[] } {
  let t = 0;
  const requested: number[] = [];
  return { requested, now: () => t, sleep: async (ms) => void (requested.push(ms), (t += ms)) };
}

const call = (retry: string) => `do:
  - tryIt:
      try:
        - fetchIt:
            call: http
            with: { method: get, endpoint: '${base}/thing' }
      catch:
        errors: { with: { status: 503 } }
        retry:
${retry}
`;

describe('retry', () => {
  it('retries with exponential backoff until the service answers, with one idempotency key', async () => {
    failures = 2;
    const clock = instantClock();
    const states: RunState[] = [];
    const r = await runWorkflow(loadWorkflow(HEAD + call('          delay: PT1S\n          backoff: { exponential: {} }\n          limit: { attempt: { count: 5 } }')), {
      clock,
      runId: 'run-1',
      onTransition: (s) => states.push(structuredClone(s)),
    });
    expect(r).toEqual({ status: 'completed', output: { ok: true, hits: 3 } });
    expect(clock.requested).toEqual([1000, 2000]);
    expect(seen.map((h) => h['idempotency-key'])).toEqual(Array(3).fill('run-1:/do/0/tryIt/try/0/fetchIt'));
    expect(states.at(-1)).toMatchObject({ status: 'completed', attempts: { '/do/0/tryIt': 2 } });
    expect(JSON.parse(JSON.stringify(states.at(-1)))).toEqual(states.at(-1));
  });

  it('exhausted retries fault the try with the last error, which an outer try catches', async () => {
    failures = 100;
    const clock = instantClock();
    const r = await runWorkflow(
      loadWorkflow(`${HEAD}use:
  retries:
    twice: { delay: { milliseconds: 100 }, backoff: { linear: {} }, limit: { attempt: { count: 2 } } }
do:
  - outer:
      try:
        - inner:
            try:
              - fetchIt:
                  call: http
                  with: { method: get, endpoint: '${base}/thing' }
            catch:
              errors: { with: { type: https://serverlessworkflow.io/dsl/errors/types/communication } }
              retry: twice
              do:
                - never: { set: { handled: inner } }
      catch:
        as: failure
        do:
          - report:
              set: { status: '\${ $failure.status }', instance: '\${ $failure.instance }' }
`),
      { clock },
    );
    expect(r).toEqual({ status: 'completed', output: { status: 503, instance: '/do/0/outer/try/0/inner/try/0/fetchIt' } });
    expect(seen).toHaveLength(3);
    expect(clock.requested).toEqual([100, 200]);
  });

  it('idempotency keys carry the loop index inside a for', async () => {
    failures = 0;
    const r = await runWorkflow(
      loadWorkflow(`${HEAD}do:\n  - each:\n      for: { in: '[1, 2]' }\n      do:\n        - hit:\n            call: http\n            with: { method: post, endpoint: '${base}/thing', body: { n: '\${ $item }' } }\n`),
      { runId: 'r' },
    );
    expect(r.status).toBe('completed');
    expect(seen.map((h) => h['idempotency-key'])).toEqual(['r:/do/0/each/do/0/hit:0', 'r:/do/0/each/do/0/hit:1']);
  });

  it('a non-2xx answer is a communication error with the status', async () => {
    failures = 100;
    const r = await runWorkflow(loadWorkflow(`${HEAD}do:\n  - hit:\n      call: http\n      with: { method: get, endpoint: '${base}/x' }\n`));
    expect(r.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 503, title: 'Service Unavailable', instance: '/do/0/hit' });
  });
});

describe('retryDelayMs', () => {
  const cases: Array<[string, object, number, number]> = [
    ['no delay', {}, 3, 0],
    ['constant', { delay: 'PT2S', backoff: { constant: {} } }, 3, 2000],
    ['linear', { delay: { seconds: 1 }, backoff: { linear: {} } }, 3, 3000],
    ['exponential', { delay: { seconds: 1 }, backoff: { exponential: {} } }, 4, 8000],
    ['jitter (random 0.5)', { delay: 'PT1S', jitter: { from: { milliseconds: 100 }, to: { milliseconds: 300 } } }, 1, 1200],
  ];
  it.each(cases)('%s', (_n, policy, n, ms) => {
    expect(retryDelayMs(policy, n, () => 0.5, '/p')).toBe(ms);
  });
});
