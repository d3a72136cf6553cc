// The registry layer's public door: the service registry (local and external instances, their
// checks, the change index and history for watchers) and the health prober that runtimes use
// to decide whether an instance is ready.
export { createProber, httpProbe, tcpProbe, execProbe } from './probes/index.js';
export type { ProbeResult, ProbeTarget } from './probes/index.js';
export { createRegistry } from './registry.js';
export type { RegistryOptions, RegistryLogger } from './registry.js';
export { DEFAULT_HISTORY_SIZE } from './change-log.js';
export { startDnsServer } from './dns/index.js';
export type { DnsServer, DnsServerOptions, DnsLogger, DnsRegistry } from './dns/index.js';
export {
  DEFAULT_CHECK_INTERVAL_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_DEREGISTER_CRITICAL_AFTER_MS,
  checkServiceName,
  compileRegistration,
} from './registration.js';
export type {
  ChangeBatch,
  CheckDefinition,
  CheckStatus,
  InstanceFilter,
  RegisterInput,
  Registry,
  RegistryEvent,
  RegistryInstance,
  ServiceSummary,
} from './types.js';
