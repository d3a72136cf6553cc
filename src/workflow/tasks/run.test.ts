import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWorkflow } from '../definition/index.js';
import { ManualClock, runWorkflow, startRun, type RunWorkflowOptions } from '../engine/index.js';
import { waitFor } from '../../core/test-wait.js';

const HEAD = `document: { dsl: '1.0.3', namespace: test, name: wf, version: '1.0.0' }\n`;
const allowAll = { allowRun: { shell: true, script: true } };
const wf = (body: string) => loadWorkflow(HEAD + body, allowAll);
const allowed: RunWorkflowOptions = { allow: { shell: true, script: true } };
const dir = mkdtempSync(join(tmpdir(), 'tutti-run-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = (cond: () => boolean, ms = 10_000) => waitFor(cond, { timeout: ms, interval: 10 });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const shell = (run: string) =>
  wf(`do:
  - sh:
      run:
${run
  .split('\n')
  .map((l) => `        ${l}`)
  .join('\n')}
`);

describe('run: shell', () => {
  it('is refused unless the run allows it', async () => {
    const r = await runWorkflow(shell(`shell: { command: 'echo hi' }`));
    expect(r).toMatchObject({ status: 'faulted', error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/authorization', status: 403, instance: '/do/0/sh' } });
    expect(r.error?.detail).toMatch(/allowRun\.shell/);
  });

  it('runs the command with stdin, arguments as $1 $2 and the environment; the output is stdout', async () => {
    const def = wf(`do:
  - setInput: { set: { message: Hello World } }
  - runShell:
      input: { from: '\${ .message }' }
      run:
        shell:
          stdin: '\${ . }'
          command: |
            input=$(cat)
            echo "STDIN was: $input"
            echo "ARGS are $1 $2 $GREETING"
          arguments: [Foo, Bar]
          environment: { GREETING: '\${ "hi " + . }' }
`);
    expect(await runWorkflow(def, allowed)).toEqual({ status: 'completed', output: 'STDIN was: Hello World\nARGS are Foo Bar hi Hello World\n' });
  });

  it.each([
    ['code', 3],
    ['stderr', 'oops\n'],
    ['all', { code: 3, stdout: 'out\n', stderr: 'oops\n' }],
  ])('return: %s gives the exit code, stderr or both (a non-zero exit is no fault when the code is the output)', async (ret, output) => {
    const r = await runWorkflow(shell(`shell: { command: 'echo out; echo oops >&2; exit ${ret === 'stderr' ? 0 : 3}' }\nreturn: ${ret}`), allowed);
    expect(r).toEqual({ status: 'completed', output });
  });

  it('return: none outputs the task input', async () => {
    const r = await runWorkflow(shell(`shell: { command: 'echo ignored' }\nreturn: none`), { ...allowed, input: { keep: 1 } });
    expect(r).toEqual({ status: 'completed', output: { keep: 1 } });
  });

  it('a non-zero exit faults with a runtime error carrying the exit code and stderr', async () => {
    const r = await runWorkflow(shell(`shell: { command: 'echo partial; echo "no such file" >&2; exit 2' }`), allowed);
    expect(r).toEqual({
      status: 'faulted',
      error: { type: 'https://serverlessworkflow.io/spec/1.0.0/errors/runtime', status: 500, title: 'Process failed', detail: 'the shell command exited with code 2: no such file', instance: '/do/0/sh' },
    });
  });

  it('cancelling the run kills the process (and what it started)', async () => {
    const pidFile = join(dir, 'cancel.pid');
    const h = startRun(shell(`shell: { command: 'echo $$ > ${pidFile}; sleep 30; echo never' }`), allowed);
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    h.cancel();
    expect(await h.result).toEqual({ status: 'cancelled' });
    await until(() => !alive(pid));
  });

  it('a task timeout kills the process and faults with a timeout', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const clock = new ManualClock();
    const done = runWorkflow(
      wf(`do:
  - sh:
      timeout: { after: PT1S }
      run:
        shell: { command: 'echo $$ > ${pidFile}; sleep 30' }
`),
      { ...allowed, clock },
    );
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    clock.advance(1000);
    expect(await done).toMatchObject({ status: 'faulted', error: { status: 408, instance: '/do/0/sh' } });
    await until(() => !alive(Number(readFileSync(pidFile, 'utf8'))));
  });

  it('await: false starts the process and outputs the input at once', async () => {
    const marker = join(dir, 'detached.txt');
    const r = await runWorkflow(shell(`shell: { command: 'sleep 0.2; echo done > ${marker}' }\nawait: false`), { ...allowed, input: { a: 1 } });
    expect(r).toEqual({ status: 'completed', output: { a: 1 } });
    expect(existsSync(marker)).toBe(false);
    await until(() => existsSync(marker));
  });

  it('a completed shell task is not run again when the run resumes', async () => {
    const counter = join(dir, 'count.txt');
    const def = wf(`do:
  - sh:
      run:
        shell: { command: 'echo x >> ${counter}; echo ran' }
  - pause: { wait: PT1S }
`);
    const clock = new ManualClock();
    const first = startRun(def, { ...allowed, clock });
    await until(() => clock.pending === 1);
    const snapshot = structuredClone(first.state);
    first.suspend();
    await first.result;
    const resumed = startRun(def, { ...allowed, clock, resume: snapshot });
    await until(() => clock.pending === 1);
    clock.advance(1000);
    expect(await resumed.result).toEqual({ status: 'completed', output: 'ran\n' });
    expect(readFileSync(counter, 'utf8')).toBe('x\n');
  });
});

describe('run: script', () => {
  it('is refused unless the run allows it', async () => {
    const r = await runWorkflow(shell(`script: { language: js, code: 'console.log(1)' }`), { allow: { shell: true } });
    expect(r.error).toMatchObject({ status: 403 });
    expect(r.error?.detail).toMatch(/run\.script/);
  });

  it('runs JavaScript (an ES module) with stdin, argv and the environment', async () => {
    const def = wf(`do:
  - runScript:
      run:
        script:
          language: javascript
          stdin: Hello Workflow
          environment: { foo: bar }
          arguments: [hello]
          code: |
            import { readFileSync } from 'node:fs';
            const stdin = readFileSync(process.stdin.fd, 'utf8');
            const [, , arg] = process.argv;
            console.log(JSON.stringify({ stdin, arg, foo: process.env.foo }));
      output: { as: '. | fromjson' }
`);
    expect(await runWorkflow(def, allowed)).toEqual({ status: 'completed', output: { stdin: 'Hello Workflow', arg: 'hello', foo: 'bar' } });
  });

  it('runs CommonJS scripts too, and a throwing script faults with its stderr', async () => {
    const ok = await runWorkflow(shell(`script: { language: js, code: 'const os = require("node:os"); process.stdout.write(String(typeof os.cpus))' }`), allowed);
    expect(ok).toEqual({ status: 'completed', output: 'function' });
    const bad = await runWorkflow(shell(`script: { language: js, code: 'throw new Error("kaput")' }`), allowed);
    expect(bad.error).toMatchObject({ status: 500, title: 'Process failed' });
    expect(bad.error?.detail).toMatch(/^the JavaScript script exited with code 1: .*kaput/s);
  });

  const hasPython = (() => {
    try {
      execFileSync('python3', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.runIf(hasPython)('runs Python with python3', async () => {
    const r = await runWorkflow(shell(`script:\n  language: python\n  arguments: [a1]\n  code: |\n    import sys\n    print(sys.argv[1].upper(), end="")`), allowed);
    expect(r).toEqual({ status: 'completed', output: 'A1' });
  });

  it('an unknown language is a configuration error', async () => {
    const r = await runWorkflow(shell(`script: { language: ruby, code: 'puts 1' }`), allowed);
    expect(r.error).toMatchObject({ type: 'https://serverlessworkflow.io/spec/1.0.0/errors/configuration', status: 400 });
  });
});
