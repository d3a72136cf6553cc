import { describe, expect, it } from 'vitest';
import type { ServiceSpec } from '../../core/index.js';
import { newInstanceData, type ProcessInstanceData } from './instance-record.js';
import { applyHealth, markExited, markSettled, markStarted, markStopped, markStoppingForRestart, planAfterExit, processEnv } from './instance-state.js';

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name: 'web', command: ['node', 'web.js'], cwd: '/srv', env: { A: 'spec', B: 'spec' }, replicas: 1, port: 0,
  dependsOn: {}, restart: 'always', backoff: { initialMs: 100, factor: 2, maxMs: 1000, resetAfterMs: 10_000 },
  stopSignal: 'SIGTERM', stopGraceMs: 2000, importance: 1, readyTimeoutMs: 5000, logs: { maxBytes: 1024, maxFiles: 2 },
  revision: 'r1', ...over,
});
const instance = (over: Partial<ServiceSpec> = {}): ProcessInstanceData =>
  newInstanceData({ id: 'web-1', slot: 0, port: 4000, spec: spec(over), env: { B: 'deploy' }, fifos: { stdout: 'o', stderr: 'e' }, logFile: 'l' });
const health = { http: '/healthz', intervalMs: 100, timeoutMs: 100, healthyAfter: 1, unhealthyAfter: 1, startPeriodMs: 0 };

describe('instance state', () => {
  it('is running once settled without a health check, once healthy with one', () => {
    const plain = instance();
    markStarted(plain, 10, '99', 1000);
    expect([plain.state, plain.ready, plain.health, plain.pid]).toEqual(['starting', false, 'none', 10]);
    markSettled(plain);
    expect([plain.state, plain.ready]).toEqual(['running', true]);
    const checked = instance({ health });
    markStarted(checked, 10, '99', 1000);
    expect([checked.state, checked.ready, checked.health]).toEqual(['starting', false, 'unknown']);
    expect(applyHealth(checked, { change: 'ready', ready: true, status: 'passing' })).toBe('ready');
    expect(checked.state).toBe('running');
    expect(applyHealth(checked, { change: 'unready', ready: false, status: 'failing', message: 'GET /healthz returned 500' })).toBe('unready');
    expect([checked.state, checked.message]).toEqual(['unhealthy', 'health check failing: GET /healthz returned 500']);
    expect(applyHealth(checked, { change: null, ready: false, status: 'failing', message: 'x' })).toBeUndefined();
  });

  it('restarts at once, then backs off, and calls the third crash in a row a crash loop', () => {
    const d = instance();
    const plan: Array<[number | undefined, string, string | undefined]> = [];
    for (let i = 0; i < 4; i++) {
      markStarted(d, 10 + i, '1', i * 100);
      const uptime = markExited(d, { code: 1, signal: null }, i * 100 + 50);
      plan.push([planAfterExit(d, { code: 1, signal: null }, uptime), d.state, d.message]);
    }
    expect(plan).toEqual([
      [0, 'backoff', 'exited with code 1; restarting'],
      [100, 'backoff', 'exited with code 1; restarting in 100ms'],
      [200, 'crash-looping', 'exited with code 1 (3 times in a row); restarting in 200ms'],
      [400, 'crash-looping', 'exited with code 1 (4 times in a row); restarting in 400ms'],
    ]);
    expect(d.lastExit).toEqual({ code: 1, signal: null, at: 350 });
    expect(d.pid).toBeUndefined();
    markStarted(d, 20, '1', 1000);
    expect(d.state).toBe('crash-looping'); // it keeps saying so until it proves itself
    markSettled(d);
    expect(d.state).toBe('running');
  });

  it('does not restart what the policy says to leave down', () => {
    const never = instance({ restart: 'never' });
    expect(planAfterExit(never, { code: null, signal: 'SIGSEGV' }, 10)).toBeUndefined();
    expect([never.state, never.message]).toEqual(['failed', 'was killed by SIGSEGV']);
    const once = instance({ restart: 'on-failure' });
    expect(planAfterExit(once, { code: 0, signal: null }, 10)).toBeUndefined();
    expect(once.state).toBe('completed');
  });

  it('counts a stop over the memory limit as a failure, whatever the exit code, as Kubernetes counts OOMKilled', () => {
    const cause = 'resident memory 212 MiB passed the limit 128 MiB';
    const plan = (restart: ServiceSpec['restart'], exit: { code: number | null; signal: string | null }) => {
      const d = instance({ restart, health });
      markStarted(d, 10, '1', 0);
      applyHealth(d, { change: 'ready', ready: true, status: 'passing' });
      markStoppingForRestart(d, cause);
      const during = { state: d.state, ready: d.ready, message: d.message };
      const delay = planAfterExit(d, exit, markExited(d, exit, 60_000));
      return { during, delay, state: d.state, message: d.message, stopCause: d.stopCause, lastExit: d.lastExit };
    };
    // a server that exits 0 on SIGTERM still failed: on-failure restarts it
    expect(plan('on-failure', { code: 0, signal: null })).toEqual({
      during: { state: 'stopping', ready: false, message: `${cause}; stopping it` },
      delay: 0, state: 'backoff', message: `${cause}; restarting`, stopCause: undefined, lastExit: { code: 0, signal: null, at: 60_000, reason: cause },
    });
    expect(plan('always', { code: null, signal: 'SIGKILL' })).toMatchObject({ delay: 0, state: 'backoff', message: `${cause}; restarting` });
    expect(plan('never', { code: 0, signal: null })).toMatchObject({ delay: undefined, state: 'failed', message: cause });
    // the next exit is judged by its own code again
    const d = instance({ restart: 'on-failure' });
    markStarted(d, 10, '1', 0);
    markStoppingForRestart(d, cause);
    markStarted(d, 11, '2', 100);
    expect(d.stopCause).toBeUndefined();
    expect(planAfterExit(d, { code: 0, signal: null }, 10)).toBeUndefined();
    expect(d.state).toBe('completed');
  });

  it('backs off repeated stops over the memory limit like repeated crashes', () => {
    const d = instance();
    const messages: Array<string | undefined> = [];
    for (let i = 0; i < 3; i++) {
      markStarted(d, 10 + i, '1', i * 100);
      markStoppingForRestart(d, 'resident memory 100 MiB passed the limit 96 MiB');
      planAfterExit(d, { code: 0, signal: null }, markExited(d, { code: 0, signal: null }, i * 100 + 50));
      messages.push(d.message);
    }
    expect(d.state).toBe('crash-looping');
    expect(messages).toEqual([
      'resident memory 100 MiB passed the limit 96 MiB; restarting',
      'resident memory 100 MiB passed the limit 96 MiB; restarting in 100ms',
      'resident memory 100 MiB passed the limit 96 MiB (3 times in a row); restarting in 200ms',
    ]);
  });

  it('forgets why it was stopping once the user stops it', () => {
    const d = instance();
    markStarted(d, 10, '1', 0);
    markStoppingForRestart(d, 'resident memory 100 MiB passed the limit 96 MiB');
    markStopped(d, { code: 0, signal: null }, 'exited', 5);
    expect([d.state, d.stopCause, d.message]).toEqual(['stopped', undefined, undefined]);
  });

  it('says when a stop had to use SIGKILL', () => {
    const d = instance();
    markStopped(d, { code: null, signal: 'SIGKILL' }, 'killed', 5);
    expect([d.state, d.ready, d.message]).toEqual(['stopped', false, 'killed with SIGKILL after 2s (SIGTERM ignored)']);
  });

  it('layers the environment: daemon, service, deployment, then identity', () => {
    const env = processEnv(instance(), 'web-1', { A: 'daemon', PATH: '/bin', PORT: '1', UNSET: undefined });
    expect(env).toEqual({ A: 'spec', B: 'deploy', PATH: '/bin', PORT: '4000', TUTTI_SERVICE: 'web', TUTTI_INSTANCE: 'web-1' });
  });
});
