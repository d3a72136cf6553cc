import { describe, expect, it } from 'vitest';
import { levelOf, parseLineFields, peekLevel, peekMessage } from './log-line-parse.js';

describe('parseLineFields', () => {
  it.each([
    ['pino', '{"level":30,"time":1700000000000,"pid":7,"hostname":"h","msg":"listening"}', { level: 'info', message: 'listening' }],
    ['pino warn', '{"level":40,"time":1,"msg":"slow query","ms":812}', { level: 'warn', message: 'slow query' }],
    ['pino fatal', '{"level":60,"msg":"out of memory"}', { level: 'fatal', message: 'out of memory' }],
    ['pino with level labels', '{"level":"error","msg":"boom"}', { level: 'error', message: 'boom' }],
    ['pino custom level between', '{"level":35,"msg":"notice"}', { level: 'info', message: 'notice' }],
    ['bunyan', '{"name":"api","hostname":"h","pid":1,"level":20,"msg":"cache miss","time":"2024-01-01T00:00:00.000Z","v":0}', { level: 'debug', message: 'cache miss' }],
    ['bunyan trace', '{"name":"api","level":10,"msg":"enter","v":0}', { level: 'trace', message: 'enter' }],
    ['winston', '{"level":"warn","message":"disk 91% full","service":"db"}', { level: 'warn', message: 'disk 91% full' }],
    ['winston colorized', '{"level":"\\u001b[31merror\\u001b[39m","message":"failed"}', { level: 'error', message: 'failed' }],
    ['winston syslog levels', '{"level":"crit","message":"down"}', { level: 'fatal', message: 'down' }],
    ['winston verbose', '{"level":"verbose","message":"v"}', { level: 'debug', message: 'v' }],
    ['escaped message', '{"level":30,"msg":"caf\\u00e9 \\"open\\""}', { level: 'info', message: 'café "open"' }],
    ['numeric message', '{"level":30,"message":42}', { level: 'info', message: '42' }],
    ['level only', '{"level":50,"err":{"type":"Error"}}', { level: 'error' }],
    ['message only', '{"msg":"no level"}', { message: 'no level' }],
  ])('%s', (_what, line, fields) => {
    expect(parseLineFields(line)).toEqual(fields);
  });

  it.each([
    ['plain text', 'listening on 3000'],
    ['text that is JSON later on', 'got {"level":50}'],
    ['indented JSON (only a line starting with { is parsed)', ' {"level":50,"msg":"x"}'],
    ['malformed JSON', '{"level":50,"msg":"cut off'],
    ['not JSON at all', '{ this is a block }'],
    ['a JSON array', '[{"level":50}]'],
    ['JSON of another shape', '{"event":"click","x":3}'],
    ['an unknown level name and no message', '{"level":"loud"}'],
    ['empty', ''],
  ])('has no fields for %s', (_what, line) => {
    expect(parseLineFields(line)).toEqual({});
  });

  it.each([
    [10, 'trace'], [5, 'trace'], [20, 'debug'], [30, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal'], [70, 'fatal'],
    ['30', 'info'], ['WARNING', 'warn'], [' Info ', 'info'], ['silly', 'trace'], ['http', 'info'],
    [Number.NaN, undefined], [Number.POSITIVE_INFINITY, undefined], [true, undefined], ['loud', undefined], [null, undefined],
  ])('levelOf(%j) is %s', (value, level) => {
    expect(levelOf(value)).toBe(level);
  });
});

describe('reading level and message without parsing', () => {
  // [line, peekLevel, peekMessage]; undefined = unsure, the line is parsed instead
  it.each<[string, string | undefined, string | undefined]>([
    ['{"level":30,"time":1,"msg":"listening"}', 'info', 'listening'],
    ['{"level":50}', 'error', undefined],
    ['{"level":"warn","message":"disk full"}', 'warn', 'disk full'],
    ['{"level":30.5,"msg":"x"}', undefined, 'x'],                                  // a fraction: parse
    ['{"level":"\\u001b[31merror\\u001b[39m","message":"x"}', undefined, undefined], // escapes: parse
    ['{"level":30,"req":{"level":10},"msg":"x"}', undefined, 'x'],                // the key twice: parse
    ['{"level":30,"msg":"say \\"hi\\""}', 'info', undefined],                   // escaped message: parse
    ['{"level":"info","message":"hi","meta":{"msg":"nested"}}', 'info', undefined], // both keys: parse
    ['{"level":30,"msg":7}', 'info', undefined],                                  // not a string: parse
    ['{"level" : 30, "msg" : "spaced"}', undefined, undefined],
  ])('%s', (line, level, message) => {
    expect(peekLevel(line)).toBe(level);
    expect(peekMessage(line)).toBe(message);
    // whatever is read without parsing agrees with the parse
    const parsed = parseLineFields(line);
    if (level !== undefined) expect(parsed.level).toBe(level);
    if (message !== undefined) expect(parsed.message).toBe(message);
  });
});
