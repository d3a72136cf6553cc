// `http://<service>/…` in a workflow means a service tutti knows: one of the stack's services is
// reached through its stable endpoint (balanced, retried, measured), a service only registered
// in the registry through one of its healthy instances (taken in turn). Any other host is left
// as written and called directly.

import type { Orchestrator } from '../../orchestrator/types.js';
import type { Registry } from '../../registry/types.js';

export interface ServiceResolverSources {
  orchestrator: Pick<Orchestrator, 'status'>;
  registry?: Pick<Registry, 'services' | 'instances'>;
}

export function serviceResolver(src: ServiceResolverSources): (host: string) => string | undefined {
  const turn = new Map<string, number>();
  return (host) => {
    const name = host.toLowerCase();
    const endpoint = src.orchestrator.status()?.services.find((s) => s.name === name)?.endpoint;
    if (endpoint) return endpoint;
    const registry = src.registry;
    if (!registry || !registry.services().some((s) => s.name === name)) return undefined;
    const healthy = registry.instances(name, { healthy: true });
    if (healthy.length === 0) return undefined;
    const n = turn.get(name) ?? 0;
    turn.set(name, n + 1);
    const i = healthy[n % healthy.length];
    const address = i.address.includes(':') ? `[${i.address}]` : i.address;
    return `http://${address}:${i.port}`;
  };
}
