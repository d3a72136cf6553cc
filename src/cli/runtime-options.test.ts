import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDaemonRuntime, projectRuntime } from './runtime-options.js';

describe('projectRuntime', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('reads the runtime the daemon remembered, and ignores a missing or foreign file', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'tutti-rt-'));
    expect(projectRuntime(dir)).toBeUndefined();
    writeFileSync(path.join(dir, 'runtime.json'), JSON.stringify({ runtime: 'kubernetes', namespace: 'shop' }));
    expect(projectRuntime(dir)).toEqual({ runtime: 'kubernetes', context: undefined, namespace: 'shop' });
    writeFileSync(path.join(dir, 'runtime.json'), '{"runtime":"nomad"}');
    expect(projectRuntime(dir)).toBeUndefined();
    writeFileSync(path.join(dir, 'runtime.json'), 'not json');
    expect(projectRuntime(dir)).toBeUndefined();
  });
});

describe('checkDaemonRuntime', () => {
  const daemon = { name: 'kubernetes' as const, context: 'prod', namespace: 'shop' };

  it('accepts the same namespace and context, or none given', () => {
    expect(() => checkDaemonRuntime(daemon, {})).not.toThrow();
    expect(() => checkDaemonRuntime(daemon, { runtime: 'kubernetes', context: 'prod', namespace: 'shop' })).not.toThrow();
    expect(() => checkDaemonRuntime({ name: 'process' }, {})).not.toThrow();
    expect(() => checkDaemonRuntime(undefined, { namespace: 'x' })).not.toThrow();
  });

  it('refuses another namespace or context, naming both', () => {
    expect(() => checkDaemonRuntime(daemon, { namespace: 'staging' })).toThrow("runs services in kubernetes namespace shop, not staging");
    expect(() => checkDaemonRuntime({ name: 'kubernetes', namespace: 'shop' }, { context: 'dev' }))
      .toThrow("runs services in kubernetes context (the kubeconfig's current one), not dev");
  });
});
