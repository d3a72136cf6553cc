// `tutti workflow` and `tutti events` end to end: the real command against a real daemon, with
// workflows deployed from files, runs followed live, inspected, suspended, resumed and cancelled,
// and a `listen` woken by `tutti events send`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Project, run, waitFor, type RunResult } from './helpers/tutti.js';

const doc = (name: string, body: string) => `document:
  dsl: '1.0.0'
  namespace: test
  name: ${name}
  version: '1.0.0'
  title: The ${name} workflow
${body}`;

const GREET = doc('greet', `do:
  - hello:
      set:
        greeting: \${ "hello " + .name }
`);

const FAIL = doc('fail', `do:
  - prepare:
      set:
        ready: true
  - boom:
      raise:
        error:
          type: https://serverlessworkflow.io/spec/1.0.0/errors/runtime
          status: 500
          title: Boom
`);

const SLOW = doc('slow', `do:
  - nap:
      wait:
        hours: 1
  - after:
      set:
        woke: true
`);

const PING = doc('ping', `do:
  - waitPing:
      listen:
        to:
          one:
            with:
              type: com.example.ping
  - done:
      set:
        got: \${ . }
`);

// the next task names "nowhere", which is no task of the list
const BROKEN = doc('broken', `do:
  - first:
      set:
        a: 1
      then: nowhere
`);

describe('tutti workflow against a real daemon', () => {
  let p: Project;
  const ok = (r: RunResult) => expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  const show = (id: string) => p.json<any>('workflow', 'show', id);
  const latestRun = async (workflow: string, status: string) => {
    const page = await p.json<any>('workflow', 'runs', '--workflow', workflow, '--status', status);
    return page.runs[0]?.id as string | undefined;
  };

  beforeAll(async () => {
    p = new Project('name: wfcli\nservices: {}\n', {
      'flows/greet.yaml': GREET,
      'flows/fail.yaml': FAIL,
      'flows/slow.yaml': SLOW,
      'flows/ping.yaml': PING,
      'flows/broken.yaml': BROKEN,
      'input.json': '{"name": "file"}',
    });
    ok(await p.tutti('up'));
    for (const f of ['greet', 'fail', 'slow', 'ping']) {
      const r = await p.tutti('workflow', 'deploy', `flows/${f}.yaml`);
      ok(r);
      expect(r.stdout).toBe(`deployed ${f} 1.0.0\n`);
    }
  }, 120_000);
  afterAll(async () => p.cleanup());

  it('rejects an invalid document with its problems, one per line with file:line:col, exit 1', async () => {
    const r = await p.tutti('workflow', 'deploy', 'flows/broken.yaml');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: flows\/broken\.yaml is not a valid workflow \(1 problem\):\n {2}flows\/broken\.yaml:\d+:\d+ \/do\/0\/first\/then: .*nowhere/);
    expect((await p.json<any[]>('workflow', 'ls')).map((w) => w.name)).not.toContain('broken');
  });

  it('lists the deployed workflows', async () => {
    const r = await p.tutti('workflow', 'ls');
    ok(r);
    const rows = r.stdout.trim().split('\n').map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['NAME', 'VERSION', 'VERSIONS', 'ORIGIN', 'TITLE']);
    expect(rows).toContainEqual(['greet', '1.0.0', '1', 'api', 'The greet workflow']);
    expect(rows.map((r) => r[0]).sort()).toEqual(['NAME', 'fail', 'greet', 'ping', 'slow']);
  });

  it('runs a workflow with --wait: tasks on stderr, the output on stdout, exit 0', async () => {
    const r = await p.tutti('workflow', 'run', 'greet', '--input', '{"name": "ada"}', '--wait');
    ok(r);
    expect(JSON.parse(r.stdout)).toEqual({ greeting: 'hello ada' });
    expect(r.stderr).toMatch(/^✓ hello \(\/do\/0\/hello\) \d/m);
    expect(r.stderr).toMatch(/^completed in /m);
    const fromFile = await p.tutti('workflow', 'run', 'greet', '--input', '@input.json', '--wait');
    expect(JSON.parse(fromFile.stdout)).toEqual({ greeting: 'hello file' });
  });

  it('refuses bad --input JSON before starting anything', async () => {
    const r = await p.tutti('workflow', 'run', 'greet', '--input', '{"name": ada}');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --input is not valid JSON at column 10: /);
  });

  it('a faulting run: exit 1 with the error and the pointer of the task that raised it', async () => {
    const r = await p.tutti('workflow', 'run', 'fail', '--wait');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/✓ prepare \(\/do\/0\/prepare\)/);
    expect(r.stderr).toMatch(/✗ boom \(\/do\/1\/boom\).*Boom \(runtime, 500\)/);
    expect(r.stderr).toMatch(/error: run \S+ faulted at \/do\/1\/boom: Boom \(runtime, 500\)/);

    const id = await latestRun('fail', 'faulted');
    expect(id).toBeDefined();
    const page = await p.json<any>('workflow', 'runs', '--status', 'faulted');
    expect(page.runs.map((x: any) => x.workflow)).toEqual(['fail']);
    const table = await p.tutti('workflow', 'runs', '--status', 'completed');
    expect(table.stdout).toMatch(/^RUN\s+WORKFLOW\s+VERSION\s+STATUS\s+STARTED\s+DURATION$/m);
    expect(table.stdout).toMatch(/greet\s+1\.0\.0\s+completed/);
    expect(table.stdout).not.toMatch(/\bfail\b/);

    const detail = await p.tutti('workflow', 'show', id!);
    ok(detail);
    expect(detail.stdout).toMatch(/status\s+faulted/);
    expect(detail.stdout).toMatch(/error\s+faulted at \/do\/1\/boom/);
    expect(detail.stdout).toMatch(/prepare\s+\/do\/0\/prepare\s+-\s+completed/);
    expect(detail.stdout).toMatch(/boom\s+\/do\/1\/boom\s+-\s+faulted/);
  });

  it('suspends, resumes and cancels a waiting run; a follower of it exits 2', async () => {
    const started = await p.tutti('workflow', 'run', 'slow');
    ok(started);
    const id = started.stdout.trim();
    await waitFor(async () => (await show(id)).tasks.some((t: any) => t.name === 'nap' && t.status === 'running'), { message: 'the run to reach its wait' });

    expect((await p.tutti('workflow', 'suspend', id)).stdout).toBe(`${id} suspended\n`);
    expect((await show(id)).status).toBe('suspended');
    expect((await p.tutti('workflow', 'resume', id)).stdout).toBe(`${id} running\n`);
    await waitFor(async () => (await show(id)).status === 'running', { message: 'the run to run again' });

    const follower = run(['workflow', 'run', 'slow', '--wait'], { cwd: p.dir });
    const followed = await waitFor(() => latestRun('slow', 'running').then((r) => (r && r !== id ? r : undefined)), { message: 'the followed run to start' });
    await waitFor(async () => (await show(followed)).tasks.length > 0, { message: 'the followed run to reach its wait' });
    ok(await p.tutti('workflow', 'cancel', followed));
    const f = await follower;
    expect(f.code, f.stderr).toBe(2);
    expect(f.stderr).toContain(`run ${followed} was cancelled`);

    const cancel = await p.tutti('workflow', 'cancel', id);
    ok(cancel);
    await waitFor(async () => (await show(id)).status === 'cancelled', { message: 'the run to be cancelled' });
    const again = await p.tutti('workflow', 'resume', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: /);
  });

  it('wakes a listening run with tutti events send', async () => {
    const started = await p.tutti('workflow', 'run', 'ping');
    ok(started);
    const id = started.stdout.trim();
    await waitFor(async () => (await show(id)).tasks.some((t: any) => t.name === 'waitPing' && t.status === 'running'), { message: 'the run to listen' });
    const sent = await p.tutti('events', 'send', '--type', 'com.example.ping', '--source', '/test', '--data', '{"pong": 42}');
    ok(sent);
    expect(sent.stdout).toMatch(/^sent \S+ \(seq \d+\)\n$/);
    const done = await waitFor(async () => {
      const r = await show(id);
      return r.status === 'completed' ? r : undefined;
    }, { message: 'the listening run to complete', timeout: 15_000 });
    expect(JSON.stringify(done.output)).toContain('"pong":42');
  });
});
