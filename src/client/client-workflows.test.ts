// The client's workflow, run and event methods over a real socket against a stand-in of the
// API: the requests they make (paths, queries, bodies, content types) and how a run watch
// reads, reconnects and ends.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { createClient, type RunWatchEvent, type TuttiClient } from './index.js';
import { startWorkflowApiStub, summary, type WorkflowApiStub } from './test-workflow-api.js';
import type { RunDetail } from './api-types.js';

let stub: WorkflowApiStub;
let client: TuttiClient;
beforeEach(async () => {
  stub = await startWorkflowApiStub();
  client = createClient({ url: stub.url, token: 't' });
  stub.workflows.push({ name: 'order', version: '1.0.0', versions: ['1.0.0'], namespace: 'shop', createdAt: 1, origin: 'api' });
});
afterEach(() => stub.close());

const last = () => stub.requests.at(-1)!;

function runOf(id: string, status: RunDetail['status'], extra: Partial<RunDetail> = {}): RunDetail {
  return { id, workflow: 'order', version: '1.0.0', status, input: {}, createdAt: 1000, updatedAt: 1000, tasks: [], context: {}, ...extra };
}

async function drain(it: AsyncIterable<RunWatchEvent>): Promise<RunWatchEvent[]> {
  const out: RunWatchEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('workflow routes', () => {
  it('deploys a source with its file name and lists and starts workflows', async () => {
    expect(await client.deployWorkflow('document:\n  name: order\n  version: 2.0.0\n', 'flows/order.yaml')).toEqual({ name: 'order', version: '2.0.0', created: true });
    expect(last()).toMatchObject({ method: 'POST', path: '/api/v1/workflows', body: { source: expect.stringContaining('order'), file: 'flows/order.yaml' } });
    expect(last().headers['content-type']).toBe('application/json');
    expect((await client.listWorkflows()).map((w) => w.name)).toEqual(['order']);
    const run = await client.startRun('order', { input: { a: 1 }, version: '1.0.0' });
    expect(run).toMatchObject({ id: 'run-1', workflow: 'order', status: 'running', input: { a: 1 } });
    expect(last()).toMatchObject({ method: 'POST', path: '/api/v1/workflows/order/runs', body: { input: { a: 1 }, version: '1.0.0' } });
  });

  it("passes a deployment's problems through in the error's details", async () => {
    const e = await client.deployWorkflow('BROKEN', 'x.yaml').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TuttiError);
    expect((e as TuttiError).code).toBe('TUTTI_E_BAD_REQUEST');
    expect((e as TuttiError).details).toMatchObject({ problems: [{ text: 'x.yaml:3:5 /do/0/a: bad one.' }, { text: expect.stringContaining('x.yaml:7:9') }] });
  });

  it('sends run filters as query parameters and acts on runs', async () => {
    stub.runs.set('r1', runOf('r1', 'running'));
    const page = await client.listRuns({ workflow: 'order', status: 'running', since: '1h', until: '2026-01-01T00:00:00Z', limit: 5, before: 'c' });
    expect(page.runs.map((r) => r.id)).toEqual(['r1']);
    expect(Object.fromEntries(last().query)).toEqual({ workflow: 'order', status: 'running', since: '1h', until: '2026-01-01T00:00:00Z', limit: '5', before: 'c' });
    expect((await client.getRun('r1')).tasks).toEqual([]);
    expect((await client.suspendRun('r1')).status).toBe('suspended');
    expect((await client.resumeRun('r1')).status).toBe('running');
    expect((await client.cancelRun('r1')).status).toBe('cancelled');
    expect(stub.requests.slice(-3).map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/runs/r1/suspend',
      'POST /api/v1/runs/r1/resume',
      'POST /api/v1/runs/r1/cancel',
    ]);
    stub.runs.set('done', runOf('done', 'completed'));
    const conflict = await client.resumeRun('done').catch((err: unknown) => err as TuttiError);
    expect(conflict).toMatchObject({ code: 'TUTTI_E_CONFLICT' });
    await expect(client.getRun('nope')).rejects.toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
  });

  it('publishes an event in structured mode, adding specversion and the data content type', async () => {
    expect(await client.sendEvent({ type: 'order.paid', source: '/pay', data: { orderId: 'o-1' }, orderid: 'o-1' })).toEqual({ id: 'generated-1', seq: 1 });
    expect(last().headers['content-type']).toBe('application/cloudevents+json');
    expect(last().body).toEqual({ specversion: '1.0', type: 'order.paid', source: '/pay', data: { orderId: 'o-1' }, datacontenttype: 'application/json', orderid: 'o-1' });
  });
});

describe('watchRun', () => {
  const started = { type: 'started', pointer: '/do/0/a', name: 'a', time: new Date(1000).toISOString(), key: '/do/0/a#0' };
  const completed = { ...started, type: 'completed', time: new Date(1012).toISOString(), output: 1 };

  it('yields the run, its task events and ends after a terminal status', async () => {
    const run = runOf('r1', 'running');
    stub.runs.set('r1', run);
    stub.watches.set('r1', [[
      { event: 'run', data: summary(run) },
      { event: 'task', data: started },
      { event: 'task', data: completed },
      { event: 'run', data: { ...summary(run), status: 'completed', output: 1, updatedAt: 2000, endedAt: 2000 } },
      { event: 'task', data: { ...started, name: 'after the end' } },
    ]]);
    const events = await drain(client.watchRun('r1'));
    expect(events.map((e) => (e.type === 'run' ? `run ${e.data.status}` : `task ${e.data.type} ${e.data.name}`))).toEqual([
      'run running',
      'task started a',
      'task completed a',
      'run completed',
    ]);
  });

  it('reconnects after a dropped stream without repeating the same status, and ends at the terminal one', async () => {
    const run = runOf('r2', 'running');
    stub.runs.set('r2', run);
    stub.watches.set('r2', [
      [{ event: 'run', data: summary(run) }, { event: 'task', data: started }, { drop: true }],
      [{ event: 'run', data: summary(run) }, { event: 'task', data: completed }],
      [{ event: 'run', data: { ...summary(run), status: 'faulted', updatedAt: 3000, endedAt: 3000 } }],
    ]);
    const events = await drain(client.watchRun('r2', { retryMs: 1 }));
    expect(events.map((e) => (e.type === 'run' ? `run ${e.data.status}` : `task ${e.data.type}`))).toEqual(['run running', 'task started', 'task completed', 'run faulted']);
    expect(stub.requests.filter((r) => r.path.endsWith('/watch'))).toHaveLength(3);
  });

  it('rethrows what the server refuses (an unknown run) instead of retrying', async () => {
    await expect(drain(client.watchRun('missing', { retryMs: 1 }))).rejects.toMatchObject({ code: 'TUTTI_E_NOT_FOUND' });
    expect(stub.requests.filter((r) => r.path.endsWith('/watch'))).toHaveLength(1);
  });

  it('gives up on a daemon that stays away', async () => {
    const gone = createClient({ url: 'http://127.0.0.1:9', token: 't' });
    await expect(drain(gone.watchRun('r', { retryMs: 1, giveUpAfterMs: 30 }))).rejects.toMatchObject({ code: 'TUTTI_E_DAEMON_UNREACHABLE' });
  });

  it('ends quietly when the caller aborts', async () => {
    const run = runOf('r3', 'running');
    stub.runs.set('r3', run);
    stub.watches.set('r3', [[{ event: 'run', data: summary(run) }]]);
    const abort = new AbortController();
    const seen: RunWatchEvent[] = [];
    for await (const e of client.watchRun('r3', { signal: abort.signal, retryMs: 1 })) {
      seen.push(e);
      abort.abort();
    }
    expect(seen).toHaveLength(1);
  });
});
