// Turns one decoded DNS query into a response from the registry's current view: what a name
// means (dns-names.ts), which instances answer it, and which records and rcode come back.
// No sockets and no size limits here: the server adds EDNS and fits the answer to the
// transport (dns-fit.ts). Record order is shuffled per answer, as Consul does, so clients
// that take the first record spread over the instances.

import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import { AUTHORITATIVE_ANSWER, RECURSION_DESIRED } from 'dns-packet';
import type { Registry, RegistryInstance } from '../types.js';
import { addressKind, parseQueryName, targetName, type DnsTarget } from './dns-names.js';

export type DnsRegistry = Pick<Registry, 'instances' | 'services'>;

export const Rcode = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface AnswerContext {
  registry: DnsRegistry;
  /** normalised: lower-case, no trailing dot */
  domain: string;
  ttlSeconds: number;
  /** for tests; Math.random by default */
  random?: () => number;
}

const OPCODE_MASK = 0x7800;

/** The response to a decoded query (header, question echoed, records, rcode in the flags). */
export function answerQuery(query: DecodedPacket, ctx: AnswerContext): Packet {
  const questions = query.questions ?? [];
  const opcode = (query.flags ?? 0) & OPCODE_MASK;
  if (opcode !== 0) return rcodeReply(query, Rcode.NOTIMP);
  if (questions.length !== 1) return rcodeReply(query, Rcode.FORMERR);
  const question = questions[0];
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') {
    return rcodeReply(query, Rcode.REFUSED);
  }
  const target = parseQueryName(question.name, ctx.domain);
  if (target.kind === 'outside') return rcodeReply(query, Rcode.REFUSED);
  return new Answerer(query, question, ctx).answer(target);
}

/** A reply carrying only an rcode, the query's questions echoed (REFUSED, SERVFAIL, …). */
export function rcodeReply(query: DecodedPacket, rcode: number): Packet {
  return reply(query, query.questions ?? [], rcode);
}

/** An error reply to a packet that could not be decoded but whose id could be read. */
export function formatErrorReply(id: number): Packet {
  return { type: 'response', id, flags: Rcode.FORMERR, questions: [], answers: [], authorities: [], additionals: [] };
}

function reply(query: DecodedPacket, questions: Question[], rcode: number, sections: Partial<Packet> = {}): Packet {
  const flags = AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & (OPCODE_MASK | RECURSION_DESIRED)) | rcode;
  return { type: 'response', id: query.id, flags, questions, answers: [], authorities: [], additionals: [], ...sections };
}

class Answerer {
  /** the asked type; a string because dns-packet's RecordType lacks ANY (255) */
  private readonly type: string;
  private readonly wants: { a: boolean; aaaa: boolean; srv: boolean };

  constructor(
    private readonly query: DecodedPacket,
    private readonly question: Question,
    private readonly ctx: AnswerContext,
  ) {
    this.type = question.type;
    const any = this.type === 'ANY';
    this.wants = { a: any || this.type === 'A', aaaa: any || this.type === 'AAAA', srv: any || this.type === 'SRV' };
  }

  answer(target: Exclude<DnsTarget, { kind: 'outside' }>): Packet {
    switch (target.kind) {
      case 'apex':
        return this.type === 'SOA' || this.type === 'ANY' ? this.ok([this.soa()]) : this.noData();
      case 'empty':
        return this.noData();
      case 'unknown':
        return this.nxDomain();
      case 'addr':
        return this.ok(this.addressRecords(this.question.name, target.address));
      case 'node':
        return this.node(target.id);
      case 'service':
        return this.service(target.service, target.tag);
    }
  }

  private service(name: string, tag?: string): Packet {
    const service = this.ctx.registry.services().find((s) => s.name.toLowerCase() === name);
    if (!service) return this.nxDomain();
    let instances: RegistryInstance[];
    try {
      instances = this.ctx.registry.instances(service.name, { healthy: true });
    } catch (err) {
      // The service went away between services() and instances().
      if ((err as { code?: string }).code === 'TUTTI_E_NOT_FOUND') return this.nxDomain();
      throw err;
    }
    if (tag !== undefined) instances = instances.filter((i) => i.tags.some((t) => t.toLowerCase() === tag));
    instances = shuffle(instances, this.ctx.random ?? Math.random);

    const answers: Answer[] = [];
    const glue: Answer[] = [];
    const seen = new Set<string>();
    const once = (list: Answer[], record: Answer): void => {
      const key = `${record.name.toLowerCase()} ${record.type} ${JSON.stringify((record as { data?: unknown }).data)}`;
      if (!seen.has(key)) (seen.add(key), list.push(record));
    };
    for (const instance of instances) {
      for (const record of this.addressRecords(this.question.name, instance.address, false)) once(answers, record);
    }
    if (this.wants.srv) {
      for (const instance of instances) {
        const kind = addressKind(instance.address);
        const target = kind.family === 0 ? kind.host : targetName(instance, this.ctx.domain);
        once(answers, this.record({ type: 'SRV', name: this.question.name, data: { priority: 1, weight: 1, port: instance.port, target } }));
        if (kind.family !== 0) for (const record of this.addressRecords(target, kind.ip, false, true)) once(glue, record);
      }
    }
    return answers.length ? this.ok(answers, glue) : this.noData();
  }

  private node(id: string): Packet {
    const instance = this.findInstance(id);
    if (!instance) return this.nxDomain();
    return this.ok(this.addressRecords(this.question.name, instance.address));
  }

  /** A/AAAA for an IP, as the question's type asks (`glue`: regardless of it); a CNAME for a
   *  hostname only when `cname` (a service name may not carry a CNAME beside other records). */
  private addressRecords(name: string, address: string, cname = true, glue = false): Answer[] {
    const kind = addressKind(address);
    if (kind.family === 4 && (glue || this.wants.a)) return [this.record({ type: 'A', name, data: kind.ip })];
    if (kind.family === 6 && (glue || this.wants.aaaa)) return [this.record({ type: 'AAAA', name, data: kind.ip })];
    if (kind.family === 0 && cname && (this.wants.a || this.wants.aaaa || this.type === 'CNAME')) {
      return [this.record({ type: 'CNAME', name, data: kind.host })];
    }
    return [];
  }

  private findInstance(id: string): RegistryInstance | undefined {
    for (const service of this.ctx.registry.services()) {
      let instances: RegistryInstance[];
      try {
        instances = this.ctx.registry.instances(service.name);
      } catch {
        continue;
      }
      const found = instances.find((i) => i.id.toLowerCase() === id);
      if (found) return found;
    }
    return undefined;
  }

  private record<A extends Answer>(record: A): A {
    return { ...record, class: 'IN', ttl: this.ctx.ttlSeconds };
  }

  private soa(): Answer {
    const d = this.ctx.domain;
    // serial: seconds since epoch, as Consul; minimum = TTL so negative answers are as live as positive ones
    const serial = Math.floor(Date.now() / 1000) >>> 0;
    const t = this.ctx.ttlSeconds;
    return this.record({ type: 'SOA', name: d, data: { mname: `ns.${d}`, rname: `hostmaster.${d}`, serial, refresh: 3600, retry: 600, expire: 86400, minimum: t } });
  }

  private ok(answers: Answer[], additionals: Answer[] = []): Packet {
    if (answers.length === 0) return this.noData();
    return reply(this.query, [this.question], Rcode.NOERROR, { answers, additionals });
  }

  private noData(): Packet {
    return reply(this.query, [this.question], Rcode.NOERROR, { authorities: [this.soa()] });
  }

  private nxDomain(): Packet {
    return reply(this.query, [this.question], Rcode.NXDOMAIN, { authorities: [this.soa()] });
  }
}

/** Fisher–Yates on a copy. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
