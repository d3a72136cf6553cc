// The registry's DNS interface on the wire: UDP and TCP (two-byte length prefix, RFC 1035
// §4.2.2) on one port, packets encoded and decoded by dns-packet. Answers are computed per
// query from the registry's current view (dns-answer.ts) and fitted to the transport
// (dns-fit.ts): a UDP answer too large for the client comes back truncated with TC set, and
// resolvers retry over TCP. Like the stable endpoints, a configured port that is taken falls
// back to a free one, reported in the result.

import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import { TuttiError } from '../../core/index.js';
import { answerQuery, formatErrorReply, rcodeReply, Rcode, type DnsRegistry } from './dns-answer.js';
import { fitResponse, MAX_TCP_MESSAGE, udpLimit, withEdns } from './dns-fit.js';
import { normaliseDomain } from './dns-names.js';

export interface DnsLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DnsServerOptions {
  registry: DnsRegistry;
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 = any free port; a port in use falls back to a free one */
  port: number;
  /** @default 'tutti' */
  domain?: string;
  /** TTL of every record; @default 0 (answers are live, as Consul's) */
  ttlSeconds?: number;
  logger?: DnsLogger;
}

export interface DnsServer {
  readonly host: string;
  /** the port both transports listen on (may differ from the asked one, see above) */
  readonly port: number;
  readonly domain: string;
  close(): Promise<void>;
}

type Transport = 'udp' | 'tcp';

/** A TCP client that sends nothing for this long is dropped (RFC 7766 suggests seconds). */
const TCP_IDLE_MS = 10_000;
const BIND_ATTEMPTS = 5;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const domain = checkedDomain(opts.domain ?? 'tutti');
  const ttlSeconds = opts.ttlSeconds ?? 0;
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `DNS port ${opts.port} is not a port number.`, { hint: 'Use 0 (any free port) or 1-65535, e.g. dns: { port: 8600 }.' });
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `DNS TTL ${ttlSeconds} is not a whole number of seconds.`, { hint: 'Use 0 (answers are never cached) or more.' });
  }
  const log = opts.logger;
  const ctx = { registry: opts.registry, domain, ttlSeconds };

  const respond = (message: Buffer, transport: Transport): Packet | undefined => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      // Answer FORMERR when there is an id to answer to, unless it is itself a response.
      if (message.length < 3 || (message[2] & 0x80) !== 0) return undefined;
      return formatErrorReply(message.readUInt16BE(0));
    }
    if (query.type === 'response') return undefined;
    let response: Packet;
    try {
      response = answerQuery(query, ctx);
    } catch (err) {
      log?.warn({ err, question: query.questions?.[0] }, 'DNS query failed; answering SERVFAIL');
      response = rcodeReply(query, Rcode.SERVFAIL);
    }
    const fitted = fitResponse(withEdns(response, query), transport === 'udp' ? udpLimit(query) : MAX_TCP_MESSAGE);
    const q = query.questions?.[0];
    log?.debug(
      { transport, name: q?.name, type: q?.type, rcode: (fitted.flags ?? 0) & 0xf, answers: fitted.answers?.length ?? 0, truncated: ((fitted.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0 },
      'DNS query',
    );
    return fitted;
  };

  // Never lets a bad record or packet escape as an exception that would end the daemon.
  const answerBytes = (message: Buffer, transport: Transport): Buffer | undefined => {
    try {
      const response = respond(message, transport);
      if (!response) return undefined;
      return transport === 'udp' ? dnsPacket.encode(response) : dnsPacket.streamEncode(response);
    } catch (err) {
      log?.warn({ err, transport }, 'DNS answer could not be encoded; dropped');
      return undefined;
    }
  };

  const sockets = new Set<net.Socket>();
  const onUdpMessage = (udp: dgram.Socket) => (message: Buffer, peer: dgram.RemoteInfo) => {
    const bytes = answerBytes(message, 'udp');
    if (bytes) udp.send(bytes, peer.port, peer.address, (err) => err && log?.debug({ err }, 'DNS UDP send failed'));
  };
  const onTcpConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setTimeout(TCP_IDLE_MS, () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      // Several queries may share a connection (RFC 7766); answer each in order.
      while (pending.length >= 2) {
        const length = pending.readUInt16BE(0);
        if (pending.length < 2 + length) break;
        const message = pending.subarray(2, 2 + length);
        pending = pending.subarray(2 + length);
        const bytes = answerBytes(message, 'tcp');
        if (bytes) socket.write(bytes);
      }
    });
  };

  const bound = await bindBoth(host, opts.port, onUdpMessage, onTcpConnection).catch(async (err: NodeJS.ErrnoException) => {
    if (opts.port === 0 || err.code !== 'EADDRINUSE') throw err;
    const fallback = await bindBoth(host, 0, onUdpMessage, onTcpConnection);
    log?.warn({ asked: opts.port, port: fallback.port }, `DNS port ${opts.port} is in use; listening on ${fallback.port} instead`);
    return fallback;
  });
  bound.udp.on('error', (err) => log?.warn({ err }, 'DNS UDP socket error'));
  bound.tcp.on('error', (err) => log?.warn({ err }, 'DNS TCP server error'));

  let closing: Promise<void> | undefined;
  return {
    host,
    port: bound.port,
    domain,
    close() {
      closing ??= Promise.all([
        new Promise<void>((resolve) => bound.udp.close(() => resolve())),
        new Promise<void>((resolve) => {
          bound.tcp.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
      ]).then(() => undefined);
      return closing;
    },
  };
}

function checkedDomain(domain: string): string {
  try {
    return normaliseDomain(domain);
  } catch (err) {
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `DNS domain ${(err as Error).message}.`, { hint: 'Use dot-separated labels of letters, digits and hyphens, e.g. "tutti" or "tutti.internal".' });
  }
}

interface Bound {
  udp: dgram.Socket;
  tcp: net.Server;
  port: number;
}

/** UDP and TCP on the same port. With port 0 the UDP port is chosen first; if its TCP twin is
 *  taken, another one is tried. */
async function bindBoth(
  host: string,
  port: number,
  onUdpMessage: (udp: dgram.Socket) => (message: Buffer, peer: dgram.RemoteInfo) => void,
  onTcpConnection: (socket: net.Socket) => void,
): Promise<Bound> {
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, host, () => (udp.off('error', reject), resolve()));
      });
    } catch (err) {
      closeQuietly(udp);
      throw err;
    }
    const actual = udp.address().port;
    const tcp = net.createServer(onTcpConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(actual, host, () => (tcp.off('error', reject), resolve()));
      });
    } catch (err) {
      closeQuietly(udp);
      if (port === 0 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE' && attempt < BIND_ATTEMPTS) continue;
      throw err;
    }
    udp.on('message', onUdpMessage(udp));
    return { udp, tcp, port: actual };
  }
}

function closeQuietly(udp: dgram.Socket): void {
  try {
    udp.close();
  } catch {
    // already closed by the failed bind
  }
}
