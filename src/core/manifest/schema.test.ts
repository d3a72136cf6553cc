import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { manifestJsonSchema, manifestSchema } from './schema.js';
import { DESIGN_EXAMPLE } from './test-design-example.js';

type Node = Record<string, unknown>;

/** Every (path, schema) pair reachable from the root. */
function walk(node: Node, path = '#'): Array<[string, Node]> {
  const out: Array<[string, Node]> = [[path, node]];
  const children: Array<[string, unknown]> = [];
  for (const [k, v] of Object.entries((node.properties ?? {}) as Node)) children.push([`${path}/${k}`, v]);
  for (const [k, v] of Object.entries((node.patternProperties ?? {}) as Node)) children.push([`${path}/(${k})`, v]);
  if (typeof node.additionalProperties === 'object') children.push([`${path}/*`, node.additionalProperties]);
  if (node.items) children.push([`${path}[]`, node.items]);
  ((node.anyOf ?? []) as unknown[]).forEach((v, i) => children.push([`${path}|${i}`, v]));
  for (const [p, v] of children) out.push(...walk(v as Node, p));
  return out;
}

const schema = manifestJsonSchema();
const nodes = walk(schema as Node);

describe('manifestJsonSchema', () => {
  it('is a plain draft-07 document with an id and a title', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toEqual(expect.any(String));
    expect(schema.title).toBe('tutti stack manifest');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect(Object.getOwnPropertySymbols(schema)).toEqual([]);
  });

  it('closes every object with properties against unknown keys', () => {
    const open = nodes.filter(([, n]) => n.properties && Object.keys(n.properties).length > 0 && n.additionalProperties !== false);
    expect(open.map(([p]) => p)).toEqual([]);
  });

  it('describes every key', () => {
    const undocumented = nodes.flatMap(([p, n]) =>
      Object.entries((n.properties ?? {}) as Record<string, Node>).filter(([, v]) => !v.description).map(([k]) => `${p}/${k}`),
    );
    expect(undocumented).toEqual([]);
  });

  it.each([
    ['#/services/*/replicas', 1],
    ['#/services/*/port', 0],
    ['#/services/*/cwd', '.'],
    ['#/services/*/restart', 'always'],
    ['#/services/*/stop_signal', 'SIGTERM'],
    ['#/services/*/stop_grace', '10s'],
    ['#/services/*/importance', 1],
    ['#/services/*/ready_timeout', '60s'],
    ['#/services/*/health/interval', '2s'],
    ['#/services/*/health/timeout', '1s'],
    ['#/services/*/health/healthy_after', 1],
    ['#/services/*/health/unhealthy_after', 3],
    ['#/services/*/health/start_period', '0s'],
    ['#/services/*/backoff/initial', '100ms'],
    ['#/services/*/backoff/factor', 2],
    ['#/services/*/backoff/max', '30s'],
    ['#/services/*/backoff/reset_after', '30s'],
    ['#/services/*/logs/max_size', '10MB'],
    ['#/services/*/logs/max_files', 5],
    ['#/services/*/logs/max_age', '7d'],
    ['#/logs/max_age', '7d'],
    ['#/logs/max_size', '10MB'],
    ['#/runtime', 'process'],
    ['#/services/*/protocol', 'http'],
    ['#/selection/strategy', 'qos'],
    ['#/selection/weights', { latency: 0.45, success: 0.3, load: 0.15, health: 0.1 }],
    ['#/selection/outlier/consecutive_failures', 5],
    ['#/selection/outlier/base_ejection', '10s'],
    ['#/selection/outlier/max_ejection', '5m'],
    ['#/services/*/selection/strategy', 'qos'],
    ['#/dns/host', '127.0.0.1'],
    ['#/dns/port', 0],
  ])('documents the default of %s (%j)', (path, value) => {
    const node = nodes.find(([p]) => p === path)?.[1];
    expect(node?.default).toEqual(value);
  });

  it('lets an editor validate the example of DESIGN.md, and rejects a misspelt key in it', () => {
    const example = parse(DESIGN_EXAMPLE);
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(validate(example)).toBe(true);
    example.services.orders.depnds_on = example.services.orders.depends_on;
    expect(validate(example)).toBe(false);
  });

  it('is the same document as manifestSchema', () => {
    expect(schema).toMatchObject(JSON.parse(JSON.stringify(manifestSchema)));
  });
});
