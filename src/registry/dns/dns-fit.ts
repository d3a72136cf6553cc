// Fits a response into what the transport can carry. Over UDP that is 512 bytes, or the
// payload size the client announced in an EDNS0 OPT record (RFC 6891); over TCP 65535.
// Glue in the additional section goes first, without the TC bit (RFC 2181 §9: missing extra
// information is not truncation); if the answers still do not fit, as many as fit are kept
// and TC is set, so the resolver retries over TCP and gets them all.

import type { DecodedPacket, OptAnswer, Packet } from 'dns-packet';
import { TRUNCATED_RESPONSE, encodingLength } from 'dns-packet';

/** The largest UDP payload we advertise and honour (what most servers use; unfragmented on loopback). */
export const MAX_UDP_PAYLOAD = 4096;
export const CLASSIC_UDP_PAYLOAD = 512;
export const MAX_TCP_MESSAGE = 65535;

/** The query's OPT record, if it carries one. */
export function ednsOf(query: DecodedPacket): OptAnswer | undefined {
  return (query.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
}

/** How many bytes a UDP answer to this query may take. */
export function udpLimit(query: DecodedPacket): number {
  const opt = ednsOf(query);
  if (!opt) return CLASSIC_UDP_PAYLOAD;
  return Math.min(MAX_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, opt.udpPayloadSize));
}

/** Adds our OPT record when the query carried one (a client that speaks EDNS expects it back). */
export function withEdns(response: Packet, query: DecodedPacket): Packet {
  if (!ednsOf(query)) return response;
  const opt: OptAnswer = { type: 'OPT', name: '.', udpPayloadSize: MAX_UDP_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
  return { ...response, additionals: [...(response.additionals ?? []), opt] };
}

/** The response, trimmed to at most `maxBytes` when encoded. */
export function fitResponse(response: Packet, maxBytes: number): Packet {
  if (encodingLength(response) <= maxBytes) return response;

  const withoutGlue: Packet = { ...response, additionals: (response.additionals ?? []).filter((a) => a.type === 'OPT') };
  if (encodingLength(withoutGlue) <= maxBytes) return withoutGlue;

  const answers = response.answers ?? [];
  const truncated = (n: number): Packet => ({
    ...withoutGlue,
    flags: (response.flags ?? 0) | TRUNCATED_RESPONSE,
    answers: answers.slice(0, n),
  });
  // Largest prefix of the answers that fits (encoded size grows with n).
  let lo = 0;
  let hi = answers.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encodingLength(truncated(mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return truncated(lo);
}
