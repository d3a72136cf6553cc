// Level and message of a structured log line: pino and bunyan write `{"level":30,"msg":…}`,
// winston `{"level":"info","message":…}`. Only a line starting with `{` is handed to
// JSON.parse, so plain text costs one character comparison.

import type { LogLevel } from '../core/index.js';

export interface LineFields {
  level?: LogLevel;
  message?: string;
}

const NONE: LineFields = Object.freeze({});

// pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; a custom
// level in between counts as the named one below it
const NUMERIC: Array<[number, LogLevel]> = [[60, 'fatal'], [50, 'error'], [40, 'warn'], [30, 'info'], [20, 'debug']];

// pino's labels, winston's npm and syslog levels, and common spellings
const NAMED: Record<string, LogLevel> = {
  trace: 'trace', silly: 'trace',
  debug: 'debug', verbose: 'debug',
  info: 'info', information: 'info', http: 'info', notice: 'info',
  warn: 'warn', warning: 'warn',
  error: 'error', err: 'error',
  fatal: 'fatal', crit: 'fatal', critical: 'fatal', alert: 'fatal', emerg: 'fatal', emergency: 'fatal', panic: 'fatal',
};

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

export function startsLikeJson(text: string): boolean {
  return text.charCodeAt(0) === 123; // '{'
}

/** Level and message of a JSON line; empty for plain text, malformed JSON, or JSON of another shape. */
export function parseLineFields(text: string): LineFields {
  if (!startsLikeJson(text)) return NONE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NONE;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return NONE;
  const record = value as Record<string, unknown>;
  const level = levelOf(record.level);
  const message = messageOf(record.msg) ?? messageOf(record.message);
  if (level === undefined && message === undefined) return NONE;
  const fields: LineFields = {};
  if (level !== undefined) fields.level = level;
  if (message !== undefined) fields.message = message;
  return fields;
}

const LEVEL_KEY = '"level":';

/**
 * The level of a JSON line read without parsing it: its only `"level":` key (an escaped quote
 * inside a string never reads as one; serialisers write every key alike) followed by a number
 * or a plain string. Undefined when unsure: parse the line then. Lets a level filter drop most
 * lines of a chatty service without a JSON.parse each; a line it keeps is parsed all the same.
 */
export function peekLevel(text: string): LogLevel | undefined {
  const key = text.indexOf(LEVEL_KEY);
  if (key < 0 || text.indexOf(LEVEL_KEY, key + 1) >= 0) return undefined;
  const start = key + LEVEL_KEY.length;
  const first = text.charCodeAt(start);
  if (first >= 48 && first <= 57) {
    let end = start + 1;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    const next = text.charCodeAt(end);
    // a fraction or an exponent: leave it to JSON.parse
    if (next !== 44 && next !== 125) return undefined; // ',' or '}'
    return levelOf(Number(text.slice(start, end)));
  }
  if (first === 34) {
    const end = text.indexOf('"', start + 1);
    if (end < 0) return undefined;
    const name = text.slice(start + 1, end);
    return name.includes('\\') ? undefined : levelOf(name);
  }
  return undefined;
}

/**
 * The message of a JSON line read without parsing it: the string of its only `"msg":` or
 * `"message":` key. Undefined when unsure (escapes in the line, both keys, a key written twice
 * or with a value that is not a string): parse the line then. A key that is only nested
 * deeper may be read; a caller keeping the line checks with the parsed message.
 */
export function peekMessage(text: string): string | undefined {
  if (text.includes('\\')) return undefined;
  const msg = text.includes('"msg":');
  if (msg && text.includes('"message":')) return undefined;
  return peekString(text, msg ? '"msg":' : '"message":');
}

function peekString(text: string, key: string): string | undefined {
  const at = text.indexOf(key);
  if (at < 0 || text.indexOf(key, at + 1) >= 0) return undefined;
  const start = at + key.length;
  if (text.charCodeAt(start) !== 34) return undefined; // '"'
  const end = text.indexOf('"', start + 1);
  return end < 0 ? undefined : text.slice(start + 1, end);
}

export function levelOf(value: unknown): LogLevel | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    for (const [min, level] of NUMERIC) if (value >= min) return level;
    return 'trace';
  }
  if (typeof value !== 'string') return undefined;
  // winston's colorize() wraps the level in terminal colour codes
  const name = (value.includes('\x1b') ? value.replace(ANSI, '') : value).trim().toLowerCase();
  if (/^\d+$/.test(name)) return levelOf(Number(name));
  return NAMED[name];
}

function messageOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
