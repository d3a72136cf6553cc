import { describe, expect, it } from 'vitest';
import { requiredLiteral } from './log-grep-literal.js';

describe('requiredLiteral', () => {
  it.each<[string, string, string | undefined]>([
    ['payment-declined', '', 'payment-declined'],
    ['^GET \\/orders', '', 'GET /orders'],
    ['timeout after \\d+ms', '', 'timeout after '],
    ['\\bpayment\\b', 'u', 'payment'],
    ['colou?r', '', 'colo'],                        // the u is optional
    ['ab*c', '', 'a'],
    ['ab+c', '', 'ab'],
    ['x{2,3}yz', '', 'yz'],
    ['ab{2}', '', 'a'],
    ['(?:optional)?text', '', 'text'],
    ['(ab)c', '', 'c'],
    ['[abc]def', '', 'def'],
    ['[\\]x]yz', '', 'yz'],
    ['a.b.cde', 's', 'cde'],
    ['end$', 'm', 'end'],
    ['🚀?go', 'u', 'go'],                           // the whole rocket is optional
    ['x🚀+', '', 'x🚀'],
    // unsure: no literal
    ['payment', 'i', undefined],                      // case-insensitive
    ['payment|refund', '', undefined],
    ['\\x41BC', '', undefined],                       // an escape that is not punctuation
    ['(a)\\1', '', undefined],
    ['a{', '', undefined],                            // a brace that is not a quantifier
    ['[abc', '', undefined],
    ['\\d+\\.\\d+', '', undefined],                  // '.' alone may be all a JSON number message holds
    ['v\\d+\\.\\d+ up', '', ' up'],
    ['^\\d+$', '', undefined],                        // nothing literal
    ['1e2', '', undefined],                           // a JSON number message reads otherwise
    ['Infinity', '', undefined],
    ['-1.5', '', undefined],
    ['100 ms', '', '100 ms'],
  ])('/%s/%s needs %j', (source, flags, literal) => {
    expect(requiredLiteral(source, flags)).toBe(literal);
  });

  it('every match of the regex holds the literal', () => {
    const cases: Array<[string, string, string[]]> = [
      ['colou?r', '', ['color', 'colour']],
      ['ab*c', '', ['ac', 'abbbc']],
      ['x{2,3}yz', '', ['xxyz', 'xxxyz']],
      ['(?:optional)?text', '', ['text', 'optionaltext']],
      ['🚀?go', 'u', ['go', '🚀go']],
    ];
    for (const [source, flags, samples] of cases) {
      const re = new RegExp(source, flags);
      const literal = requiredLiteral(source, flags)!;
      for (const sample of samples) {
        expect(re.test(sample)).toBe(true);
        expect(sample.includes(literal), `${sample} holds ${literal}`).toBe(true);
      }
    }
  });
});
