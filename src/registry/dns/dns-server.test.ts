import dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.js';
import { TestRegistry } from './test-registry.js';

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface LogEntry { level: 'debug' | 'warn'; obj: Record<string, unknown>; msg: string }

async function serve(registry: DnsServerOptions['registry'], opts: Partial<DnsServerOptions> = {}): Promise<DnsServer & { logs: LogEntry[] }> {
  const logs: LogEntry[] = [];
  const logger = {
    debug: (obj: object, msg: string) => logs.push({ level: 'debug', obj: obj as Record<string, unknown>, msg }),
    warn: (obj: object, msg: string) => logs.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  };
  const server = await startDnsServer({ registry, port: 0, logger, ...opts });
  closers.push(() => server.close());
  return Object.assign(server, { logs });
}

function resolverFor(port: number): dns.Resolver {
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

function shop(): TestRegistry {
  return new TestRegistry(
    [
      { id: 'orders-1', service: 'orders', address: '127.0.0.1', port: 8001, tags: ['v1'] },
      { id: 'orders-2', service: 'orders', address: '127.0.0.2', port: 8002, tags: ['v2'], status: 'warning' },
      { id: 'orders-3', service: 'orders', address: '127.0.0.3', port: 8003, status: 'critical' },
      { id: 'orders-4', service: 'orders', address: '::1', port: 8004 },
      { id: 'sick-1', service: 'sick', address: '127.0.0.9', port: 9000, status: 'critical' },
    ],
    ['idle'],
  );
}

function many(n: number): TestRegistry {
  return new TestRegistry(Array.from({ length: n }, (_, i) => ({ id: `big-${i}`, service: 'big', address: `10.1.${i >> 8}.${i & 255}`, port: 10_000 + i })));
}

const query = (name: string, type = 'A', id = 1, extra: Partial<Packet> = {}): Buffer =>
  dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A' }], ...extra });

/** Sends each message from one UDP socket and collects `count` answers (with a deadline). */
async function udpExchange(port: number, messages: Buffer[], count = 1): Promise<DecodedPacket[]> {
  const socket = dgram.createSocket('udp4');
  closers.push(() => new Promise<void>((r) => socket.close(() => r())));
  const answers: DecodedPacket[] = [];
  await new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`only ${answers.length} of ${count} answers within 2s`)), 2000);
    socket.on('message', (m) => {
      answers.push(dnsPacket.decode(m));
      if (answers.length === count) (clearTimeout(deadline), resolve());
    });
    for (const m of messages) socket.send(m, port, '127.0.0.1');
  });
  return answers;
}

const rcodeOf = (p: DecodedPacket) => (p as DecodedPacket & { rcode: string }).rcode;

describe('DNS server with a real resolver', () => {
  it('answers A, AAAA and SRV of the healthy instances', async () => {
    const server = await serve(shop());
    const resolver = resolverFor(server.port);
    expect((await resolver.resolve4('orders.service.tutti')).sort()).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(await resolver.resolve4('ORDERS.Service.Tutti')).toHaveLength(2);
    expect(await resolver.resolve6('orders.service.tutti')).toEqual(['::1']);
    expect(await resolver.resolve4('v2.orders.service.tutti')).toEqual(['127.0.0.2']);
    expect(await resolver.resolve4('orders-3.node.tutti')).toEqual(['127.0.0.3']);

    const srv = await resolver.resolveSrv('_orders._tcp.service.tutti');
    expect(srv.sort((a, b) => a.port - b.port)).toEqual([
      { name: 'orders-1.node.tutti', port: 8001, priority: 1, weight: 1 },
      { name: 'orders-2.node.tutti', port: 8002, priority: 1, weight: 1 },
      { name: 'orders-4.node.tutti', port: 8004, priority: 1, weight: 1 },
    ]);
    expect(await resolver.resolveSrv('orders.service.tutti')).toHaveLength(3);
  });

  it('answers ANY with addresses and SRV records', async () => {
    const server = await serve(shop());
    const records = await resolverFor(server.port).resolveAny('orders.service.tutti');
    const types = records.map((r) => r.type).sort();
    expect(types).toEqual(['A', 'A', 'AAAA', 'SRV', 'SRV', 'SRV']);
  });

  it('says ENOTFOUND for an unknown service and ENODATA for a service with no healthy instance', async () => {
    const server = await serve(shop());
    const resolver = resolverFor(server.port);
    await expect(resolver.resolve4('nope.service.tutti')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolver.resolve4('sick.service.tutti')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolve4('idle.service.tutti')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolver.resolve4('blue.orders.service.tutti')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('answers from the live registry (TTL 0): a failing instance drops out at once', async () => {
    const registry = shop();
    const server = await serve(registry);
    const resolver = resolverFor(server.port);
    expect(await resolver.resolve4('v1.orders.service.tutti')).toEqual(['127.0.0.1']);
    registry.setStatus('orders-1', 'critical');
    await expect(resolver.resolve4('v1.orders.service.tutti')).rejects.toMatchObject({ code: 'ENODATA' });
  });

  it('truncates a large UDP answer and the resolver retries over TCP', async () => {
    const server = await serve(many(60));
    const addresses = await resolverFor(server.port).resolve4('big.service.tutti');
    expect(new Set(addresses).size).toBe(60);
    const seen = server.logs.filter((l) => l.msg === 'DNS query').map((l) => [l.obj.transport, l.obj.truncated, l.obj.answers]);
    expect(seen[0]).toEqual(['udp', true, expect.any(Number)]);
    expect(seen[0][2]).toBeLessThan(60);
    expect(seen).toContainEqual(['tcp', false, 60]);
  });

  it('answers SERVFAIL when the registry fails', async () => {
    const broken = { services: () => [{ name: 'x' }], instances: () => { throw new Error('db gone'); } } as unknown as DnsServerOptions['registry'];
    const server = await serve(broken);
    await expect(resolverFor(server.port).resolve4('x.service.tutti')).rejects.toMatchObject({ code: 'ESERVFAIL' });
    expect(server.logs.some((l) => l.level === 'warn' && /SERVFAIL/.test(l.msg))).toBe(true);
  });
});

describe('DNS server on the wire', () => {
  it('answers REFUSED for a name outside its domain', async () => {
    const server = await serve(shop(), { domain: 'tutti.internal' });
    const [outside, inside] = await udpExchange(server.port, [query('example.com', 'A', 11), query('orders.service.tutti.internal', 'A', 12)], 2);
    expect([outside.id, rcodeOf(outside), outside.answers]).toEqual([11, 'REFUSED', []]);
    expect([inside.id, rcodeOf(inside), inside.answers!.length]).toEqual([12, 'NOERROR', 2]);
    expect(inside.flag_aa).toBe(true);
  });

  it('answers FORMERR to a malformed packet with an id, and drops what has none or is an answer', async () => {
    const server = await serve(shop());
    const garbage = Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01]);
    const [formerr] = await udpExchange(server.port, [garbage]);
    expect([formerr.id, rcodeOf(formerr)]).toEqual([0x1234, 'FORMERR']);

    const tooShort = Buffer.from([0x12]);
    const aResponse = Buffer.from([0x55, 0x55, 0x80, 0x00, 0x00]);
    const [first] = await udpExchange(server.port, [tooShort, aResponse, query('orders.service.tutti', 'A', 99)]);
    expect(first.id).toBe(99);
  });

  it('sets TC on a UDP answer over 512 bytes without EDNS, and honours the EDNS payload size', async () => {
    const server = await serve(many(60));
    const [plain] = await udpExchange(server.port, [query('big.service.tutti', 'A', 1)]);
    expect(plain.flag_tc).toBe(true);
    expect(dnsPacket.encodingLength(plain)).toBeLessThanOrEqual(512);

    const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const [edns] = await udpExchange(server.port, [query('big.service.tutti', 'A', 2, { additionals: [opt] })]);
    expect(edns.flag_tc).toBe(false);
    expect(edns.answers).toHaveLength(60);
    expect(edns.additionals).toContainEqual(expect.objectContaining({ type: 'OPT' }));
  });

  it('answers several queries sent on one TCP connection, in order, including one split across writes', async () => {
    const server = await serve(many(60));
    const socket = net.connect(server.port, '127.0.0.1');
    closers.push(() => void socket.destroy());
    const frames = [dnsPacket.streamEncode({ type: 'query', id: 1, questions: [{ name: 'big.service.tutti', type: 'A' }] }),
      dnsPacket.streamEncode({ type: 'query', id: 2, questions: [{ name: 'nope.service.tutti', type: 'A' }] })];
    const all = Buffer.concat(frames);
    const answers = await new Promise<DecodedPacket[]>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('no TCP answers within 2s')), 2000);
      let buffered = Buffer.alloc(0);
      const out: DecodedPacket[] = [];
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          out.push(dnsPacket.decode(buffered.subarray(2, 2 + buffered.readUInt16BE(0))));
          buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
        }
        if (out.length === 2) (clearTimeout(deadline), resolve(out));
      });
      socket.on('error', reject);
      socket.write(all.subarray(0, 5));
      socket.write(all.subarray(5));
    });
    expect(answers.map((a) => [a.id, rcodeOf(a), a.answers!.length, a.flag_tc])).toEqual([[1, 'NOERROR', 60, false], [2, 'NXDOMAIN', 0, false]]);
    expect(answers[1].authorities).toEqual([expect.objectContaining({ type: 'SOA' })]);
  });
});

describe('DNS server lifecycle', () => {
  it('falls back to a free port when the configured one is in use, and says so', async () => {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => squatter.close(() => r())));
    const taken = squatter.address().port;

    const server = await serve(shop(), { port: taken });
    expect(server.port).not.toBe(taken);
    expect(server.port).toBeGreaterThan(0);
    expect(server.logs).toContainEqual(expect.objectContaining({ level: 'warn', obj: { asked: taken, port: server.port } }));
    expect(await resolverFor(server.port).resolve4('v1.orders.service.tutti')).toEqual(['127.0.0.1']);
  });

  it('listens on the asked port when it is free, and frees it on close', async () => {
    const probe = await serve(shop());
    const port = probe.port;
    await probe.close();
    await probe.close(); // idempotent

    const server = await startDnsServer({ registry: shop(), port });
    try {
      expect(server.port).toBe(port);
      expect(await resolverFor(port).resolve4('v1.orders.service.tutti')).toEqual(['127.0.0.1']);
    } finally {
      await server.close();
    }
    // Both transports are free again.
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => (udp.once('error', reject), udp.bind(port, '127.0.0.1', () => resolve())));
    await new Promise<void>((r) => udp.close(() => r()));
    const tcp = net.createServer();
    await new Promise<void>((resolve, reject) => (tcp.once('error', reject), tcp.listen(port, '127.0.0.1', () => resolve())));
    await new Promise<void>((r) => tcp.close(() => r()));
  });

  it.each([
    [{ port: -1 }, /DNS port -1 is not a port number/],
    [{ port: 0, domain: 'bad domain' }, /DNS domain "bad domain" is not a valid domain name/],
    [{ port: 0, ttlSeconds: 1.5 }, /DNS TTL 1.5/],
  ])('rejects bad options %j with a TuttiError', async (opts, message) => {
    await expect(startDnsServer({ registry: shop(), ...opts })).rejects.toMatchObject({ code: 'TUTTI_E_BAD_REQUEST', message: expect.stringMatching(message) });
  });
});
