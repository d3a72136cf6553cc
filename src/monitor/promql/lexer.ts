// Splits a PromQL expression into tokens. Durations are only recognised inside `[…]` (as
// Prometheus does), `Inf`/`NaN` are numbers outside braces, `#` starts a comment, and string
// escapes follow Go's rules since rule files are written for Prometheus.

import { PromqlError } from './promql-error.js';

export type TokenKind = 'number' | 'ident' | 'string' | 'duration' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text, or for `punct` the operator itself. */
  text: string;
  /** Offset of the first character. */
  start: number;
  /** Numbers: their value; strings: the unescaped contents. */
  number?: number;
  string?: string;
}

// Longest first, so that `==` is not read as `=` `=`.
const PUNCTUATION = ['==', '!=', '=~', '!~', '>=', '<=', '(', ')', '{', '}', '[', ']', ',', '=',
  '>', '<', '+', '-', '*', '/', '%', '^', '@', ':'];

const IDENT = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;
// Inside braces only label names occur, and they cannot contain colons.
const LABEL = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const NUMBER = /0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const WORD_TAIL = /[a-zA-Z0-9_.]*/y;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let braces = 0;
  let brackets = 0;
  const at = (re: RegExp): string | undefined => {
    re.lastIndex = pos;
    return re.exec(text)?.[0];
  };
  while (pos < text.length) {
    const c = text[pos];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') { pos++; continue; }
    if (c === '#') {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl;
      continue;
    }
    const start = pos;
    if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readString(text, pos);
      tokens.push({ kind: 'string', text: text.slice(start, end), start, string: value });
      pos = end;
      continue;
    }
    if (brackets > 0 && /[0-9a-zA-Z.]/.test(c)) {
      // Everything up to `]` or `:` is one duration token, checked by the parser, so that
      // `[5x]` is reported as a bad duration rather than as two odd tokens.
      const word = at(WORD_TAIL) ?? '';
      tokens.push({ kind: 'duration', text: word, start });
      pos += word.length;
      continue;
    }
    const num = /[0-9.]/.test(c) ? at(NUMBER) : undefined;
    if (num !== undefined) {
      pos += num.length;
      const tail = at(WORD_TAIL) ?? '';
      if (tail !== '') {
        // `5m` outside a range: keep it whole so the error names what was written.
        pos += tail.length;
        tokens.push({ kind: 'duration', text: num + tail, start });
      } else {
        tokens.push({ kind: 'number', text: num, start, number: Number(num) });
      }
      continue;
    }
    const ident = brackets > 0 ? undefined : at(braces > 0 ? LABEL : IDENT);
    if (ident !== undefined) {
      pos += ident.length;
      const lower = ident.toLowerCase();
      if (braces === 0 && (lower === 'inf' || lower === 'nan')) {
        tokens.push({ kind: 'number', text: ident, start, number: lower === 'inf' ? Infinity : NaN });
      } else {
        tokens.push({ kind: 'ident', text: ident, start });
      }
      continue;
    }
    const op = PUNCTUATION.find((p) => text.startsWith(p, pos));
    if (op === undefined) {
      throw new PromqlError(`unexpected character ${JSON.stringify(c)}`, text, { offset: pos });
    }
    if (op === '{') braces++;
    if (op === '}') braces = Math.max(0, braces - 1);
    if (op === '[') brackets++;
    if (op === ']') brackets = Math.max(0, brackets - 1);
    tokens.push({ kind: 'punct', text: op, start });
    pos += op.length;
  }
  tokens.push({ kind: 'eof', text: '', start: text.length });
  return tokens;
}

/** Reads a quoted string starting at `start`; returns its value and the offset after it. */
function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  const unterminated = () =>
    new PromqlError('unterminated string', text, { offset: start, hint: `close it with ${quote}` });
  if (quote === '`') {
    const close = text.indexOf('`', start + 1);
    if (close < 0) throw unterminated();
    return { value: text.slice(start + 1, close), end: close + 1 };
  }
  // Bytes, not characters: Go's \x and octal escapes write single bytes of UTF-8.
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  let pos = start + 1;
  while (pos < text.length) {
    const c = text[pos];
    if (c === quote) {
      return { value: new TextDecoder().decode(new Uint8Array(bytes)), end: pos + 1 };
    }
    if (c === '\n') break;
    if (c !== '\\') {
      const cp = text.codePointAt(pos)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      pos += ch.length;
      continue;
    }
    const e = text[pos + 1];
    if (e === undefined) break;
    const escapeAt = pos;
    pos += 2;
    if (e in SIMPLE_ESCAPES) {
      bytes.push(SIMPLE_ESCAPES[e].charCodeAt(0));
    } else if (e === 'x' || e === 'u' || e === 'U' || /[0-7]/.test(e)) {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 3;
      const digits = /[0-7]/.test(e) ? text.slice(pos - 1, pos + 2) : text.slice(pos, pos + len);
      const radix = /[0-7]/.test(e) ? 8 : 16;
      const valid = radix === 8 ? /^[0-7]{3}$/ : new RegExp(`^[0-9a-fA-F]{${len}}$`);
      const n = parseInt(digits, radix);
      if (!valid.test(digits) || (radix === 8 && n > 255) || n > 0x10ffff) {
        throw new PromqlError(`invalid escape sequence "\\${e}"`, text, { offset: escapeAt });
      }
      pos += radix === 8 ? 2 : len;
      if (e === 'u' || e === 'U') bytes.push(...encoder.encode(String.fromCodePoint(n)));
      else bytes.push(n);
    } else {
      throw new PromqlError(`unknown escape sequence "\\${e}"`, text, {
        offset: escapeAt,
        hint: 'write a backslash as \\\\, or use a `raw` string',
      });
    }
  }
  throw unterminated();
}
