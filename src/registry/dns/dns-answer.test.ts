import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { answerQuery, Rcode, shuffle, type AnswerContext } from './dns-answer.js';
import { TestRegistry } from './test-registry.js';

function registry(): TestRegistry {
  return new TestRegistry(
    [
      { id: 'orders-1', service: 'orders', address: '10.0.0.1', port: 8001, tags: ['v1'] },
      { id: 'orders-2', service: 'orders', address: '10.0.0.2', port: 8002, tags: ['V2', 'canary'], status: 'warning' },
      { id: 'orders-3', service: 'orders', address: '10.0.0.3', port: 8003, tags: ['v2'], status: 'critical' },
      { id: 'orders-4', service: 'orders', address: '::1', port: 8004 },
      { id: 'orders-5', service: 'orders', address: 'db.example.com', port: 8005 },
      { id: 'shared-1', service: 'shared', address: '127.0.0.1', port: 9001 },
      { id: 'shared:2', service: 'shared', address: '127.0.0.1', port: 9002 },
    ],
    ['idle'],
  );
}

function ask(name: string, type: string, ctx: Partial<AnswerContext> = {}, header: Partial<Packet> = {}): Packet {
  const query = dnsPacket.decode(
    dnsPacket.encode({ type: 'query', id: 42, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }], ...header }),
  );
  return answerQuery(query, { registry: registry(), domain: 'tutti', ttlSeconds: 0, ...ctx });
}

const rcode = (p: Packet) => (p.flags ?? 0) & 0xf;
const data = (list: Answer[] | undefined, type: string) =>
  (list ?? []).filter((a) => a.type === type).map((a) => (a as { data: unknown }).data);
const sorted = <T>(xs: T[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('answerQuery', () => {
  it('answers A with one record per healthy IPv4 instance, authoritative, echoing id and RD', () => {
    const p = ask('orders.service.tutti', 'A');
    expect(rcode(p)).toBe(Rcode.NOERROR);
    expect(p.id).toBe(42);
    expect((p.flags ?? 0) & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
    expect((p.flags ?? 0) & dnsPacket.RECURSION_DESIRED).toBeTruthy();
    expect(data(p.answers, 'A').sort()).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(p.answers).toHaveLength(2);
    expect(p.answers!.every((a) => a.name === 'orders.service.tutti' && (a as { ttl: number }).ttl === 0)).toBe(true);
  });

  it.each([
    ['AAAA', 'orders.service.tutti', 'AAAA', ['::1']],
    ['case-insensitive names', 'ORDERS.Service.TUTTI', 'A', ['10.0.0.1', '10.0.0.2']],
    ['a tag (case-insensitive)', 'v2.orders.service.tutti', 'A', ['10.0.0.2']],
    ['an RFC 2782 tag', '_orders._canary.service.tutti', 'A', ['10.0.0.2']],
    ['duplicate addresses once', 'shared.service.tutti', 'A', ['127.0.0.1']],
    ['a node, healthy or not', 'orders-3.node.tutti', 'A', ['10.0.0.3']],
    ['a node in upper case', 'ORDERS-1.node.tutti', 'A', ['10.0.0.1']],
    ['an IPv6 node', 'orders-4.node.tutti', 'AAAA', ['::1']],
    ['a hostname node as CNAME', 'orders-5.node.tutti', 'A', []],
    ['a hex address', '0a000009.addr.tutti', 'A', ['10.0.0.9']],
  ])('answers %s', (_what, name, type, expected) => {
    const p = ask(name, type);
    expect(rcode(p)).toBe(Rcode.NOERROR);
    expect(sorted(data(p.answers, type))).toEqual(sorted(expected));
  });

  it('answers a hostname-addressed node with a CNAME', () => {
    const p = ask('orders-5.node.tutti', 'A');
    expect(p.answers).toEqual([expect.objectContaining({ type: 'CNAME', data: 'db.example.com' })]);
  });

  it('answers SRV (both name forms) with the port and a target whose address is in the additional section', () => {
    for (const name of ['orders.service.tutti', '_orders._tcp.service.tutti']) {
      const p = ask(name, 'SRV');
      expect(sorted(data(p.answers, 'SRV'))).toEqual(sorted([
        { priority: 1, weight: 1, port: 8001, target: 'orders-1.node.tutti' },
        { priority: 1, weight: 1, port: 8002, target: 'orders-2.node.tutti' },
        { priority: 1, weight: 1, port: 8004, target: 'orders-4.node.tutti' },
        { priority: 1, weight: 1, port: 8005, target: 'db.example.com' },
      ]));
      const glue = (p.additionals ?? []).map((a) => [a.name, a.type, (a as { data: unknown }).data]);
      expect(sorted(glue)).toEqual(sorted([
        ['orders-1.node.tutti', 'A', '10.0.0.1'],
        ['orders-2.node.tutti', 'A', '10.0.0.2'],
        ['orders-4.node.tutti', 'AAAA', '::1'],
      ]));
    }
  });

  it('points SRV at the hex address when an instance id is no DNS label', () => {
    const p = ask('shared.service.tutti', 'SRV');
    expect(sorted(data(p.answers, 'SRV').map((d) => (d as { target: string }).target))).toEqual(['7f000001.addr.tutti', 'shared-1.node.tutti']);
  });

  it('answers ANY with the address and SRV records', () => {
    const p = ask('orders.service.tutti', 'ANY');
    expect(sorted((p.answers ?? []).map((a) => a.type))).toEqual(['A', 'A', 'AAAA', 'SRV', 'SRV', 'SRV', 'SRV']);
  });

  it.each([
    ['NXDOMAIN for an unknown service', 'nope.service.tutti', 'A', Rcode.NXDOMAIN],
    ['NXDOMAIN for an unknown node', 'nope.node.tutti', 'A', Rcode.NXDOMAIN],
    ['NXDOMAIN for a name of no known shape', 'orders.tutti', 'A', Rcode.NXDOMAIN],
    ['NODATA for a declared service without instances', 'idle.service.tutti', 'A', Rcode.NOERROR],
    ['NODATA for a tag nobody carries', 'blue.orders.service.tutti', 'A', Rcode.NOERROR],
    ['NODATA for a type we do not serve', 'orders.service.tutti', 'TXT', Rcode.NOERROR],
    ['NODATA for SRV of a node', 'orders-1.node.tutti', 'SRV', Rcode.NOERROR],
    ['NODATA for AAAA of an IPv4 node', 'orders-1.node.tutti', 'AAAA', Rcode.NOERROR],
    ['NODATA for an empty non-terminal', 'service.tutti', 'A', Rcode.NOERROR],
  ])('answers %s, with the zone SOA in authority', (_what, name, type, code) => {
    const p = ask(name, type);
    expect(rcode(p)).toBe(code);
    expect(p.answers).toEqual([]);
    expect(p.authorities).toEqual([expect.objectContaining({ type: 'SOA', name: 'tutti', data: expect.objectContaining({ mname: 'ns.tutti', minimum: 0 }) })]);
  });

  it('answers NODATA when every instance turned critical', () => {
    const reg = registry();
    for (const id of ['orders-1', 'orders-2', 'orders-4', 'orders-5']) reg.setStatus(id, 'critical');
    const p = ask('orders.service.tutti', 'A', { registry: reg });
    expect([rcode(p), p.answers]).toEqual([Rcode.NOERROR, []]);
  });

  it('answers the apex SOA', () => {
    const p = ask('tutti', 'SOA', { ttlSeconds: 5 });
    expect(p.answers).toEqual([expect.objectContaining({ type: 'SOA', ttl: 5, data: expect.objectContaining({ minimum: 5 }) })]);
  });

  it.each([
    ['REFUSED outside the domain', { questions: [{ name: 'example.com', type: 'A' as const }] }, Rcode.REFUSED],
    ['REFUSED for another class', { questions: [{ name: 'orders.service.tutti', type: 'A' as const, class: 'CH' as const }] }, Rcode.REFUSED],
    ['FORMERR without a question', { questions: [] }, Rcode.FORMERR],
    ['FORMERR with two questions', { questions: [{ name: 'orders.service.tutti', type: 'A' as const }, { name: 'tutti', type: 'SOA' as const }] }, Rcode.FORMERR],
    ['NOTIMP for another opcode', { flags: 2 << 11 }, Rcode.NOTIMP],
  ])('answers %s', (_what, header, code) => {
    const p = ask('orders.service.tutti', 'A', {}, header as Partial<Packet>);
    expect(rcode(p)).toBe(code);
    expect(p.answers).toEqual([]);
    expect(p.authorities).toEqual([]);
  });

  it('uses the configured domain and TTL', () => {
    const p = ask('orders.service.consul.internal', 'A', { domain: 'consul.internal', ttlSeconds: 30 });
    expect(p.answers!.map((a) => (a as { ttl: number }).ttl)).toEqual([30, 30]);
    expect(rcode(ask('orders.service.tutti', 'A', { domain: 'consul.internal' }))).toBe(Rcode.REFUSED);
  });

  it('shuffles the record order per answer', () => {
    const reg = new TestRegistry(Array.from({ length: 5 }, (_, i) => ({ id: `s-${i}`, service: 's', address: `10.0.1.${i}`, port: 1 })));
    const firsts = new Set<unknown>();
    for (let i = 0; i < 200; i++) firsts.add(data(ask('s.service.tutti', 'A', { registry: reg }).answers, 'A')[0]);
    expect(firsts.size).toBe(5);
  });

  it('lets registry failures other than not-found through (the server answers SERVFAIL)', () => {
    const broken = { services: () => [{ name: 'x' }], instances: () => { throw new Error('db gone'); } } as unknown as AnswerContext['registry'];
    expect(() => ask('x.service.tutti', 'A', { registry: broken })).toThrow('db gone');
  });
});

describe('shuffle', () => {
  it.each([
    [() => 0, [2, 3, 4, 5, 1]],
    [() => 0.999, [1, 2, 3, 4, 5]],
  ])('is a Fisher–Yates permutation (%#)', (random, expected) => {
    expect(shuffle([1, 2, 3, 4, 5], random)).toEqual(expected);
  });
});
