// A precedence-climbing parser for tutti's PromQL subset. It builds the tree, type-checks it as
// Prometheus does (scalar, instant vector, range vector) and reports the first mistake with its
// column and what would have been accepted there. Selector and argument syntax is in
// `parse-selector.ts`; this file holds expressions and operators.

import {
  type AggregateOp, type Binary, type BinaryOp, type Expr, type ValueType, type VectorMatching,
  AGGREGATE_OPS, UNARY_PRECEDENCE, isComparison, isRightAssociative, isSetOp, precedence,
} from './ast.js';
import {
  FUNCTIONS, KEYWORDS, PROMETHEUS_ONLY_AGGREGATIONS, TYPE_NAMES, isFunctionName,
  isPrometheusOnlyFunction, typeOf,
} from './function-table.js';
import { PromqlError } from './promql-error.js';
import { SelectorParser } from './parse-selector.js';

const BINARY_PUNCT = new Set(['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=']);
const SET_WORDS = new Set(['and', 'or', 'unless']);

/** Parses a PromQL expression; throws PromqlError with the column of the first mistake. */
export function parseExpr(text: string): Expr {
  return new ExprParser(text).parseTop();
}

class ExprParser extends SelectorParser {
  parseTop(): Expr {
    if (this.peek().kind === 'eof') this.fail('empty expression; expected an expression', this.peek().start);
    const expr = this.expr(0);
    const tok = this.peek();
    if (tok.kind !== 'eof') {
      const hint = tok.kind === 'punct' && tok.text === '=' ? 'compare with ==' : undefined;
      this.fail(`unexpected ${this.describe(tok)}; expected an operator or the end of the expression`, tok.start, { hint });
    }
    if (typeOf(expr) === 'matrix') {
      this.fail('a range vector cannot be the result of an expression', this.startOf(expr), {
        hint: 'apply a function to it, such as rate(…) or avg_over_time(…)',
      });
    }
    return expr;
  }

  private expr(minPrec: number): Expr {
    let lhs = this.unary();
    for (;;) {
      const tok = this.peek();
      const op = this.binaryOp();
      if (op === undefined || precedence(op) < minPrec) return lhs;
      this.next();
      const bool = this.boolModifier(op);
      const matching = this.matchingModifier();
      const rhs = this.expr(isRightAssociative(op) ? precedence(op) : precedence(op) + 1);
      lhs = this.binary(op, lhs, rhs, bool, matching, tok.start);
    }
  }

  private binaryOp(): BinaryOp | undefined {
    const tok = this.peek();
    if (tok.kind === 'punct' && BINARY_PUNCT.has(tok.text)) return tok.text as BinaryOp;
    if (tok.kind !== 'ident') return undefined;
    const word = tok.text.toLowerCase();
    if (SET_WORDS.has(word)) return word as BinaryOp;
    if (word === 'atan2') this.fail('the atan2 operator is not supported', tok.start);
    return undefined;
  }

  private boolModifier(op: BinaryOp): boolean {
    const tok = this.peek();
    if (!this.isWord(tok, 'bool')) return false;
    if (!isComparison(op)) {
      this.fail('the bool modifier can only be used on comparison operators', tok.start);
    }
    this.next();
    return true;
  }

  private matchingModifier(): VectorMatching | undefined {
    const tok = this.peek();
    const on = this.isWord(tok, 'on');
    if (!on && !this.isWord(tok, 'ignoring')) return undefined;
    this.next();
    const labels = this.labelList(on ? 'on' : 'ignoring');
    const group = this.peek();
    if (this.isWord(group, 'group_left') || this.isWord(group, 'group_right')) {
      this.fail(`${group.text.toLowerCase()} (many-to-one matching) is not supported`, group.start, {
        hint: 'aggregate one side with sum by (…) so that both sides have one series per label set',
      });
    }
    return { on, labels };
  }

  private binary(op: BinaryOp, lhs: Expr, rhs: Expr, bool: boolean, matching: VectorMatching | undefined, at: number): Binary {
    for (const side of [lhs, rhs]) {
      if (typeOf(side) === 'matrix') {
        this.fail('binary expressions take scalars and instant vectors, not a range vector', this.startOf(side), {
          hint: 'apply a function to the range, such as rate(…)',
        });
      }
    }
    const bothScalar = typeOf(lhs) === 'scalar' && typeOf(rhs) === 'scalar';
    const anyScalar = typeOf(lhs) === 'scalar' || typeOf(rhs) === 'scalar';
    if (isSetOp(op) && anyScalar) {
      this.fail(`the set operator "${op}" needs instant vectors on both sides`, at);
    }
    if (isComparison(op) && bothScalar && !bool) {
      this.fail('comparisons between scalars must use the bool modifier', at, { hint: `write "${op} bool"` });
    }
    if (matching && anyScalar) {
      this.fail('vector matching (on/ignoring) is only allowed between instant vectors', at);
    }
    const node: Binary = { type: 'binary', op, lhs, rhs, bool };
    if (matching) node.matching = matching;
    return this.mark(node, this.startOf(lhs));
  }

  private unary(): Expr {
    const tok = this.peek();
    if (tok.kind === 'punct' && (tok.text === '-' || tok.text === '+')) {
      this.next();
      // The operand takes only what binds tighter than a sign: `-a ^ b` is `-(a ^ b)`.
      const operand = this.expr(UNARY_PRECEDENCE + 1);
      if (typeOf(operand) === 'matrix') {
        this.fail('a sign can only apply to a scalar or an instant vector', this.startOf(operand));
      }
      return this.mark({ type: 'unary', op: tok.text, expr: operand }, tok.start);
    }
    const expr = this.primary();
    const after = this.peek();
    if (after.kind === 'punct' && after.text === '[') {
      this.fail('a range can only follow a metric selector', after.start, {
        hint: 'write the range on the selector itself, e.g. rate(metric[5m])',
      });
    }
    if (this.isWord(after, 'offset') || (after.kind === 'punct' && after.text === '@')) {
      this.fail(`the ${after.text.toLowerCase()} modifier is not supported`, after.start);
    }
    return expr;
  }

  private primary(): Expr {
    const tok = this.peek();
    if (tok.kind === 'number') {
      this.next();
      return this.mark({ type: 'number', value: tok.number! }, tok.start);
    }
    if (tok.kind === 'punct' && tok.text === '(') {
      this.next();
      const inner = this.expr(0);
      this.expectPunct(')', '")" or an operator');
      return inner;
    }
    if (tok.kind === 'punct' && tok.text === '{') return this.selectorOrRange();
    if (tok.kind === 'ident') {
      const word = tok.text.toLowerCase();
      if ((AGGREGATE_OPS as readonly string[]).includes(word)) return this.aggregate(word as AggregateOp);
      if (PROMETHEUS_ONLY_AGGREGATIONS.has(word)) {
        this.fail(`the aggregation "${word}" is not supported`, tok.start, {
          hint: `supported aggregations: ${AGGREGATE_OPS.join(', ')}`,
        });
      }
      if (KEYWORDS.has(word)) this.fail(`unexpected keyword "${tok.text}"; expected an expression`, tok.start);
      const open = this.peek(1);
      if (open.kind === 'punct' && open.text === '(') return this.call();
      return this.selectorOrRange();
    }
    this.fail(`unexpected ${this.describe(tok)}; expected an expression`, tok.start);
  }

  private aggregate(op: AggregateOp): Expr {
    const start = this.next().start;
    let grouping = this.groupingClause();
    const args = this.argumentList(`${op}(…)`);
    if (args.length !== 1) {
      this.fail(`${op}(…) takes 1 argument, got ${args.length}`, start);
    }
    const arg = args[0];
    if (typeOf(arg) !== 'vector') {
      this.fail(`${op}(…) aggregates an instant vector, got ${TYPE_NAMES[typeOf(arg)]}`, this.startOf(arg));
    }
    if (!grouping) grouping = this.groupingClause();
    return this.mark(
      { type: 'aggregate', op, expr: arg, grouping: grouping?.labels ?? [], without: grouping?.without ?? false },
      start,
    );
  }

  private groupingClause(): { labels: string[]; without: boolean } | undefined {
    const tok = this.peek();
    const without = this.isWord(tok, 'without');
    if (!without && !this.isWord(tok, 'by')) return undefined;
    this.next();
    return { labels: this.labelList(without ? 'without' : 'by'), without };
  }

  private call(): Expr {
    const tok = this.next();
    const name = tok.text;
    if (!isFunctionName(name)) {
      const supported = Object.keys(FUNCTIONS).sort().join(', ');
      const message = isPrometheusOnlyFunction(name)
        ? `the function "${name}" is not supported`
        : `unknown function "${name}"`;
      this.fail(message, tok.start, { hint: `supported functions: ${supported}` });
    }
    const sig = FUNCTIONS[name];
    const args = this.argumentList(`${name}()`);
    if (args.length !== sig.args.length) {
      const want = `${sig.args.length} argument${sig.args.length === 1 ? '' : 's'}`;
      this.fail(`${name}() takes ${want}, got ${args.length}`, tok.start);
    }
    args.forEach((arg, i) => this.checkArgument(name, i, arg, sig.args[i]));
    return this.mark({ type: 'call', func: name, args }, tok.start);
  }

  private checkArgument(name: string, i: number, arg: Expr, want: ValueType): void {
    const got = typeOf(arg);
    if (got === want) return;
    const hint = want === 'matrix' && arg.type === 'selector'
      ? `add a range to the selector, e.g. ${name}(…[5m])`
      : undefined;
    this.fail(
      `argument ${i + 1} of ${name}() must be ${TYPE_NAMES[want]}, got ${TYPE_NAMES[got]}`,
      this.startOf(arg),
      { hint },
    );
  }

  /** `( expr, expr )`, the parentheses included. */
  private argumentList(what: string): Expr[] {
    this.expectPunct('(', `"(" to open the arguments of ${what}`);
    const args: Expr[] = [];
    if (this.acceptPunct(')')) return args;
    for (;;) {
      args.push(this.expr(0));
      if (this.acceptPunct(')')) return args;
      const comma = this.expectPunct(',', '"," or ")"');
      const tok = this.peek();
      if (tok.kind === 'punct' && tok.text === ')') this.fail(`trailing comma in ${what}`, comma.start);
    }
  }

  private isWord(tok: { kind: string; text: string }, word: string): boolean {
    return tok.kind === 'ident' && tok.text.toLowerCase() === word;
  }

  protected override fail(message: string, offset: number, opts: { hint?: string } = {}): never {
    throw new PromqlError(message, this.text, { offset, hint: opts.hint });
  }
}
