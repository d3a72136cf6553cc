// What the filters of a log query mean, for every runtime and for the API that checks them up
// front: the level names in order, and the grep pattern (text to look for, or `/regex/flags`).
// Pure; a bad pattern is a TUTTI_E_BAD_REQUEST so the API can refuse it before reading anything.
// A regex runs in the control plane over every line: one whose backtracking can grow
// exponentially with a line's length (nested repetition such as `(a+)+`, found by safe-regex2's
// star-height check, as fastify checks its routes) is refused, since any token holder could
// otherwise stall the daemon with it. Overlapping alternations (`(a|a)*`) are not caught.

import safeRegex from 'safe-regex2';
import { TuttiError, type LogLevel } from '../core/index.js';

/** Lowest first; a level filter keeps its level and every one after it. */
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export function levelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A compiled grep pattern: `test` says whether a text contains it. */
export interface GrepPattern {
  readonly kind: 'text' | 'regex';
  /** the pattern as given */
  readonly source: string;
  test(text: string): boolean;
}

// `/…/` with nothing but flag letters after the closing slash; `/api/v1/orders` stays text
const REGEX_FORM = /^\/(.+)\/([dgimsuvy]*)$/s;

/**
 * `/body/flags` is a JavaScript regular expression, anything else a plain substring (case
 * sensitive). The g and y flags are dropped: they make `test` remember where it stopped.
 */
export function parseGrep(pattern: string, opts: { label?: string; field?: string } = {}): GrepPattern {
  const m = REGEX_FORM.exec(pattern);
  if (!m) return { kind: 'text', source: pattern, test: (text) => text.includes(pattern) };
  let re: RegExp;
  try {
    re = new RegExp(m[1], m[2].replace(/[gy]/g, ''));
  } catch (err) {
    // V8 says "Invalid regular expression: /a(/: Unterminated group"; the pattern is named already
    const why = (err instanceof Error ? err.message : String(err)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    const label = opts.label ?? 'the grep pattern';
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${label} ${pattern} is not a valid regular expression: ${why.charAt(0).toLowerCase()}${why.slice(1)}`, {
      hint: 'write a JavaScript regular expression between slashes, such as /timeout|refused/i, or leave the slashes out to search for the text as it is',
      details: { field: opts.field ?? 'grep', pattern },
    });
  }
  if (!safeRegex(re)) {
    const label = opts.label ?? 'the grep pattern';
    throw new TuttiError('TUTTI_E_BAD_REQUEST', `${label} ${pattern} can take exponential time on some lines (a repetition inside a repetition, such as (a+)+)`, {
      hint: 'drop the outer repetition (/(a+)+/ matches what /a+/ matches), or search for plain text',
      details: { field: opts.field ?? 'grep', pattern },
    });
  }
  return { kind: 'regex', source: pattern, test: (text) => re.test(text) };
}
