// Flags of `tutti workflow` and `tutti events` turned into API values, checked here so a mistake
// names the flag the user typed and, for JSON, the line and column where it goes wrong.

import { readFileSync } from 'node:fs';
import { parseDuration, TuttiError } from '../../core/index.js';
import type { RunStatus } from '../../client/index.js';

export const RUN_STATUSES: readonly RunStatus[] = ['running', 'completed', 'faulted', 'cancelled', 'suspended'];

function badFlag(flag: string, what: string, hint: string): TuttiError {
  return new TuttiError('TUTTI_E_BAD_REQUEST', `${flag} ${what}`, { hint, details: { flag } });
}

/** Where a text stops being JSON (its length when it ends too early); -1 when it is JSON. */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (ch: string) => (text[i] === ch ? void i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') return void i++;
      if (ch < ' ') fail();
      if (ch === '\\') {
        i++;
        if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else if (text[i] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) i += 5;
        else fail();
      } else i++;
    }
    fail();
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const list = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else return expect(close);
    }
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      return list('}', () => {
        ws();
        string();
        ws();
        expect(':');
        value();
      });
    }
    if (ch === '[') return list(']', value);
    if (ch === '"') return string();
    for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, i)) return void (i += literal.length);
    NUMBER.lastIndex = i;
    if (NUMBER.exec(text)) i = NUMBER.lastIndex;
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return at as number;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** V8's sentence without its position or echo of the text (the caller names the place). */
function reason(err: unknown): string {
  return String((err as Error).message)
    .replace(/,? ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ of JSON input$/, '');
}

/**
 * The value of a JSON flag: inline JSON, `@file` (JSON read from that file) or `@-` (stdin).
 * A mistake names the flag, and the line and column where the text stops being JSON.
 */
export function jsonFlag(flag: string, value: string, read: (file: string) => string = readText): unknown {
  const fromFile = value.startsWith('@') ? value.slice(1) : undefined;
  let text = value;
  if (fromFile !== undefined) {
    if (fromFile === '') throw badFlag(flag, '@ names no file', `write ${flag} @input.json, or ${flag} @- for standard input`);
    try {
      text = read(fromFile);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw badFlag(flag, `@${fromFile}: cannot read ${fromFile === '-' ? 'standard input' : fromFile} (${why})`, `give a JSON file, or the JSON itself: ${flag} '{"a": 1}'`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const at = jsonErrorOffset(text);
    const { line, column } = lineColumn(text, at < 0 ? text.length : at);
    const where = fromFile === undefined ? (line === 1 ? `at column ${column}` : `at line ${line}, column ${column}`) : `at ${fromFile === '-' ? 'stdin' : fromFile}:${line}:${column}`;
    const subject = fromFile === undefined ? flag : `${flag} @${fromFile}`;
    throw badFlag(subject, `is not valid JSON ${where}: ${reason(e)}`, `quote it for the shell, e.g. ${flag} '{"orderId": "o-1"}', or read it from a file with ${flag} @input.json`);
  }
}

function readText(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

/** --since/--until: a duration back from now (1h) or an ISO time, passed on as written. */
export function timeFlag(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (parseDuration(value) !== undefined || !Number.isNaN(Date.parse(value))) return value;
  throw badFlag(flag, `"${value}" is neither a duration nor a time`, `use 30m, 2h, or 2026-01-31T12:00:00Z, e.g. ${flag} 1h`);
}

export function limitFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw badFlag('--limit', `"${value}" is not a number from 1 to 1000`, 'e.g. --limit 20');
  return n;
}

export function statusFlag(value: string | undefined): RunStatus | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_STATUSES as readonly string[]).includes(value)) throw badFlag('--status', `"${value}" is not a run status`, `use one of ${RUN_STATUSES.join(', ')}`);
  return value as RunStatus;
}

/** CloudEvents extension attributes from repeated `--attr name=value`. */
export function attributeFlags(pairs: readonly string[] | undefined, reserved: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 1) throw badFlag('--attr', `"${pair}" is not NAME=VALUE`, 'e.g. --attr orderid=o-1');
    if (!/^[a-z0-9]{1,20}$/.test(name)) {
      throw badFlag('--attr', `"${name}" is not a CloudEvents attribute name`, 'names are 1 to 20 lower-case letters or digits, e.g. --attr orderid=o-1');
    }
    if (reserved.has(name)) throw badFlag('--attr', `"${name}" has a flag of its own`, `use --${name} instead`);
    out[name] = pair.slice(eq + 1);
  }
  return out;
}
