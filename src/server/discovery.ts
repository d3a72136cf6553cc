// The registry and its DNS interface, as the daemon runs them: the registry over the store
// (external registrations survive a restart), and a DNS server on the port the manifest's
// `dns:` asks for — or, when it says 0 or nothing, the port chosen the first time and kept in
// the store, so resolvers pointed at it keep working across daemon restarts.

import type { Logger } from 'pino';
import type { StackSpec } from '../core/index.js';
import type { Orchestrator } from '../orchestrator/types.js';
import { onStackChange } from './stack-hooks.js';
import { createRegistry, startDnsServer, type Registry } from '../registry/index.js';
import type { Store } from '../store/index.js';

const DNS_PORT_KEY = 'dns.port';

export interface Discovery {
  readonly registry: Registry;
  /** where the DNS interface listens */
  dns(): { host: string; port: number } | undefined;
  /** Moves the DNS interface when the applied stack asks for another host or port. */
  applyStack(spec: StackSpec | null): Promise<void>;
  close(): Promise<void>;
}

export async function startDiscovery(opts: { store: Store; logger: Logger; stack?: StackSpec }): Promise<Discovery> {
  const registry = await createRegistry({ store: opts.store.registry, meta: opts.store.meta, logger: opts.logger });
  let server: Awaited<ReturnType<typeof startDnsServer>> | undefined;
  let chain: Promise<void> = Promise.resolve();

  const place = async (spec: StackSpec | null | undefined): Promise<void> => {
    const host = spec?.dns?.host ?? '127.0.0.1';
    const wanted = spec?.dns?.port || Number((await opts.store.meta.get(DNS_PORT_KEY)) ?? 0);
    if (server && server.host === host && (wanted === 0 || server.port === wanted)) return;
    await server?.close();
    server = undefined;
    try {
      server = await startDnsServer({ registry, host, port: wanted, logger: opts.logger });
    } catch (err) {
      // discovery over HTTP still works; say why DNS does not
      opts.logger.error({ err, host, port: wanted }, 'DNS interface not started');
      return;
    }
    if (spec?.dns?.port && server.port !== spec.dns.port) {
      opts.logger.warn({ wanted: spec.dns.port, port: server.port }, 'DNS port in use; answering on another port');
    }
    await opts.store.meta.set(DNS_PORT_KEY, String(server.port));
    opts.logger.info({ host: server.host, port: server.port }, 'DNS interface listening');
  };

  await place(opts.stack);
  return {
    registry,
    dns: () => (server ? { host: server.host, port: server.port } : undefined),
    applyStack(spec) {
      const next = chain.then(() => place(spec));
      chain = next.catch(() => {});
      return next;
    },
    async close() {
      await chain;
      await server?.close();
      await registry.close();
    },
  };
}

/** The orchestrator, with the DNS interface following every apply (a new `dns:` port). */
export function withDiscovery(orchestrator: Orchestrator, discovery: Discovery): Orchestrator {
  return onStackChange(orchestrator, async (stack) => {
    if (stack) await discovery.applyStack(stack);
  });
}
