import { describe, expect, it } from 'vitest';
import { TuttiError } from '../core/index.js';
import { isLogLevel, levelRank, LOG_LEVELS, parseGrep } from './log-query.js';

describe('parseGrep', () => {
  it.each<[string, 'text' | 'regex', string, boolean]>([
    ['timeout', 'text', 'upstream timeout after 2s', true],
    ['timeout', 'text', 'upstream Timeout after 2s', false],          // text is case sensitive
    ['a.c', 'text', 'abc', false],                                     // no regex syntax in text
    ['a.c', 'text', 'x a.c y', true],
    ['/api/v1/orders', 'text', 'GET /api/v1/orders 200', true],        // a path is text, not a regex
    ['/time(out|d out)/', 'regex', 'request timed out', true],
    ['/^GET /', 'regex', 'GET /healthz', true],
    ['/^GET /', 'regex', 'a GET /healthz', false],
    ['/refused/i', 'regex', 'connection REFUSED', true],
    ['/api/v', 'regex', 'GET /api/x', true],                          // slashes around, then flag letters only
  ])('%s (%s) on %j → %s', (pattern, kind, text, expected) => {
    const grep = parseGrep(pattern);
    expect(grep.kind).toBe(kind);
    expect(grep.test(text)).toBe(expected);
  });

  it('drops the g and y flags, which would make repeated tests depend on the last one', () => {
    const grep = parseGrep('/err/gy');
    expect([grep.test('err'), grep.test('err'), grep.test('an err')]).toEqual([true, true, true]);
  });

  it.each([
    ['/a(/', 'the grep pattern /a(/ is not a valid regular expression: unterminated group'],
    ['/[z-a]/', 'the grep pattern /[z-a]/ is not a valid regular expression: range out of order in character class'],
    ['/x/ii', "the grep pattern /x/ii is not a valid regular expression: invalid flags supplied to RegExp constructor 'ii'"],
  ])('refuses %s with a bad-request error naming it', (pattern, message) => {
    const err = (() => {
      try {
        parseGrep(pattern);
      } catch (e) {
        return e;
      }
    })() as TuttiError;
    expect(err).toBeInstanceOf(TuttiError);
    expect(err.code).toBe('TUTTI_E_BAD_REQUEST');
    expect(err.message).toBe(message);
    expect(err.hint).toMatch(/between slashes/);
  });

  it.each(['/(a+)+$/', '/(\\w+\\s?)*$/i', '/(x+x+)+y/'])('refuses %s, whose backtracking can grow exponentially with a line', (pattern) => {
    expect(() => parseGrep(pattern)).toThrow(/can take exponential time on some lines/);
    // and the same patterns' safe forms are fine
    expect(parseGrep('/a+$/').test('xaa')).toBe(true);
  });

  it('accepts the regexes people grep logs with', () => {
    for (const p of ['/timeout|refused/i', '/^\\d+ms$/', '/error.*order \\d+/', '/"level":(40|50)/']) expect(parseGrep(p).kind).toBe('regex');
  });

  it('names the field it was given', () => {
    expect(() => parseGrep('/(/', { label: 'invalid request: querystring.grep' })).toThrow(/^invalid request: querystring.grep \/\(\/ is not/);
  });
});

describe('levels', () => {
  it('are ordered from trace to fatal', () => {
    expect(LOG_LEVELS.map(levelRank)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(levelRank('warn')).toBeGreaterThan(levelRank('info'));
  });

  it('knows its names only', () => {
    expect(['info', 'fatal', 'warning', 'INFO', ''].map(isLogLevel)).toEqual([true, true, false, false, false]);
  });
});
