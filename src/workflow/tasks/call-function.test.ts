import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { runWorkflow, type TaskEvent } from '../engine/index.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
const run = (body: string, opts = {}) => runWorkflow(loadWorkflow(HEAD + body), opts);

let server: Server;
let base: string;
const keys: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('call: <function>', () => {
  it('runs the function\'s task with the call\'s `with` as its input, as a task of its own', async () => {
    const events: TaskEvent[] = [];
    const r = await run(
      `use:
  functions:
    double:
      input:
        schema:
          document: { type: object, required: [n] }
      set: { v: '\${ .n * 2 }' }
      output: { as: .v }
do:
  - twice:
      call: double
      with: { n: '\${ .x + 1 }' }
`,
      { input: { x: 20 }, onTask: (e: TaskEvent) => events.push(e) },
    );
    expect(r).toEqual({ status: 'completed', output: 42 });
    expect(events.filter((e) => e.type === 'started').map((e) => [e.name, e.pointer])).toEqual([
      ['twice', '/do/0/twice'],
      ['double', '/use/functions/double'],
    ]);
  });

  it('without `with` the function gets the calling task\'s input; its schema is checked', async () => {
    const body = `use:\n  functions:\n    f:\n      input:\n        schema:\n          document: { type: object, required: [n] }\n      set: { got: '\${ .n }' }\ndo:\n  - a:\n      call: f\n`;
    expect(await run(body, { input: { n: 1 } })).toEqual({ status: 'completed', output: { got: 1 } });
    const bad = await run(body, { input: { m: 1 } });
    expect(bad.status).toBe('faulted');
    expect(bad.error).toMatchObject({ status: 400, instance: '/use/functions/f/input/schema' });
  });

  it('a function\'s requests get one idempotency key per call site', async () => {
    keys.length = 0;
    const r = await run(
      `use:
  functions:
    ping:
      call: http
      with: { method: get, endpoint: '${base}/ping' }
do:
  - a:
      call: ping
  - b:
      call: ping
`,
      { runId: 'run-1' },
    );
    expect(r.status).toBe('completed');
    expect(keys).toEqual(['run-1:/do/0/a>/use/functions/ping', 'run-1:/do/1/b>/use/functions/ping']);
  });

  it('a function that calls itself stops with a clear error', async () => {
    const r = await run(`use:\n  functions:\n    loop:\n      call: loop\ndo:\n  - a:\n      call: loop\n`);
    expect(r.status).toBe('faulted');
    expect(r.error).toMatchObject({ status: 508 });
    expect(r.error?.detail).toMatch(/does the function call itself/);
  });
});
