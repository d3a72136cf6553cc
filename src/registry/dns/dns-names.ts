// The names the DNS interface answers, Consul style, and how a query name maps onto them.
// Pure: no registry, no sockets. Names are compared lower-cased (DNS is case-insensitive).
//
//   <domain>                                  the zone apex (SOA)
//   <service>.service.<domain>                healthy instances of a service
//   <tag>.<service>.service.<domain>          … carrying that tag
//   _<service>._<tag|tcp>.service.<domain>    RFC 2782 form; `_tcp` means any tag
//   <instance-id>.node.<domain>               one instance's address (healthy or not)
//   <hex-address>.addr.<domain>               an address spelled in hex (SRV targets of
//                                             instances whose id is not a DNS label)

import { isIPv4, isIPv6 } from 'node:net';

export type DnsTarget =
  | { kind: 'outside' }
  | { kind: 'apex' }
  /** an empty non-terminal such as `service.<domain>`: exists, holds no records */
  | { kind: 'empty' }
  | { kind: 'service'; service: string; tag?: string }
  | { kind: 'node'; id: string }
  | { kind: 'addr'; address: string }
  | { kind: 'unknown' };

/** Lower-cased, without the trailing dot; throws on a name that is not a valid domain. */
export function normaliseDomain(domain: string): string {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  const ok = d.length > 0 && d.length <= 253 && d.split('.').every(isDnsLabel);
  if (!ok) throw new Error(`"${domain}" is not a valid domain name`);
  return d;
}

/** A label we can put in a name (RFC 1035 length, letters, digits, hyphen and underscore). */
export function isDnsLabel(label: string): boolean {
  return /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(label);
}

/** Where a question's name points, relative to `domain` (already normalised). */
export function parseQueryName(name: string, domain: string): DnsTarget {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n === domain) return { kind: 'apex' };
  if (!n.endsWith(`.${domain}`)) return { kind: 'outside' };
  const labels = n.slice(0, -(domain.length + 1)).split('.');
  const last = labels[labels.length - 1];
  if (labels.length === 1) return last === 'service' || last === 'node' || last === 'addr' ? { kind: 'empty' } : { kind: 'unknown' };

  const rest = labels.slice(0, -1);
  if (last === 'service') return parseServiceLabels(rest);
  if (last === 'node' && rest.length === 1) return { kind: 'node', id: rest[0] };
  if (last === 'addr' && rest.length === 1) {
    const address = addressFromHex(rest[0]);
    return address ? { kind: 'addr', address } : { kind: 'unknown' };
  }
  return { kind: 'unknown' };
}

function parseServiceLabels(labels: string[]): DnsTarget {
  if (labels.length === 1) return { kind: 'service', service: labels[0] };
  if (labels.length !== 2) return { kind: 'unknown' };
  const [first, second] = labels;
  // RFC 2782: the protocol label is read as a tag, `tcp` as "any" (as Consul does).
  if (first.startsWith('_') && second.startsWith('_') && first.length > 1 && second.length > 1) {
    const tag = second.slice(1);
    return tag === 'tcp' ? { kind: 'service', service: first.slice(1) } : { kind: 'service', service: first.slice(1), tag };
  }
  return { kind: 'service', service: second, tag: first };
}

/** The name an SRV record points at for an instance: its node name, else its hex address. */
export function targetName(instance: { id: string; address: string }, domain: string): string {
  if (isDnsLabel(instance.id)) return `${instance.id.toLowerCase()}.node.${domain}`;
  return `${hexFromAddress(instance.address)}.addr.${domain}`;
}

/** The address an instance is reached on, as DNS sees it: an IP, or a hostname (CNAME-able). */
export function addressKind(address: string): { family: 4 | 6; ip: string } | { family: 0; host: string } {
  if (address.toLowerCase() === 'localhost') return { family: 4, ip: '127.0.0.1' };
  if (isIPv4(address)) return { family: 4, ip: address };
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv6(bare)) return { family: 6, ip: bare };
  return { family: 0, host: address.toLowerCase().replace(/\.$/, '') };
}

/** 127.0.0.1 → 7f000001; IPv6 → its 32 hex digits. Only called for IP addresses. */
export function hexFromAddress(address: string): string {
  const kind = addressKind(address);
  if (kind.family === 4) return kind.ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  if (kind.family === 6) return expandIPv6(kind.ip).join('');
  throw new Error(`${address} is not an IP address`);
}

function addressFromHex(hex: string): string | undefined {
  if (/^[0-9a-f]{8}$/.test(hex)) return [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
  if (/^[0-9a-f]{32}$/.test(hex)) return hex.match(/.{4}/g)!.join(':');
  return undefined;
}

/** The eight groups of an IPv6 address, four hex digits each (an IPv4 tail is converted). */
function expandIPv6(ip: string): string[] {
  let text = ip.toLowerCase();
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const o = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + `${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array(8 - h.length - t.length).fill('0');
  return [...h, ...zeros, ...t].map((g) => g.padStart(4, '0'));
}
