// The token cursor shared by the parser, and the selector grammar it builds on:
// `name{label="v", …}`, `{__name__="name"}`, the `[5m]` range after a selector, and the label
// lists of `by (…)`, `without (…)`, `on (…)` and `ignoring (…)`.

import type { Expr, MatchOp, Matcher, VectorSelector } from './ast.js';
import { parsePromDuration } from './duration.js';
import { KEYWORDS } from './function-table.js';
import { compileRegex, matcherMatches, METRIC_NAME } from './labels.js';
import { type Token, tokenize } from './lexer.js';

const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export abstract class SelectorParser {
  protected readonly tokens: Token[];
  private pos = 0;
  // Where each node began, for errors about an argument or operand found after it was built.
  private readonly starts = new WeakMap<Expr, number>();

  constructor(protected readonly text: string) {
    this.tokens = tokenize(text);
  }

  protected abstract fail(message: string, offset: number, opts?: { hint?: string }): never;

  protected peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)];
  }

  protected next(): Token {
    const tok = this.peek();
    if (tok.kind !== 'eof') this.pos++;
    return tok;
  }

  protected acceptPunct(p: string): boolean {
    const tok = this.peek();
    if (tok.kind !== 'punct' || tok.text !== p) return false;
    this.next();
    return true;
  }

  protected expectPunct(p: string, expected: string): Token {
    const tok = this.peek();
    if (tok.kind !== 'punct' || tok.text !== p) {
      this.fail(`unexpected ${this.describe(tok)}; expected ${expected}`, tok.start);
    }
    return this.next();
  }

  protected describe(tok: Token): string {
    switch (tok.kind) {
      case 'eof': return 'end of input';
      case 'punct': return JSON.stringify(tok.text);
      case 'string': return `string ${tok.text}`;
      case 'number': return `number ${JSON.stringify(tok.text)}`;
      case 'duration': return `duration ${JSON.stringify(tok.text)}`;
      case 'ident':
        return KEYWORDS.has(tok.text.toLowerCase()) ? `keyword "${tok.text}"` : `identifier "${tok.text}"`;
    }
  }

  protected mark<T extends Expr>(node: T, start: number): T {
    this.starts.set(node, start);
    return node;
  }

  protected startOf(node: Expr): number {
    return this.starts.get(node) ?? 0;
  }

  /** `( a, b, )` after by/without/on/ignoring; `what` names the clause in errors. */
  protected labelList(what: string): string[] {
    this.expectPunct('(', `"(" and a list of labels after ${what}`);
    const labels: string[] = [];
    while (!this.acceptPunct(')')) {
      const tok = this.peek();
      if (tok.kind !== 'ident' || !LABEL_NAME.test(tok.text)) {
        this.fail(`unexpected ${this.describe(tok)}; expected a label name or ")"`, tok.start);
      }
      labels.push(this.next().text);
      if (this.acceptPunct(')')) break;
      this.expectPunct(',', '"," or ")"');
    }
    return labels;
  }

  /** A selector, and the range after it when there is one. */
  protected selectorOrRange(): Expr {
    const start = this.peek().start;
    const name = this.peek().kind === 'ident' ? this.next().text : undefined;
    const matchers = this.acceptPunct('{') ? this.matcherList() : [];
    const nameMatcher = matchers.find((m) => m.name === METRIC_NAME);
    if (name !== undefined && nameMatcher) {
      this.fail(`the metric name is set twice, as "${name}" and in {__name__…}`, start);
    }
    if (name === undefined && matchers.every((m) => matcherMatches(m, ''))) {
      this.fail('a selector needs a metric name or a matcher that does not match the empty string', start, {
        hint: 'name the metric, e.g. up{job="api"}, or match something, e.g. {job=~".+"}',
      });
    }
    const selector: VectorSelector = { type: 'selector', matchers };
    if (name !== undefined) selector.name = name;
    this.mark(selector, start);
    const bracket = this.peek();
    if (bracket.kind !== 'punct' || bracket.text !== '[') return selector;
    this.next();
    const d = this.peek();
    if (d.kind !== 'duration') this.fail(`unexpected ${this.describe(d)}; expected a duration like 5m`, d.start);
    this.next();
    const rangeMs = parsePromDuration(d.text);
    if (rangeMs === undefined) {
      this.fail(`bad duration "${d.text}"; expected a duration like 5m or 1h30m`, d.start, {
        hint: 'units are ms, s, m, h, d, w and y, largest first, in whole numbers',
      });
    }
    if (rangeMs === 0) this.fail('the range must be longer than zero', d.start);
    const colon = this.peek();
    if (colon.kind === 'punct' && colon.text === ':') this.fail('subqueries are not supported', colon.start);
    this.expectPunct(']', '"]"');
    return this.mark({ type: 'range', selector, rangeMs }, start);
  }

  private matcherList(): Matcher[] {
    const matchers: Matcher[] = [];
    while (!this.acceptPunct('}')) {
      const label = this.peek();
      if (label.kind !== 'ident' || !LABEL_NAME.test(label.text)) {
        const expected = matchers.length === 0 ? 'a label name or "}"' : 'a label name';
        this.fail(`unexpected ${this.describe(label)}; expected ${expected}`, label.start);
      }
      this.next();
      const op = this.peek();
      if (op.kind !== 'punct' || !MATCH_OPS.has(op.text)) {
        this.fail(`unexpected ${this.describe(op)}; expected "=", "!=", "=~" or "!~"`, op.start);
      }
      this.next();
      const value = this.peek();
      if (value.kind !== 'string') this.fail(`unexpected ${this.describe(value)}; expected a quoted string`, value.start);
      this.next();
      const matcher: Matcher = { name: label.text, op: op.text as MatchOp, value: value.string! };
      if (matcher.op === '=~' || matcher.op === '!~') this.checkRegex(matcher.value, value.start);
      matchers.push(matcher);
      if (this.acceptPunct('}')) break;
      this.expectPunct(',', '"," or "}"');
    }
    return matchers;
  }

  private checkRegex(source: string, offset: number): void {
    try {
      compileRegex(source);
    } catch (e) {
      // "Invalid regular expression: /^(?:(a)$/s: Unterminated group" → "Unterminated group".
      const reason = (e as Error).message.split(': ').pop() ?? '';
      const clause = reason.charAt(0).toLowerCase() + reason.slice(1);
      this.fail(`invalid regular expression ${JSON.stringify(source)}; ${clause}`, offset, {
        hint: 'the pattern must match the whole label value, as in Prometheus (RE2 syntax)',
      });
    }
  }
}
