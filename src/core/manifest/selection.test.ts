import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTLIER, DEFAULT_QOS_WEIGHTS } from '../qos/index.js';
import { TuttiError } from '../errors.js';
import { parseManifest } from './parse-manifest.js';
import { DESIGN_EXAMPLE } from './test-design-example.js';

const FILE = '/work/shop/tutti.yaml';

function load(text: string, env: Record<string, string> = {}) {
  return parseManifest(text, { file: FILE, env, readFile: () => undefined });
}

function failure(text: string): TuttiError {
  try {
    load(text);
  } catch (e) {
    if (e instanceof TuttiError) return e;
    throw e;
  }
  throw new Error('expected the manifest to be rejected');
}

const messages = (text: string) => (failure(text).details as { errors: Array<{ message: string }> }).errors.map((x) => x.message);

/** A stack of one service `api`; `stack` goes at the top level, `service` inside api (4 spaces). */
const manifest = ({ stack = '', service = '' }: { stack?: string; service?: string }) =>
  `name: shop\nservices:\n  api:\n    command: node api.js\n${service}${stack}`;

const DEFAULTS = { strategy: 'qos', weights: { ...DEFAULT_QOS_WEIGHTS }, outlier: { ...DEFAULT_OUTLIER } };

describe('selection', () => {
  it('gives every service and the stack the core/qos defaults when nothing is set', () => {
    const spec = load(manifest({}));
    expect(spec.selection).toEqual(DEFAULTS);
    expect(spec.services.api.selection).toEqual(DEFAULTS);
  });

  it('compiles every key, durations to ms', () => {
    const spec = load(manifest({
      stack: `selection:
  strategy: least-request
  weights: { latency: 2, success: 1, load: 1, health: 0 }
  outlier: { consecutive_failures: 3, base_ejection: 2s, max_ejection: 1m }
`,
    }));
    const expected = {
      strategy: 'least-request',
      weights: { latency: 2, success: 1, load: 1, health: 0 },
      outlier: { consecutiveFailures: 3, baseEjectionMs: 2000, maxEjectionMs: 60_000 },
    };
    expect(spec.selection).toEqual(expected);
    expect(spec.services.api.selection).toEqual(expected);
  });

  it('takes a weights map as the whole set of weights: a signal left out weighs 0', () => {
    const spec = load(DESIGN_EXAMPLE);
    expect(spec.selection?.weights).toEqual({ latency: 0.5, success: 0.3, load: 0.2, health: 0 });
    expect(spec.services.orders.selection?.weights).toEqual({ latency: 0.5, success: 0.3, load: 0.2, health: 0 });
  });

  it.each([
    ['the strategy, keeping the stack\'s weights and outlier',
      '    selection: { strategy: round-robin }\n',
      { strategy: 'round-robin', weights: { latency: 1, success: 1, load: 0, health: 0 }, outlier: { consecutiveFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 300_000 } }],
    ['one weight, keeping the stack\'s other weights',
      '    selection: { weights: { success: 3, health: 1 } }\n',
      { strategy: 'random', weights: { latency: 1, success: 3, load: 0, health: 1 }, outlier: { consecutiveFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 300_000 } }],
    ['one outlier key, keeping the stack\'s and the default others',
      '    selection: { outlier: { max_ejection: 30s } }\n',
      { strategy: 'random', weights: { latency: 1, success: 1, load: 0, health: 0 }, outlier: { consecutiveFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 30_000 } }],
  ])('lets a service override %s', (_what, service, expected) => {
    const stack = 'selection: { strategy: random, weights: { latency: 1, success: 1 }, outlier: { consecutive_failures: 2, base_ejection: 1s } }\n';
    const spec = load(manifest({ stack, service }));
    expect(spec.services.api.selection).toEqual(expected);
    expect(spec.selection).toEqual({ strategy: 'random', weights: { latency: 1, success: 1, load: 0, health: 0 }, outlier: { consecutiveFailures: 2, baseEjectionMs: 1000, maxEjectionMs: 300_000 } });
  });

  it('replaces the default weights by a service\'s own weights map when the stack has none', () => {
    const spec = load(manifest({ service: '    selection: { weights: { load: 1 } }\n' }));
    expect(spec.services.api.selection?.weights).toEqual({ latency: 0, success: 0, load: 1, health: 0 });
    expect(spec.selection?.weights).toEqual(DEFAULT_QOS_WEIGHTS);
  });

  it('types weights and counts that come from variables', () => {
    const spec = load(manifest({ stack: 'selection: { weights: { latency: "${W:-0.7}" }, outlier: { consecutive_failures: "${N}" } }\n' }), { N: '4' });
    expect(spec.selection?.weights.latency).toBe(0.7);
    expect(spec.selection?.outlier.consecutiveFailures).toBe(4);
  });

  it.each([
    ['a misspelt strategy', { stack: 'selection: { strategy: round-robbin }\n' },
      'selection.strategy: expected one of qos, round-robin, least-request or random, got "round-robbin" (tutti.yaml:5:24); did you mean "round-robin"?'],
    ['an unknown strategy', { service: '    selection: { strategy: p2c }\n' },
      'services.api.selection.strategy: expected one of qos, round-robin, least-request or random, got "p2c" (tutti.yaml:5:28)'],
    ['a negative weight', { stack: 'selection: { weights: { load: -1 } }\n' },
      'selection.weights.load: expected a number ≥ 0, got -1 (tutti.yaml:5:31)'],
    ['an unknown weight', { stack: 'selection: { weights: { latncy: 1 } }\n' },
      'unknown key "latncy" in selection.weights (tutti.yaml:5:25); did you mean "latency"?'],
    ['an unknown outlier key', { service: '    selection: { outlier: { failures: 3 } }\n' },
      'unknown key "failures" in services.api.selection.outlier (tutti.yaml:5:29)'],
    ['no consecutive failures', { stack: 'selection: { outlier: { consecutive_failures: 0 } }\n' },
      'selection.outlier.consecutive_failures: expected an integer ≥ 1, got 0 (tutti.yaml:5:47)'],
    ['a fractional count', { stack: 'selection: { outlier: { consecutive_failures: 2.5 } }\n' },
      'selection.outlier.consecutive_failures: expected an integer ≥ 1, got 2.5 (tutti.yaml:5:47)'],
    ['a base ejection that is not a duration', { stack: 'selection: { outlier: { base_ejection: soon } }\n' },
      'selection.outlier.base_ejection: expected a duration such as 500ms, 2s, 1m or 1m30s, got "soon" (tutti.yaml:5:40)'],
    ['weights all 0', { stack: 'selection: { weights: { latency: 0, load: 0 } }\n' },
      'selection.weights are all 0, which leaves nothing to score instances by; give at least one signal a weight above 0 (tutti.yaml:5:23)'],
    ['an empty weights map', { stack: 'selection:\n  weights: {}\n' },
      'selection.weights are all 0, which leaves nothing to score instances by; give at least one signal a weight above 0 (tutti.yaml:6:12)'],
    ['a service zeroing the stack\'s only weight', { stack: 'selection: { weights: { latency: 1 } }\n', service: '    selection: { weights: { latency: 0 } }\n' },
      'selection.weights of service "api" are all 0, which leaves nothing to score instances by; give at least one signal a weight above 0 (tutti.yaml:5:27)'],
    ['a zero base ejection', { stack: 'selection: { outlier: { base_ejection: 0s } }\n' },
      'selection.outlier.base_ejection must be longer than 0, got "0s" (tutti.yaml:5:40)'],
    ['a max ejection shorter than the base', { stack: 'selection: { outlier: { base_ejection: 1m, max_ejection: 30s } }\n' },
      'selection.outlier.max_ejection (30s) is shorter than its base_ejection (1m) (tutti.yaml:5:58)'],
    ['a base ejection longer than the default max', { service: '    selection: { outlier: { base_ejection: 10m } }\n' },
      'selection.outlier.max_ejection of service "api" (5m) is shorter than its base_ejection (10m) (tutti.yaml:5:44)'],
    ['a service max shorter than the stack\'s base', { stack: 'selection: { outlier: { base_ejection: 1m } }\n', service: '    selection: { outlier: { max_ejection: 10s } }\n' },
      'selection.outlier.max_ejection of service "api" (10s) is shorter than its base_ejection (1m) (tutti.yaml:5:43)'],
  ])('rejects %s', (_what, parts, message) => {
    expect(messages(manifest(parts))).toEqual([message]);
  });

  it('reports a stack-wide mistake once, not again for every service that inherits it', () => {
    const text = 'name: shop\nservices:\n  a: { command: a }\n  b: { command: b }\nselection: { weights: { latency: 0 } }\n';
    expect(messages(text)).toEqual([
      'selection.weights are all 0, which leaves nothing to score instances by; give at least one signal a weight above 0 (tutti.yaml:5:23)',
    ]);
  });
});

describe('protocol', () => {
  it('defaults to http and compiles tcp', () => {
    const spec = load('name: shop\nservices:\n  api: { command: a }\n  db: { command: d, protocol: tcp }\n');
    expect(spec.services.api.protocol).toBe('http');
    expect(spec.services.db.protocol).toBe('tcp');
  });

  it('rejects another protocol, suggesting the near one', () => {
    expect(messages(manifest({ service: '    protocol: htp\n' }))).toEqual([
      'services.api.protocol: expected one of http or tcp, got "htp" (tutti.yaml:5:15); did you mean "http"?',
    ]);
  });
});

describe('metrics', () => {
  it('compiles the path to metricsPath, and leaves it out when not set', () => {
    const spec = load('name: shop\nservices:\n  api: { command: a, metrics: /metrics }\n  db: { command: d }\n');
    expect(spec.services.api.metricsPath).toBe('/metrics');
    expect(spec.services.db).not.toHaveProperty('metricsPath');
  });

  it.each([
    ['metrics: metrics', 'services.api.metrics: expected a path starting with /, got "metrics" (tutti.yaml:5:14)'],
    ['metrics: { path: /metrics }', 'services.api.metrics: expected a path starting with /, got a mapping (tutti.yaml:5:14)'],
  ])('rejects %s', (line, message) => {
    expect(messages(manifest({ service: `    ${line}\n` }))).toEqual([message]);
  });
});

describe('dns', () => {
  it('defaults to 127.0.0.1 on a port chosen at first start', () => {
    expect(load(manifest({})).dns).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it.each([
    ['dns: { port: 8600 }', { host: '127.0.0.1', port: 8600 }],
    ['dns: { host: 0.0.0.0, port: 53 }', { host: '0.0.0.0', port: 53 }],
    ['dns: { host: "::1" }', { host: '::1', port: 0 }],
    ['dns: { port: "${DNS_PORT:-8601}" }', { host: '127.0.0.1', port: 8601 }],
  ])('compiles %s', (line, expected) => {
    expect(load(manifest({ stack: `${line}\n` })).dns).toEqual(expected);
  });

  it.each([
    ['dns: { port: 70000 }', 'dns.port: expected an integer from 0 to 65535, got 70000 (tutti.yaml:5:14)'],
    ['dns: { port: -1 }', 'dns.port: expected an integer from 0 to 65535, got -1 (tutti.yaml:5:14)'],
    ['dns: { host: localhost }', 'dns.host must be an IP address such as 127.0.0.1 or 0.0.0.0, got "localhost" (tutti.yaml:5:14)'],
    ['dns: { hots: 127.0.0.1 }', 'unknown key "hots" in dns (tutti.yaml:5:8); did you mean "host"?'],
    ['dns: 8600', 'dns: expected a mapping, got 8600 (tutti.yaml:5:6)'],
  ])('rejects %s', (line, message) => {
    expect(messages(manifest({ stack: `${line}\n` }))).toEqual([message]);
  });
});
