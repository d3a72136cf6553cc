import { describe, expect, it } from 'vitest';
import { forwardRequestHeaders, forwardResponseHeaders } from './forward-headers.js';

const XF = (host?: string) => ['x-forwarded-for', '10.0.0.9', ...(host ? ['x-forwarded-host', host] : []), 'x-forwarded-proto', 'http'];

describe('forwardRequestHeaders', () => {
  it.each([
    {
      what: 'keeps end-to-end fields in order and adds x-forwarded-*',
      raw: ['Host', 'api:80', 'Accept', '*/*'],
      headers: ['Host', 'api:80', 'Accept', '*/*', ...XF('api:80')],
    },
    {
      what: 'drops hop-by-hop fields and expect, whatever their case',
      raw: ['host', 'h', 'Connection', 'keep-alive', 'KEEP-ALIVE', 'timeout=5', 'TE', 'trailers', 'Upgrade', 'h2c', 'Proxy-Connection', 'x', 'Trailer', 'y', 'Expect', '100-continue'],
      headers: ['host', 'h', ...XF('h')],
    },
    {
      what: 'appends the client to every x-forwarded-for, in one field',
      raw: ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'],
      headers: ['x-forwarded-for', '1.1.1.1, 2.2.2.2, 10.0.0.9', 'x-forwarded-proto', 'http'],
    },
    {
      what: 'keeps x-forwarded-host and -proto a proxy before set',
      raw: ['Host', 'inner', 'X-Forwarded-Host', 'outer', 'X-Forwarded-Proto', 'https'],
      headers: ['Host', 'inner', 'X-Forwarded-Host', 'outer', 'X-Forwarded-Proto', 'https', 'x-forwarded-for', '10.0.0.9'],
    },
  ])('$what', ({ raw, headers }) => {
    expect(forwardRequestHeaders(raw, '10.0.0.9', 'http').headers).toEqual(headers);
  });

  it.each([
    { raw: [], keyed: false, contentLength: -1, chunked: false },
    { raw: ['Content-Length', '12'], keyed: false, contentLength: 12, chunked: false },
    { raw: ['Transfer-Encoding', 'chunked'], keyed: false, contentLength: -1, chunked: true },
    { raw: ['Idempotency-Key', 'k'], keyed: true, contentLength: -1, chunked: false },
    { raw: ['x-idempotency-key', 'k', 'content-length', '0'], keyed: true, contentLength: 0, chunked: false },
  ])('reads the body framing and the idempotency key of $raw', ({ raw, ...expected }) => {
    const { keyed, contentLength, chunked } = forwardRequestHeaders(raw, '::1', 'http');
    expect({ keyed, contentLength, chunked }).toEqual(expected);
  });
});

describe('forwardResponseHeaders', () => {
  it('turns undici raw Buffers into strings and drops the hop-by-hop fields', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Caf\xe9', 'cr\xe8me']
      .map((s) => Buffer.from(s, 'latin1'));
    expect(forwardResponseHeaders(raw)).toEqual(['Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Caf\xe9', 'cr\xe8me']);
  });
});
