import { describe, expect, it } from 'vitest';
import { TuttiError } from '../errors.js';
import { parseManifest } from './parse-manifest.js';

const FILE = '/work/shop/tutti.yaml';

function load(text: string, files: Record<string, string> = {}) {
  return parseManifest(text, { file: FILE, env: {}, readFile: (p) => files[p] });
}

function failure(text: string, files: Record<string, string> = {}): TuttiError {
  try {
    load(text, files);
  } catch (e) {
    if (e instanceof TuttiError) return e;
    throw e;
  }
  throw new Error('expected the manifest to be rejected');
}

const SELECTION_DEFAULTS = {
  strategy: 'qos',
  weights: { latency: 0.45, success: 0.3, load: 0.15, health: 0.1 },
  outlier: { consecutiveFailures: 5, baseEjectionMs: 10_000, maxEjectionMs: 300_000 },
};

const messages = (e: TuttiError) => (e.details as { errors: Array<{ message: string }> }).errors.map((x) => x.message);

describe('compileManifest', () => {
  it('applies every default', () => {
    const spec = load('name: shop\nservices:\n  api:\n    command: node api.js\n');
    expect(spec).toEqual({
      name: 'shop',
      file: FILE,
      dir: '/work/shop',
      runtime: 'process',
      order: ['api'],
      warnings: [],
      selection: SELECTION_DEFAULTS,
      dns: { host: '127.0.0.1', port: 0 },
      services: {
        api: {
          name: 'api',
          command: ['node', 'api.js'],
          cwd: '/work/shop',
          env: {},
          replicas: 1,
          port: 0,
          dependsOn: {},
          restart: 'always',
          backoff: { initialMs: 100, factor: 2, maxMs: 30_000, resetAfterMs: 30_000 },
          stopSignal: 'SIGTERM',
          stopGraceMs: 10_000,
          importance: 1,
          readyTimeoutMs: 60_000,
          logs: { maxBytes: 10 * 1024 * 1024, maxFiles: 5, maxAgeMs: 7 * 86_400_000 },
          protocol: 'http',
          selection: SELECTION_DEFAULTS,
          revision: expect.stringMatching(/^[0-9a-f]{12}$/),
        },
      },
    });
  });

  it('compiles given values: durations to ms, sizes to bytes, paths made absolute, health defaults', () => {
    const spec = load(`
name: shop
runtime: process
logs: { max_size: 1MB, max_files: 2, max_age: 2d }
services:
  api:
    command: [node, "api server.js"]
    image: shop/api:1
    cwd: services/api
    replicas: 3
    port: 0
    health: { exec: "curl -fs http://127.0.0.1:$$PORT/healthz", interval: 1m30s, timeout: 500, start_period: 5s }
    restart: on-failure
    backoff: { initial: 1s, factor: 1.5, max: 1m, reset_after: 2m }
    stop_signal: SIGINT
    stop_grace: 3s
    importance: 2.5
    ready_timeout: 2m
    logs: { max_files: 9, max_age: 12h }
  worker:
    command: node worker.js
    cwd: /srv/worker
    health: { tcp: true }
    logs: { max_size: 512KiB }
selection: { weights: { latency: 1 }, strategy: random }
workflows: [flows/a.yaml]
alerts: [{ name: Down, when: x }]
`);
    const { api, worker } = spec.services;
    expect(api).toMatchObject({
      command: ['node', 'api server.js'],
      image: 'shop/api:1',
      cwd: '/work/shop/services/api',
      replicas: 3,
      health: {
        exec: ['/bin/sh', '-c', 'curl -fs http://127.0.0.1:$PORT/healthz'],
        intervalMs: 90_000,
        timeoutMs: 500,
        healthyAfter: 1,
        unhealthyAfter: 3,
        startPeriodMs: 5000,
      },
      restart: 'on-failure',
      backoff: { initialMs: 1000, factor: 1.5, maxMs: 60_000, resetAfterMs: 120_000 },
      stopSignal: 'SIGINT',
      stopGraceMs: 3000,
      importance: 2.5,
      readyTimeoutMs: 120_000,
      logs: { maxBytes: 1024 * 1024, maxFiles: 9, maxAgeMs: 12 * 3_600_000 },
    });
    expect(api.health).not.toHaveProperty('http');
    expect(worker.cwd).toBe('/srv/worker');
    expect(worker.health).toEqual({ tcp: true, intervalMs: 2000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 });
    expect(worker.logs).toEqual({ maxBytes: 512 * 1024, maxFiles: 2, maxAgeMs: 2 * 86_400_000 });
    expect(spec.selection).toEqual({ ...SELECTION_DEFAULTS, strategy: 'random', weights: { latency: 1, success: 0, load: 0, health: 0 } });
    expect(api.selection).toEqual(spec.selection);
    expect(spec.workflows).toEqual(['flows/a.yaml']);
    expect(spec.alerts).toEqual([{ name: 'Down', when: 'x', forMs: 0, labels: {}, annotations: {}, notify: [] }]);
  });

  it.each([
    ['replicas: 3\n    port: 8080', 'service "api" has 3 replicas on the fixed port 8080, but two processes cannot bind one port; use port: 0 to allocate one per instance (tutti.yaml:6:11)'],
    ['health: { interval: 2s }', 'the health check of service "api" needs exactly one of http, tcp or exec (found none) (tutti.yaml:5:13)'],
    ['health: { http: /h, tcp: true }', 'the health check of service "api" needs exactly one of http, tcp or exec (found http and tcp) (tutti.yaml:5:13)'],
    ['backoff: { initial: 1m, max: 10s }', 'backoff.max of service "api" is shorter than backoff.initial (tutti.yaml:5:14)'],
    ['logs: { max_size: 0MB }', 'logs.max_size must be more than 0 bytes, got "0MB" (tutti.yaml:5:23)'],
    ['logs: { max_age: 0d }', 'logs.max_age must be longer than 0, got "0d" (tutti.yaml:5:22)'],
    ['env_file: [.env.local]', 'env_file ".env.local" of service "api" was not found (looked for /work/shop/.env.local) (tutti.yaml:5:16)'],
  ])('rejects %s', (fields, message) => {
    const e = failure(`name: shop\nservices:\n  api:\n    command: node api.js\n    ${fields}\n`);
    expect(e.code).toBe('TUTTI_E_MANIFEST_INVALID');
    expect(e.message).toBe(message);
  });

  it.each([
    ['one replica on a fixed port', 'replicas: 1\n    port: 8080'],
    ['many replicas on allocated ports', 'replicas: 4\n    port: 0'],
    ['no replicas on a fixed port', 'replicas: 0\n    port: 8080'],
  ])('accepts %s', (_what, fields) => {
    expect(() => load(`name: shop\nservices:\n  api:\n    command: node api.js\n    ${fields}\n`)).not.toThrow();
  });

  it('rejects two services on one fixed port', () => {
    const e = failure('name: shop\nservices:\n  a: { command: x, port: 9000 }\n  b: { command: y, port: 9000 }\n');
    expect(e.message).toBe('services "a" and "b" both use the fixed port 9000; use port: 0 for one of them (tutti.yaml:4:26)');
  });

  it('requires a command for the process runtime, an image for kubernetes', () => {
    expect(failure('name: shop\nservices:\n  api: { image: shop/api }\n').message).toBe(
      'service "api" has no command, which the process runtime needs to start it (tutti.yaml:3:3)',
    );
    expect(failure('name: shop\nruntime: kubernetes\nservices:\n  api: { command: x }\n').message).toBe(
      'service "api" has no image, which the kubernetes runtime needs to run it (tutti.yaml:4:3)',
    );
    const k8s = load('name: shop\nruntime: kubernetes\nservices:\n  api: { image: shop/api }\n');
    expect(k8s.runtime).toBe('kubernetes');
    expect(k8s.services.api.command).toEqual([]);
  });

  it('lets the command line choose the runtime over the manifest', () => {
    const text = 'name: shop\nservices:\n  api: { image: shop/api }\n';
    const k8s = parseManifest(text, { file: FILE, env: {}, runtime: 'kubernetes' });
    expect(k8s.runtime).toBe('kubernetes');
    expect(() => parseManifest('name: shop\nruntime: kubernetes\nservices:\n  api: { image: shop/api }\n', { file: FILE, env: {}, runtime: 'process' }))
      .toThrow('service "api" has no command, which the process runtime needs to start it');
  });

  it('compiles resources: cpu to thousandths of a core, memory to bytes (binary units, as compose reads them)', () => {
    const spec = load('name: shop\nservices:\n  api:\n    command: x\n    resources:\n      requests: { cpu: 250m, memory: 128M }\n      limits: { cpu: 1.5, memory: 1Gi }\n');
    expect(spec.services.api.resources).toEqual({
      requests: { cpuMillis: 250, memoryBytes: 128 * 2 ** 20 },
      limits: { cpuMillis: 1500, memoryBytes: 2 ** 30 },
    });
    expect(load('name: shop\nservices:\n  api: { command: x, resources: { limits: { cpu: "2", memory: 1000 } } }\n').services.api.resources)
      .toEqual({ limits: { cpuMillis: 2000, memoryBytes: 1000 } });
    expect(load('name: shop\nservices:\n  api: { command: x }\n').services.api.resources).toBeUndefined();
  });

  it('rejects a cpu below 1m and a request above its limit, naming the line', () => {
    const e = failure('name: shop\nservices:\n  api:\n    command: x\n    resources:\n      requests: { cpu: 0.0001, memory: 1Gi }\n      limits: { memory: 512Mi }\n');
    expect(messages(e)).toEqual([
      'resources.requests.cpu of service "api" is below 1m (a thousandth of a core), the smallest amount Kubernetes knows (tutti.yaml:6:24)',
      'resources.requests.memory of service "api" is more than its limit (1Gi > 512Mi) (tutti.yaml:6:40)',
    ]);
  });

  it('keeps which env values are secret: an env_file\'s, and those marked secret', () => {
    const spec = load('name: shop\nservices:\n  api:\n    command: x\n    env_file: app.env\n    env: { KEY: { value: k, secret: true }, PLAIN: p, DB: clear }\n', {
      '/work/shop/app.env': 'DB=from-file\nTOKEN=t\n',
    });
    expect(spec.services.api.env).toEqual({ DB: 'clear', TOKEN: 't', KEY: 'k', PLAIN: 'p' });
    expect(spec.services.api.secretEnv).toEqual(['KEY', 'TOKEN']);
    expect(load('name: shop\nservices:\n  api: { command: x, env: { A: b } }\n').services.api.secretEnv).toBeUndefined();
  });

  it('rejects a command of blanks', () => {
    expect(failure('name: shop\nservices:\n  api: { command: "   " }\n').message).toBe('the command of service "api" is empty (tutti.yaml:3:19)');
  });

  it('reports every semantic problem at once, earliest first', () => {
    const e = failure('name: shop\nservices:\n  a: { command: x, depends_on: [bb] }\n  b: { image: y }\n');
    expect(messages(e)).toEqual([
      'service "a" depends on "bb", which is not a service of this stack (tutti.yaml:3:33); did you mean "b"?',
      'service "b" has no command, which the process runtime needs to start it (tutti.yaml:4:3)',
    ]);
    expect(e.hint).toContain('1 more problem');
  });
});

describe('dependencies', () => {
  it('compiles conditions and orders dependencies first, stable by manifest order', () => {
    const spec = load(`
name: shop
services:
  gateway: { command: g, depends_on: [orders, catalog] }
  orders: { command: o, depends_on: { inventory: healthy, migrate: completed } }
  catalog: { command: c }
  inventory: { command: i, health: { http: /healthz } }
  migrate: { command: m, restart: on-failure }
`);
    expect(spec.order).toEqual(['catalog', 'inventory', 'migrate', 'orders', 'gateway']);
    expect(spec.services.orders.dependsOn).toEqual({ inventory: 'healthy', migrate: 'completed' });
    expect(spec.services.gateway.dependsOn).toEqual({ orders: 'started', catalog: 'started' });
    expect(spec.warnings).toEqual([]);
  });

  it('names a cycle, with its position and the services in it', () => {
    const e = failure(`
name: shop
services:
  catalog: { command: c }
  orders: { command: o, depends_on: [inventory] }
  inventory: { command: i, depends_on: { orders: healthy } }
`);
    expect(e.code).toBe('TUTTI_E_DEPENDENCY_CYCLE');
    expect(e.message).toBe('dependency cycle: orders -> inventory -> orders (tutti.yaml:5:38)');
    expect(e.details).toMatchObject({ cycle: ['orders', 'inventory', 'orders'] });
    expect(e.hint).toBeTruthy();
  });

  it('suggests the service meant by an unknown dependency, and rejects depending on oneself', () => {
    const e = failure('name: shop\nservices:\n  inventory: { command: i }\n  orders:\n    command: o\n    depends_on: { inventroy: healthy, orders: started }\n');
    expect(messages(e)).toEqual([
      'service "orders" depends on "inventroy", which is not a service of this stack (tutti.yaml:6:19); did you mean "inventory"?',
      'service "orders" depends on itself (tutti.yaml:6:39)',
    ]);
  });

  it('warns about dependencies that cannot behave as written', () => {
    const spec = load('name: shop\nservices:\n  a: { command: a }\n  b: { command: b }\n  c: { command: c, depends_on: { a: completed, b: healthy } }\n');
    expect(spec.warnings).toEqual([
      'service "c" waits for "a" to complete, but "a" has restart: always and is restarted instead; use restart: on-failure or never (tutti.yaml:5:34)',
      'service "c" waits for "b" to be healthy, but "b" has no health check, so it counts as healthy once it has stayed up 500 ms (tutti.yaml:5:48)',
    ]);
  });
});

describe('revision', () => {
  const base = { command: 'node api.js', env: '{ A: "1", B: "2" }', rest: '' };
  const text = (o: Partial<typeof base>) => {
    const v = { ...base, ...o };
    return `name: shop\nservices:\n  db: { command: db }\n  api:\n    command: ${v.command}\n    env: ${v.env}\n${v.rest}`;
  };
  const revision = (o: Partial<typeof base> = {}) => load(text(o)).services.api.revision;

  it('does not change with the stack-wide selection or dns', () => {
    const stackWide = 'selection: { strategy: least-request, weights: { load: 1 } }\ndns: { host: 0.0.0.0, port: 8600 }\n';
    expect(load(`${text({})}${stackWide}`).services.api.revision).toBe(revision());
  });

  it('does not depend on the order keys are written in', () => {
    const reordered = 'name: shop\nservices:\n  api:\n    env: { B: "2", A: "1" }\n    command: node api.js\n  db: { command: db }\n';
    expect(load(reordered).services.api.revision).toBe(revision());
  });

  it.each([
    ['the command', { command: 'node api.js --verbose' }],
    ['an env value', { env: '{ A: "1", B: "3" }' }],
    ['an added env variable', { env: '{ A: "1", B: "2", C: "3" }' }],
    ['the port', { rest: '    port: 8080\n' }],
    ['the health check', { rest: '    health: { http: /healthz }\n' }],
    ['the stop signal', { rest: '    stop_signal: SIGINT\n' }],
    ['the cwd', { rest: '    cwd: api\n' }],
    ['the resources', { rest: '    resources: { limits: { memory: 256Mi } }\n' }],
  ])('changes with %s', (_what, change) => {
    expect(revision(change)).not.toBe(revision());
  });

  it.each([
    ['replicas', '    replicas: 5\n'],
    ['importance', '    importance: 3\n'],
    ['ready_timeout', '    ready_timeout: 5m\n'],
    ['restart', '    restart: never\n'],
    ['backoff', '    backoff: { max: 1m }\n'],
    ['logs', '    logs: { max_files: 2, max_age: 1h }\n'],
    ['depends_on', '    depends_on: [db]\n'],
    ['stop_grace', '    stop_grace: 1m\n'],
    ['protocol', '    protocol: tcp\n'],
    ['metrics', '    metrics: /metrics\n'],
    ['selection', '    selection: { strategy: random, weights: { latency: 1 }, outlier: { consecutive_failures: 2, base_ejection: 1s } }\n'],
  ])('does not change with %s', (_what, rest) => {
    expect(revision({ rest })).toBe(revision());
  });
});
