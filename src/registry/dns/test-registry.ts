// A small in-memory registry for the DNS tests: just the two methods the DNS interface calls,
// with the contract's semantics (healthy = passing or warning; every asked tag must match;
// TUTTI_E_NOT_FOUND for a service neither declared nor registered).

import { TuttiError } from '../../core/index.js';
import type { CheckStatus, InstanceFilter, Registry, RegistryInstance, ServiceSummary } from '../types.js';

export interface FakeInstance {
  id: string;
  service: string;
  address: string;
  port: number;
  tags?: string[];
  status?: CheckStatus;
}

export class TestRegistry implements Pick<Registry, 'instances' | 'services'> {
  private readonly items = new Map<string, RegistryInstance>();
  private readonly declared = new Set<string>();

  constructor(instances: FakeInstance[] = [], declared: string[] = []) {
    for (const i of instances) this.add(i);
    for (const d of declared) this.declared.add(d);
  }

  add(i: FakeInstance): this {
    this.items.set(i.id, {
      id: i.id, service: i.service, address: i.address, port: i.port, tags: i.tags ?? [], meta: {},
      status: i.status ?? 'passing', source: 'external', registeredAt: 0, modifyIndex: this.items.size + 1,
    });
    return this;
  }

  setStatus(id: string, status: CheckStatus): void {
    const item = this.items.get(id);
    if (item) item.status = status;
  }

  instances(service: string, filter: InstanceFilter = {}): RegistryInstance[] {
    const all = [...this.items.values()].filter((i) => i.service === service);
    if (all.length === 0 && !this.declared.has(service)) {
      throw new TuttiError('TUTTI_E_NOT_FOUND', `No service named ${service}.`);
    }
    return all
      .filter((i) => !filter.healthy || i.status !== 'critical')
      .filter((i) => (filter.tags ?? []).every((t) => i.tags.includes(t)))
      .map((i) => ({ ...i, tags: [...i.tags] }));
  }

  services(): ServiceSummary[] {
    const names = new Set([...this.declared, ...[...this.items.values()].map((i) => i.service)]);
    return [...names].sort().map((name) => {
      const list = [...this.items.values()].filter((i) => i.service === name);
      const count = (s: CheckStatus) => list.filter((i) => i.status === s).length;
      return {
        name, instances: list.length, passing: count('passing'), warning: count('warning'), critical: count('critical'),
        tags: [...new Set(list.flatMap((i) => i.tags))].sort(), declared: this.declared.has(name),
      };
    });
  }
}
