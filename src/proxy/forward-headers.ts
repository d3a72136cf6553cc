// What the HTTP endpoint sends on of each side's header fields: the client's request fields
// minus the hop-by-hop ones plus x-forwarded-*, and the instance's response fields minus the
// hop-by-hop ones. Both work on flat [name, value, name, value, …] arrays (Node's rawHeaders,
// undici's raw response headers), the form both libraries take without building objects.
//
// Hot path: one pass, no object, and a name is lowercased only when its length is one of the
// names acted on (lowercasing every field of every request showed in profiles).

// Hop-by-hop fields (RFC 9110 §7.6.1) are the proxy's own business on each side. `expect` too:
// Node's server already answered a `100-continue`, and undici refuses to send the field.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'expect']);
const XFF = 'x-forwarded-for';
const XFH = 'x-forwarded-host';
const XFP = 'x-forwarded-proto';
const KEYS = ['idempotency-key', 'x-idempotency-key'];
const WATCHED_LENGTHS = new Set([...HOP_BY_HOP, XFF, XFH, XFP, ...KEYS, 'host', 'content-length'].map((h) => h.length));
/** Per field-name length, whether it can be hop-by-hop: a lookup table instead of a Set probe. */
const HOP_LENGTH: boolean[] = [];
for (const h of HOP_BY_HOP) HOP_LENGTH[h.length] = true;

export interface ForwardedRequest {
  /** the fields to send to the instance */
  headers: string[];
  /** the request carries an idempotency key, so it may be replayed whatever its method */
  keyed: boolean;
  /** its content-length, -1 without one */
  contentLength: number;
  /** its body is sent in chunks (transfer-encoding), of a length not known in advance */
  chunked: boolean;
}

/**
 * The fields to send to the instance: the client's, less the hop-by-hop ones, with the client
 * appended to x-forwarded-for and x-forwarded-host/-proto set unless a proxy before set them.
 */
export function forwardRequestHeaders(raw: string[], remoteAddress: string, proto: 'http' | 'https'): ForwardedRequest {
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let forwardedHost = false;
  let forwardedProto = false;
  let keyed = false;
  let host = '';
  let contentLength = -1;
  let chunked = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (WATCHED_LENGTHS.has(name.length)) {
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) {
        if (lower === 'transfer-encoding') chunked = true;
        continue;
      }
      if (lower === XFF) {
        forwardedFor = forwardedFor === undefined ? raw[i + 1] : `${forwardedFor}, ${raw[i + 1]}`;
        continue;
      }
      if (lower === 'host') host = raw[i + 1];
      else if (lower === 'content-length') contentLength = Number(raw[i + 1]);
      else if (lower === XFH) forwardedHost = true;
      else if (lower === XFP) forwardedProto = true;
      else if (lower === KEYS[0] || lower === KEYS[1]) keyed = true;
    }
    headers.push(name, raw[i + 1]);
  }
  headers.push(XFF, forwardedFor === undefined ? remoteAddress : `${forwardedFor}, ${remoteAddress}`);
  if (!forwardedHost && host !== '') headers.push(XFH, host);
  if (!forwardedProto) headers.push(XFP, proto);
  return { headers, keyed, contentLength, chunked };
}

/** The instance's response fields (undici's raw Buffers) as strings, less the hop-by-hop ones. */
export function forwardResponseHeaders(raw: ReadonlyArray<Buffer | string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toString('latin1');
    if (HOP_LENGTH[name.length] === true && HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1].toString('latin1'));
  }
  return out;
}
