import { describe, expect, it } from 'vitest';
import { compareAlertLabels, compareUtf8, fingerprint, goQuote, labelSetString, labelsBefore } from './label-set.js';

// The reference: FNV-1a 64 with BigInt, written straight from the definition (offset basis
// 0xcbf29ce484222325, prime 0x100000001b3, each byte XORed then multiplied mod 2^64) over
// `name 0xff value 0xff` per label in byte order of names, as prometheus/common
// model/signature.go does.
function referenceFingerprint(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    const bytes = Buffer.concat([Buffer.from(name), Buffer.from([0xff]), Buffer.from(labels[name]), Buffer.from([0xff])]);
    for (const byte of bytes) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

describe('fingerprint', () => {
  // The decimal values are prometheus/common's own test expectations (signature_test.go);
  // the hex ones were computed by hand-written FNV-1a (Python and the BigInt reference above).
  const cases: Array<[Record<string, string>, string]> = [
    [{}, (14695981039346656037n).toString(16)],
    [{ name: 'garland, briggs', fear: 'love is not enough' }, (5799056148416392346n).toString(16).padStart(16, '0')],
    [{ 'first-label': 'first-label-value' }, (5146282821936882169n).toString(16).padStart(16, '0')],
    [{ 'first-label': 'first-label-value', 'second-label': 'second-label-value' }, (3195800080984914717n).toString(16).padStart(16, '0')],
    [{ a: 'b' }, 'd2b371819297f98a'],
    [{ alertname: 'ServiceDown', service: 'api', instance: 'api-1' }, '6f4860dc732d4f7b'],
    [{ é: 'ü', z: '日本' }, '78bbcac5a8168410'],
  ];
  for (const [labels, want] of cases) {
    it(`${JSON.stringify(labels)} → ${want}`, () => {
      expect(fingerprint(labels)).toBe(want);
      expect(referenceFingerprint(labels)).toBe(want);
    });
  }

  it('does not depend on the order labels were written in', () => {
    expect(fingerprint({ b: '2', a: '1' })).toBe(fingerprint({ a: '1', b: '2' }));
  });

  it('agrees with the BigInt reference on values that exercise every carry', () => {
    for (let i = 0; i < 200; i++) {
      const labels = { [`l${i}`]: 'x'.repeat(i) + String.fromCharCode(0x20 + (i % 90)), job: `j${i * 7919}` };
      expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
    }
  });
});

describe('Go string order and printing', () => {
  it('orders by UTF-8 bytes, not UTF-16 units', () => {
    // U+FFFF is EF BF BF and U+10000 is F0 90 80 80 in UTF-8, but D800 DC00 in UTF-16.
    expect(compareUtf8('\uffff', '\u{10000}')).toBeLessThan(0);
    expect('\uffff' < '\u{10000}').toBe(false);
    expect(compareUtf8('a', 'b')).toBeLessThan(0);
    expect(compareUtf8('b', 'b')).toBe(0);
  });

  it('quotes as strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\x01é\u2028')).toBe('"a\\"b\\\\c\\n\\x01é\\u2028"');
  });

  it('prints a label set as LabelSet.String', () => {
    expect(labelSetString({ service: 'api', alertname: 'Down "x"' })).toBe('{alertname="Down \\"x\\"", service="api"}');
    expect(labelSetString({})).toBe('{}');
  });

  it('orders label sets as LabelSet.Before and alerts as AlertSlice.Less', () => {
    expect(labelsBefore({ a: '1' }, { a: '1', b: '1' })).toBe(true);
    expect(labelsBefore({ a: '2' }, { a: '1' })).toBe(false);
    expect(labelsBefore({ b: '1' }, { a: '1' })).toBe(true);
    const unsorted: Array<Record<string, string>> = [
      { alertname: 'X', instance: 'b' },
      { alertname: 'X' },
      { alertname: 'X', job: 'z', instance: 'a' },
      { alertname: 'X', job: 'a', instance: 'b' },
      { alertname: 'X', instance: 'a' },
    ];
    expect(unsorted.sort(compareAlertLabels)).toEqual([
      { alertname: 'X', job: 'a', instance: 'b' },
      { alertname: 'X', job: 'z', instance: 'a' },
      { alertname: 'X', instance: 'a' },
      { alertname: 'X', instance: 'b' },
      { alertname: 'X' },
    ]);
  });
});
