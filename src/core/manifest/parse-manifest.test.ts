import { describe, expect, it } from 'vitest';
import { TuttiError } from '../errors.js';
import { parseManifest } from './parse-manifest.js';
import { DESIGN_EXAMPLE } from './test-design-example.js';

const FILE = '/work/shop/tutti.yaml';

function load(text: string, env: Record<string, string | undefined> = {}, files: Record<string, string> = {}) {
  return parseManifest(text, { file: FILE, env, readFile: (p) => files[p] });
}

function failure(fn: () => unknown): TuttiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TuttiError) return e;
    throw e;
  }
  throw new Error('expected a TuttiError');
}

const manifest = (env: string) => `name: shop\nservices:\n  api:\n    command: node api.js\n    env:\n${env}`;

describe('parseManifest: interpolation', () => {
  it.each([
    ['the process environment', { TAG: 'from-env' }, 'TAG=from-dotenv\n', 'from-env'],
    ['.env when the environment lacks it', {}, 'TAG=from-dotenv\n', 'from-dotenv'],
    ['.env when the environment has it unset', { TAG: undefined }, 'TAG=from-dotenv\n', 'from-dotenv'],
    ['an empty value in the environment, which still wins', { TAG: '' }, 'TAG=from-dotenv\n', ''],
    ['the default when neither has it', {}, 'OTHER=1\n', 'default'],
  ])('takes ${TAG-default} from %s', (_what, env, dotenv, value) => {
    const spec = load(manifest('      TAG: "${TAG-default}"\n'), env, { '/work/shop/.env': dotenv });
    expect(spec.services.api.env.TAG).toBe(value);
  });

  it('works without a .env file and without readFile', () => {
    const spec = parseManifest(manifest('      A: ${A:-x}\n'), { file: FILE, env: {} });
    expect(spec.services.api.env.A).toBe('x');
  });

  it('interpolates every string value: command, image, cwd, health', () => {
    const text = [
      'name: shop',
      'services:',
      '  api:',
      '    command: node ${ENTRY}',
      '    image: shop/api:${TAG:-latest}',
      '    cwd: services/$DIR',
      '    health: { http: "${HEALTH_PATH:-/healthz}" }',
      '',
    ].join('\n');
    const api = load(text, { ENTRY: 'main.js', DIR: 'api' }).services.api;
    expect(api).toMatchObject({ command: ['node', 'main.js'], image: 'shop/api:latest', cwd: '/work/shop/services/api', health: { http: '/healthz' } });
  });

  it('types numbers that come from variables, as compose does', () => {
    const text = 'name: shop\nservices:\n  api:\n    command: x\n    replicas: ${REPLICAS:-1}\n    port: "${PORT}"\n    importance: ${W}\n';
    const api = load(text, { PORT: '8080', W: '0.5', REPLICAS: undefined }).services.api;
    expect([api.replicas, api.port, api.importance]).toEqual([1, 8080, 0.5]);
  });

  it('turns an unset variable without default into "" with one warning per variable', () => {
    const spec = load(manifest('      A: $UNSET\n      B: pre-${UNSET}-post\n      C: ${ALSO_UNSET}\n'));
    expect(spec.services.api.env).toEqual({ A: '', B: 'pre--post', C: '' });
    expect(spec.warnings).toEqual([
      'The "UNSET" variable is not set; defaulting to a blank string (tutti.yaml:6:10, services.api.env.A)',
      'The "ALSO_UNSET" variable is not set; defaulting to a blank string (tutti.yaml:8:10, services.api.env.C)',
    ]);
  });

  it('keeps $$ as a literal $, so the shell sees the variable', () => {
    const spec = load('name: shop\nservices:\n  api: { command: "echo $$HOME" }\n');
    expect(spec.services.api.command).toEqual(['/bin/sh', '-c', 'echo $HOME']);
    expect(spec.warnings).toEqual([]);
  });

  it('rejects a required variable that is missing, naming it and where it is used', () => {
    const e = failure(() => load(manifest('      DB: ${DATABASE_URL:?set DATABASE_URL to your database}\n      X: ${OTHER?}\n')));
    expect(e.code).toBe('TUTTI_E_MANIFEST_INVALID');
    expect(e.message).toBe('services.api.env.DB: required variable DATABASE_URL is missing a value: set DATABASE_URL to your database (tutti.yaml:6:11)');
    expect(e.hint).toMatch(/\.env/);
    expect((e.details as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ line: 6, column: 11 }),
      expect.objectContaining({ path: 'services.api.env.X', line: 7, column: 10, message: expect.stringContaining('required variable OTHER') }),
    ]);
  });
});

describe('parseManifest: env_file', () => {
  it('reads env files relative to the manifest, later files and then env overriding', () => {
    const text = 'name: shop\nservices:\n  api:\n    command: x\n    env_file: [config/base.env, local.env]\n    env: { C: from-env, N: 1, T: false }\n';
    const files = {
      '/work/shop/config/base.env': 'A=base\nB=base\nC=base\n',
      '/work/shop/local.env': 'B=local\n',
    };
    expect(load(text, {}, files).services.api.env).toEqual({ A: 'base', B: 'local', C: 'from-env', N: '1', T: 'false' });
  });

  it('accepts a single file name', () => {
    const text = 'name: shop\nservices:\n  api: { command: x, env_file: api.env }\n';
    expect(load(text, {}, { '/work/shop/api.env': 'K=v' }).services.api.env).toEqual({ K: 'v' });
  });

  it('does not leak the project .env into services', () => {
    const text = 'name: shop\nservices:\n  api: { command: x }\n';
    expect(load(text, {}, { '/work/shop/.env': 'SECRET=1' }).services.api.env).toEqual({});
  });
});

describe('parseManifest: errors', () => {
  it('reports YAML syntax errors before anything else', () => {
    const e = failure(() => load('name: shop\nservices:\n  api: { command: "x }\n'));
    expect(e.code).toBe('TUTTI_E_MANIFEST_SYNTAX');
    expect(e.message).toMatch(/^YAML syntax error in tutti\.yaml:\d+:\d+: /);
  });

  it('reports all schema problems in one error, the earliest first', () => {
    const e = failure(() => load('name: shop\nservices:\n  api:\n    command: x\n    replicas: many\n    depnds_on: [db]\n'));
    expect(e.code).toBe('TUTTI_E_MANIFEST_INVALID');
    expect(e.status).toBe(400);
    expect(e.message).toBe('services.api.replicas: expected an integer ≥ 0, got "many" (tutti.yaml:5:15)');
    expect(e.details).toEqual({
      file: FILE,
      errors: [
        { path: 'services.api.replicas', line: 5, column: 15, message: e.message },
        {
          path: 'services.api.depnds_on',
          line: 6,
          column: 5,
          message: 'unknown key "depnds_on" in services.api (tutti.yaml:6:5); did you mean "depends_on"?',
        },
      ],
    });
    expect(e.hint).toContain('1 more problem in details.errors');
    expect(e.toJSON()).toMatchObject({ code: 'TUTTI_E_MANIFEST_INVALID', message: e.message });
  });

  it('resolves a relative file name to an absolute path', () => {
    const spec = parseManifest('name: shop\nservices: {}\n', { file: 'tutti.yaml', env: {} });
    expect(spec.file).toBe(`${process.cwd()}/tutti.yaml`);
    expect(spec.dir).toBe(process.cwd());
  });
});

describe('parseManifest: the example of DESIGN.md', () => {
  it('compiles', () => {
    const spec = load(DESIGN_EXAMPLE);
    expect(spec.order).toEqual(['inventory', 'orders']);
    expect(spec.services.inventory).toMatchObject({
      command: ['node', 'services/inventory.js'],
      replicas: 2,
      env: { LOG_LEVEL: 'info' },
      health: { http: '/healthz', intervalMs: 2000, timeoutMs: 1000 },
      restart: 'on-failure',
      importance: 2,
    });
    expect(spec.services.orders.dependsOn).toEqual({ inventory: 'healthy' });
    expect(spec.alerts).toHaveLength(1);
    expect(spec.warnings).toEqual([]);
  });
});
