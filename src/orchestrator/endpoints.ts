// The services' stable endpoints: one per service, on a port kept across daemon restarts
// (remembered in the store), balancing over the instances the registry lists as passing or
// warning — local instances and external ones registered through the API alike. Settings
// that do not need new instances (selection, protocol) are applied here in place.

import { DEFAULT_SELECTION, type StackSpec } from '../core/index.js';
import { startEndpoint, type RequestOutcome, type ServiceEndpoint, type Target } from '../proxy/index.js';
import type { Registry } from '../registry/index.js';
import type { Runtime } from '../runtime/index.js';

export interface EndpointSetOptions {
  host: string;
  runtime: Runtime;
  registry?: Registry;
  onOutcome?: (outcome: RequestOutcome) => void;
}

export class EndpointSet {
  private readonly endpoints = new Map<string, ServiceEndpoint>();
  private readonly targets = new Map<string, { index: number; list: Target[] }>();

  constructor(private readonly opts: EndpointSetOptions) {}

  get(service: string): ServiceEndpoint | undefined {
    return this.endpoints.get(service);
  }

  /** Starts the endpoints the stack lacks (on `port(name)` when remembered), reconfigures the
   *  others; returns the ports now in use, by service. */
  async ensure(stack: StackSpec, rememberedPort: (service: string) => number | undefined): Promise<Map<string, number>> {
    const ports = new Map<string, number>();
    for (const name of stack.order) {
      const spec = stack.services[name];
      const protocol = spec.protocol ?? 'http';
      const selection = spec.selection ?? DEFAULT_SELECTION;
      let endpoint = this.endpoints.get(name);
      if (endpoint && endpoint.protocol !== protocol) {
        await endpoint.close();
        this.endpoints.delete(name);
        endpoint = undefined;
      }
      if (endpoint) {
        endpoint.configure(selection);
      } else {
        endpoint = await startEndpoint({
          service: name,
          host: this.opts.host,
          port: rememberedPort(name) ?? this.endpoints.get(name)?.port ?? 0,
          protocol,
          selection,
          targets: () => this.targetsOf(name),
          onOutcome: this.opts.onOutcome,
        });
        this.endpoints.set(name, endpoint);
      }
      ports.set(name, endpoint.port);
    }
    return ports;
  }

  async remove(service: string): Promise<void> {
    await this.endpoints.get(service)?.close();
    this.endpoints.delete(service);
    this.targets.delete(service);
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.endpoints.values()].map((e) => e.close()));
    this.endpoints.clear();
    this.targets.clear();
  }

  /** Called on every request: recomputed only when the registry changed since the last call. */
  private targetsOf(service: string): Target[] {
    const registry = this.opts.registry;
    if (!registry) {
      return this.opts.runtime.instances(service)
        .filter((i) => i.ready && i.state === 'running')
        .map((i) => ({ id: i.id, address: i.address, port: i.port, health: 'passing' as const }));
    }
    const index = registry.index();
    const cached = this.targets.get(service);
    if (cached && cached.index === index) return cached.list;
    let list: Target[] = [];
    try {
      list = registry.instances(service, { healthy: true }).map((i) => ({
        id: i.id,
        address: i.address,
        port: i.port,
        health: i.status === 'warning' ? 'warning' : 'passing',
      }));
    } catch {
      // a service the registry does not know (yet): no targets
    }
    this.targets.set(service, { index, list });
    return list;
  }
}

