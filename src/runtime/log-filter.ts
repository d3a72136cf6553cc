// The line filters of a log query, compiled once per query and applied where lines are read
// (files and the live feed), so nothing unwanted leaves the runtime. Cheapest test first: the
// time window, then the pattern on the line as written, and JSON.parse only for lines that
// start with `{` and are still in the running.

import type { LogLine } from '../core/index.js';
import type { LogQuery } from './contract.js';
import { levelRank, parseGrep, type GrepPattern } from './log-query.js';
import { requiredLiteral } from './log-grep-literal.js';
import { parseLineFields, peekLevel, peekMessage, startsLikeJson, type LineFields } from './log-line-parse.js';

export interface LineFilter {
  readonly sinceMs?: number;
  readonly untilMs?: number;
  /**
   * text every grep match holds (the pattern itself, or a regex's required literal): a line can
   * only match when it holds it, or holds escapes; undefined when every line must be tried
   */
  readonly needle?: string;
  /** whether a line written at this time is inside the query's window */
  inWindow(time: number): boolean;
  /** the level and message of a line that passes grep and level; undefined for one that does not */
  match(text: string): LineFields | undefined;
}

const PLAIN: LineFields = Object.freeze({});

/** Throws TUTTI_E_BAD_REQUEST for a grep pattern that is not a valid regular expression. */
export function compileLineFilter(query: Pick<LogQuery, 'sinceMs' | 'untilMs' | 'grep' | 'level'>): LineFilter {
  const { sinceMs, untilMs } = query;
  const grep: GrepPattern | undefined = query.grep ? parseGrep(query.grep) : undefined;
  const minRank = query.level === undefined ? -1 : levelRank(query.level);
  return {
    sinceMs,
    untilMs,
    needle: grep === undefined ? undefined : grep.kind === 'text' ? grep.source : regexLiteral(grep.source),
    inWindow: (time) => (sinceMs === undefined || time >= sinceMs) && (untilMs === undefined || time <= untilMs),
    match(text) {
      const json = startsLikeJson(text);
      if (minRank >= 0) {
        // only JSON lines have a level; most of those below it are known without parsing
        if (!json) return undefined;
        const peeked = peekLevel(text);
        if (peeked !== undefined && levelRank(peeked) < minRank) return undefined;
      }
      let fields: LineFields | undefined;
      let byMessage = false;
      if (grep && !grep.test(text)) {
        if (!json) return undefined;
        // text absent from a line without escapes cannot be in one of its JSON strings either
        if (grep.kind === 'text' && !text.includes('\\')) return undefined;
        const peeked = peekMessage(text);
        if (peeked !== undefined && !grep.test(peeked)) return undefined;
        byMessage = true;
      }
      if (!json) return PLAIN;
      fields = parseLineFields(text);
      // the message read without parsing is checked against the parsed one
      if (byMessage && (fields.message === undefined || !grep!.test(fields.message))) return undefined;
      if (minRank >= 0 && (fields.level === undefined || levelRank(fields.level) < minRank)) return undefined;
      return fields;
    },
  };
}

// parseGrep's `/body/flags` form; g and y are dropped there and do not change what matches
const REGEX_FORM = /^\/(.+)\/([dgimsuvy]*)$/s;

function regexLiteral(pattern: string): string | undefined {
  const m = REGEX_FORM.exec(pattern);
  return m ? requiredLiteral(m[1], m[2].replace(/[gy]/g, '')) : undefined;
}

/** A live line as the query wants it (with level and message when parsed), or undefined. */
export function filterLine(filter: LineFilter, line: LogLine): LogLine | undefined {
  if (!filter.inWindow(line.time)) return undefined;
  const fields = filter.match(line.text);
  if (!fields) return undefined;
  return withFields(line, fields);
}

export function withFields(line: LogLine, fields: LineFields): LogLine {
  if (fields.level === undefined && fields.message === undefined) return line;
  // one literal of a fixed shape: spreading costs more than the rest of the read per kept line
  const out: LogLine = { time: line.time, service: line.service, instance: line.instance, stream: line.stream, text: line.text };
  if (fields.level !== undefined) out.level = fields.level;
  if (fields.message !== undefined) out.message = fields.message;
  return out;
}
