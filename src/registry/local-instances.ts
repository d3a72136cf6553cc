// How an instance tutti runs (the runtime's InstanceInfo) appears in the registry: listed while
// it has a listening port and is not down, passing when ready, critical with the runtime's
// reason otherwise. Only what a watcher can see (status, output, address, port, meta) makes a
// change, so the runtime's frequent events do not flood watchers.

import type { InstanceInfo, InstanceState } from '../core/index.js';
import type { RegistryInstance } from './types.js';

/** states in which the instance has no listening process */
const DOWN: ReadonlySet<InstanceState> = new Set(['stopped', 'failed', 'completed', 'backoff', 'crash-looping']);

export function isListed(info: InstanceInfo): boolean {
  return !DOWN.has(info.state) && info.port > 0;
}

/** The visible fields of a local instance (no index, no times). */
export type LocalView = Pick<RegistryInstance, 'id' | 'service' | 'address' | 'port' | 'meta' | 'status' | 'output'>;

export function localView(info: InstanceInfo): LocalView {
  const meta: Record<string, string> = { revision: info.revision, slot: String(info.slot) };
  if (info.pid !== undefined) meta.pid = String(info.pid);
  const view: LocalView = { id: info.id, service: info.service, address: info.address, port: info.port, meta, status: info.ready ? 'passing' : 'critical' };
  if (!info.ready) view.output = info.message ? `${info.state}: ${info.message}` : info.state;
  return view;
}

/** True when `view` differs from what the registry holds in a way a watcher would notice. */
export function changed(current: RegistryInstance | undefined, view: LocalView): boolean {
  if (!current || current.source !== 'local') return true;
  if (current.service !== view.service || current.address !== view.address || current.port !== view.port) return true;
  if (current.status !== view.status || current.output !== view.output) return true;
  const a = current.meta;
  const b = view.meta;
  const keys = Object.keys(b);
  return keys.length !== Object.keys(a).length || keys.some((k) => a[k] !== b[k]);
}
