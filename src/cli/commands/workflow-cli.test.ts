// `tutti workflow …` and `tutti events send` in-process: `main()` with --url and --token against a
// stand-in of the API on a real socket. What is printed where, the exit codes, and the requests
// the flags turn into.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunDetail } from '../../client/index.js';
import { startWorkflowApiStub, summary, type WorkflowApiStub } from '../../client/test-workflow-api.js';
import { main } from '../main.js';

let stub: WorkflowApiStub;
let dir: string;
// main() adds an EPIPE handler to stdout and stderr per call: many calls in one process are fine
process.stdout.setMaxListeners(0);
process.stderr.setMaxListeners(0);
beforeEach(async () => {
  stub = await startWorkflowApiStub();
  dir = mkdtempSync(join(tmpdir(), 'tutti-cli-workflow-'));
  stub.workflows.push({ name: 'order', version: '1.0.0', versions: ['1.0.0', '0.9.0'], namespace: 'shop', createdAt: 1, origin: 'api', title: 'Place an order' });
});
afterEach(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = undefined;
});

// eslint-disable-next-line no-control-regex
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

async function tutti(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    await main(['node', 'tutti', ...args, '--url', stub.url, '--token', 't']);
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { stdout: plain(stdout), stderr: plain(stderr), code };
}

const last = () => stub.requests.at(-1)!;
const T0 = Date.UTC(2026, 0, 31, 12);
const faultError = { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/communication', status: 503, title: 'Service Unavailable', instance: '/do/1/charge' };

/** A run the stub holds, and what its watch stream sends, ending in `end`. */
function scripted(id: string, end: Partial<RunDetail> & Pick<RunDetail, 'status'>, tasks: RunDetail['tasks'] = []) {
  const running: RunDetail = { id, workflow: 'order', version: '1.0.0', status: 'running', input: {}, createdAt: T0, updatedAt: T0, tasks: [], context: {} };
  const final: RunDetail = { ...running, ...end, tasks, updatedAt: T0 + 40, endedAt: T0 + 40 };
  stub.runs.set(id, final);
  stub.watches.set(id, [[
    { event: 'run', data: summary(running) },
    { event: 'task', data: { type: 'started', name: 'reserve', pointer: '/do/0/reserve', time: new Date(T0 + 1).toISOString(), key: '/do/0/reserve#0' } },
    { event: 'task', data: { type: 'completed', name: 'reserve', pointer: '/do/0/reserve', time: new Date(T0 + 13).toISOString(), key: '/do/0/reserve#0' } },
    { event: 'run', data: summary(final) },
  ]]);
}

describe('tutti workflow', () => {
  it('ls lists the deployed workflows, --json as the API gives them', async () => {
    const r = await tutti('workflow', 'ls');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0].split(/\s{2,}/)).toEqual(['NAME', 'VERSION', 'VERSIONS', 'ORIGIN', 'TITLE']);
    expect(r.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['order', '1.0.0', '2', 'api', 'Place an order']);
    expect(JSON.parse((await tutti('workflow', 'ls', '--json')).stdout)).toMatchObject([{ name: 'order', versions: ['1.0.0', '0.9.0'] }]);
  });

  it('deploy sends the file, and prints the problems one per line with exit 1 when rejected', async () => {
    const file = join(dir, 'order.yaml');
    writeFileSync(file, 'document:\n  name: order\n  version: 2.0.0\n');
    expect(await tutti('workflow', 'deploy', file)).toEqual({ stdout: 'deployed order 2.0.0\n', stderr: '', code: 0 });
    expect(last().body).toEqual({ source: 'document:\n  name: order\n  version: 2.0.0\n', file });
    writeFileSync(file, 'BROKEN');
    const bad = await tutti('workflow', 'deploy', file);
    expect(bad.code).toBe(1);
    expect(bad.stderr.split('\n')).toEqual([
      `error: ${file} is not a valid workflow (2 problems):`,
      `  ${file}:3:5 /do/0/a: bad one.`,
      `  ${file}:7:9 /do/1/b/then: names no task.`,
      'hint: fix the workflow document at that place',
      '',
    ]);
    const missing = await tutti('workflow', 'deploy', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`error: cannot read ${join(dir, 'nope.yaml')} (no such file)`);
  });

  it('run prints the run id; --input and --version reach the API; bad JSON names the flag and column', async () => {
    const r = await tutti('workflow', 'run', 'order', '--input', '{"orderId": "o-1"}', '--version', '0.9.0');
    expect(r).toEqual({ stdout: 'run-1\n', stderr: '', code: 0 });
    expect(last()).toMatchObject({ path: '/api/v1/workflows/order/runs', body: { input: { orderId: 'o-1' }, version: '0.9.0' } });
    const input = join(dir, 'input.json');
    writeFileSync(input, '{"orderId": "o-2"}');
    await tutti('workflow', 'run', 'order', '--input', `@${input}`);
    expect(last().body).toEqual({ input: { orderId: 'o-2' } });

    const before = stub.requests.length;
    const bad = await tutti('workflow', 'run', 'order', '--input', '{"orderId": o-1}');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: --input is not valid JSON at column 13: /);
    expect(stub.requests.length).toBe(before); // nothing was started
    const unknown = await tutti('workflow', 'run', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: no workflow nope');
  });

  it('run --wait shows tasks as they complete, then the output on stdout, exit 0', async () => {
    scripted('run-1', { status: 'completed', output: { total: 42 } });
    const r = await tutti('workflow', 'run', 'order', '--wait');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{\n  "total": 42\n}\n');
    expect(r.stderr.split('\n')).toEqual(['run run-1', '✓ reserve (/do/0/reserve) 12ms', 'completed in 40ms', '']);
  });

  it('run --wait prints tasks that ended before the watch opened, from the run record', async () => {
    const tasks: RunDetail['tasks'] = [
      { key: '/do/0/reserve#0', pointer: '/do/0/reserve', name: 'reserve', status: 'completed', startedAt: T0 + 1, endedAt: T0 + 13 },
      { key: '/do/1/ship#0', pointer: '/do/1/ship', name: 'ship', status: 'completed', startedAt: T0 + 14, endedAt: T0 + 20 },
    ];
    scripted('run-1', { status: 'completed', output: 1 }, tasks);
    const r = await tutti('workflow', 'run', 'order', '--wait');
    expect(r.stderr.split('\n').slice(1, 3)).toEqual(['✓ reserve (/do/0/reserve) 12ms', '✓ ship (/do/1/ship) 6ms']);
  });

  it('run --wait of a faulting run: the error with its instance pointer on stderr, exit 1', async () => {
    scripted('run-1', { status: 'faulted', error: faultError });
    const r = await tutti('workflow', 'run', 'order', '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: run run-1 faulted at /do/1/charge: Service Unavailable (communication, 503)');
    expect(r.stderr).toContain('hint: `tutti workflow show run-1` shows every task of the run');
  });

  it('run --wait of a cancelled run exits 2; --json prints the final summary alone', async () => {
    scripted('run-1', { status: 'cancelled' });
    expect((await tutti('workflow', 'run', 'order', '--wait')).code).toBe(2);
    scripted('run-2', { status: 'faulted', error: faultError });
    const r = await tutti('workflow', 'run', 'order', '--wait', '--json');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 'run-2', status: 'faulted', error: { instance: '/do/1/charge' } });
  });

  it('runs filters by workflow, status and time, and checks the flags first', async () => {
    stub.runs.set('r1', { id: 'r1', workflow: 'order', version: '1.0.0', status: 'faulted', input: {}, createdAt: T0, updatedAt: T0 + 1500, endedAt: T0 + 1500, tasks: [], context: {} });
    stub.runs.set('r2', { id: 'r2', workflow: 'order', version: '1.0.0', status: 'completed', input: {}, createdAt: T0, updatedAt: T0 + 10, endedAt: T0 + 10, tasks: [], context: {} });
    const r = await tutti('workflow', 'runs', '--workflow', 'order', '--status', 'faulted', '--since', '1h', '--limit', '10');
    expect(Object.fromEntries(last().query)).toEqual({ workflow: 'order', status: 'faulted', since: '1h', limit: '10' });
    expect(r.stdout.split('\n')[0].split(/\s{2,}/)).toEqual(['RUN', 'WORKFLOW', 'VERSION', 'STATUS', 'STARTED', 'DURATION']);
    expect(r.stdout.split('\n')[1].split(/\s{2,}/)).toEqual(['r1', 'order', '1.0.0', 'faulted', expect.stringMatching(/ ago$/), '1.5s']);
    const all = await tutti('workflow', 'runs');
    expect(all.stdout).toContain('more: tutti workflow runs --before cursor-2');
    const bad = await tutti('workflow', 'runs', '--status', 'failed');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error: --status "failed" is not a run status');
  });

  it('show prints the timeline; cancel, suspend and resume print the new status; a refusal exits 1', async () => {
    stub.runs.set('r1', {
      id: 'r1', workflow: 'order', version: '1.0.0', status: 'running', input: { a: 1 }, createdAt: T0, updatedAt: T0, context: {},
      tasks: [{ key: '/do/0/reserve#0', pointer: '/do/0/reserve', name: 'reserve', status: 'completed', startedAt: T0 + 2, endedAt: T0 + 14 }],
    });
    const show = await tutti('workflow', 'show', 'r1');
    expect(show.stdout).toMatch(/reserve\s+\/do\/0\/reserve\s+-\s+completed\s+\+2ms\s+12ms/);
    expect(JSON.parse((await tutti('workflow', 'show', 'r1', '--json')).stdout)).toMatchObject({ id: 'r1', tasks: [{ name: 'reserve' }] });
    expect((await tutti('workflow', 'suspend', 'r1')).stdout).toBe('r1 suspended\n');
    expect((await tutti('workflow', 'resume', 'r1')).stdout).toBe('r1 running\n');
    expect((await tutti('workflow', 'cancel', 'r1')).stdout).toBe('r1 cancelled\n');
    stub.runs.get('r1')!.status = 'completed';
    const refused = await tutti('workflow', 'resume', 'r1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: run r1 is completed');
  });
});

describe('tutti events send', () => {
  it('publishes a structured CloudEvent and prints its id and seq', async () => {
    const r = await tutti('events', 'send', '--type', 'order.paid', '--source', '/pay', '--data', '{"orderId":"o-1"}', '--subject', 'o-1', '--id', 'e-1', '--attr', 'orderid=o-1');
    expect(r).toEqual({ stdout: 'sent e-1 (seq 1)\n', stderr: '', code: 0 });
    expect(last().headers['content-type']).toBe('application/cloudevents+json');
    expect(last().body).toEqual({ specversion: '1.0', id: 'e-1', type: 'order.paid', source: '/pay', subject: 'o-1', data: { orderId: 'o-1' }, datacontenttype: 'application/json', orderid: 'o-1' });
    expect(JSON.parse((await tutti('events', 'send', '--type', 't', '--source', 's', '--json')).stdout)).toEqual({ id: 'generated-2', seq: 2 });
  });

  it('names a missing or bad flag before sending anything', async () => {
    const missing = await tutti('events', 'send', '--source', '/pay');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: --type is required');
    const bad = await tutti('events', 'send', '--type', 't', '--source', 's', '--data', '{oops}');
    expect(bad.stderr).toContain('error: --data is not valid JSON at column 2');
    expect(stub.requests.filter((q) => q.path === '/api/v1/events')).toHaveLength(0);
  });
});
