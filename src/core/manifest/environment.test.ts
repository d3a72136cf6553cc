import { describe, expect, it } from 'vitest';
import { serviceEnvironment, type EnvironmentContext } from './environment.js';
import { parseYaml } from './yaml-source.js';
import type { ManifestProblem } from './problems.js';

const text = 'services:\n  api:\n    env_file: [base.env, missing.env]\n';
const files: Record<string, string> = {
  '/p/base.env': 'A=from-base\nB=from-base\n# comment\nQ="quoted value"\n',
  '/p/local.env': 'B=from-local\n',
};
const ctx: EnvironmentContext = {
  src: parseYaml(text, '/p/tutti.yaml'),
  dir: '/p',
  env: { PASSED: 'through' },
  readFile: (p) => files[p],
};

describe('serviceEnvironment', () => {
  it('overlays later env files, then env, stringifying values', () => {
    const problems: ManifestProblem[] = [];
    const { env, secret } = serviceEnvironment('api', { env_file: ['base.env', 'local.env'], env: { A: 'from-env', N: 3, T: true } }, ctx, problems);
    expect(problems).toEqual([]);
    expect(env).toEqual({ A: 'from-env', B: 'from-local', Q: 'quoted value', N: '3', T: 'true' });
    // env_file values are secret, unless env sets the name again in the clear
    expect(secret).toEqual(['B', 'Q']);
  });

  it('passes a null value through from the environment, or leaves it out when unset', () => {
    const { env, secret } = serviceEnvironment('api', { env: { PASSED: null, UNSET: null } }, ctx, []);
    expect(env).toEqual({ PASSED: 'through' });
    expect(secret).toEqual([]);
  });

  it('marks values secret with { value, secret: true }, passing through when the value is absent', () => {
    const { env, secret } = serviceEnvironment('api', {
      env_file: 'base.env',
      env: { KEY: { value: 's3cret', secret: true }, PASSED: { secret: true }, UNSET: { secret: true }, A: { value: 'clear', secret: false }, P: { value: 8080 } },
    }, ctx, []);
    expect(env).toEqual({ KEY: 's3cret', PASSED: 'through', A: 'clear', B: 'from-base', Q: 'quoted value', P: '8080' });
    expect(secret).toEqual(['B', 'KEY', 'PASSED', 'Q']);
  });

  it('keeps an env_file value secret when env passes the name through from an environment without it', () => {
    const { env, secret } = serviceEnvironment('api', { env_file: 'base.env', env: { B: null, Q: { secret: false } } }, ctx, []);
    expect(env).toMatchObject({ B: 'from-base', Q: 'quoted value' });
    expect(secret).toEqual(['A', 'B', 'Q']);
  });

  it('names a missing env_file and where it is written', () => {
    const problems: ManifestProblem[] = [];
    serviceEnvironment('api', { env_file: ['base.env', 'missing.env'] }, ctx, problems);
    expect(problems).toEqual([
      {
        path: 'services.api.env_file[1]',
        line: 3,
        column: 26,
        message: 'env_file "missing.env" of service "api" was not found (looked for /p/missing.env) (tutti.yaml:3:26)',
      },
    ]);
  });
});
