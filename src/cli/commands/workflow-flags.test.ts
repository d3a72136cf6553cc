import { describe, expect, it } from 'vitest';
import { TuttiError } from '../../core/index.js';
import { attributeFlags, jsonErrorOffset, jsonFlag, limitFlag, statusFlag, timeFlag } from './workflow-flags.js';

function failure(fn: () => unknown): TuttiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TuttiError);
    return e as TuttiError;
  }
  throw new Error('expected a failure');
}

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a": 1}', -1],
    ['[1, -2.5e3, "x\\u00e9\\n", true, false, null, {}, []]', -1],
    ['  "s"  ', -1],
    ['{"a":}', 5],
    ['{"a":1', 6],
    ['{a:1}', 1],
    ['[1,2,,3]', 5],
    ['[1 2]', 3],
    ['{"a": 01}', 7],
    ['nope', 0],
    ['', 0],
    ['{"a": 1} x', 9],
    ['"tab\there"', 4],
    ['"\\x"', 2],
    ["{'a': 1}", 1],
  ])('%j → %i', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
    // the scanner agrees with JSON.parse on what is JSON
    expect(offset === -1).toBe((() => { try { JSON.parse(text); return true; } catch { return false; } })());
  });
});

describe('jsonFlag', () => {
  it('parses inline JSON and @file, and @- reads standard input', () => {
    expect(jsonFlag('--input', '{"orderId": "o-1", "qty": 2}')).toEqual({ orderId: 'o-1', qty: 2 });
    const files: Record<string, string> = { 'in.json': '[1, 2]', '-': '"from stdin"' };
    const read = (f: string) => {
      if (!(f in files)) throw Object.assign(new Error(`ENOENT: ${f}`), { code: 'ENOENT' });
      return files[f];
    };
    expect(jsonFlag('--input', '@in.json', read)).toEqual([1, 2]);
    expect(jsonFlag('--input', '@-', read)).toBe('from stdin');
    expect(failure(() => jsonFlag('--input', '@missing.json', read)).message).toBe('--input @missing.json: cannot read missing.json (no such file)');
    expect(failure(() => jsonFlag('--data', '@', read)).message).toBe('--data @ names no file');
  });

  it('names the flag and the column where inline JSON goes wrong', () => {
    const e = failure(() => jsonFlag('--input', '{"a": 1,}'));
    expect(e.message).toMatch(/^--input is not valid JSON at column 9: /);
    expect(e.hint).toContain("--input '{\"orderId\": \"o-1\"}'");
    expect(failure(() => jsonFlag('--input', '{orderId: 1}')).message).toMatch(/^--input is not valid JSON at column 2: Expected property name/);
    expect(failure(() => jsonFlag('--input', '{"a": 1')).message).toMatch(/^--input is not valid JSON at column 8: /);
    expect(failure(() => jsonFlag('--input', 'o-1')).message).toMatch(/^--input is not valid JSON at column 1: Unexpected token 'o'$/);
  });

  it('names the file, line and column for JSON read from a file', () => {
    const read = () => '{\n  "a": 1,\n  "b": tru\n}';
    expect(failure(() => jsonFlag('--data', '@event.json', read)).message).toMatch(/^--data @event.json is not valid JSON at event.json:3:8: /);
  });
});

describe('the other flags', () => {
  it('accepts durations and ISO times for --since, numbers 1-1000 for --limit, run statuses for --status', () => {
    expect(timeFlag('--since', '1h')).toBe('1h');
    expect(timeFlag('--until', '2026-01-31T12:00:00Z')).toBe('2026-01-31T12:00:00Z');
    expect(timeFlag('--since', undefined)).toBeUndefined();
    expect(failure(() => timeFlag('--since', 'yesterday')).message).toBe('--since "yesterday" is neither a duration nor a time');
    expect(limitFlag('20')).toBe(20);
    for (const bad of ['0', '1001', '2.5', 'ten']) expect(failure(() => limitFlag(bad)).message).toMatch(/^--limit /);
    expect(statusFlag('faulted')).toBe('faulted');
    expect(failure(() => statusFlag('failed')).hint).toBe('use one of running, completed, faulted, cancelled, suspended');
  });

  it('reads extension attributes as name=value with CloudEvents names', () => {
    const own = new Set(['type', 'id']);
    expect(attributeFlags(['orderid=o-1', 'note=a=b', 'empty='], own)).toEqual({ orderid: 'o-1', note: 'a=b', empty: '' });
    expect(attributeFlags(undefined, own)).toEqual({});
    expect(failure(() => attributeFlags(['orderid'], own)).message).toBe('--attr "orderid" is not NAME=VALUE');
    expect(failure(() => attributeFlags(['orderId=1'], own)).message).toBe('--attr "orderId" is not a CloudEvents attribute name');
    expect(failure(() => attributeFlags(['type=x'], own)).hint).toBe('use --type instead');
  });
});
