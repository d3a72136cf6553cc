// docs/manifest.md is the manifest's reference: it must name every key the schema accepts,
// and its complete example must load.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifest } from './parse-manifest.js';
import { manifestJsonSchema } from './schema.js';

const docs = readFileSync(fileURLToPath(new URL('../../../docs/manifest.md', import.meta.url)), 'utf8');

function keys(node: Record<string, unknown>): string[] {
  const own = Object.keys((node.properties ?? {}) as object);
  const children = [
    ...Object.values((node.properties ?? {}) as object),
    ...(typeof node.additionalProperties === 'object' ? [node.additionalProperties] : []),
    ...((node.anyOf ?? []) as unknown[]),
    ...(node.items ? [node.items] : []),
  ];
  return [...own, ...children.flatMap((c) => keys(c as Record<string, unknown>))];
}

describe('docs/manifest.md', () => {
  it('documents every key of the schema', () => {
    // `key`, or as the last part of a dotted name such as `weights.latency`
    const documented = (k: string) => new RegExp(`\`([\\w.]+\\.)?${k}\``).test(docs);
    const missing = [...new Set(keys(manifestJsonSchema()))].filter((k) => !documented(k));
    expect(missing).toEqual([]);
  });

  it('has a complete example that loads without warnings', () => {
    const example = docs.split('## A complete example')[1].split('```yaml\n')[1].split('```')[0];
    const spec = parseManifest(example, {
      file: '/srv/shop/tutti.yaml',
      env: { DATABASE_URL: 'postgres://db/shop' },
      readFile: (p) => ({ '/srv/shop/config/common.env': 'NODE_ENV=production\n' })[p],
    });
    expect(spec.warnings).toEqual([]);
    expect(spec.order).toEqual(['migrate', 'catalog', 'inventory', 'orders', 'gateway']);
    expect(spec.services.inventory).toMatchObject({
      replicas: 2,
      restart: 'on-failure',
      env: { NODE_ENV: 'production', LOG_LEVEL: 'info', DATABASE_URL: 'postgres://db/shop' },
    });
    expect(spec.services.gateway.health?.exec).toEqual(['/bin/sh', '-c', 'curl -fsS http://127.0.0.1:$PORT/healthz']);
    expect(spec.services.inventory.metricsPath).toBe('/metrics');
    expect(spec.services.gateway.selection).toEqual({
      strategy: 'least-request',
      weights: { latency: 0.5, success: 0.3, load: 0.2, health: 0 },
      outlier: { consecutiveFailures: 3, baseEjectionMs: 5000, maxEjectionMs: 120_000 },
    });
    expect(spec.services.orders.selection).toEqual({ ...spec.selection, strategy: 'qos' });
    expect(spec.dns).toEqual({ host: '127.0.0.1', port: 8600 });
  });
});
