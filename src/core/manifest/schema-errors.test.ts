import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { validateAgainstSchema } from './schema-errors.js';
import { parseYaml } from './yaml-source.js';

/** The problems of a manifest whose services section is `services` (indented by 2). */
function problemsOf(text: string) {
  const src = parseYaml(text, '/work/shop/tutti.yaml');
  return validateAgainstSchema(parse(text), src);
}

const stack = (service: string) => `name: shop\nservices:\n  orders:\n    command: node orders.js\n${service}`;

describe('validateAgainstSchema', () => {
  it('accepts a valid manifest', () => {
    expect(problemsOf(stack('    replicas: 2\n'))).toEqual([]);
  });

  it('names an unknown key with its exact position and the nearest valid key', () => {
    const problems = problemsOf(stack('    replicas: 2\n    depnds_on: [inventory]\n'));
    expect(problems).toEqual([
      {
        path: 'services.orders.depnds_on',
        line: 6,
        column: 5,
        message: 'unknown key "depnds_on" in services.orders (tutti.yaml:6:5); did you mean "depends_on"?',
      },
    ]);
  });

  it.each([
    ['a top-level key', 'name: shop\nservics: {}\n', 'unknown key "servics" at the top level (tutti.yaml:2:1); did you mean "services"?'],
    ['a health key', stack('    health: { http: /h, intervl: 2s }\n'), 'unknown key "intervl" in services.orders.health (tutti.yaml:5:25); did you mean "interval"?'],
    ['a key with nothing near it', stack('    colour: blue\n'), 'unknown key "colour" in services.orders (tutti.yaml:5:5)'],
  ])('suggests only a near key: %s', (_what, text, message) => {
    expect(problemsOf(text).map((p) => p.message)).toContain(message);
  });

  it.each([
    ['replicas: two', 'services.orders.replicas: expected an integer ≥ 0, got "two" (tutti.yaml:5:15)'],
    ['replicas: 1.5', 'services.orders.replicas: expected an integer ≥ 0, got 1.5 (tutti.yaml:5:15)'],
    ['port: 70000', 'services.orders.port: expected an integer from 0 to 65535, got 70000 (tutti.yaml:5:11)'],
    ['importance: -1', 'services.orders.importance: expected a number ≥ 0, got -1 (tutti.yaml:5:17)'],
    ['stop_grace: 10 seconds', 'services.orders.stop_grace: expected a duration such as 500ms, 2s, 1m or 1m30s, got "10 seconds" (tutti.yaml:5:17)'],
    ['stop_grace: [1]', 'services.orders.stop_grace: expected a duration such as 500ms, 2s, 1m or 1m30s (or a number of milliseconds), got a list (tutti.yaml:5:17)'],
    ['logs: { max_size: lots }', 'services.orders.logs.max_size: expected a size such as 10MB, 512KiB or 1G, got "lots" (tutti.yaml:5:23)'],
    ['logs: { max_age: a week }', 'services.orders.logs.max_age: expected a duration such as 500ms, 2s, 1m or 1m30s, got "a week" (tutti.yaml:5:22)'],
    ['restart: sometimes', 'services.orders.restart: expected one of always, on-failure or never, got "sometimes" (tutti.yaml:5:14)'],
    ['restart: alway', 'services.orders.restart: expected one of always, on-failure or never, got "alway" (tutti.yaml:5:14); did you mean "always"?'],
    ['stop_signal: SIGTREM', 'services.orders.stop_signal: expected a signal name such as SIGTERM, SIGINT or SIGQUIT, got "SIGTREM" (tutti.yaml:5:18); did you mean "SIGTERM"?'],
    ['health: { http: healthz }', 'services.orders.health.http: expected a path starting with /, got "healthz" (tutti.yaml:5:21)'],
    ['health: { tcp: false }', 'services.orders.health.tcp: expected true, got false (tutti.yaml:5:20)'],
    ['env: { A: [1] }', 'services.orders.env.A: expected a string, a number, a boolean, null or a mapping, got a list (tutti.yaml:5:15)'],
    ['env: { A: { value: 1, secrett: true } }', 'unknown key "secrett" in services.orders.env.A (tutti.yaml:5:27); did you mean "secret"?'],
    ['resources: { limits: { memory: lots } }', 'services.orders.resources.limits.memory: expected a size such as 256Mi, 512MB or 1G, got "lots" (tutti.yaml:5:36)'],
    ['resources: { limits: { cpu: 1core } }', 'services.orders.resources.limits.cpu: expected cores (0.5, 2) or thousandths of a core (250m), got "1core" (tutti.yaml:5:33)'],
    ['resources: { limit: { cpu: 1 } }', 'unknown key "limit" in services.orders.resources (tutti.yaml:5:18); did you mean "limits"?'],
    ['env_file: 3', 'services.orders.env_file: expected a string or a list of strings, got 3 (tutti.yaml:5:15)'],
    ['depends_on: inventory', 'services.orders.depends_on: expected a list of strings or a mapping, got "inventory" (tutti.yaml:5:17)'],
    ['depends_on: { inventory: healthyy }', 'services.orders.depends_on.inventory: expected one of started, healthy or completed, got "healthyy" (tutti.yaml:5:30); did you mean "healthy"?'],
    ['depends_on: { inventory: { condition: done } }', 'services.orders.depends_on.inventory.condition: expected one of started, healthy or completed, got "done" (tutti.yaml:5:43)'],
    ['depends_on: [inventory, 3]', 'services.orders.depends_on[1]: expected a string, got 3 (tutti.yaml:5:29)'],
  ])('says what was expected: %s', (line, message) => {
    expect(problemsOf(stack(`    ${line}\n`)).map((p) => p.message)).toEqual([message]);
  });

  it.each([
    ['a command that is neither text nor a list', 'name: shop\nservices:\n  api: { command: 3 }\n', 'services.api.command: expected a non-empty string or a non-empty list of strings, got 3 (tutti.yaml:3:19)'],
    ['an empty command list', 'name: shop\nservices:\n  api: { command: [] }\n', 'services.api.command: expected a non-empty list of strings, got an empty list (tutti.yaml:3:19)'],
    ['a service that is not a mapping', 'name: shop\nservices:\n  api:\n', 'services.api: expected a mapping, got nothing (tutti.yaml:3:3)'],
    ['a service name with capitals', 'name: shop\nservices:\n  Api: {}\n', 'invalid service name "Api" in services: expected lowercase letters, digits, - and _, starting with a letter (tutti.yaml:3:3)'],
    ['a stack name with capitals', 'name: Shop\nservices: {}\n', 'name: expected lowercase letters, digits, - and _, got "Shop" (tutti.yaml:1:7)'],
    ['a missing name', 'services: {}\n', 'missing required key "name" at the top level (tutti.yaml:1:1)'],
    ['an empty file', '', 'the manifest must be a mapping with at least name: and services:, got nothing (tutti.yaml:1:1)'],
    ['a list', '- a\n', 'the manifest must be a mapping with at least name: and services:, got a list (tutti.yaml:1:1)'],
    ['a selection weight that is not a number', 'name: shop\nservices: {}\nselection: { weights: { latency: high } }\n', 'selection.weights.latency: expected a number ≥ 0, got "high" (tutti.yaml:3:34)'],
  ])('%s', (_what, text, message) => {
    expect(problemsOf(text).map((p) => p.message)).toEqual([message]);
  });

  it('reports every problem, not just the first', () => {
    const text = stack('    replicas: -1\n    restart: no\n    depnds_on: [a]\n  inventory:\n    port: x\n');
    expect(problemsOf(text).map((p) => [p.path, p.line, p.column])).toEqual(
      expect.arrayContaining([
        ['services.orders.replicas', 5, 15],
        ['services.orders.restart', 6, 14],
        ['services.orders.depnds_on', 7, 5],
        ['services.inventory.port', 9, 11],
      ]),
    );
    expect(problemsOf(text)).toHaveLength(4);
  });

  it('accepts x- extension keys', () => {
    const text = 'name: shop\nx-common: &c { restart: never }\nservices:\n  api: { command: x, x-note: hi }\nalerts: [{ name: Down, when: up < 1 }]\n';
    expect(problemsOf(text)).toEqual([]);
  });

  it('refuses an alert rule without when, and unknown keys in it', () => {
    const text = 'name: shop\nservices:\n  api: { command: x }\nalerts: [{ name: Down, anything: [1, 2] }]\n';
    expect(problemsOf(text).map((p) => p.path)).toEqual(expect.arrayContaining(['alerts[0]']));
  });
});
