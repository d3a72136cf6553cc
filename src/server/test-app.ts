// Fixtures for tests of the API and its client: a compiled stack spec, one token per role,
// and an app over a TestOrchestrator, optionally listening on a real port.

import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { StackSpec } from '../core/index.js';
import { buildApp, type BuildAppOptions } from './app.js';
import { TestOrchestrator } from './test-orchestrator.js';
import { testServiceSpec } from '../core/test-service-spec.js';

export const TOKENS = { viewer: 'viewer-token-aaaa', operator: 'operator-token-bbbb', admin: 'admin-token-cccc' } as const;

export function testStackSpec(name = 'shop', services: string[] = ['catalog', 'inventory', 'orders']): StackSpec {
  const entries = services.map((s, i) => [
    s,
    testServiceSpec(s, {
      command: ['node', `services/${s}.js`],
      env: { LOG_LEVEL: 'info' },
      health: { http: '/healthz', intervalMs: 2000, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 3, startPeriodMs: 0 },
      dependsOn: i === 0 ? {} : { [services[0]]: 'healthy' as const },
    }),
  ]);
  return { name, file: '/srv/shop/tutti.yaml', dir: '/srv/shop', services: Object.fromEntries(entries), order: services };
}

export interface TestApp {
  app: FastifyInstance;
  orchestrator: TestOrchestrator;
  shutdowns: Array<{ stopStack: boolean }>;
  /** base URL when started with listen: true */
  url: string;
  auth(role: keyof typeof TOKENS): { authorization: string };
  close(): Promise<void>;
}

export async function createTestApp(
  opts: { listen?: boolean; withStack?: boolean } & Partial<BuildAppOptions> = {},
): Promise<TestApp> {
  const orchestrator = new TestOrchestrator();
  if (opts.withStack !== false) await orchestrator.apply(testStackSpec());
  const shutdowns: Array<{ stopStack: boolean }> = [];
  const app = await buildApp({
    orchestrator,
    tokens: { [TOKENS.viewer]: 'viewer', [TOKENS.operator]: 'operator', [TOKENS.admin]: 'admin' },
    version: '9.9.9-test',
    onShutdown: (o) => shutdowns.push(o),
    ...opts,
  });
  let url = '';
  if (opts.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  } else {
    await app.ready();
  }
  return {
    app,
    orchestrator,
    shutdowns,
    url,
    auth: (role) => ({ authorization: `Bearer ${TOKENS[role]}` }),
    close: () => app.close(),
  };
}

/** Polls a condition until it holds or the deadline passes (no fixed sleeps in tests). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
