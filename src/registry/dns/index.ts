// The registry's DNS interface (Consul style): `<service>.service.tutti` answers the healthy
// instances of a service as A/AAAA/SRV records, over UDP and TCP on one port.

export { startDnsServer } from './dns-server.js';
export type { DnsServer, DnsServerOptions, DnsLogger } from './dns-server.js';
export type { DnsRegistry } from './dns-answer.js';
