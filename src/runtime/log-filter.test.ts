import { describe, expect, it } from 'vitest';
import type { LogLine } from '../core/index.js';
import type { LogQuery } from './contract.js';
import { compileLineFilter, filterLine } from './log-filter.js';

const pino = (level: number, msg: string, extra = '') => `{"level":${level},"time":1700000000000${extra},"msg":${JSON.stringify(msg)}}`;

const LINES = {
  plain: 'listening on 3000',
  plainError: 'Error: connect ECONNREFUSED',
  trace: pino(10, 'enter handler'),
  info: pino(30, 'GET /orders 200', ',"orderId":42'),
  warn: pino(40, 'slow query'),
  error: pino(50, 'payment failed', ',"orderId":7'),
  fatal: pino(60, 'out of memory'),
  winstonWarn: '{"level":"warn","message":"disk almost full"}',
  accented: pino(30, 'café open'),
  unicodeEscaped: '{"level":30,"msg":"caf\\u00e9 open"}',
  noLevel: '{"msg":"no level here"}',
  brokenJson: '{"level":50,"msg":"cut',
};
type Name = keyof typeof LINES;

function kept(query: LogQuery): Name[] {
  const filter = compileLineFilter(query);
  return (Object.keys(LINES) as Name[]).filter((name) => filter.match(LINES[name]) !== undefined);
}

describe('grep', () => {
  it.each<[string, Name[]]>([
    ['listening', ['plain']],
    ['ECONNREFUSED', ['plainError']],
    ['slow', ['warn']],
    ['orderId', ['info', 'error']],                               // a field of the JSON line, found in the line as written
    ['"orderId":42', ['info']],
    ['café', ['accented', 'unicodeEscaped']],                      // \u00e9 in the line, é in its parsed message
    ['nothing like it', []],
  ])('text %j keeps %j', (grep, names) => {
    expect(kept({ grep })).toEqual(names);
  });

  it.each<[string, Name[]]>([
    ['/^GET \\/orders/', ['info']],                               // anchored on the parsed message, not the JSON line
    ['/^listening/', ['plain']],
    ['/memory|disk/', ['fatal', 'winstonWarn']],
    ['/PAYMENT/i', ['error']],
    ['/^\\{/', ['trace', 'info', 'warn', 'error', 'fatal', 'winstonWarn', 'accented', 'unicodeEscaped', 'noLevel', 'brokenJson']],
  ])('regex %s keeps %j', (grep, names) => {
    expect(kept({ grep })).toEqual(names);
  });

  it('matches the parsed message of a line whose message cannot be read without parsing', () => {
    const filter = compileLineFilter({ grep: '/^hi/' });
    expect(filter.match('{"level":"info","message":"hi there","meta":{"msg":"nested"}}')).toEqual({ level: 'info', message: 'hi there' });
    expect(filter.match('{"level":"info","meta":{"msg":"hi nested"}}')).toBeUndefined(); // no message of its own
    expect(filter.match('{"level":30,"msg":"hi \\"you\\""}')).toEqual({ level: 'info', message: 'hi "you"' });
  });

  it('refuses a bad regex when the query is compiled', () => {
    expect(() => compileLineFilter({ grep: '/a(/' })).toThrow(/not a valid regular expression/);
  });
});

describe('level', () => {
  it.each<[LogQuery['level'], Name[]]>([
    ['trace', ['trace', 'info', 'warn', 'error', 'fatal', 'winstonWarn', 'accented', 'unicodeEscaped']],
    ['info', ['info', 'warn', 'error', 'fatal', 'winstonWarn', 'accented', 'unicodeEscaped']],
    ['warn', ['warn', 'error', 'fatal', 'winstonWarn']],
    ['error', ['error', 'fatal']],
    ['fatal', ['fatal']],
  ])('%s keeps that level and above, and no line without a level', (level, names) => {
    expect(kept({ level })).toEqual(names);
  });

  it('combines with grep', () => {
    expect(kept({ level: 'warn', grep: 'orderId' })).toEqual(['error']);
    expect(kept({ level: 'error', grep: 'listening' })).toEqual([]);
  });
});

describe('match', () => {
  it('gives level and message of JSON lines and nothing for plain ones', () => {
    const filter = compileLineFilter({});
    expect(filter.match(LINES.error)).toEqual({ level: 'error', message: 'payment failed' });
    expect(filter.match(LINES.winstonWarn)).toEqual({ level: 'warn', message: 'disk almost full' });
    expect(filter.match(LINES.plain)).toEqual({});
    expect(filter.match(LINES.brokenJson)).toEqual({});
  });
});

describe('time window', () => {
  it.each<[LogQuery, number[]]>([
    [{}, [1000, 2000, 3000]],
    [{ sinceMs: 2000 }, [2000, 3000]],
    [{ untilMs: 2000 }, [1000, 2000]],
    [{ sinceMs: 1500, untilMs: 2500 }, [2000]],
    [{ sinceMs: 3000, untilMs: 1000 }, []],
  ])('%j keeps %j (both ends included)', (query, times) => {
    const filter = compileLineFilter(query);
    expect([1000, 2000, 3000].filter((t) => filter.inWindow(t))).toEqual(times);
  });
});

describe('filterLine', () => {
  const line = (time: number, text: string): LogLine => ({ time, service: 'api', instance: 'api-1', stream: 'stdout', text });

  it('adds level and message to a live line that passes, and drops one that does not', () => {
    const filter = compileLineFilter({ level: 'warn', sinceMs: 1000 });
    expect(filterLine(filter, line(2000, LINES.warn))).toEqual({ ...line(2000, LINES.warn), level: 'warn', message: 'slow query' });
    expect(filterLine(filter, line(500, LINES.warn))).toBeUndefined();
    expect(filterLine(filter, line(2000, LINES.info))).toBeUndefined();
    expect(filterLine(filter, line(2000, LINES.plain))).toBeUndefined();
  });

  it('passes a plain line through unchanged', () => {
    const l = line(1, LINES.plain);
    expect(filterLine(compileLineFilter({}), l)).toBe(l);
  });
});
