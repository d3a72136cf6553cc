// The process driver runs the shared Runtime contract suite (../contract-suite.ts) with the
// test services of test/fixtures as local scripts, each answering over HTTP on its own port.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InstanceInfo, ServiceSpec } from '../../core/index.js';
import { testServiceSpec } from '../../core/test-service-spec.js';
import { createProber } from '../../registry/index.js';
import type { InstanceRecord, InstanceStore } from '../contract.js';
import { runRuntimeContract } from '../contract-suite.js';
import { createProcessRuntime } from './process-runtime.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');

class MemoryStore implements InstanceStore {
  private readonly records = new Map<string, InstanceRecord>();
  async list() { return [...this.records.values()].map((r) => structuredClone(r)); }
  async put(r: InstanceRecord) { this.records.set(r.id, structuredClone(r)); }
  async delete(id: string) { this.records.delete(id); }
}

function script(name: string, file: string, over: Partial<ServiceSpec>, health?: ServiceSpec['health']): ServiceSpec {
  return testServiceSpec(name, {
    command: [process.execPath, path.join(fixtures, file)],
    cwd: fixtures,
    health,
    backoff: { initialMs: 200, factor: 2, maxMs: 2000, resetAfterMs: 30_000 },
    stopGraceMs: 3000,
    readyTimeoutMs: 15_000,
    revision: 'r1',
    ...over,
  });
}

function version(info: InstanceInfo): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: info.address, port: info.port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve((JSON.parse(body) as { version: string }).version));
    }).on('error', reject);
  });
}

runRuntimeContract({
  name: 'process',
  async create() {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutti-contract-'));
    const store = new MemoryStore();
    const runtime = await createProcessRuntime({ stateDir, prober: createProber(), store });
    return {
      runtime,
      async cleanup() {
        for (const service of new Set(runtime.instances().map((i) => i.service))) await runtime.remove(service);
        await runtime.detach();
        fs.rmSync(stateDir, { recursive: true, force: true });
      },
    };
  },
  fixtures: {
    server: (name, over = {}) => script(name, 'http-server.js', over, { http: '/healthz', intervalMs: 100, timeoutMs: 1000, healthyAfter: 1, unhealthyAfter: 2, startPeriodMs: 0 }),
    crasher: (name, over = {}) => script(name, 'exit-with.js', { backoff: { initialMs: 500, factor: 2, maxMs: 2000, resetAfterMs: 30_000 }, ...over }),
    printer: (name, over = {}) => script(name, 'print-lines.js', over),
  },
  version,
});
