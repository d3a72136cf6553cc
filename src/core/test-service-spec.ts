// A compiled ServiceSpec with the manifest's defaults, for tests across layers: each test
// overrides only what it is about. (Excluded from the build, as every test-*.ts file.)
import type { ServiceSpec } from './spec.js';

export function testServiceSpec(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    command: ['node', `${name}.js`],
    cwd: '/srv/shop',
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
    logs: { maxBytes: 10 * 1024 * 1024, maxFiles: 5 },
    revision: `rev-${name}`,
    ...over,
  };
}
