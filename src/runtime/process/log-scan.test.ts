import { describe, expect, it } from 'vitest';
import type { LogQuery } from '../contract.js';
import { compileLineFilter, type LineFilter } from '../log-filter.js';
import { formatLogLine } from './log-format.js';
import { byteNeedle, lastBufferTime, lastTime, scanBuffer, scanFile, timeOfBufferLine, timeOfLine } from './log-scan.js';

const source = { service: 'api', instance: 'api-1' };
const t0 = Date.UTC(2024, 0, 1);
const stored = (texts: string[]) => texts.map((text, i) => formatLogLine(t0 + i, i % 2 ? 'stderr' : 'stdout', text)).join('');

/** The reference: every line decoded and handed to the filter, no search first. */
function fullPath(bytes: Buffer, filter: LineFilter) {
  return scanFile(bytes.toString('utf8'), source, { ...filter, needle: undefined });
}

/** What the reader does for this query: the byte search when it applies, the text one otherwise. */
function fastPath(bytes: Buffer, filter: LineFilter) {
  const needle = byteNeedle(filter);
  return needle ? scanBuffer(bytes, needle, source, filter) : scanFile(bytes.toString('utf8'), source, filter);
}

const pino = (msg: string) => `{"level":30,"msg":${JSON.stringify(msg)}}`;

describe('searching bytes keeps the lines the full scan keeps', () => {
  // [what, file bytes, query, texts kept]
  it.each<[string, Buffer, LogQuery, string[]]>([
    ['plain hits', Buffer.from(stored(['a hit', 'miss', 'hit again'])), { grep: 'hit' }, ['a hit', 'hit again']],
    ['a hit at the first byte', Buffer.from(`hit stdout hit\n${stored(['hit x'])}`), { grep: 'hit' }, ['hit x']],
    ['the pattern in the time or stream only', Buffer.from(stored(['x', 'y'])), { grep: 'stderr' }, []],
    ['an escaped é in a JSON message', Buffer.from(stored(['{"level":30,"msg":"caf\\u00e9 open"}', 'café', 'cafe'])), { grep: 'café' },
      ['{"level":30,"msg":"caf\\u00e9 open"}', 'café']],
    ['an escaped quote in a JSON message', Buffer.from(stored(['{"msg":"say \\"hi\\""}', '{"msg":"say hi"}'])), { grep: 'say "hi"' },
      ['{"msg":"say \\"hi\\""}']],
    ['a newline escaped in a JSON message', Buffer.from(stored([pino('line one\nline two'), 'line one'])), { grep: 'one\nline' },
      [pino('line one\nline two')]],
    ['a pattern spanning two stored lines', Buffer.from(stored(['ends with ab', 'cd starts'])), { grep: 'ab\n2024' }, []],
    ['multi-byte characters', Buffer.from(stored(['日本語のログ', '日本', '🚀 launched', 'ロ'])), { grep: '本語' }, ['日本語のログ']],
    ['an emoji', Buffer.from(stored(['🚀 launched', 'launched'])), { grep: '🚀' }, ['🚀 launched']],
    ['CRLF line ends', Buffer.from(stored(['hit\r', 'miss\r', 'and hit\r'])), { grep: 'hit' }, ['hit\r', 'and hit\r']],
    ['a pattern with the CR', Buffer.from(stored(['hit\r', 'hit'])), { grep: 'hit\r' }, ['hit\r']],
    ['a last line without newline', Buffer.from(stored(['miss', 'hit']).slice(0, -1)), { grep: 'hit' }, ['hit']],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(stored(['a\xff'.slice(0, 1)]).slice(0, -1)), Buffer.from([0xff, 0xe6, 0x97, 0x0a]), Buffer.from(stored(['hit ok']))]),
      { grep: 'hit' }, ['hit ok']],
    ['a pattern with U+FFFD (bytes that are not UTF-8 read as it)', Buffer.concat([Buffer.from(`${new Date(t0).toISOString()} stdout x`), Buffer.from([0xff, 0x0a])]),
      { grep: 'x\uFFFD' }, ['x\uFFFD']],
    ['a truncated character before the newline', Buffer.concat([Buffer.from(`${new Date(t0).toISOString()} stdout hit `), Buffer.from([0xe6, 0x97, 0x0a])]),
      { grep: 'hit' }, ['hit \uFFFD']],
    ['grep with level', Buffer.from(stored([pino('hit info'), '{"level":50,"msg":"hit error"}', 'hit plain'])), { grep: 'hit', level: 'error' },
      ['{"level":50,"msg":"hit error"}']],
    ['grep with a time window', Buffer.from(stored(['hit 0', 'hit 1', 'hit 2', 'hit 3'])), { grep: 'hit', sinceMs: t0 + 1, untilMs: t0 + 2 }, ['hit 1', 'hit 2']],
    ['a regex anchored on the parsed message', Buffer.from(stored([pino('hit first'), pino('a hit'), 'hit plain', '{"msg":"h\\u0069t escaped"}'])), { grep: '/^hit/' },
      [pino('hit first'), 'hit plain', '{"msg":"h\\u0069t escaped"}']],
    ['a regex on a message that is a JSON number', Buffer.from(stored(['{"msg":1e2}', '{"msg":100}', '{"msg":7}'])), { grep: '/^100$/' },
      ['{"msg":1e2}', '{"msg":100}']],
    ['a regex with an optional character', Buffer.from(stored(['colour', 'color', 'colr'])), { grep: '/colou?r/' }, ['colour', 'color']],
    ['lines that are not stored lines', Buffer.from(`hit\nnot-a-time stdout hit\n\n${stored(['hit'])}`), { grep: 'hit' }, ['hit']],
  ])('%s', (_what, bytes, query, texts) => {
    const filter = compileLineFilter(query);
    const full = fullPath(bytes, filter);
    expect(full.map((l) => l.text)).toEqual(texts);
    expect(fastPath(bytes, filter)).toEqual(full);
  });

  it('agrees with the full scan on random files', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
    const pieces = ['hit', 'hi', 't', ' ', '\\', '\\u0068it', '\\u00e9', '\\"', '\\n', 'é', '日本', '🚀', '\r', '"', '{"level":40,"msg":"', '"}', 'x'];
    const raw = [Buffer.from([0xff]), Buffer.from([0xe6, 0x97]), Buffer.from([0xc3])];
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      for (let l = random(8); l >= 0; l--) {
        let text = '';
        for (let p = random(6); p >= 0; p--) text += pieces[random(pieces.length)];
        // JSON lines, some written as they come so the escapes in the pieces are read as escapes
        const json = random(4);
        if (json === 0) text = `{"level":40,"msg":${JSON.stringify(text)}}`;
        if (json === 1) text = `{"level":${random(2) ? 30 : 50},"msg":"${text}"}`;
        parts.push(Buffer.from(formatLogLine(t0 + l, 'stdout', text)));
        if (random(5) === 0) parts.push(raw[random(raw.length)]);
      }
      let bytes = Buffer.concat(parts);
      if (random(3) === 0) bytes = bytes.subarray(0, bytes.length - 1 - random(3));
      for (const grep of ['hit', 'é', '日本', 'hit\r', 't\n2024', '"hi', '/^hit/', '/hi+t$/', '/h(i)t\\s/', '/é\\b/', '/"hi*t/s', '/日本?/u']) {
        const filter = compileLineFilter({ grep, level: random(3) === 0 ? 'warn' : undefined });
        expect(fastPath(bytes, filter), `${grep} in ${JSON.stringify(bytes.toString('latin1'))}`).toEqual(fullPath(bytes, filter));
      }
    }
  });

  it.each<[string, LogQuery]>([
    ['no grep', {}],
    ['a case-insensitive regex', { grep: '/hit/i' }],
    ['a regex with no text it must hold', { grep: '/h|t/' }],
    ['a pattern with U+FFFD', { grep: '\uFFFD' }],
    ['a lone surrogate', { grep: 'a\uD800' }],
  ])('decodes the whole file for %s', (_what, query) => {
    expect(byteNeedle(compileLineFilter(query))).toBeUndefined();
  });

  it('searches bytes for text, surrogate pairs included', () => {
    expect(byteNeedle(compileLineFilter({ grep: 'café 🚀' }))).toEqual(Buffer.from('café 🚀'));
  });
});

describe('times of the first and last lines read from bytes', () => {
  it.each([
    ['', undefined, Number.POSITIVE_INFINITY],
    ['\n', undefined, Number.POSITIVE_INFINITY],
    ['garbage', undefined, Number.POSITIVE_INFINITY],
    ['garbage\n', undefined, Number.POSITIVE_INFINITY],
    [stored(['a', 'b']), t0, t0 + 1],
    [stored(['a', 'b']).slice(0, -1), t0, t0 + 1],
    [`${stored(['a'])}\n`, t0, Number.POSITIVE_INFINITY],
    [`\n${stored(['a'])}`, undefined, t0],
    [`${new Date(t0).toISOString()}\nx y\n`, undefined, Number.POSITIVE_INFINITY],
  ])('%j', (text, first, last) => {
    const buf = Buffer.from(text);
    expect(timeOfLine(text, 0)).toBe(first);
    expect(timeOfBufferLine(buf, 0)).toBe(first);
    expect(lastTime(text)).toBe(last);
    expect(lastBufferTime(buf)).toBe(last);
  });
});
