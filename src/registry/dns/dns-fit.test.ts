import dnsPacket, { type Answer, type DecodedPacket, type Packet } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { fitResponse, udpLimit, withEdns } from './dns-fit.js';

const a = (i: number): Answer => ({ type: 'A', name: 'orders.service.tutti', ttl: 0, data: `10.0.${i >> 8}.${i & 255}` });
const glue = (i: number): Answer => ({ type: 'A', name: `orders-${i}.node.tutti`, ttl: 0, data: `10.0.${i >> 8}.${i & 255}` });
const response = (answers: number, additionals: number): Packet => ({
  type: 'response', id: 7, flags: dnsPacket.AUTHORITATIVE_ANSWER,
  questions: [{ name: 'orders.service.tutti', type: 'A' }],
  answers: Array.from({ length: answers }, (_, i) => a(i)),
  authorities: [],
  additionals: Array.from({ length: additionals }, (_, i) => glue(i)),
});
const query = (opt?: number): DecodedPacket =>
  dnsPacket.decode(dnsPacket.encode({
    type: 'query', id: 7, questions: [{ name: 'orders.service.tutti', type: 'A' }],
    additionals: opt === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: opt, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  }));
const tc = (p: Packet) => ((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0;

describe('udpLimit', () => {
  it.each([
    ['no EDNS', undefined, 512],
    ['EDNS 1232', 1232, 1232],
    ['EDNS below 512', 100, 512],
    ['EDNS above our maximum', 65000, 4096],
  ])('%s → %i', (_what, opt, limit) => expect(udpLimit(query(opt))).toBe(limit));
});

describe('fitResponse', () => {
  it('leaves a response that fits alone', () => {
    const r = response(3, 3);
    expect(fitResponse(r, 512)).toBe(r);
  });

  it('drops glue first, without TC', () => {
    const r = response(10, 10);
    expect(dnsPacket.encodingLength(r)).toBeGreaterThan(512);
    const fitted = fitResponse(r, 512);
    expect([fitted.answers!.length, fitted.additionals!.length, tc(fitted)]).toEqual([10, 0, false]);
  });

  it.each([512, 1232, 4096])('keeps the largest prefix of answers that fits in %i bytes and sets TC', (limit) => {
    const fitted = fitResponse(response(200, 5), limit);
    const size = dnsPacket.encodingLength(fitted);
    expect(size).toBeLessThanOrEqual(limit);
    expect(size + 36).toBeGreaterThan(limit); // one more A record (36 bytes uncompressed) would not fit
    expect(tc(fitted)).toBe(true);
    expect(fitted.answers).toEqual(response(200, 0).answers!.slice(0, fitted.answers!.length));
    expect(fitted.flags! & dnsPacket.AUTHORITATIVE_ANSWER).toBeTruthy();
  });

  it('keeps the OPT record when it trims', () => {
    const r = withEdns(response(200, 5), query(1232));
    const fitted = fitResponse(r, 1232);
    expect(fitted.additionals!.map((x) => x.type)).toEqual(['OPT']);
    expect(tc(fitted)).toBe(true);
  });
});

describe('withEdns', () => {
  it('answers EDNS with EDNS, and plain DNS without', () => {
    expect(withEdns(response(1, 0), query()).additionals).toEqual([]);
    const opt = withEdns(response(1, 0), query(1232)).additionals!.find((x) => x.type === 'OPT');
    expect(opt).toMatchObject({ name: '.', udpPayloadSize: 4096 });
  });
});
