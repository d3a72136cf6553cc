import { describe, expect, it } from 'vitest';
import { addressKind, hexFromAddress, normaliseDomain, parseQueryName, targetName } from './dns-names.js';

describe('parseQueryName', () => {
  it.each([
    ['orders.service.tutti', { kind: 'service', service: 'orders' }],
    ['Orders.SERVICE.Tutti.', { kind: 'service', service: 'orders' }],
    ['v2.orders.service.tutti', { kind: 'service', service: 'orders', tag: 'v2' }],
    ['_orders._tcp.service.tutti', { kind: 'service', service: 'orders' }],
    ['_orders._v2.service.tutti', { kind: 'service', service: 'orders', tag: 'v2' }],
    ['a.b.orders.service.tutti', { kind: 'unknown' }],
    ['orders-1.node.tutti', { kind: 'node', id: 'orders-1' }],
    ['7f000001.addr.tutti', { kind: 'addr', address: '127.0.0.1' }],
    ['00000000000000000000000000000001.addr.tutti', { kind: 'addr', address: '0000:0000:0000:0000:0000:0000:0000:0001' }],
    ['nothex.addr.tutti', { kind: 'unknown' }],
    ['tutti', { kind: 'apex' }],
    ['service.tutti', { kind: 'empty' }],
    ['node.tutti', { kind: 'empty' }],
    ['orders.tutti', { kind: 'unknown' }],
    ['orders.other.tutti', { kind: 'unknown' }],
    ['example.com', { kind: 'outside' }],
    ['nottutti', { kind: 'outside' }],
    ['orders.service.tutti.com', { kind: 'outside' }],
  ])('%s', (name, expected) => {
    expect(parseQueryName(name, 'tutti')).toEqual(expected);
  });

  it('works under a multi-label domain', () => {
    expect(parseQueryName('orders.service.tutti.internal', 'tutti.internal')).toEqual({ kind: 'service', service: 'orders' });
    expect(parseQueryName('orders.service.tutti', 'tutti.internal')).toEqual({ kind: 'outside' });
  });
});

describe('names and addresses', () => {
  it.each([
    ['tutti', 'tutti'],
    ['Tutti.Internal.', 'tutti.internal'],
  ])('normaliseDomain(%s)', (input, out) => expect(normaliseDomain(input)).toBe(out));

  it.each(['', '.', 'a..b', 'bad domain', `${'x'.repeat(64)}.tutti`])('rejects the domain %j', (d) => {
    expect(() => normaliseDomain(d)).toThrow(/not a valid domain name/);
  });

  it.each([
    ['127.0.0.1', '7f000001'],
    ['10.1.2.255', '0a0102ff'],
    ['::1', '00000000000000000000000000000001'],
    ['[2001:db8::ff00:42]', '20010db80000000000000000ff000042'],
    ['::ffff:10.0.0.1', '00000000000000000000ffff0a000001'],
  ])('hexFromAddress(%s)', (address, hex) => expect(hexFromAddress(address)).toBe(hex));

  it.each([
    ['127.0.0.1', { family: 4, ip: '127.0.0.1' }],
    ['localhost', { family: 4, ip: '127.0.0.1' }],
    ['[::1]', { family: 6, ip: '::1' }],
    ['db.example.com.', { family: 0, host: 'db.example.com' }],
  ])('addressKind(%s)', (address, kind) => expect(addressKind(address)).toEqual(kind));

  it('points SRV at the node name, or at the hex address when the id is no DNS label', () => {
    expect(targetName({ id: 'Orders-1', address: '127.0.0.1' }, 'tutti')).toBe('orders-1.node.tutti');
    expect(targetName({ id: 'orders:8080', address: '127.0.0.1' }, 'tutti')).toBe('7f000001.addr.tutti');
    expect(targetName({ id: 'orders.1', address: '::1' }, 'tutti')).toBe('00000000000000000000000000000001.addr.tutti');
  });
});
